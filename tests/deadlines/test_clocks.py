"""Statutory clocks: started by measures from the rule library, swept, escalated, met."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.core.management import call_command

from casework.cases.models import Case
from casework.core.models import Notification
from casework.deadlines.calendar import add_working_days
from casework.deadlines.models import Deadline, DeadlineWarning
from casework.deadlines.services import deadline_sweep, warnings_deliver
from tests.factories import api_for

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
DETAINED_AT = datetime(2026, 11, 20, 20, 0, tzinfo=SH)


@pytest.fixture
def criminal_case(
    officer: AbstractBaseUser, legal_officer: AbstractBaseUser, chief: AbstractBaseUser
) -> Case:
    call_command("load_rules")
    created = api_for(officer).post(
        "/api/v1/cases/",
        {"kind": "criminal", "title": "盗窃案", "summary": "电动车被盗"},
        format="json",
    )
    return Case.objects.get(pk=created.json()["id"])


def _detain(officer: AbstractBaseUser, case: Case) -> Any:
    party = (
        api_for(officer)
        .post(
            f"/api/v1/cases/{case.pk}/parties/",
            {"role": "suspect", "name": "王某", "gender": "M"},
            format="json",
        )
        .json()
    )
    return api_for(officer).post(
        f"/api/v1/cases/{case.pk}/measures/",
        {"party": party["id"], "kind": "criminal_detention", "started_at": DETAINED_AT.isoformat()},
        format="json",
    )


def test_criminal_detention_starts_its_clocks(
    criminal_case: Case, officer: AbstractBaseUser
) -> None:
    response = _detain(officer, criminal_case)
    assert response.status_code == 201
    clocks = {d["rule"]: d for d in response.json()["deadlines"]}
    assert {
        "crim_detention_custody_transfer_24h",
        "crim_detention_family_notice_24h",
        "crim_detention_first_interrogation_24h",
        "crim_arrest_request_deadline",
    } <= set(clocks)
    custody = clocks["crim_detention_custody_transfer_24h"]
    assert datetime.fromisoformat(custody["due_at"]) == DETAINED_AT + timedelta(hours=24)
    listed = api_for(officer).get(f"/api/v1/deadlines/?case={criminal_case.pk}").json()["results"]
    assert len(listed) == len(clocks)


def test_rungs_warn_then_escalate_and_a_second_sweep_creates_nothing(
    criminal_case: Case,
    officer: AbstractBaseUser,
    legal_officer: AbstractBaseUser,
    chief: AbstractBaseUser,
) -> None:
    _detain(officer, criminal_case)
    custody = Deadline.objects.get(rule__slug="crim_detention_custody_transfer_24h")
    before_12h = DETAINED_AT + timedelta(hours=12, minutes=1)
    deadline_sweep(now=before_12h)
    assert deadline_sweep(now=before_12h) == 0
    warnings_deliver(now=before_12h)
    assert Notification.objects.filter(recipient=officer, subject__contains="时限预警").exists()
    assert not Notification.objects.filter(recipient=legal_officer).exists()
    overdue = custody.due_at + timedelta(minutes=1)
    deadline_sweep(now=overdue)
    warnings_deliver(now=overdue)
    assert Notification.objects.filter(recipient=legal_officer).exists()
    assert not Notification.objects.filter(recipient=chief).exists()
    later = custody.due_at + timedelta(hours=2, minutes=1)
    deadline_sweep(now=later)
    warnings_deliver(now=later)
    assert Notification.objects.filter(recipient=chief).exists()
    created = DeadlineWarning.objects.count()
    assert deadline_sweep(now=later) == 0
    assert warnings_deliver(now=later) == 0
    assert DeadlineWarning.objects.count() == created


def test_a_met_clock_stops_warning(criminal_case: Case, officer: AbstractBaseUser) -> None:
    _detain(officer, criminal_case)
    custody = Deadline.objects.get(rule__slug="crim_detention_custody_transfer_24h")
    response = api_for(officer).post(
        f"/api/v1/deadlines/{custody.pk}/meet/", {"note": "已送看守所"}, format="json"
    )
    assert response.json()["status"] == "met"
    deadline_sweep(now=custody.due_at + timedelta(days=1))
    assert not DeadlineWarning.objects.filter(rung__deadline=custody).exists()
    again = api_for(officer).post(f"/api/v1/deadlines/{custody.pk}/meet/", {}, format="json")
    assert again.status_code == 409


def test_other_station_cannot_see_or_meet_clocks(
    criminal_case: Case, officer: AbstractBaseUser, other_station_officer: AbstractBaseUser
) -> None:
    _detain(officer, criminal_case)
    custody = Deadline.objects.first()
    assert custody is not None
    api = api_for(other_station_officer)
    assert api.get(f"/api/v1/deadlines/?case={criminal_case.pk}").json()["count"] == 0
    assert api.post(f"/api/v1/deadlines/{custody.pk}/meet/", {}, format="json").status_code == 404


def test_working_days_skip_weekends_and_holidays_but_count_adjusted_workdays() -> None:
    start = datetime(2026, 9, 30, 10, 0, tzinfo=SH)  # a Wednesday before 国庆
    national_day = {date(2026, 10, d) for d in range(1, 8)}
    adjusted = {date(2026, 10, 10)}  # a working Saturday
    due = add_working_days(start, 3, holidays=national_day, workdays=adjusted)
    # 10-01…10-07 are holidays; 10-08 (Thu) is day 1, 10-09 (Fri) day 2, the working Saturday day 3
    assert due == datetime(2026, 10, 10, 10, 0, tzinfo=SH)
    ordinary = add_working_days(
        datetime(2026, 11, 20, 9, 0, tzinfo=SH), 1, holidays=set(), workdays=set()
    )
    assert ordinary == datetime(2026, 11, 23, 9, 0, tzinfo=SH)  # Friday + 1 working day = Monday


def test_clocks_show_on_the_case_page_and_can_be_met_there(
    criminal_case: Case, officer: AbstractBaseUser
) -> None:
    from tests.factories import client_for

    _detain(officer, criminal_case)
    client = client_for(officer)
    page = client.get(f"/cases/{criminal_case.pk}/").content.decode()
    assert "法定时限" in page
    assert "已超期" in page  # detained on 2026-11-20: the 24 h clocks have run out
    custody = Deadline.objects.get(rule__slug="crim_detention_custody_transfer_24h")
    client.post(
        f"/cases/{criminal_case.pk}/", {"action": "meet", "deadline": custody.pk, "note": "已送押"}
    )
    custody.refresh_from_db()
    assert custody.status == Deadline.Status.MET


def test_legal_officer_enters_holidays_and_a_malformed_date_is_named(
    legal_officer: AbstractBaseUser, officer: AbstractBaseUser
) -> None:
    api = api_for(legal_officer)
    bad = api.post("/api/v1/holidays/", {"day": "2026-02-30", "name": "春节"}, format="json")
    assert bad.status_code == 400
    assert "day" in bad.json()
    ok = api.post("/api/v1/holidays/", {"day": "2026-10-01", "name": "国庆节"}, format="json")
    assert ok.status_code == 201
    again = api.post(
        "/api/v1/holidays/", {"day": "2026-10-01", "name": "国庆节(修订)"}, format="json"
    )
    assert again.status_code == 201
    assert api.get("/api/v1/holidays/").json()["count"] == 1
    refused = api_for(officer).post(
        "/api/v1/holidays/", {"day": "2026-10-02", "name": "x"}, format="json"
    )
    assert refused.status_code == 403


def test_overdue_clocks_show_on_the_workbench_and_the_clock_list_for_chief_and_legal_officer(
    criminal_case: Case,
    officer: AbstractBaseUser,
    legal_officer: AbstractBaseUser,
    chief: AbstractBaseUser,
    other_station_legal: AbstractBaseUser,
    django_assert_max_num_queries: Any,
) -> None:
    from tests.factories import client_for

    _detain(officer, criminal_case)  # 2026-11-20 20:00: the 24 h clocks are overdue now
    overdue = Deadline.objects.filter(status="open", due_at__lt=datetime.now(tz=SH))
    assert overdue.exists()
    title = overdue.first().title  # type: ignore[union-attr]
    workbench = client_for(legal_officer).get("/cases/workbench/").content.decode()
    assert f"已超期 {overdue.count()}" in workbench
    assert title in workbench
    chief_client = client_for(chief)
    with django_assert_max_num_queries(25):
        listed = chief_client.get("/cases/clocks/?state=overdue").content.decode()
    assert criminal_case.number in listed
    assert title in listed
    # Marking the clock met takes it off the list.
    for clock in overdue:
        api_for(officer).post(f"/api/v1/deadlines/{clock.pk}/meet/", {"note": "已办"})
    assert (
        criminal_case.number
        not in chief_client.get("/cases/clocks/?state=overdue").content.decode()
    )
    # Another station's legal officer sees none of it.
    foreign = client_for(other_station_legal).get("/cases/clocks/").content.decode()
    assert criminal_case.number not in foreign
