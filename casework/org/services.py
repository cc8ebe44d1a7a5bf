"""Writes to stations, officers and roles: check → change → audit, in one transaction."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from casework.core import audit
from casework.org.models import Profile, Station
from casework.org.roles import BUREAU_ROLES, ROLE_PERMISSIONS, Role

User = get_user_model()


def _permission(dotted: str) -> Permission:
    app_label, codename = dotted.split(".", 1)
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


@transaction.atomic
def roles_sync() -> list[str]:
    """Make every role's group hold exactly its permissions; return the groups changed."""
    changed = []
    for role, dotted in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        wanted = {_permission(name) for name in dotted}
        if set(group.permissions.all()) != wanted:
            group.permissions.set(wanted)
            changed.append(str(role))
    if changed:
        audit.record(actor=None, verb="org.roles_synced", payload={"groups": changed})
    return changed


def roles_sync_after_migrate(*, apps: Any = None, using: str = "default", **kwargs: Any) -> None:
    """post_migrate: apps after org get their permissions later in the same signal round, so
    create every app's permissions first (idempotent), then sync the groups."""
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using, apps=apps or global_apps)
    roles_sync()


@transaction.atomic
def station_upsert(
    *, by: Any, code: str, name: str, bureau: str, province: str, city: str, county: str
) -> Station:
    """Create a station or bring its details up to date (audited only when something changed)."""
    station = Station.objects.filter(code=code).first() or Station(code=code)
    before = {f: getattr(station, f) for f in ("name", "bureau", "province", "city", "county")}
    after = {"name": name, "bureau": bureau, "province": province, "city": city, "county": county}
    if station.pk is not None and before == after:
        return station
    for field, value in after.items():
        setattr(station, field, value)
    station.full_clean()
    created = station.pk is None
    station.save()
    verb = "org.station_created" if created else "org.station_updated"
    audit.record(actor=by, verb=verb, target=station, payload={"before": before, "after": after})
    return station


def _validate_officer(roles: list[str], station: Station | None, is_auxiliary: bool) -> None:
    unknown = sorted(set(roles) - set(Role.values))
    if unknown:
        raise ValidationError({"roles": _("未知角色:%(roles)s") % {"roles": ", ".join(unknown)}})
    if station is None and not set(roles) <= BUREAU_ROLES:
        raise ValidationError({"station": _("派出所岗位必须指定所属派出所")})
    if is_auxiliary and set(roles) - {Role.AUXILIARY}:
        # 辅警 may record and assist but never hold an officer's or reviewer's role.
        raise ValidationError({"roles": _("辅警只能担任辅警角色")})


@transaction.atomic
def officer_upsert(
    *,
    by: Any,
    username: str,
    display_name: str,
    police_number: str,
    station: Station | None,
    roles: list[str],
    email: str = "",
    password: str | None = None,
) -> Profile:
    """Create an officer (user + profile + roles) or bring an existing one up to date.

    The password is set only when given and different from the current one, so running the
    same upsert twice changes nothing and audits nothing the second time.
    """
    is_auxiliary = Role.AUXILIARY in roles
    _validate_officer(roles, station, is_auxiliary)
    user, created = User.objects.get_or_create(username=username, defaults={"email": email})
    profile = Profile.objects.filter(user=user).first() or Profile(user=user)
    before = _officer_state(user, profile)
    profile.display_name, profile.police_number = display_name, police_number
    profile.station, profile.is_auxiliary = station, is_auxiliary
    profile.full_clean()
    profile.save()
    user.email, user.first_name = email, display_name
    user.save(update_fields=["email", "first_name"])
    user.groups.set(Group.objects.filter(name__in=roles))
    password_changed = password is not None and not user.check_password(password)
    if password_changed:
        user.set_password(password)
        user.save(update_fields=["password"])
    after = _officer_state(user, profile)
    if created or before != after or password_changed:
        verb = "org.officer_created" if created else "org.officer_updated"
        payload = {"before": before, "after": after, "password_changed": password_changed}
        audit.record(actor=by, verb=verb, target=profile, payload=payload)
    return profile


def _officer_state(user: Any, profile: Profile) -> dict[str, Any]:
    return {
        "display_name": profile.display_name,
        "police_number": profile.police_number,
        "station_id": profile.station_id,
        "is_auxiliary": profile.is_auxiliary,
        "email": user.email,
        "roles": sorted(user.groups.values_list("name", flat=True)) if user.pk else [],
    }


@transaction.atomic
def demo_load(*, data: dict[str, Any], password: str) -> list[str]:
    """Upsert the demo stations and users from fixtures/demo.json; return the usernames."""
    stations = {row["code"]: station_upsert(by=None, **row) for row in data["stations"]}
    usernames = []
    for row in data["users"]:
        profile = officer_upsert(
            by=None,
            username=row["username"],
            display_name=row["display_name"],
            police_number=row["police_number"],
            station=stations[row["station"]] if row["station"] else None,
            roles=row["roles"],
            password=password,
        )
        if row.get("is_superuser") and not profile.user.is_superuser:
            profile.user.is_staff = profile.user.is_superuser = True
            profile.user.save(update_fields=["is_staff", "is_superuser"])
            audit.record(actor=None, verb="org.superuser_granted", target=profile)
        usernames.append(row["username"])
    return usernames
