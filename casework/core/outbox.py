"""The transactional outbox: follow-up work that must happen once its state change commits.

`outbox_put` writes a row in the caller's transaction and asks a worker to deliver it after
commit. If the broker is down, or the worker dies mid-delivery, the row stays pending and the
beat sweep (`outbox_sweep`) asks again. Handlers must be idempotent: a message can be delivered
more than once (a worker killed after the handler ran but before the row was marked done).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from casework.core.models import OutboxMessage

log = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any]], None]
_handlers: dict[str, Handler] = {}


def handler(topic: str) -> Callable[[Handler], Handler]:
    """Register the function that delivers messages of `topic` (apps call this in ready())."""

    def register(func: Handler) -> Handler:
        _handlers[topic] = func
        return func

    return register


def _publish(message_id: int) -> None:
    from casework.core.tasks import outbox_deliver as outbox_deliver_task

    try:
        outbox_deliver_task.delay(message_id)
    except Exception:  # the broker is down: the sweep redelivers, nothing is lost
        log.warning("outbox: could not publish message %s; the sweep will retry", message_id)


def outbox_put(*, topic: str, payload: dict[str, Any], key: str) -> OutboxMessage:
    """Queue work for after commit; the same key twice queues it once."""
    if topic not in _handlers:
        raise ValueError(f"no outbox handler for topic {topic!r}")
    message, created = OutboxMessage.objects.get_or_create(
        key=key, defaults={"topic": topic, "payload": payload}
    )
    if created:
        transaction.on_commit(lambda: _publish(message.pk))
    return message


def _claim(message_id: int, now: datetime) -> bool:
    # A conditional update is the lock (works on SQLite too): only one worker wins a message,
    # and a message whose worker died becomes claimable again after the redelivery lease.
    lease_expired = now - settings.OUTBOX_REDELIVER_AFTER
    return (
        OutboxMessage.objects.filter(pk=message_id, status=OutboxMessage.Status.PENDING)
        .filter(Q(last_attempt_at__isnull=True) | Q(last_attempt_at__lt=lease_expired))
        .update(last_attempt_at=now, attempts=F("attempts") + 1)
        == 1
    )


def outbox_deliver(*, message_id: int) -> bool:
    """Run one message's handler; return whether this call delivered it."""
    now = timezone.now()
    if not _claim(message_id, now):
        return False
    message = OutboxMessage.objects.get(pk=message_id)
    try:
        _handlers[message.topic](message.payload)
    except Exception as exc:
        failed = message.attempts >= settings.OUTBOX_MAX_ATTEMPTS
        message.status = OutboxMessage.Status.FAILED if failed else message.status
        message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        message.save(update_fields=["status", "last_error"])
        log.exception("outbox: message %s (%s) failed", message.pk, message.topic)
        return False
    message.status, message.done_at = OutboxMessage.Status.DONE, timezone.now()
    message.save(update_fields=["status", "done_at"])
    return True


def outbox_sweep(*, now: datetime, limit: int = 500) -> int:
    """Re-publish pending messages nobody has delivered; return how many were re-published.

    A message counts as lost once OUTBOX_REDELIVER_AFTER has passed since it was written or
    last claimed, so a healthy on-commit delivery is never doubled by the sweep."""
    stale = now - settings.OUTBOX_REDELIVER_AFTER
    due = (
        OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING)
        .filter(
            Q(last_attempt_at__lt=stale) | Q(last_attempt_at__isnull=True, created_at__lt=stale)
        )
        .order_by("id")
        .values_list("pk", flat=True)[:limit]
    )
    ids = list(due)
    for message_id in ids:
        _publish(message_id)
    return len(ids)


def mail_to(*, key: str, to: list[str], subject: str, body: str) -> OutboxMessage:
    """Send an email after commit, through the outbox."""
    return outbox_put(
        topic="mail.send", payload={"to": to, "subject": subject, "body": body}, key=key
    )


@handler("mail.send")
def _send_mail(payload: dict[str, Any]) -> None:
    send_mail(payload["subject"], payload["body"], None, payload["to"], fail_silently=False)
