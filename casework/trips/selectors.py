"""Reads of trips and reminders, through the station scope."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from casework.core.errors import NotFoundOrForbidden, as_id
from casework.core.pdf import pdf_render
from casework.org.scoping import scope_to_stations
from casework.trips.models import Reminder, Trip


def trip_list(*, user: Any) -> QuerySet[Trip]:
    if not user.has_perm("trips.view_trip"):
        return Trip.objects.none()
    return scope_to_stations(Trip.objects.all(), user).prefetch_related("officers__profile")


def access_trip(user: Any, trip_id: object) -> Trip:
    found = trip_list(user=user).filter(pk=as_id(trip_id)).first()
    if found is None:
        exists = Trip.objects.filter(pk=as_id(trip_id)).exists()
        raise NotFoundOrForbidden(target_type="trips.trip", target_id=trip_id, denied=exists)
    return found


def reminder_list(*, user: Any, mine: bool = False) -> QuerySet[Reminder]:
    reminders = Reminder.objects.filter(trip__in=trip_list(user=user)).select_related(
        "trip", "officer__profile", "rule"
    )
    return reminders.filter(officer=user) if mine else reminders


def access_reminder(user: Any, reminder_id: object) -> Reminder:
    found = reminder_list(user=user).filter(pk=as_id(reminder_id)).first()
    if found is None:
        exists = Reminder.objects.filter(pk=as_id(reminder_id)).exists()
        raise NotFoundOrForbidden(
            target_type="trips.reminder", target_id=reminder_id, denied=exists
        )
    return found


def briefing_card(*, user: Any, trip_id: object, officer: str = "") -> dict[str, Any]:
    """What one officer's printed reminder card shows: the trip, the officer, their reminders.
    Without `officer`, the caller's own card; anyone who sees the trip may print any officer's."""
    trip = access_trip(user, trip_id)
    people = trip.officers.select_related("profile__station")
    person = (people.filter(username=officer) if officer else people.filter(pk=user.pk)).first()
    if person is None:
        raise ValidationError({"officer": _("该民警不在此次出差名单中")})
    reminders = list(trip.reminders.filter(officer=person).order_by("pk"))
    acknowledged = [r.acknowledged_at for r in reminders if r.acknowledged_at]
    complete = bool(reminders) and len(acknowledged) == len(reminders)
    return {
        "trip": trip,
        "officer": person,
        "profile": person.profile,
        "reminders": reminders,
        "purposes": trip.purpose_labels(),
        "acknowledged_at": max(acknowledged) if complete else None,
    }


def briefing_card_pdf(*, user: Any, trip_id: object, officer: str = "") -> tuple[str, bytes]:
    """The reminder card rendered to PDF, with its file name."""
    card = briefing_card(user=user, trip_id=trip_id, officer=officer)
    name = f"trip-{card['trip'].pk}-{card['officer'].username}.pdf"
    return name, pdf_render(template="print/trip_card.html", context=card)
