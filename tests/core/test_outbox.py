"""The outbox: work queued with its state change, delivered once, recovered after a loss."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from casework.core import outbox
from casework.core.models import OutboxMessage

pytestmark = pytest.mark.django_db


def test_message_is_delivered_after_commit(django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        outbox.mail_to(key="t1", to=["a@example.cn"], subject="主题", body="正文")
        assert mail.outbox == []  # nothing is sent before the commit
    assert [m.subject for m in mail.outbox] == ["主题"]
    assert OutboxMessage.objects.get(key="t1").status == OutboxMessage.Status.DONE


def test_rolled_back_work_is_never_sent(django_capture_on_commit_callbacks: Any) -> None:
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        outbox.mail_to(key="t2", to=["a@example.cn"], subject="s", body="b")
        raise RuntimeError
    assert mail.outbox == []
    assert not OutboxMessage.objects.filter(key="t2").exists()


def test_the_same_key_queues_once() -> None:
    first = outbox.mail_to(key="t3", to=["a@example.cn"], subject="s", body="b")
    again = outbox.mail_to(key="t3", to=["a@example.cn"], subject="s", body="b")
    assert first.pk == again.pk
    assert OutboxMessage.objects.count() == 1


def test_a_delivered_message_is_not_delivered_again() -> None:
    message = outbox.mail_to(key="t4", to=["a@example.cn"], subject="s", body="b")
    assert outbox.outbox_deliver(message_id=message.pk) is True
    assert outbox.outbox_deliver(message_id=message.pk) is False
    assert len(mail.outbox) == 1


def test_sweep_republishes_a_lost_message_only_once_it_is_stale(settings: Any) -> None:
    message = outbox.mail_to(key="t5", to=["a@example.cn"], subject="s", body="b")
    now = timezone.now()
    assert outbox.outbox_sweep(now=now) == 0  # fresh: its own on-commit delivery is due
    later = now + settings.OUTBOX_REDELIVER_AFTER + timedelta(seconds=1)
    assert outbox.outbox_sweep(now=later) == 1  # lost: the eager task delivers it here
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.DONE
    assert len(mail.outbox) == 1


def test_a_failing_handler_records_the_error_and_keeps_the_message(settings: Any) -> None:
    settings.EMAIL_BACKEND = "tests.core.test_outbox.BrokenBackend"
    message = outbox.mail_to(key="t6", to=["a@example.cn"], subject="s", body="b")
    assert outbox.outbox_deliver(message_id=message.pk) is False
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.PENDING
    assert "SMTP down" in message.last_error
    assert message.attempts == 1


def test_unknown_topic_is_refused() -> None:
    with pytest.raises(ValueError, match="no outbox handler"):
        outbox.outbox_put(topic="nope", payload={}, key="t7")


class BrokenBackend:
    """A mail server that is down (a real failure mode, made on purpose)."""

    def __init__(self, **kwargs: Any) -> None:
        pass

    def send_messages(self, messages: list[Any]) -> int:
        raise ConnectionError("SMTP down")
