"""Reads of clocks, through the case's access rules."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import ExtractYear
from django.utils import timezone

from casework.cases.selectors import case_list
from casework.deadlines.models import Deadline, Holiday


def deadline_list(*, user: Any, case_id: int | None = None) -> QuerySet[Deadline]:
    deadlines = Deadline.objects.filter(case__in=case_list(user=user)).select_related("rule")
    return deadlines.filter(case_id=case_id) if case_id else deadlines


def _end_of_today(now: datetime) -> datetime:
    local = timezone.localtime(now)
    return local.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)


def clocks_watch(*, user: Any, now: datetime, state: str = "") -> QuerySet[Deadline]:
    """Open clocks the user may see, most urgent first: `overdue`, `today` (due before
    midnight, not yet overdue), or both when `state` is empty."""
    clocks = (
        Deadline.objects.filter(case__in=case_list(user=user), status=Deadline.Status.OPEN)
        .select_related("case", "measure__party")
        .order_by("due_at")
    )
    if state == "overdue":
        return clocks.filter(due_at__lt=now)
    if state == "today":
        return clocks.filter(due_at__gte=now, due_at__lt=_end_of_today(now))
    return clocks.filter(due_at__lt=_end_of_today(now))


def clocks_counts(*, user: Any, now: datetime) -> dict[str, int]:
    """How many open clocks are overdue and how many run out today, in one query."""
    return Deadline.objects.filter(
        case__in=case_list(user=user), status=Deadline.Status.OPEN
    ).aggregate(
        overdue=Count("pk", filter=Q(due_at__lt=now)),
        today=Count("pk", filter=Q(due_at__gte=now, due_at__lt=_end_of_today(now))),
    )


def holiday_list(*, user: Any, year: int) -> QuerySet[Holiday]:
    """The calendar's exceptions in one year: holidays and adjusted working days."""
    if not user.has_perm("deadlines.view_holiday"):
        return Holiday.objects.none()
    return Holiday.objects.filter(day__year=year)


def holiday_years() -> list[int]:
    """The years the calendar has entries for (the page's year switcher)."""
    years = Holiday.objects.annotate(year=ExtractYear("day")).values_list("year", flat=True)
    return sorted(set(years.order_by().distinct()))
