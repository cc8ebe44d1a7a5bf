"""Reads of the conduct ledger: an officer sees their own; the station's instructor, legal
officers and chief see the station's; anyone else finds nothing."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import IntegerField, Max, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from casework.conduct.models import ConductRecord, PointRule, Talk
from casework.core.errors import NotFoundOrForbidden, as_id
from casework.org.models import Profile
from casework.org.roles import Role
from casework.org.scoping import has_role, user_station_id
from casework.org.selectors import officer_list

LEADERS = (Role.INSTRUCTOR, Role.LEGAL_OFFICER, Role.CHIEF)


def period_start(now: datetime) -> datetime:
    return now - timedelta(days=settings.CONDUCT_PERIOD_DAYS)


def _counting(now: datetime) -> QuerySet[ConductRecord]:
    """The records that count toward the talk threshold: in the period, not voided."""
    return ConductRecord.objects.filter(created_at__gte=period_start(now)).exclude(
        objection_status=ConductRecord.Objection.UPHELD
    )


def points_in_period(officer: Any, now: Any) -> int:
    counted = _counting(now).filter(officer=officer)
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
    """`{officer, points, records, talks}`: points in the period exclude voided records."""
    officer = get_user_model().objects.filter(username=username).first()
    if officer is None or not _may_see(user, officer):
        raise NotFoundOrForbidden(
            target_type="auth.user", target_id=username, denied=officer is not None
        )
    records = ConductRecord.objects.select_related("objection_decided_by__profile")
    return {
        "officer": officer,
        "points": points_in_period(officer, timezone.now()),
        "records": list(records.filter(officer=officer)),
        "talks": list(Talk.objects.select_related("held_by__profile").filter(officer=officer)),
    }


def _leader_station(user: Any) -> int | None:
    """The station whose ledger `user` oversees; None for everyone else (bureau staff too)."""
    return user_station_id(user) if has_role(user, *LEADERS) else None


def officers_with_points(*, user: Any, now: datetime) -> QuerySet[Profile]:
    """The leader's station's officers, each with `points` in the period, highest first."""
    station = _leader_station(user)
    if station is None:
        return Profile.objects.none()
    total = (
        _counting(now).filter(officer=OuterRef("user")).order_by()
        .values("officer").annotate(total=Sum("points")).values("total")
    )  # fmt: skip
    points = Coalesce(Subquery(total, output_field=IntegerField()), Value(0))
    return (
        officer_list(user=user).filter(station_id=station).annotate(points=points)
        .order_by("-points", "police_number")
    )  # fmt: skip


def objections_pending(*, user: Any) -> QuerySet[ConductRecord]:
    """Objections of the leader's station's officers awaiting a decision, oldest first."""
    station = _leader_station(user)
    if station is None:  # a None filter would match the officers without a station
        return ConductRecord.objects.none()
    return (
        ConductRecord.objects.filter(
            objection_status=ConductRecord.Objection.PENDING, officer__profile__station_id=station
        )
        .select_related("officer__profile")
        .order_by("created_at", "pk")
    )


def talks_for_station(*, user: Any, since: datetime) -> dict[str, list[Talk]]:
    """`{open, held}`: every open talk of the leader's station, and those held since `since`."""
    station = _leader_station(user)
    if station is None:
        return {"open": [], "held": []}
    talks = Talk.objects.filter(station_id=station).select_related(
        "officer__profile", "held_by__profile"
    )
    return {
        "open": list(talks.filter(status=Talk.Status.OPEN).order_by("opened_at")),
        "held": list(
            talks.filter(status=Talk.Status.HELD, held_at__gte=since).order_by("-held_at")
        ),
    }


def largest_points() -> int:
    """The most points one finding can carry: an officer this close to the threshold is one
    finding away from a talk."""
    return int(PointRule.objects.aggregate(most=Max("points"))["most"] or 0)


def recent_records(officer: Any, on: Any) -> list[ConductRecord]:
    """The officer's records of the period that still count: they feed the personal briefing."""
    return list(_counting(timezone.now()).filter(officer=officer).order_by("-created_at")[:5])
