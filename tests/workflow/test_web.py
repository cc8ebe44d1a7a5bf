"""The web pages for cases, gates and incidents, driven as a browser would (forms posted)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AbstractBaseUser
from viewflow.workflow.models import Task

from casework.cases.models import Case, GateDecision, Incident
from tests.factories import client_for, ticks

pytestmark = pytest.mark.django_db


def _open_case(officer: AbstractBaseUser) -> Case:
    response = client_for(officer).post(
        "/cases/create/",
        {"kind": "administrative", "title": "张某殴打他人案", "summary": "烧烤店内殴打他人"},
    )
    assert response.status_code == 302
    return Case.objects.get()


def test_case_created_in_the_browser_waits_for_review(
    officer: AbstractBaseUser, legal_officer: AbstractBaseUser
) -> None:
    case = _open_case(officer)
    page = client_for(officer).get(f"/cases/{case.pk}/").content.decode()
    assert "受立案审核" in page
    assert "一案一回溯" in page
    queue = client_for(legal_officer).get("/cases/queue/").content.decode()
    assert case.number in queue


def test_gate_form_return_without_reason_shows_the_error_and_stores_nothing(
    officer: AbstractBaseUser, legal_officer: AbstractBaseUser
) -> None:
    case = _open_case(officer)
    task = Task.objects.get(process__caseprocess__case=case, status="NEW")
    response = client_for(legal_officer).post(
        f"/cases/tasks/{task.pk}/", {"decision": "return", "reason": ""}
    )
    assert response.status_code == 200
    assert "退回补正必须填写理由" in response.content.decode()
    assert not GateDecision.objects.exists()


def test_gate_form_approves_with_the_checklist(
    officer: AbstractBaseUser, legal_officer: AbstractBaseUser
) -> None:
    case = _open_case(officer)
    task = Task.objects.get(process__caseprocess__case=case, status="NEW")
    data = {"decision": "approve", **{f"item_{k}": "on" for k in ticks(case, "acceptance")}}
    response = client_for(legal_officer).post(f"/cases/tasks/{task.pk}/", data)
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).status == Case.Status.INVESTIGATING


def test_handler_cannot_open_the_gate_form_of_their_case(officer: AbstractBaseUser) -> None:
    case = _open_case(officer)
    task = Task.objects.get(process__caseprocess__case=case, status="NEW")
    assert client_for(officer).get(f"/cases/tasks/{task.pk}/").status_code == 404


def test_bad_id_number_in_the_party_form_names_the_field(officer: AbstractBaseUser) -> None:
    case = _open_case(officer)
    response = client_for(officer).post(
        f"/cases/{case.pk}/",
        {"action": "party", "role": "suspect", "name": "张某", "id_number": "110105194912310021"},
    )
    assert response.status_code == 200
    assert "校验码错误" in response.content.decode()
    assert not case.parties.exists()


def test_measure_ending_before_it_starts_is_refused(officer: AbstractBaseUser) -> None:
    case = _open_case(officer)
    client = client_for(officer)
    client.post(
        f"/cases/{case.pk}/", {"action": "party", "role": "suspect", "name": "张某", "gender": "M"}
    )
    party = case.parties.get()
    response = client.post(
        f"/cases/{case.pk}/",
        {"action": "measure", "party": party.pk, "kind": "summons",
         "started_at": "2026-11-20T20:00", "ended_at": "2026-11-20T18:00"},
    )  # fmt: skip
    assert "结束时间不能早于开始时间" in response.content.decode()
    assert not case.measures.exists()


def test_other_station_gets_404_for_case_pages(
    officer: AbstractBaseUser, other_station_officer: AbstractBaseUser
) -> None:
    case = _open_case(officer)
    assert client_for(other_station_officer).get(f"/cases/{case.pk}/").status_code == 404
    assert case.number not in client_for(other_station_officer).get("/cases/").content.decode()


def test_workbench_shows_five_roles_with_counts(
    officer: AbstractBaseUser, legal_officer: AbstractBaseUser
) -> None:
    _open_case(officer)
    page = client_for(legal_officer).get("/cases/workbench/").content.decode()
    for role in (
        "接处警的观察员",
        "受立案的审核员",
        "侦办过程的监督员",
        "处结结果的裁量员",
        "案件评查的质检员",
    ):
        assert role in page
    assert '受立案的审核员<span class="cw-count">1</span>' in page


def test_incident_registered_and_closed_in_the_browser(officer: AbstractBaseUser) -> None:
    client = client_for(officer)
    response = client.post(
        "/cases/incidents/create/",
        {"source": "110", "received_at": "2026-11-22T21:05", "category": "纠纷",
         "location": "吾悦广场", "summary": "口角"},
    )  # fmt: skip
    incident = Incident.objects.get()
    assert response.status_code == 302
    client.post(f"/cases/incidents/{incident.pk}/", {"action": "close", "outcome": "双方和解"})
    assert Incident.objects.get().status == Incident.Status.CLOSED


def test_legal_officer_adds_a_checklist_item_and_the_next_review_needs_it(
    officer: AbstractBaseUser, legal_officer: AbstractBaseUser
) -> None:
    response = client_for(legal_officer).post(
        "/cases/checklists/",
        {
            "kind": "administrative",
            "gate": "acceptance",
            "text": "已告知当事人权利义务",
            "points": 0,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    case = _open_case(officer)
    assert (
        "已告知当事人权利义务"
        in client_for(legal_officer)
        .get(f"/cases/tasks/{Task.objects.get(process__caseprocess__case=case, status='NEW').pk}/")
        .content.decode()
    )
    assert client_for(officer).post("/cases/checklists/", {"kind": "criminal"}).status_code == 403


def test_gate_form_sent_after_the_task_was_decided_is_a_clear_conflict(
    officer: AbstractBaseUser, legal_officer: AbstractBaseUser
) -> None:
    """The second of two reviewers (or a form sent twice) learns it was decided: the case
    page with a message, not a 404 (ENGINEERING.md; found by the load test)."""
    case = _open_case(officer)
    task = Task.objects.get(process__caseprocess__case=case, status="NEW")
    data = {"decision": "approve", **{f"item_{k}": "on" for k in ticks(case, "acceptance")}}
    browser = client_for(legal_officer)
    assert browser.post(f"/cases/tasks/{task.pk}/", data).status_code == 302
    again = browser.post(f"/cases/tasks/{task.pk}/", data, follow=True)
    assert again.redirect_chain[0] == (f"/cases/{case.pk}/", 302)
    assert "该任务已由他人处理" in again.content.decode()
    assert GateDecision.objects.filter(case=case).count() == 1


def test_decided_gate_of_another_station_stays_404(
    officer: AbstractBaseUser,
    legal_officer: AbstractBaseUser,
    other_station_legal: AbstractBaseUser,
) -> None:
    case = _open_case(officer)
    task = Task.objects.get(process__caseprocess__case=case, status="NEW")
    data = {"decision": "approve", **{f"item_{k}": "on" for k in ticks(case, "acceptance")}}
    assert client_for(legal_officer).post(f"/cases/tasks/{task.pk}/", data).status_code == 302
    assert client_for(other_station_legal).post(f"/cases/tasks/{task.pk}/", data).status_code == 404
