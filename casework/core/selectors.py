"""Reads of the audit trail."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from casework.core.models import AuditEvent


def audit_events_of_user(*, user: Any, limit: int) -> list[AuditEvent]:
    """The user's own latest events (their home page shows their recent sign-ins)."""
    return list(AuditEvent.objects.filter(actor=user).order_by("-id")[:limit])


def audit_event_search(
    *,
    verb: str = "",
    actor: str = "",
    outcome: str = "",
    target: str = "",
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[AuditEvent]:
    """Audit rows matching the filters, newest first. Callers check `core.view_auditevent`."""
    events = AuditEvent.objects.order_by("-id")
    if verb:
        events = events.filter(verb__startswith=verb)
    if actor:
        events = events.filter(actor_username=actor)
    if outcome:
        events = events.filter(outcome=outcome)
    if target:
        events = events.filter(target_id=target)
    # Local days as a range of instants, which the `occurred_at` index serves (a `__date`
    # lookup is a function of the column: a scan of every row at millions of rows).
    # Days at the ends of the calendar bound nothing (and have no instant in every zone).
    if since and since > _FIRST_DAY:
        events = events.filter(occurred_at__gte=_day_start(since))
    if until and until < _LAST_DAY:
        events = events.filter(occurred_at__lt=_day_start(until + timedelta(days=1)))
    return events


_FIRST_DAY, _LAST_DAY = date.min + timedelta(days=1), date.max - timedelta(days=1)


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))
