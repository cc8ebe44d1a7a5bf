"""Reads of stations and officers, always through the station scope."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from casework.core.errors import NotFoundOrForbidden
from casework.org.models import Profile, Station
from casework.org.scoping import scope_to_stations, user_roles

User = get_user_model()


def station_list(*, user: Any) -> QuerySet[Station]:
    return scope_to_stations(
        Station.objects.filter(is_active=True), user, station_field=None, perm="org.view_station"
    )


def officer_list(*, user: Any, station_code: str = "", role: str = "") -> QuerySet[Profile]:
    """Officers visible to `user`, with user, station and roles fetched in constant queries."""
    profiles: QuerySet[Profile] = scope_to_stations(
        Profile.objects.select_related("user", "station").prefetch_related("user__groups"), user
    ).filter(user__is_active=True)
    if station_code:
        profiles = profiles.filter(station__code=station_code)
    if role:
        profiles = profiles.filter(user__groups__name=role)
    return profiles


def access_officer(user: Any, username: str) -> Profile:
    """The officer `username` if `user` may see them; missing and forbidden raise alike."""
    found = officer_list(user=user).filter(user__username=username).first()
    if found is not None:
        return found
    exists = Profile.objects.filter(user__username=username).exists()
    raise NotFoundOrForbidden(
        target_type="org.profile", target_id=username, perm="org.view_profile", denied=exists
    )


def me_summary(*, user: Any) -> dict[str, Any]:
    """What the signed-in user is: name, roles and station (API `GET /me/`, home page)."""
    profile = Profile.objects.select_related("station").filter(user=user).first()
    station = profile.station if profile is not None else None
    return {
        "username": user.get_username(),
        "display_name": profile.display_name if profile else user.get_full_name(),
        "police_number": profile.police_number if profile else "",
        "is_auxiliary": profile.is_auxiliary if profile else False,
        "roles": sorted(user_roles(user)),
        "station": station,
    }


def station_people(*, station_id: int, role: str) -> list[Any]:
    """The station's active users holding `role` (who a warning or task goes to)."""
    return list(
        User.objects.filter(groups__name=role, profile__station_id=station_id, is_active=True)
    )


def station_member(*, station_id: int, username: str) -> Any:
    """The station's active user of that name, or None (a named custodian, owner, witness)."""
    if not username:
        return None
    return User.objects.filter(
        username=username, is_active=True, profile__station_id=station_id
    ).first()
