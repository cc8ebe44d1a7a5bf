"""Station scoping: another station's officer sees nothing of ours, and gets 404 for it."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AbstractBaseUser
from guardian.shortcuts import assign_perm

from casework.core.models import AuditEvent
from casework.org import selectors
from casework.org.models import Station
from tests.factories import api_for, client_for

pytestmark = pytest.mark.django_db


def test_officer_of_other_station_gets_404_for_our_officer_page(
    officer: AbstractBaseUser, other_station_officer: AbstractBaseUser
) -> None:
    response = client_for(other_station_officer).get("/org/officers/officer_xq1/")
    missing = client_for(other_station_officer).get("/org/officers/nobody/")
    assert response.status_code == missing.status_code == 404


def test_officer_of_other_station_gets_404_in_the_api_with_the_same_body(
    officer: AbstractBaseUser, other_station_officer: AbstractBaseUser
) -> None:
    api = api_for(other_station_officer)
    forbidden = api.get("/api/v1/officers/officer_xq1/")
    missing = api.get("/api/v1/officers/nobody/")
    assert forbidden.status_code == missing.status_code == 404
    assert forbidden.json() == missing.json()


def test_a_denied_access_is_audited_but_a_missing_object_is_not(
    officer: AbstractBaseUser, other_station_officer: AbstractBaseUser
) -> None:
    api = api_for(other_station_officer)
    api.get("/api/v1/officers/officer_xq1/")
    api.get("/api/v1/officers/nobody/")
    client_for(other_station_officer).get("/org/officers/officer_xq1/")
    denials = AuditEvent.objects.filter(verb="access.denied")
    assert denials.count() == 2
    assert {d.target_id for d in denials} == {"officer_xq1"}
    assert {d.actor_username for d in denials} == {"officer_pl1"}


def test_lists_hold_only_the_callers_station(
    officer: AbstractBaseUser,
    legal_officer: AbstractBaseUser,
    other_station_officer: AbstractBaseUser,
) -> None:
    names = {row["username"] for row in api_for(officer).get("/api/v1/officers/").json()["results"]}
    assert names == {"officer_xq1", "legal_xq"}
    stations = api_for(other_station_officer).get("/api/v1/stations/").json()["results"]
    assert [s["code"] for s in stations] == ["PL"]


def test_bureau_legal_sees_every_station(
    officer: AbstractBaseUser,
    other_station_officer: AbstractBaseUser,
    bureau_legal: AbstractBaseUser,
) -> None:
    stations = api_for(bureau_legal).get("/api/v1/stations/").json()["results"]
    assert {s["code"] for s in stations} == {"XQ", "PL"}
    assert api_for(bureau_legal).get("/api/v1/officers/officer_xq1/").status_code == 200


def test_guardian_grant_lends_one_station_to_another_officer(
    xq: Station, other_station_officer: AbstractBaseUser
) -> None:
    assert not selectors.station_list(user=other_station_officer).filter(pk=xq.pk).exists()
    assign_perm("org.view_station", other_station_officer, xq)
    visible = selectors.station_list(user=other_station_officer)
    assert set(visible.values_list("code", flat=True)) == {"PL", "XQ"}


def test_inactive_user_sees_nothing(officer: AbstractBaseUser) -> None:
    officer.is_active = False
    officer.save(update_fields=["is_active"])
    assert not selectors.station_list(user=officer).exists()


def test_officer_list_uses_constant_queries(
    xq: Station, officer: AbstractBaseUser, django_assert_max_num_queries: object
) -> None:
    from tests.factories import make_officer

    for n in range(15):
        make_officer(f"extra{n}", station=xq, roles=["officer"])
    client = client_for(officer)
    # session, user, roles, profile, count, two permission reads (menu), page, groups, session
    # save: the same for 16 officers as for 1600.
    with django_assert_max_num_queries(12):  # type: ignore[operator]
        response = client.get("/org/")
    assert response.status_code == 200
    assert response.content.decode().count("/org/officers/") >= 16
