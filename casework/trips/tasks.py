"""Beat: re-send and escalate unacknowledged safety reminders."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from casework.trips import services


@shared_task(ignore_result=True)
def reminders_escalate() -> int:
    """Every minute; idempotent (notification keys), state-based (acknowledged_at)."""
    return services.reminders_escalate(now=timezone.now())
