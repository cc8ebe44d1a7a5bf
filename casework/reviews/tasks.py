"""Beat: clocks that ran out open their case's retrospective (overdue actions run on the
deadline machinery's own sweep)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from casework.reviews import services


@shared_task(ignore_result=True)
def retrospectives_for_overdue_clocks() -> int:
    """Every few minutes; idempotent (one retrospective per case)."""
    return services.retrospectives_for_overdue_clocks(now=timezone.now())
