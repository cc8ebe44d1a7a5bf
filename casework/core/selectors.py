"""Reads of the audit trail."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import QuerySet

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
    if since:
        events = events.filter(occurred_at__date__gte=since)
    if until:
        events = events.filter(occurred_at__date__lte=until)
    return events
