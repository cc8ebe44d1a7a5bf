"""Reads of trips and reminders, through the station scope."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from casework.core.errors import NotFoundOrForbidden, as_id
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
