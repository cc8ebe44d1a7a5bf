"""Trips produce one personalised briefing per officer; only the officer acknowledges it."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casework.core.models import Notification
from casework.rules.services import rule_save
from casework.trips import personal
from casework.trips.models import Reminder, Trip
from tests.factories import api_for, make_officer

pytestmark = pytest.mark.django_db
BASIS = [{"law": "公安机关人民警察纪律条令", "article": "§23", "version": "2010"}]
FAR = {"province": "广东省", "city": "深圳市", "county": "南山区"}


def _register(user: AbstractBaseUser, **extra: Any) -> Any:
    body = {
        "officers": ["officer_xq1", "officer_xq2"],
        "destination": FAR,
        "purposes": ["arrest"],
        "departs_at": "2026-11-25T08:00:00+08:00",
        "returns_at": "2026-11-27T20:00:00+08:00",
        **extra,
    }
    return api_for(user).post("/api/v1/trips/", body, format="json")


@pytest.fixture
def second_officer(xq: Any) -> AbstractBaseUser:
    return make_officer(
        "officer_xq2", station=xq, roles=["officer"], display_name="张伟", email="zw@example.cn"
    ).user


def test_each_officer_gets_the_rules_that_fire(
    library: None, officer: AbstractBaseUser, second_officer: AbstractBaseUser
) -> None:
    response = _register(officer)
    assert response.status_code == 201, response.content
    reminders = response.json()["reminders"]
    by_officer = {(r["officer"], r["rule"]) for r in reminders}
    assert by_officer == {
        (o, r) for o in ("officer_xq1", "officer_xq2") for r in ("no_alcohol", "coordination")
    }
    text = next(
        r["text"] for r in reminders if r["officer"] == "officer_xq1" and r["rule"] == "no_alcohol"
    )
    assert text == "李瑞旸同志:出差广东省深圳市南山区期间严禁饮酒"
    assert Notification.objects.filter(recipient=second_officer).count() == 1


def test_briefing_mail_goes_out_through_the_outbox(
    library: None,
    officer: AbstractBaseUser,
    second_officer: AbstractBaseUser,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _register(officer)
    assert [m.to for m in mail.outbox] == [["zw@example.cn"]]
    assert "执法安全提醒" in mail.outbox[0].subject


def test_only_the_addressed_officer_acknowledges(
    library: None,
    officer: AbstractBaseUser,
    second_officer: AbstractBaseUser,
    legal_officer: AbstractBaseUser,
) -> None:
    _register(officer)
    mine = api_for(second_officer).get("/api/v1/reminders/?mine=true").json()["results"]
    assert {r["officer"] for r in mine} == {"officer_xq2"}
    theirs = Reminder.objects.filter(officer=officer).first()
    assert theirs is not None
    refused = api_for(second_officer).post(f"/api/v1/reminders/{theirs.pk}/acknowledge/")
    assert refused.status_code == 403
    assert "本人" in refused.json()["detail"]
    assert (
        api_for(legal_officer).post(f"/api/v1/reminders/{theirs.pk}/acknowledge/").status_code
        == 403
    )
    ok = api_for(officer).post(f"/api/v1/reminders/{theirs.pk}/acknowledge/")
    assert ok.status_code == 200
    assert ok.json()["acknowledged_at"] is not None
    theirs.refresh_from_db()
    assert theirs.acknowledged_at is not None


def test_trip_returning_before_it_leaves_is_refused_and_nothing_stored(
    library: None, officer: AbstractBaseUser, second_officer: AbstractBaseUser
) -> None:
    response = _register(officer, returns_at="2026-11-24T08:00:00+08:00")
    assert response.status_code == 400
    assert "returns_at" in response.json()
    assert not Trip.objects.exists()
    assert not Reminder.objects.exists()


def test_unknown_purpose_and_foreign_officer_are_named(
    library: None, officer: AbstractBaseUser, other_station_officer: AbstractBaseUser
) -> None:
    response = _register(officer, purposes=["picnic"], officers=["officer_xq1", "officer_pl1"])
    assert response.status_code == 400
    assert "purposes" in response.json()
    response = _register(officer, officers=["officer_xq1", "officer_pl1"])
    assert response.status_code == 400
    assert "officer_pl1" in str(response.json()["officers"])


def test_personal_items_join_the_briefing(library: None, officer: AbstractBaseUser) -> None:
    def provider(user: Any, on: Any, context: dict[str, Any]) -> list[personal.PersonalItem]:
        return [
            personal.PersonalItem(
                key="finding:1", title="个人提醒", text="上次出差未全程开启执法记录仪"
            )
        ]

    personal.register(provider)
    try:
        reminders = _register(officer, officers=["officer_xq1"]).json()["reminders"]
    finally:
        personal._providers.remove(provider)
    assert "上次出差未全程开启执法记录仪" in [r["text"] for r in reminders]


def test_registering_for_five_officers_costs_a_bounded_number_of_queries(
    library: None, officer: AbstractBaseUser, xq: Any
) -> None:
    names = ["officer_xq1"] + [
        make_officer(f"o{i}", station=xq, roles=["officer"]).user.username for i in range(4)
    ]
    api = api_for(officer)
    body = {
        "officers": names[:1],
        "destination": FAR,
        "purposes": ["arrest"],
        "departs_at": "2026-11-25T08:00:00+08:00",
        "returns_at": "2026-11-26T08:00:00+08:00",
    }
    api.post("/api/v1/trips/", body, format="json")
    with CaptureQueriesContext(connection) as one:
        api.post("/api/v1/trips/", body, format="json")
    with CaptureQueriesContext(connection) as five:
        api.post("/api/v1/trips/", {**body, "officers": names}, format="json")
    # a few queries per officer (their briefing notification), none per rule
    assert len(five.captured_queries) <= len(one.captured_queries) + 4 * 8
    assert len(five.captured_queries) <= 90


def test_the_purpose_placeholder_is_filled(officer: AbstractBaseUser) -> None:
    rule_save(
        by=None,
        slug="coordination_text",
        title="协作",
        category="trip",
        conditions={},
        text="出差执行{任务}前须备齐法律文书",
        legal_basis=BASIS,
        verified="VERIFIED",
        enabled=True,
    )
    reminders = _register(officer, officers=["officer_xq1"], purposes=["arrest", "search"]).json()[
        "reminders"
    ]
    assert reminders[0]["text"] == "出差执行抓捕/逮捕、搜查前须备齐法律文书"


def test_unacknowledged_briefing_is_resent_then_escalates_once(
    library: None,
    officer: AbstractBaseUser,
    legal_officer: AbstractBaseUser,
    chief: AbstractBaseUser,
) -> None:
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from casework.trips.services import reminders_escalate

    _register(officer, officers=["officer_xq1"])
    departs = datetime(2026, 11, 25, 8, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert reminders_escalate(now=departs - timedelta(hours=3)) == 0
    reminders_escalate(now=departs - timedelta(hours=2))
    assert Notification.objects.filter(recipient=officer).count() == 2  # sent, then re-sent
    assert Notification.objects.filter(recipient=legal_officer).count() == 1
    assert not Notification.objects.filter(recipient=chief).exists()
    reminders_escalate(now=departs - timedelta(hours=1))
    assert Notification.objects.filter(recipient=legal_officer).count() == 1  # no repeats
    reminders_escalate(now=departs)
    assert Notification.objects.filter(recipient=chief).count() == 1
    for reminder in Reminder.objects.filter(officer=officer):
        api_for(officer).post(f"/api/v1/reminders/{reminder.pk}/acknowledge/")
    assert reminders_escalate(now=departs + timedelta(minutes=5)) == 0
