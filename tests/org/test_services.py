"""Officers, roles and the demo data."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management import call_command

from casework.core.models import AuditEvent, UnauditedWriteError
from casework.org.models import Profile, Station
from casework.org.roles import ROLE_PERMISSIONS, Role
from casework.org.services import officer_upsert, roles_sync
from tests.factories import make_officer

pytestmark = pytest.mark.django_db


def test_every_role_is_a_group_with_its_permissions() -> None:
    assert set(Group.objects.values_list("name", flat=True)) >= set(Role.values)
    auditor = Group.objects.get(name=Role.AUDITOR)
    codenames = {f"{p.content_type.app_label}.{p.codename}" for p in auditor.permissions.all()}
    assert codenames == set(ROLE_PERMISSIONS[Role.AUDITOR])
    assert roles_sync() == []  # already in sync after migrate


def test_roles_sync_repairs_a_tampered_group() -> None:
    Group.objects.get(name=Role.OFFICER).permissions.clear()
    assert roles_sync() == [Role.OFFICER]
    assert AuditEvent.objects.filter(verb="org.roles_synced").exists()


def test_auxiliary_cannot_hold_an_officers_role(xq: Station) -> None:
    with pytest.raises(ValidationError) as error:
        make_officer("aux", station=xq, roles=["auxiliary", "legal_officer"])
    assert "roles" in error.value.message_dict


def test_station_role_needs_a_station() -> None:
    with pytest.raises(ValidationError) as error:
        make_officer("homeless", station=None, roles=["officer"])
    assert "station" in error.value.message_dict


def test_unknown_role_is_named(xq: Station) -> None:
    with pytest.raises(ValidationError, match="sheriff"):
        make_officer("odd", station=xq, roles=["sheriff"])


def test_bad_police_number_is_refused_and_nothing_is_stored(xq: Station) -> None:
    with pytest.raises(ValidationError) as error:
        officer_upsert(
            by=None,
            username="x1",
            display_name="甲",
            police_number="12",
            station=xq,
            roles=["officer"],
        )
    assert "police_number" in error.value.message_dict


def test_seed_demo_is_idempotent() -> None:
    call_command("seed_demo", password="pw-demo-1")
    audit_rows = AuditEvent.objects.count()
    call_command("seed_demo", password="pw-demo-1")
    assert AuditEvent.objects.count() == audit_rows
    assert Station.objects.count() == 2
    legal = Profile.objects.select_related("station", "user").get(user__username="legal_xq")
    assert (legal.station.code, legal.display_name) == ("XQ", "陈静")
    assert legal.user.check_password("pw-demo-1")
    assert set(legal.user.groups.values_list("name", flat=True)) == {"legal_officer"}
    aux = Profile.objects.get(user__username="aux_xq1")
    assert aux.is_auxiliary
    bureau = Profile.objects.get(user__username="bureau_legal")
    assert bureau.station is None
    assert get_user_model().objects.count() == 11


def test_seed_demo_with_a_new_password_changes_only_passwords() -> None:
    call_command("seed_demo", password="first-password")
    call_command("seed_demo", password="second-password")
    user = get_user_model().objects.get(username="officer_pl1")
    assert user.check_password("second-password")
    changed = AuditEvent.objects.filter(verb="org.officer_updated")
    assert changed.count() == 11
    assert all(event.payload["password_changed"] for event in changed)


def test_bulk_writes_that_would_skip_the_audit_are_refused(xq: Station) -> None:
    with pytest.raises(UnauditedWriteError):
        Station.objects.filter(pk=xq.pk).update(name="改名")
    with pytest.raises(UnauditedWriteError):
        Profile.objects.all().delete()
    with pytest.raises(UnauditedWriteError):
        Station.objects.bulk_update([xq], ["name"])
    xq.refresh_from_db()
    assert xq.name == "新区派出所"
