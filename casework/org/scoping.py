"""Station scoping: the one helper every selector uses to limit rows to what a user may see.

Visibility is a real foreign key to the station (fast, indexable); django-guardian's direct-FK
tables add the exceptions (an object lent to another station's officer or a bureau reviewer).
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet
from guardian.shortcuts import get_objects_for_user

from casework.org.roles import BUREAU_ROLES

M = TypeVar("M", bound=Model)
_ROLES_CACHE = "_casework_roles"


def user_roles(user: Any) -> frozenset[str]:
    """The user's role names, read once per user object (one query)."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, _ROLES_CACHE, None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        setattr(user, _ROLES_CACHE, cached)
    return cached


def has_role(user: Any, *roles: str) -> bool:
    return bool(user_roles(user) & set(roles))


def is_bureau_wide(user: Any) -> bool:
    return bool(user_roles(user) & BUREAU_ROLES)


def user_station_id(user: Any) -> int | None:
    profile = getattr(user, "profile", None) if getattr(user, "is_authenticated", False) else None
    return profile.station_id if profile is not None else None


def scope_to_stations(
    queryset: QuerySet[M], user: Any, *, station_field: str | None = "station", perm: str = ""
) -> QuerySet[M]:
    """Rows of `queryset` that `user` may see.

    `station_field` names the FK to Station (None when the queryset is of stations). `perm`,
    when given, adds the objects granted to the user through guardian for that permission.
    Inactive and anonymous users see nothing.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return queryset.none()
    if is_bureau_wide(user):
        return queryset
    column = f"{station_field}_id" if station_field else "pk"
    station_id = user_station_id(user)
    visible = Q(**{column: station_id}) if station_id is not None else Q(pk__in=[])
    if perm:
        granted = get_objects_for_user(
            user,
            perm,
            klass=queryset.model,
            accept_global_perms=False,
            with_superuser=False,
        )
        visible |= Q(pk__in=granted.values("pk"))
    return queryset.filter(visible)
