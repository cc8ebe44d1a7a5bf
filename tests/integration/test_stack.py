"""Real components together: PostgreSQL, Redis, a Celery worker process."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from casework.core import audit, outbox
from casework.core.models import AuditEvent, OutboxMessage
from casework.core.tasks import outbox_sweep as outbox_sweep_task

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _delivered(key: str) -> bool:
    return OutboxMessage.objects.filter(key=key, status=OutboxMessage.Status.DONE).exists()


def test_worker_delivers_outbox_mail_after_commit(
    celery_worker_process: Any, mail_dir: Path, wait_until: Callable[..., Any]
) -> None:
    with transaction.atomic():
        outbox.mail_to(key="it-1", to=["legal@example.cn"], subject="集成测试 1", body="正文")
    wait_until(lambda: _delivered("it-1"), timeout=30, what="outbox message it-1 delivered")
    mails = "".join(p.read_text("utf-8", errors="replace") for p in mail_dir.glob("*.log"))
    assert "legal@example.cn" in mails


def test_sweep_in_the_worker_recovers_a_message_whose_publish_was_lost(
    celery_worker_process: Any, wait_until: Callable[..., Any], settings: Any
) -> None:
    # Written as if the broker had been down at commit: the row exists, no task was sent.
    stale = timezone.now() - settings.OUTBOX_REDELIVER_AFTER - timedelta(seconds=5)
    OutboxMessage.objects.create(
        topic="mail.send",
        key="it-2",
        created_at=stale,
        payload={"to": ["chief@example.cn"], "subject": "补发", "body": "正文"},
    )
    outbox_sweep_task.delay()
    wait_until(lambda: _delivered("it-2"), timeout=30, what="swept message it-2 delivered")
    assert OutboxMessage.objects.get(key="it-2").attempts == 1


def test_concurrent_writers_keep_one_unbroken_chain_on_postgresql() -> None:
    assert connection.vendor == "postgresql"
    before = AuditEvent.objects.count()
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(25):
                with transaction.atomic():
                    audit.record(actor=None, verb="it.concurrent", payload={"w": n, "i": i})
        except BaseException as exc:  # reported below, with the thread's failure
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert AuditEvent.objects.count() == before + 200
    report = audit.chain_verify()
    assert report.ok, report
