"""Beat: the morning 每日警情分析表 (at CASEWORK_DAILY_REPORT_AT, local time)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from casework.cases import daily


@shared_task(ignore_result=True, acks_late=True, reject_on_worker_lost=True)
def daily_reports_make() -> int:
    """Once a morning; idempotent (one report per station and day), so a rerun makes nothing."""
    return len(daily.daily_reports_make(now=timezone.now()))
