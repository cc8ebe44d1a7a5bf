"""Beat: clocks that ran out open their case's retrospective; overdue actions climb the ladder."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from casework.reviews import services


@shared_task(ignore_result=True)
def retrospectives_for_overdue_clocks() -> int:
    """Every few minutes; idempotent (one retrospective per case)."""
    return services.retrospectives_for_overdue_clocks(now=timezone.now())


@shared_task(ignore_result=True)
def actions_overdue_remind() -> int:
    """Every few minutes; idempotent (notification keys per rung and due date)."""
    return services.actions_overdue_remind(now=timezone.now())
