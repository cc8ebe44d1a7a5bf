"""Station scoping: the one helper every selector uses to limit rows to what a user may see.

Visibility is a real foreign key to the station (fast, indexable); django-guardian's direct-FK
tables add the exceptions (an object lent to another station's officer or a bureau reviewer).
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet
from guardian.utils import get_group_obj_perms_model, get_user_obj_perms_model

from casework.core.models import SplitCountQuerySet
from casework.org.roles import BUREAU_ROLES

M = TypeVar("M", bound=Model)
_ROLES_CACHE = "_casework_roles"
_GRANTS_CACHE = "_casework_grants"


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
    when given, adds the objects granted to the user (or one of their groups) through
    guardian's direct-FK tables for that permission: read first as a list of the ids outside
    the user's station (one query), so that PostgreSQL plans `station_id = S OR id IN (…)`
    with the station's index instead of re-scanning a subquery for every row. When there are
    such lent objects, `count()` adds the station's count and theirs (SplitCountQuerySet).
    Inactive and anonymous users see nothing.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return queryset.none()
    if is_bureau_wide(user):
        return queryset
    column = f"{station_field}_id" if station_field else "pk"
    station_id = user_station_id(user)
    own = Q(**{column: station_id}) if station_id is not None else Q(pk__in=[])
    lent = _granted_ids_cached(queryset.model, user, perm, column, station_id) if perm else []
    if not lent:
        return queryset.filter(own)
    scoped = queryset.filter(own | Q(pk__in=lent))
    if station_id is None or not isinstance(scoped, SplitCountQuerySet):
        return scoped
    return scoped.count_split(own, Q(pk__in=lent))


def _granted_ids_cached(
    model: type[Model], user: Any, perm: str, column: str, station_id: int | None
) -> list[Any]:
    """`_granted_ids`, read once per user object (a request's user), as its roles are."""
    cache: dict[tuple[str, str], list[Any]] = user.__dict__.setdefault(_GRANTS_CACHE, {})
    key = (model._meta.label_lower, perm)
    if key not in cache:
        cache[key] = _granted_ids(model, user, perm, column, station_id)
    return cache[key]


def _granted_ids(
    model: type[Model], user: Any, perm: str, column: str, station_id: int | None
) -> list[Any]:
    """The ids of `model` granted to `user` or their groups for `perm`, outside their station
    (those inside it are visible anyway)."""
    app_label, codename = perm.split(".", 1)
    wanted = {"permission__codename": codename, "permission__content_type__app_label": app_label}
    by_user = get_user_obj_perms_model(model)._default_manager.filter(  # type: ignore[arg-type]
        user=user, **wanted
    )
    by_group = get_group_obj_perms_model(model)._default_manager.filter(  # type: ignore[arg-type]
        group__in=user.groups.all(), **wanted
    )
    # One statement, a UNION of two primary-key lookups: an OR of the two subqueries would be
    # planned as a scan of the whole table.
    arms = []
    for grants in (by_user, by_group):
        arm = model._base_manager.filter(pk__in=grants.values("content_object_id"))
        if station_id is not None:
            arm = arm.exclude(**{column: station_id})
        arms.append(arm.order_by().values_list("pk", flat=True))
    return sorted(set(arms[0].union(arms[1])))
