"""The conduct pages, driven as a browser would: forms posted, pages read back."""

from __future__ import annotations

import itertools
import re
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client
from django.utils import timezone

from casework.conduct import selectors, services
from casework.conduct.models import ConductRecord, Talk
from casework.core.models import AuditEvent, Notification
from casework.org.models import Station
from tests.factories import client_for, make_officer

pytestmark = pytest.mark.django_db
_sources = itertools.count(1)


def _record(officer: Any, code: str = "bodycam_off", reason: str = "抓获时未开启执法记录仪"):
    """A finding attributed to `officer`, as 案后复盘 would record it."""
    return services.record_for_finding(
        officer=officer, station_id=officer.profile.station_id, category_code=code,
        category=f"类别{code}", reason=reason, source=f"test:{next(_sources)}",
    )  # fmt: skip


def _over_threshold(officer: Any) -> tuple[ConductRecord, Talk]:
    """3 + 3 points: the threshold of 6, so a talk opens."""
    first = _record(officer, "procedure_breach", reason="未告知权利义务")
    _record(officer, "detention_overrun_risk", reason="留置时间接近上限")
    return first, Talk.objects.get(officer=officer)


def _page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _field_errors(html: str, name: str) -> list[str]:
    """The error lines shown under the form field whose input is named `name`."""
    found = re.search(
        rf'<div class="cw-field cw-field--error">(?:(?!<div class="cw-field).)*?name="{name}"'
        r'(?:(?!<div class="cw-field).)*',
        html,
        re.S,
    )
    return re.findall(r'<div class="cw-bad">(.*?)</div>', found[0]) if found else []


def _messages(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# ---- my record ------------------------------------------------------------------------------


def test_officer_sees_own_records_with_the_points_of_the_period(
    officer: AbstractBaseUser, django_assert_max_num_queries: Any
) -> None:
    with time_machine.travel(timezone.now() - timedelta(days=400), tick=False):
        old = _record(officer, "procedure_breach", reason="一年多前的问题")
    points = _record(officer, "bodycam_off")
    reminder = _record(officer, "other", reason="文书签名不规范")
    client = client_for(officer)
    with django_assert_max_num_queries(14):
        html = _page(client, "/conduct/")
    assert re.search(r'data-testid="points">2<', html)  # the old record is out of the period
    assert "抓获时未开启执法记录仪" in html
    assert "文书签名不规范" in html
    assert "不在本周期" in html
    for record in (points, reminder, old):
        assert f'data-testid="objection-form-{record.pk}"' in html
    assert "执法记分" in html  # the app in the site menu
    assert "/conduct/station/" not in html  # no station view for an officer


def test_a_record_notification_links_to_my_record(officer: AbstractBaseUser) -> None:
    record = _record(officer)
    assert Notification.objects.get(key=f"conduct:{record.pk}").link == "/conduct/"


def test_officer_objects_through_the_page(officer: AbstractBaseUser) -> None:
    record = _record(officer)
    client = client_for(officer)
    response = client.post(
        "/conduct/", {"target": record.pk, f"objection-{record.pk}-text": "当时记录仪故障,已报修"}
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.objection_status, record.objection) == ("pending", "当时记录仪故障,已报修")
    assert AuditEvent.objects.filter(verb="conduct.objection_raised").count() == 1
    html = _page(client, "/conduct/")
    assert re.search(rf'data-testid="objection-{record.pk}"><span[^>]*>异议待处理<', html)
    assert f"objection-form-{record.pk}" not in html  # one objection per record


def test_a_blank_objection_shows_the_error_at_the_field_and_stores_nothing(
    officer: AbstractBaseUser,
) -> None:
    record = _record(officer)
    response = client_for(officer).post(
        "/conduct/", {"target": record.pk, f"objection-{record.pk}-text": "   "}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert _field_errors(html, f"objection-{record.pk}-text") == ["请填写异议理由"]
    record.refresh_from_db()
    assert (record.objection_status, record.objection) == ("", "")
    assert not AuditEvent.objects.filter(verb="conduct.objection_raised").exists()


def test_objecting_to_someone_elses_record_is_refused(
    officer: AbstractBaseUser, instructor: AbstractBaseUser, xq: Station
) -> None:
    record = _record(officer)
    data = {"target": record.pk, f"objection-{record.pk}-text": "代为异议"}
    colleague = make_officer("officer_xq2", station=xq, roles=["officer"]).user
    assert client_for(colleague).post("/conduct/", data).status_code == 404  # not even visible
    leader = client_for(instructor)
    assert f"objection-form-{record.pk}" not in _page(leader, "/conduct/officers/officer_xq1/")
    refused = leader.post("/conduct/", data, follow=True)
    assert "只能对本人的记录提出异议" in _messages(refused)
    record.refresh_from_db()
    assert (record.objection_status, record.objection) == ("", "")


# ---- the station view -----------------------------------------------------------------------


def test_instructor_decides_an_objection_and_holds_the_talk_through_the_pages(
    officer: AbstractBaseUser, instructor: AbstractBaseUser, django_assert_max_num_queries: Any
) -> None:
    record, talk = _over_threshold(officer)
    assert Notification.objects.get(recipient=instructor).link == "/conduct/station/"
    services.objection_raise(by=officer, record_id=record.pk, text="已当场告知,有录音")
    client = client_for(instructor)
    with django_assert_max_num_queries(16):
        html = _page(client, "/conduct/station/")
    assert re.search(r'class="cd-level--over" data-testid="officer-officer_xq1"', html)
    assert re.search(r'data-testid="points-officer_xq1">6<', html)
    assert f'data-testid="decide-form-{record.pk}"' in html
    assert f'data-testid="talk-form-{talk.pk}"' in html

    decided = client.post("/conduct/station/", {
        "form": "decide", "target": record.pk, f"decide-{record.pk}-decision": "uphold",
        f"decide-{record.pk}-note": "调取录音,确已告知",
    })  # fmt: skip
    assert decided.status_code == 302
    record.refresh_from_db()
    assert (record.objection_status, record.objection_decided_by) == ("upheld", instructor)
    assert selectors.points_in_period(officer, timezone.now()) == 3  # the upheld record voided

    held = client.post("/conduct/station/", {
        "form": "talk", "target": talk.pk, f"talk-{talk.pk}-minutes": "指出问题,本人表示接受",
        f"talk-{talk.pk}-follow_up": "一个月后回访",
    })  # fmt: skip
    assert held.status_code == 302
    talk.refresh_from_db()
    assert (talk.status, talk.held_by, talk.follow_up) == ("held", instructor, "一个月后回访")
    html = _page(client, "/conduct/station/")
    assert "暂无待处理异议" in html
    held_section = html.split('data-testid="held-talks"', 1)[1]
    assert "指出问题,本人表示接受" in held_section
    assert re.search(r'data-testid="points-officer_xq1">3<', html)
    mine = _page(client_for(officer), "/conduct/")
    assert re.search(rf'data-testid="talk-minutes-{talk.pk}">指出问题,本人表示接受<', mine)
    assert "调取录音,确已告知" in mine


def test_a_decision_or_talk_without_text_shows_the_errors_at_the_fields_and_stores_nothing(
    officer: AbstractBaseUser, instructor: AbstractBaseUser
) -> None:
    record, talk = _over_threshold(officer)
    services.objection_raise(by=officer, record_id=record.pk, text="有录音")
    client = client_for(instructor)
    html = client.post("/conduct/station/", {
        "form": "decide", "target": record.pk, f"decide-{record.pk}-note": "",
    }).content.decode()  # fmt: skip
    assert _field_errors(html, f"decide-{record.pk}-decision") == ["请选择处理结论"]
    assert _field_errors(html, f"decide-{record.pk}-note") == ["请填写处理意见"]
    html = client.post(
        "/conduct/station/", {"form": "talk", "target": talk.pk, f"talk-{talk.pk}-minutes": " "}
    ).content.decode()
    assert _field_errors(html, f"talk-{talk.pk}-minutes") == ["请填写约谈记录"]
    record.refresh_from_db()
    talk.refresh_from_db()
    assert (record.objection_status, talk.status) == ("pending", "open")


def test_near_the_threshold_is_highlighted(
    officer: AbstractBaseUser, instructor: AbstractBaseUser, xq: Station
) -> None:
    make_officer("officer_xq2", station=xq, roles=["officer"])
    _record(officer, "procedure_breach")  # 3: one more 3-point finding reaches 6
    html = _page(client_for(instructor), "/conduct/station/")
    assert re.search(r'class="cd-level--near" data-testid="officer-officer_xq1"', html)
    assert re.search(r'class="cd-level--none" data-testid="officer-officer_xq2"', html)


def test_legal_officer_decides_objections_but_is_offered_no_talk_form(
    officer: AbstractBaseUser, legal_officer: AbstractBaseUser
) -> None:
    record, talk = _over_threshold(officer)
    services.objection_raise(by=officer, record_id=record.pk, text="有录音")
    client = client_for(legal_officer)
    html = _page(client, "/conduct/station/")
    assert f"decide-form-{record.pk}" in html
    assert f"talk-form-{talk.pk}" not in html
    forged = {"form": "talk", "target": talk.pk, f"talk-{talk.pk}-minutes": "谈话"}
    assert "只有教导员可以开展约谈" in _messages(
        client.post("/conduct/station/", forged, follow=True)
    )
    talk.refresh_from_db()
    assert talk.status == "open"


def test_nobody_decides_their_own_objection(instructor: AbstractBaseUser) -> None:
    record = _record(instructor)
    services.objection_raise(by=instructor, record_id=record.pk, text="不是我")
    html = _page(client_for(instructor), "/conduct/station/")
    assert f'data-testid="pending-{record.pk}"' in html
    assert f"decide-form-{record.pk}" not in html


@pytest.mark.parametrize("persona", ["officer", "auxiliary", "chief"])
def test_only_who_decides_objections_or_holds_talks_sees_the_station_view(
    persona: str, officer: AbstractBaseUser, request: Any
) -> None:
    record, _talk = _over_threshold(officer)
    services.objection_raise(by=officer, record_id=record.pk, text="有录音")
    client = client_for(request.getfixturevalue(persona))
    # The chief reads the station's ledger but has no form on it; nobody else sees it.
    page = client.get("/conduct/station/")
    if persona == "chief":
        assert page.status_code == 200
        assert f'data-testid="pending-{record.pk}"' in page.content.decode()
        assert f"decide-form-{record.pk}" not in page.content.decode()
    else:
        assert page.status_code == 403
    forged = {
        "form": "decide", "target": record.pk, f"decide-{record.pk}-decision": "uphold",
        f"decide-{record.pk}-note": "自己批准",
    }  # fmt: skip
    assert client.post("/conduct/station/", forged).status_code == 403
    record.refresh_from_db()
    assert record.objection_status == "pending"


def test_another_stations_instructor_sees_none_of_ours_and_cannot_act_on_it(
    officer: AbstractBaseUser, pl: Station
) -> None:
    record, talk = _over_threshold(officer)
    services.objection_raise(by=officer, record_id=record.pk, text="有录音")
    theirs = client_for(make_officer("instructor_pl", station=pl, roles=["instructor"]).user)
    html = _page(theirs, "/conduct/station/")
    assert "officer_xq1" not in html
    decide = {
        "form": "decide", "target": record.pk, f"decide-{record.pk}-decision": "uphold",
        f"decide-{record.pk}-note": "越权处理",
    }  # fmt: skip
    assert theirs.post("/conduct/station/", decide).status_code == 404
    hold = {"form": "talk", "target": talk.pk, f"talk-{talk.pk}-minutes": "越权约谈"}
    assert theirs.post("/conduct/station/", hold).status_code == 404
    record.refresh_from_db()
    talk.refresh_from_db()
    assert (record.objection_status, talk.status) == ("pending", "open")


# ---- one officer's record -------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["officer", "instructor", "legal_officer", "chief"])
def test_the_officer_and_their_stations_leaders_see_the_officer_page(
    persona: str, officer: AbstractBaseUser, request: Any
) -> None:
    _record(officer)
    html = _page(client_for(request.getfixturevalue(persona)), "/conduct/officers/officer_xq1/")
    assert "李瑞旸" in html
    assert re.search(r'data-testid="points">2<', html)


@pytest.mark.parametrize("persona", ["other_station_officer", "other_station_legal", "auxiliary"])
def test_anyone_else_gets_404_on_the_officer_page(
    persona: str, officer: AbstractBaseUser, request: Any
) -> None:
    _record(officer)
    client = client_for(request.getfixturevalue(persona))
    assert client.get("/conduct/officers/officer_xq1/").status_code == 404
    assert client.get("/conduct/officers/nobody/").status_code == 404
    # The existing officer's denial is audited; the missing one is just missing.
    denied = AuditEvent.objects.filter(verb="access.denied", target_type="auth.user")
    assert list(denied.values_list("target_id", flat=True)) == ["officer_xq1"]
