"""Station scoping: another station's officer sees nothing of ours, and gets 404 for it."""

from __future__ import annotations

from typing import Any

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
    # Grants are read once per user object, as Django caches permissions: the next request.
    again = type(other_station_officer).objects.get(pk=other_station_officer.pk)
    visible = selectors.station_list(user=again)
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


def _cases(station: Station, by: AbstractBaseUser, n: int, kind: str = "criminal") -> list[Any]:
    from django.utils import timezone

    from casework.cases.models import Case

    return [
        Case.objects.create(station=station, number=f"{station.code}-{kind[:2]}-{i}", kind=kind,
                            title="案", summary="案", occurred_at=timezone.now(), created_by=by)
        for i in range(n)
    ]  # fmt: skip


def test_lent_cases_are_counted_as_the_station_plus_the_lent_ones(
    xq: Station,
    pl: Station,
    officer: AbstractBaseUser,
    other_station_officer: AbstractBaseUser,
) -> None:
    """A lent case shows in the list and in its count; the count adds two index-friendly
    counts (station, then the lent ids), never one OR over the table, and any filter applies
    to both halves."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from casework.cases.selectors import case_list

    _cases(xq, officer, 3)
    _cases(xq, officer, 2, kind="administrative")
    theirs = _cases(pl, other_station_officer, 4)
    lent = theirs[:2]
    for case in lent:
        assign_perm("cases.view_case", officer, case)
    assign_perm("cases.view_case", officer, _cases(xq, officer, 1, kind="dispute")[0])  # own

    cases = case_list(user=officer)
    with CaptureQueriesContext(connection) as counted:
        count = cases.count()
    assert count == len(list(cases)) == 6 + 2
    (sql,) = [q["sql"] for q in counted.captured_queries]  # one round trip, two counts
    assert sql.count("COUNT(*)") == 2
    assert " OR " not in sql
    assert {c.pk for c in cases} >= {c.pk for c in lent}
    assert not {c.pk for c in cases} & {c.pk for c in theirs[2:]}

    criminal = case_list(user=officer, kind="criminal")
    assert criminal.count() == len(list(criminal)) == 3 + 2
    assert case_list(user=officer, kind="administrative").count() == 2
    assert case_list(user=officer).filter(station=pl).count() == 2
    from casework.cases.models import CaseHandler

    for case in (lent[0], theirs[3]):  # one lent, one not
        CaseHandler.objects.create(case=case, user=other_station_officer, role="responsible")
    with_handler = case_list(user=officer, handler="officer_pl1")  # a join, in both halves
    assert with_handler.count() == len(list(with_handler)) == 1
    assert case_list(user=officer).distinct().count() == 8
    # Combined with another queryset, the split no longer applies: counted as usual, right.
    either = case_list(user=officer).filter(kind="dispute") | case_list(user=officer).filter(
        kind="administrative"
    )
    assert either.count() == len(list(either)) == 3
