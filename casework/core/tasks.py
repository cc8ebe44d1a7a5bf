"""Celery tasks: thin interfaces over core services. Arguments are ids; every task is idempotent."""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

from casework.core import audit, outbox
from casework.core.models import AuditEvent

log = logging.getLogger(__name__)


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def outbox_deliver(message_id: int) -> bool:
    """Deliver one outbox message (a no-op if it was already delivered or is being delivered)."""
    return outbox.outbox_deliver(message_id=message_id)


@shared_task(ignore_result=True)
def outbox_sweep() -> int:
    """Beat, every minute: re-publish outbox messages that a lost task left pending."""
    return outbox.outbox_sweep(now=timezone.now())


@shared_task(ignore_result=True)
def audit_verify_chain() -> bool:
    """Beat, nightly: recompute the whole audit chain. A pass is recorded as the checkpoint
    the verification page starts from; a break is itself audited and logged."""
    report = audit.chain_verify()
    audit.checkpoint_record(report)
    if not report.ok:
        log.error("audit chain broken at row %s: %s", report.broken_id, report.reason)
        audit.record(
            actor=None,
            verb="audit.chain_broken",
            outcome=AuditEvent.Outcome.FAILURE,
            target_type="core.auditevent",
            target_id=str(report.broken_id),
            payload={"reason": report.reason, "checked": report.checked},
        )
    return report.ok
