"""Beat: one sweep a minute creates due warnings, then delivers them."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from casework.deadlines import services


@shared_task(ignore_result=True, acks_late=True, reject_on_worker_lost=True)
def deadline_sweep() -> int:
    """Idempotent and state-based: safe to run twice, catches up after an outage."""
    now = timezone.now()
    services.deadline_sweep(now=now)
    return services.warnings_deliver(now=now)
