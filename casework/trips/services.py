"""Registering trips and producing each officer's personalised 执法安全提醒."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.cases.selectors import access_case
from casework.core import audit
from casework.core.errors import RuleViolation
from casework.core.notify import notify
from casework.org.scoping import user_station_id
from casework.org.selectors import station_people
from casework.rules import rules
from casework.rules.selectors import rules_firing
from casework.trips.models import Reminder, Trip
from casework.trips.personal import personal_items
from casework.trips.selectors import access_reminder, access_trip

User = get_user_model()


def _check(
    station: Any,
    officers: list[str],
    purposes: list[str],
    departs_at: datetime,
    returns_at: datetime,
) -> list[Any]:
    errors: dict[str, str] = {}
    if returns_at <= departs_at:
        errors["returns_at"] = _("返回时间必须晚于出发时间")
    unknown = [p for p in purposes if p not in rules.PURPOSES]
    if unknown or not purposes:
        errors["purposes"] = (
            _("未知的任务类型:%(p)s") % {"p": ", ".join(unknown)} if unknown else _("请选择任务")
        )
    names = list(dict.fromkeys(officers))
    users = list(
        User.objects.filter(username__in=names, profile__station=station).select_related("profile")
    )
    missing = sorted(set(names) - {u.username for u in users})
    if missing or not names:
        errors["officers"] = (
            _("不是本所民警:%(n)s") % {"n": ", ".join(missing)} if missing else _("请选择出差民警")
        )
    if errors:
        raise ValidationError(errors)
    return sorted(users, key=lambda u: names.index(u.username))


def _values(trip: Trip, officer: Any) -> dict[str, str]:
    """Placeholders a reminder text may use (others stay visible as written)."""
    return {
        "姓名": officer.profile.display_name,
        "民警": officer.profile.display_name,
        "出差地": f"{trip.province}{trip.city}{trip.county}",
        "目的地": f"{trip.province}{trip.city}{trip.county}",
        "出发时间": f"{timezone.localtime(trip.departs_at):%Y-%m-%d %H:%M}",
        "返回时间": f"{timezone.localtime(trip.returns_at):%Y-%m-%d %H:%M}",
        "车辆": _("车辆"),
        "任务": "、".join(trip.purpose_labels()),
    }


@transaction.atomic
def trip_register(
    *,
    by: Any,
    officers: list[str],
    destination: dict[str, str],
    departs_at: datetime,
    returns_at: datetime,
    purposes: list[str],
    case_id: int | None = None,
    carries_firearm: bool = False,
    uses_vehicle: bool = False,
    escorts_suspect: bool = False,
    suspect_gender: str = "",
    suspect_age: int | None = None,
) -> Trip:
    """Register a trip; every officer on it gets the rules that fire, plus personal items, as
    reminders in the inbox and by email. A bounded number of queries whatever the rule count."""
    if not by.has_perm("trips.add_trip"):
        raise PermissionDenied("trips.add_trip")
    from casework.org.models import Station

    station_id = user_station_id(by)
    station = Station.objects.filter(pk=station_id).first() if station_id else None
    if station is None:
        raise ValidationError({"officers": _("只有派出所民警可以登记出差")})
    people = _check(station, officers, purposes, departs_at, returns_at)
    case = access_case(by, case_id) if case_id else None
    trip = Trip.objects.create(
        station=station,
        case=case,
        province=destination.get("province", ""),
        city=destination.get("city", ""),
        county=destination.get("county", ""),
        departs_at=departs_at,
        returns_at=returns_at,
        purposes=purposes,
        carries_firearm=carries_firearm,
        uses_vehicle=uses_vehicle,
        escorts_suspect=escorts_suspect,
        suspect_gender=suspect_gender,
        suspect_age=suspect_age,
        created_by=by,
    )
    trip.officers.set(people)
    context = rules.trip_context(
        home={"province": station.province, "city": station.city, "county": station.county},
        destination=destination,
        purposes=purposes,
        officers_count=len(people),
        carries_firearm=carries_firearm,
        uses_vehicle=uses_vehicle,
        escorts_suspect=escorts_suspect,
        suspect_gender=suspect_gender,
        suspect_age=suspect_age,
        duration_hours=int((returns_at - departs_at).total_seconds() // 3600),
    )
    on = timezone.localtime(departs_at).date()
    fired = rules_firing(categories=["trip", "discipline"], context=context, on=on)
    rows = []
    for officer in people:
        values = _values(trip, officer)
        rows += [
            Reminder(
                trip=trip,
                officer=officer,
                source=Reminder.Source.RULE,
                rule=r,
                key=r.slug,
                title=r.title,
                text=rules.render(r.text, values),
                legal_basis=r.legal_basis,
                severity=r.severity,
            )
            for r in fired
        ]
        rows += [
            Reminder(
                trip=trip,
                officer=officer,
                source=Reminder.Source.PERSONAL,
                key=item.key,
                title=item.title,
                text=item.text,
                legal_basis=list(item.legal_basis),
            )
            for item in personal_items(officer, on, context)
        ]
    Reminder.objects.bulk_create(rows)
    for officer in people:
        _send_briefing(trip, officer, round_=1)
    audit.record(
        actor=by,
        verb="trips.registered",
        target=trip,
        payload={"officers": [u.username for u in people], "rules": [r.slug for r in fired]},
    )
    return trip


def _send_briefing(trip: Trip, officer: Any, *, round_: int) -> None:
    titles = list(trip.reminders.filter(officer=officer).values_list("title", flat=True))
    body = _("出差 %(dest)s,%(when)s 出发。出发前请阅读并确认以下执法安全提醒:\n%(items)s") % {
        "dest": f"{trip.province}{trip.city}{trip.county}",
        "when": f"{timezone.localtime(trip.departs_at):%m-%d %H:%M}",
        "items": "\n".join(f"· {t}" for t in titles),
    }
    notify(
        recipient=officer,
        subject=_("执法安全提醒(请在出发前确认)"),
        body=body,
        key=f"trip:{trip.pk}:{officer.pk}:{round_}",
        link=f"/trips/{trip.pk}/",
    )


@transaction.atomic
def reminder_acknowledge(*, by: Any, reminder_id: int) -> Reminder:
    """The addressed officer confirms one reminder (idempotent for them, refused for others)."""
    reminder = access_reminder(by, reminder_id)
    if reminder.officer_id != by.pk:
        raise RuleViolation(_("只有提醒对象本人可以确认该提醒"))
    if reminder.acknowledged_at is None:
        now = timezone.now()
        Reminder.objects.filter(pk=reminder.pk).service_update(
            acknowledged_at=now, read_at=reminder.read_at or now
        )
        reminder.refresh_from_db()
        audit.record(
            actor=by,
            verb="trips.reminder_acknowledged",
            target=reminder.trip,
            payload={"reminder": reminder.pk, "key": reminder.key},
        )
    return reminder


@transaction.atomic
def briefing_acknowledge(*, by: Any, trip_id: int) -> int:
    """Confirm every reminder of one's own briefing for a trip; returns how many were new."""
    trip = access_trip(by, trip_id)
    pending = list(
        trip.reminders.filter(officer=by, acknowledged_at__isnull=True).values_list("pk", flat=True)
    )
    for reminder_id in pending:
        reminder_acknowledge(by=by, reminder_id=reminder_id)
    return len(pending)


@transaction.atomic
def trip_note_add(*, by: Any, trip_id: int, text: str) -> int:
    """The legal officer adds a note to every officer's briefing for the trip."""
    trip = access_trip(by, trip_id)
    if not by.has_perm("trips.change_trip"):
        raise PermissionDenied("trips.change_trip")
    if not text.strip():
        raise ValidationError({"text": _("请填写提醒内容")})
    count = trip.reminders.filter(source=Reminder.Source.NOTE).values("key").distinct().count()
    key = f"note:{count + 1}"
    officers = list(trip.officers.all())
    Reminder.objects.bulk_create(
        Reminder(
            trip=trip,
            officer=o,
            source=Reminder.Source.NOTE,
            key=key,
            title=_("法制员提醒"),
            text=text.strip(),
        )
        for o in officers
    )
    for officer in officers:
        notify(
            recipient=officer,
            subject=_("法制员补充了执法安全提醒"),
            body=text.strip(),
            key=f"trip:{trip.pk}:{officer.pk}:{key}",
            link=f"/trips/{trip.pk}/",
        )
    audit.record(actor=by, verb="trips.note_added", target=trip, payload={"key": key})
    return len(officers)


def reminders_escalate(*, now: datetime) -> int:
    """Beat: push unacknowledged briefings again and climb the ladder (idempotent by key).

    Before departure (TRIP_ESCALATE_LEGAL_BEFORE) the officer is reminded again and the
    station's legal officers are told; at departure (TRIP_ESCALATE_CHIEF_BEFORE) the chief.
    State-based on `acknowledged_at`, so it catches up after an outage and never repeats.
    """
    from django.conf import settings

    from casework.org.roles import Role

    legal_at = now + settings.TRIP_ESCALATE_LEGAL_BEFORE
    chief_at = now + settings.TRIP_ESCALATE_CHIEF_BEFORE
    pending = (
        Reminder.objects.filter(acknowledged_at__isnull=True, trip__departs_at__lte=legal_at,
                                trip__departs_at__gt=now - timedelta(days=1))
        .values_list("trip_id", "officer_id").distinct()
    )  # fmt: skip
    pairs = list(pending)
    trips = Trip.objects.in_bulk({t for t, _o in pairs})
    officers = User.objects.select_related("profile").in_bulk({o for _t, o in pairs})
    sent = 0
    for trip_id, officer_id in pairs:
        trip, officer = trips[trip_id], officers[officer_id]
        name = officer.profile.display_name
        _send_briefing(trip, officer, round_=2)
        steps = [(Role.LEGAL_OFFICER, "legal")]
        if trip.departs_at <= chief_at:
            steps.append((Role.CHIEF, "chief"))
        for role, tag in steps:
            for person in station_people(station_id=trip.station_id, role=role):
                notify(
                    recipient=person,
                    subject=_("执法安全提醒未确认:%(n)s") % {"n": name},
                    body=_("%(n)s 尚未确认 %(when)s 出发的出差执法安全提醒。")
                    % {"n": name, "when": f"{timezone.localtime(trip.departs_at):%m-%d %H:%M}"},
                    key=f"trip:{trip.pk}:{officer.pk}:escalate:{tag}:{person.pk}",
                    link=f"/trips/{trip.pk}/",
                )
        sent += 1
    return sent
