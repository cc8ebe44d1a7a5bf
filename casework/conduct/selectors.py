"""Reads of the conduct ledger: an officer sees their own; the station's instructor, legal
officers and chief see the station's; anyone else finds nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Sum
from django.utils import timezone

from casework.conduct.models import ConductRecord, Talk
from casework.core.errors import NotFoundOrForbidden, as_id
from casework.org.roles import Role
from casework.org.scoping import has_role, user_station_id

LEADERS = (Role.INSTRUCTOR, Role.LEGAL_OFFICER, Role.CHIEF)


def points_in_period(officer: Any, now: Any) -> int:
    since = now - timedelta(days=settings.CONDUCT_PERIOD_DAYS)
    counted = ConductRecord.objects.filter(officer=officer, created_at__gte=since).exclude(
        objection_status=ConductRecord.Objection.UPHELD
    )
    return int(counted.aggregate(total=Sum("points"))["total"] or 0)


def _may_see(user: Any, officer: Any) -> bool:
    if officer.pk == user.pk:
        return True
    station = user_station_id(user)
    return has_role(user, *LEADERS) and station is not None and station == user_station_id(officer)


def access_record(user: Any, record_id: object) -> ConductRecord:
    record = (
        ConductRecord.objects.select_related("officer__profile").filter(pk=as_id(record_id)).first()
    )
    if record is None or not _may_see(user, record.officer):
        raise NotFoundOrForbidden(
            target_type="conduct.conductrecord", target_id=record_id, denied=record is not None
        )
    return record


def conduct_of(*, user: Any, username: str) -> dict[str, Any]:
    """`{points, records}`: the officer's points in the period (voided ones excluded)."""
    officer = get_user_model().objects.filter(username=username).first()
    if officer is None or not _may_see(user, officer):
        raise NotFoundOrForbidden(target_type="auth.user", target_id=username)
    return {
        "officer": officer,
        "points": points_in_period(officer, timezone.now()),
        "records": list(ConductRecord.objects.filter(officer=officer)),
        "talks": list(Talk.objects.filter(officer=officer)),
    }


def recent_records(officer: Any, on: Any) -> list[ConductRecord]:
    """The officer's records of the period that still count: they feed the personal briefing."""
    since = timezone.now() - timedelta(days=settings.CONDUCT_PERIOD_DAYS)
    return list(
        ConductRecord.objects.filter(officer=officer, created_at__gte=since)
        .exclude(objection_status=ConductRecord.Objection.UPHELD)
        .order_by("-created_at")[:5]
    )
