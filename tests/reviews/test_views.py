"""The retrospective pages, driven as a browser would: forms posted, pages read back."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client

from casework.cases.models import Case
from casework.reviews import services
from casework.reviews.models import CorrectiveAction, Finding, Retrospective
from casework.workflow import services as workflow
from tests.factories import client_for

pytestmark = pytest.mark.django_db
SOON = date.today() + timedelta(days=7)


def _page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _open(legal: Any, case: Case) -> Retrospective:
    return services.retrospective_open(by=legal, case_id=case.pk)


def _finding(legal: Any, retrospective: Retrospective, **extra: Any) -> Finding:
    values = {"category": "bodycam_off", "description": "抓获时未开启执法记录仪"} | extra
    return services.finding_add(by=legal, retrospective_id=retrospective.pk, **values)


def _action(legal: Any, finding: Finding, owner: Any) -> CorrectiveAction:
    return services.action_add(
        by=legal, retrospective_id=finding.retrospective_id, finding=finding.pk,
        description="组织执法记录仪使用培训", owner=owner.get_username(), due_on=SOON,
    )  # fmt: skip


def _field_errors(html: str, name: str) -> list[str]:
    """The error lines shown under the form field whose input is named `name`."""
    found = re.search(
        rf'<div class="cw-field cw-field--error">(?:(?!<div class="cw-field).)*?name="{name}"'
        r'(?:(?!<div class="cw-field).)*',
        html,
        re.S,
    )
    return re.findall(r'<div class="cw-bad">(.*?)</div>', found[0]) if found else []


# ---- the whole run, over HTTP ---------------------------------------------------------------


def test_legal_officer_runs_a_retrospective_from_the_case_page_to_verified(
    legal_officer: AbstractBaseUser, officer: AbstractBaseUser, case: Case
) -> None:
    legal, owner = client_for(legal_officer), client_for(officer)
    assert f'action="/reviews/open/{case.pk}/"' in _page(legal, f"/cases/{case.pk}/")

    opened = legal.post(f"/reviews/open/{case.pk}/")
    retrospective = Retrospective.objects.get(case=case)
    assert (retrospective.trigger, retrospective.opened_by) == ("manual", legal_officer)
    assert opened.url == f"/reviews/{retrospective.pk}/"
    url = opened.url
    response = legal.post(url, {
        "form": "finding", "finding-category": "bodycam_off", "finding-officer": "officer_xq1",
        "finding-description": "抓获时未开启执法记录仪", "finding-cause": "设备电量不足",
    })  # fmt: skip
    assert response.status_code == 302
    finding = Finding.objects.get(retrospective=retrospective)
    assert (finding.category.code, finding.officer) == ("bodycam_off", officer)
    legal.post(url, {
        "form": "action", "action-finding": finding.pk, "action-description": "组织培训",
        "action-owner": "officer_xq1", "action-due_on": SOON.isoformat(),
    })  # fmt: skip
    action = CorrectiveAction.objects.get(finding=finding)
    assert (action.owner, action.due_on, action.status) == (officer, SOON, "open")

    mine = _page(owner, "/reviews/?tab=mine")
    assert f'data-testid="complete-form-{action.pk}"' in mine
    owner.post("/reviews/?tab=mine", {
        "target": action.pk, f"complete-{action.pk}-evidence": "已组织全所培训",
    })  # fmt: skip
    action.refresh_from_db()
    assert (action.status, action.evidence) == ("done", "已组织全所培训")

    assert f'data-testid="verify-form-{action.pk}"' in _page(legal, url)
    legal.post(
        url, {"form": "verify", "target": action.pk, f"verify-{action.pk}-decision": "accept"}
    )
    html = _page(legal, url)
    assert re.search(r'data-testid="retrospective-status">已结束<', html)
    assert re.search(rf'data-testid="action-status-{action.pk}">已核验<', html)
    assert "verify-form-" not in html
    assert 'data-testid="finding-form"' not in html
    case_page = _page(legal, f"/cases/{case.pk}/")
    assert re.search(r'data-testid="retrospective-link">已结束<', case_page)
    assert "/reviews/open/" not in case_page


def test_the_retrospective_replays_the_case_timeline(
    legal_officer: AbstractBaseUser, case: Case
) -> None:
    retrospective = _open(legal_officer, case)
    html = _page(client_for(legal_officer), f"/reviews/{retrospective.pk}/")
    timeline = html.split('data-testid="timeline"', 1)[1]
    assert "受理案件" in timeline  # the case's history, from its audit trail
    assert "启动案件流程" in timeline


def test_an_officer_is_offered_no_open_button_and_a_forged_post_is_refused(
    officer: AbstractBaseUser, case: Case
) -> None:
    client = client_for(officer)
    assert "/reviews/open/" not in _page(client, f"/cases/{case.pk}/")
    refused = client.post(f"/reviews/open/{case.pk}/", follow=True)
    assert "只有法制员或所长可以启动案后复盘" in refused.content.decode()
    assert not Retrospective.objects.exists()


def test_a_second_open_says_one_case_one_retrospective(
    legal_officer: AbstractBaseUser, case: Case
) -> None:
    _open(legal_officer, case)
    client = client_for(legal_officer)
    response = client.post(f"/reviews/open/{case.pk}/", follow=True)
    assert "本案已有复盘(一案一复盘)" in response.content.decode()
    assert Retrospective.objects.count() == 1


# ---- bad input ------------------------------------------------------------------------------


def test_an_action_without_owner_or_due_date_shows_the_errors_at_the_fields_and_stores_nothing(
    legal_officer: AbstractBaseUser, case: Case
) -> None:
    retrospective = _open(legal_officer, case)
    finding = _finding(legal_officer, retrospective)
    response = client_for(legal_officer).post(f"/reviews/{retrospective.pk}/", {
        "form": "action", "action-finding": finding.pk, "action-description": "组织培训",
        "action-owner": "", "action-due_on": "",
    })  # fmt: skip
    assert response.status_code == 200
    html = response.content.decode()
    assert _field_errors(html, "action-owner") == ["请指定责任人"]
    assert _field_errors(html, "action-due_on") == ["请填写整改期限"]
    assert "组织培训</textarea>" in html  # what was typed is kept
    assert not CorrectiveAction.objects.exists()


def test_a_due_date_in_the_past_is_refused_by_the_service_at_the_field(
    legal_officer: AbstractBaseUser, officer: AbstractBaseUser, case: Case
) -> None:
    retrospective = _open(legal_officer, case)
    finding = _finding(legal_officer, retrospective)
    response = client_for(legal_officer).post(f"/reviews/{retrospective.pk}/", {
        "form": "action", "action-finding": finding.pk, "action-description": "组织培训",
        "action-owner": "officer_xq1", "action-due_on": "2020-01-01",
    })  # fmt: skip
    assert _field_errors(response.content.decode(), "action-due_on") == ["整改期限不能早于今天"]
    assert not CorrectiveAction.objects.exists()


def test_a_finding_without_category_shows_the_error_at_the_field(
    legal_officer: AbstractBaseUser, case: Case
) -> None:
    retrospective = _open(legal_officer, case)
    response = client_for(legal_officer).post(f"/reviews/{retrospective.pk}/", {
        "form": "finding", "finding-category": "", "finding-description": "问题",
    })  # fmt: skip
    assert _field_errors(response.content.decode(), "finding-category") == ["请选择问题类别"]
    assert not Finding.objects.exists()


def test_reporting_done_without_evidence_shows_the_error_and_changes_nothing(
    legal_officer: AbstractBaseUser, officer: AbstractBaseUser, case: Case
) -> None:
    action = _action(legal_officer, _finding(legal_officer, _open(legal_officer, case)), officer)
    response = client_for(officer).post("/reviews/?tab=mine", {
        "target": action.pk, f"complete-{action.pk}-evidence": "  ",
    })  # fmt: skip
    html = response.content.decode()
    assert _field_errors(html, f"complete-{action.pk}-evidence") == ["请填写整改情况"]
    action.refresh_from_db()
    assert action.status == "open"


def test_a_rejection_needs_a_reason_and_sends_the_action_back_to_its_owner(
    legal_officer: AbstractBaseUser, officer: AbstractBaseUser, case: Case
) -> None:
    retrospective = _open(legal_officer, case)
    action = _action(legal_officer, _finding(legal_officer, retrospective), officer)
    services.action_complete(by=officer, action_id=action.pk, evidence="已学习")
    legal, url = client_for(legal_officer), f"/reviews/{retrospective.pk}/"
    data = {"form": "verify", "target": action.pk, f"verify-{action.pk}-decision": "reject"}
    html = legal.post(url, data).content.decode()
    assert _field_errors(html, f"verify-{action.pk}-note") == ["核验未通过的,须说明理由"]
    legal.post(url, data | {f"verify-{action.pk}-note": "未见培训记录"})
    action.refresh_from_db()
    assert (action.status, action.verification_note) == ("rejected", "未见培训记录")
    assert f'data-testid="complete-form-{action.pk}"' in _page(client_for(officer), url)


# ---- who may do what ------------------------------------------------------------------------


@pytest.mark.parametrize("owner_name", ["officer", "second_legal"])
def test_the_owner_is_offered_no_verification_and_a_forged_one_changes_nothing(
    legal_officer: AbstractBaseUser, case: Case, owner_name: str, request: Any
) -> None:
    owner = request.getfixturevalue(owner_name)
    retrospective = _open(legal_officer, case)
    action = _action(legal_officer, _finding(legal_officer, retrospective), owner)
    services.action_complete(by=owner, action_id=action.pk, evidence="已完成")
    client, url = client_for(owner), f"/reviews/{retrospective.pk}/"
    assert "verify-form-" not in _page(client, url)
    response = client.post(
        url, {"form": "verify", "target": action.pk, f"verify-{action.pk}-decision": "accept"},
        follow=True,
    )  # fmt: skip
    assert "核验" in response.content.decode()  # the refusal, as a message
    action.refresh_from_db()
    assert (action.status, action.verified_by) == ("done", None)


def test_only_the_owner_is_offered_the_report_done_form(
    legal_officer: AbstractBaseUser, officer: AbstractBaseUser, case: Case
) -> None:
    retrospective = _open(legal_officer, case)
    action = _action(legal_officer, _finding(legal_officer, retrospective), officer)
    url = f"/reviews/{retrospective.pk}/"
    assert f"complete-form-{action.pk}" not in _page(client_for(legal_officer), url)
    assert f"complete-form-{action.pk}" in _page(client_for(officer), url)
    assert 'data-testid="finding-form"' not in _page(client_for(officer), url)


def test_legal_officer_of_another_station_gets_404_everywhere(
    legal_officer: AbstractBaseUser,
    officer: AbstractBaseUser,
    other_station_legal: AbstractBaseUser,
    case: Case,
) -> None:
    retrospective = _open(legal_officer, case)
    action = _action(legal_officer, _finding(legal_officer, retrospective), officer)
    services.action_complete(by=officer, action_id=action.pk, evidence="已完成")
    client, url = client_for(other_station_legal), f"/reviews/{retrospective.pk}/"
    assert client.get(url).status_code == 404
    forged = {"form": "verify", "target": action.pk, f"verify-{action.pk}-decision": "accept"}
    assert client.post(url, forged).status_code == 404
    assert client.post(f"/reviews/open/{case.pk}/").status_code == 404
    assert case.number not in _page(client, "/reviews/?tab=all")
    action.refresh_from_db()
    assert action.status == "done"


def test_html_in_a_finding_is_shown_as_text(
    legal_officer: AbstractBaseUser, officer: AbstractBaseUser, case: Case
) -> None:
    retrospective = _open(legal_officer, case)
    finding = _finding(legal_officer, retrospective, description="<script>alert(1)</script>")
    action = _action(legal_officer, finding, officer)
    services.action_complete(by=officer, action_id=action.pk, evidence="<b>已完成</b>")
    for client, url in [
        (client_for(legal_officer), f"/reviews/{retrospective.pk}/"),
        (client_for(officer), "/reviews/?tab=mine"),
    ]:
        html = _page(client, url)
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "<b>已完成</b>" not in html


def test_an_overdue_action_is_marked(
    legal_officer: AbstractBaseUser, officer: AbstractBaseUser, case: Case
) -> None:
    retrospective = _open(legal_officer, case)
    action = _action(legal_officer, _finding(legal_officer, retrospective), officer)
    assert "已超期" not in _page(client_for(officer), "/reviews/?tab=mine")
    with time_machine.travel(SOON + timedelta(days=2)):
        html = _page(client_for(officer), "/reviews/?tab=mine")
    due = re.search(rf'<div class="([^"]*)" data-testid="action-due-{action.pk}">(.*?)</div>', html)
    assert due is not None
    assert (due[1], "已超期" in due[2]) == ("rv-overdue", True)


# ---- the list ---------------------------------------------------------------------------------


def test_the_list_shows_each_retrospective_with_its_counts(
    legal_officer: AbstractBaseUser, officer: AbstractBaseUser, case: Case
) -> None:
    retrospective = _open(legal_officer, case)
    finding = _finding(legal_officer, retrospective)
    _finding(legal_officer, retrospective, category="document_defect", description="文书")
    first = _action(legal_officer, finding, officer)
    _action(legal_officer, finding, officer)
    services.action_complete(by=officer, action_id=first.pk, evidence="已完成")
    services.action_verify(by=legal_officer, action_id=first.pk, accepted=True)
    html = _page(client_for(legal_officer), "/reviews/")
    row = re.search(rf'data-testid="retrospective-{retrospective.pk}">.*?</tr>', html, re.S)
    assert row is not None
    for shown in [case.number, "人工启动", "复盘中", "<td>2</td>", "1 / 2"]:
        assert shown in row[0], shown


@pytest.mark.parametrize(
    ("who", "url"),
    [("legal_officer", "/reviews/"), ("legal_officer", "/reviews/?tab=all"),
     ("officer", "/reviews/?tab=mine")],
)  # fmt: skip
def test_the_list_query_count_does_not_grow_with_the_retrospectives(
    legal_officer: AbstractBaseUser,
    officer: AbstractBaseUser,
    django_assert_max_num_queries: Any,
    who: str,
    url: str,
    request: Any,
) -> None:
    def another() -> None:
        case = workflow.case_start(by=officer, kind="administrative", title="案", summary="案")
        retrospective = _open(legal_officer, case)
        _action(legal_officer, _finding(legal_officer, retrospective), officer)

    another()
    client = client_for(request.getfixturevalue(who))
    client.get(url)  # warm the session and permission caches
    with django_assert_max_num_queries(15) as few:  # 14 + the user's case grants (one query)
        client.get(url)
    budget = len(few.captured_queries)  # read now: the query log is a bounded ring
    for _ in range(4):
        another()
    with django_assert_max_num_queries(budget):
        client.get(url)


def test_the_page_query_count_does_not_grow_with_findings_and_actions(
    legal_officer: AbstractBaseUser,
    officer: AbstractBaseUser,
    case: Case,
    django_assert_max_num_queries: Any,
) -> None:
    retrospective = _open(legal_officer, case)
    _action(legal_officer, _finding(legal_officer, retrospective), officer)
    client, url = client_for(legal_officer), f"/reviews/{retrospective.pk}/"
    client.get(url)
    with django_assert_max_num_queries(24) as few:
        client.get(url)
    budget = len(few.captured_queries)
    for _ in range(3):
        finding = _finding(legal_officer, retrospective, officer="officer_xq1")
        done = _action(legal_officer, finding, officer)
        services.action_complete(by=officer, action_id=done.pk, evidence="已完成")
    with django_assert_max_num_queries(budget):
        client.get(url)
