"""Every path of the CaseFlow, end to end over HTTP."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AbstractBaseUser

from casework.cases.models import Case, GateDecision
from casework.core.models import AuditEvent
from tests.factories import api_for, make_officer, ticks
from tests.workflow.conftest import decide, pending

pytestmark = pytest.mark.django_db


def _detail(user: AbstractBaseUser, case: Case) -> dict:
    response = api_for(user).get(f"/api/v1/cases/{case.pk}/")
    assert response.status_code == 200
    return response.json()


def _gate(user: AbstractBaseUser, case: Case, gate: str) -> dict:
    return next(g for g in _detail(user, case)["gates"] if g["gate"] == gate)


def _approve(user: AbstractBaseUser, case: Case, gate: str) -> dict:
    task = next(t for t in pending(user) if t["case"] == case.pk and t["gate"] == gate)
    response = decide(user, task["id"], decision="approve", checklist=ticks(case, gate))
    assert response.status_code == 200, response.content
    return response.json()


def _propose(user: AbstractBaseUser, case: Case) -> None:
    response = api_for(user).post(
        f"/api/v1/cases/{case.pk}/disposition/",
        {"proposal": "对张某行政拘留五日", "legal_basis": "治安管理处罚法第五十一条"},
        format="json",
    )
    assert response.status_code == 200, response.content


def test_case_gets_a_station_number_and_waits_for_acceptance_review(
    case: Case, officer: AbstractBaseUser, legal_officer: AbstractBaseUser
) -> None:
    assert case.number.startswith("XQ-2026-") or case.number.startswith("XQ-")
    assert case.status == Case.Status.ACCEPTANCE_REVIEW
    assert [t["gate"] for t in pending(legal_officer)] == ["acceptance"]
    detail = _detail(officer, case)
    assert detail["handlers"] == [
        {"username": "officer_xq1", "display_name": "李瑞旸", "role": "responsible"}
    ]


def test_approve_path_to_evaluation(
    case: Case, officer: AbstractBaseUser, legal_officer: AbstractBaseUser, chief: AbstractBaseUser
) -> None:
    assert _approve(legal_officer, case, "acceptance")["status"] == "investigating"
    _propose(officer, case)
    assert _approve(legal_officer, case, "disposition")["status"] == "chief_approval"
    assert pending(legal_officer) == []
    assert _approve(chief, case, "chief_approval")["status"] == "closed"
    result = _approve(legal_officer, case, "evaluation")
    assert result["status"] == "evaluated"
    gates = {g["gate"]: g for g in _detail(officer, case)["gates"]}
    assert {g["status"] for g in gates.values()} == {"approved"}
    assert gates["evaluation"]["score"] == 100
    assert gates["chief_approval"]["decided_by"] == "chief_xq"


def test_return_then_approve(
    case: Case, officer: AbstractBaseUser, legal_officer: AbstractBaseUser
) -> None:
    task = pending(legal_officer)[0]["id"]
    response = decide(legal_officer, task, decision="return", reason="缺少报案人询问笔录")
    assert response.json()["status"] == "acceptance_revision"
    assert pending(legal_officer) == []
    assert _gate(officer, case, "acceptance")["status"] == "returned"
    assert _gate(officer, case, "acceptance")["reason"] == "缺少报案人询问笔录"
    assert api_for(officer).post(f"/api/v1/cases/{case.pk}/resubmit/", {}).status_code == 200
    assert _approve(legal_officer, case, "acceptance")["status"] == "investigating"


def test_decision_stores_who_when_what_and_the_state_hash(
    case: Case, legal_officer: AbstractBaseUser
) -> None:
    result = _approve(legal_officer, case, "acceptance")
    decision = GateDecision.objects.get(case=case)
    assert decision.decided_by == legal_officer
    assert decision.snapshot["title"] == "张某殴打他人案"
    assert len(decision.snapshot_sha256) == 64 == len(result["sha256"])
    assert all(decision.checklist.values())
    assert AuditEvent.objects.filter(verb="cases.gate_approve", target_id=str(case.pk)).exists()


def test_supervision_item_must_be_answered_before_the_disposition(
    case: Case, officer: AbstractBaseUser, legal_officer: AbstractBaseUser
) -> None:
    _approve(legal_officer, case, "acceptance")
    item = api_for(legal_officer).post(
        f"/api/v1/cases/{case.pk}/supervision/",
        {
            "issue": "未全程开启执法记录仪",
            "required_correction": "补充说明并调取视频",
            "due_on": "2099-01-01",
        },
        format="json",
    )
    assert item.status_code == 201, item.content
    blocked = api_for(officer).post(
        f"/api/v1/cases/{case.pk}/disposition/",
        {"proposal": "行政拘留五日", "legal_basis": "治安管理处罚法第五十一条"},
        format="json",
    )
    assert blocked.status_code == 409
    assert "监督事项" in blocked.json()["detail"]
    answer = api_for(officer).post(
        f"/api/v1/supervision/{item.json()['id']}/answer/", {"answer": "已调取视频并附卷"}
    )
    assert answer.status_code == 200
    _propose(officer, case)
    assert Case.objects.get(pk=case.pk).status == Case.Status.DISPOSITION_REVIEW


def test_later_change_makes_acceptance_stale_and_reopens_it(
    case: Case, officer: AbstractBaseUser, legal_officer: AbstractBaseUser
) -> None:
    _approve(legal_officer, case, "acceptance")
    response = api_for(officer).post(
        f"/api/v1/cases/{case.pk}/parties/",
        {"role": "suspect", "name": "张某", "id_number": "11010519491231002X"},
        format="json",
    )
    assert response.status_code == 201
    assert Case.objects.get(pk=case.pk).status == Case.Status.ACCEPTANCE_REVIEW
    assert _gate(officer, case, "acceptance")["status"] == "pending"
    old = GateDecision.objects.get(case=case)
    assert old.stale_at is not None
    assert _approve(legal_officer, case, "acceptance")["status"] == "investigating"


def test_changed_proposal_measures_reopen_the_disposition_review_at_the_chiefs_step(
    case: Case, officer: AbstractBaseUser, legal_officer: AbstractBaseUser, chief: AbstractBaseUser
) -> None:
    suspect = (
        api_for(officer)
        .post(
            f"/api/v1/cases/{case.pk}/parties/",
            {"role": "suspect", "name": "张某", "gender": "M", "birth_date": "1990-01-01"},
            format="json",
        )
        .json()
    )
    _approve(legal_officer, case, "acceptance")
    _propose(officer, case)
    _approve(legal_officer, case, "disposition")
    measure = api_for(officer).post(
        f"/api/v1/cases/{case.pk}/measures/",
        {"party": suspect["id"], "kind": "summons", "started_at": "2026-11-20T20:00:00+08:00"},
        format="json",
    )
    assert measure.status_code == 201, measure.content
    assert Case.objects.get(pk=case.pk).status == Case.Status.DISPOSITION_REVIEW
    assert [t["gate"] for t in pending(chief)] == []
    assert _approve(legal_officer, case, "disposition")["status"] == "chief_approval"


def test_chief_return_sends_the_case_back_to_investigation(
    case: Case, officer: AbstractBaseUser, legal_officer: AbstractBaseUser, chief: AbstractBaseUser
) -> None:
    _approve(legal_officer, case, "acceptance")
    _propose(officer, case)
    _approve(legal_officer, case, "disposition")
    task = pending(chief)[0]["id"]
    assert (
        decide(chief, task, decision="return", reason="量罚偏重").json()["status"]
        == "investigating"
    )


def test_return_without_reason_is_refused_and_nothing_stored(
    case: Case, legal_officer: AbstractBaseUser
) -> None:
    task = pending(legal_officer)[0]["id"]
    response = decide(legal_officer, task, decision="return", reason="  ")
    assert response.status_code == 400
    assert "reason" in response.json()
    assert not GateDecision.objects.exists()
    assert Case.objects.get(pk=case.pk).status == Case.Status.ACCEPTANCE_REVIEW


def test_approval_needs_every_checklist_item(case: Case, legal_officer: AbstractBaseUser) -> None:
    task = pending(legal_officer)[0]["id"]
    response = decide(legal_officer, task, decision="approve", checklist={"jurisdiction": True})
    assert response.status_code == 400
    assert "checklist" in response.json()
    assert not GateDecision.objects.exists()


def test_a_decided_task_cannot_be_decided_again(
    case: Case, legal_officer: AbstractBaseUser
) -> None:
    task = pending(legal_officer)[0]["id"]
    assert (
        decide(
            legal_officer, task, decision="approve", checklist=ticks(case, "acceptance")
        ).status_code
        == 200
    )
    again = decide(legal_officer, task, decision="return", reason="再看看")
    assert again.status_code == 409
    assert "已由他人处理" in again.json()["detail"]
    assert GateDecision.objects.count() == 1


def test_nobody_decides_a_gate_on_a_case_they_handle(
    xq: object, officer: AbstractBaseUser, chief: AbstractBaseUser
) -> None:
    legal = make_officer("legal_handler", station=xq, roles=["legal_officer"]).user  # type: ignore[arg-type]
    created = api_for(officer).post(
        "/api/v1/cases/",
        {
            "kind": "criminal",
            "title": "盗窃案",
            "summary": "电动车被盗",
            "handlers": ["officer_xq1", "legal_handler"],
        },
        format="json",
    )
    assert created.status_code == 201
    assert pending(legal) == []  # not offered in the queue…
    from viewflow.workflow.models import Task

    task = Task.objects.get(process__caseprocess__case_id=created.json()["id"], status="NEW")
    response = decide(
        legal,
        task.pk,
        decision="approve",
        checklist=ticks(Case.objects.get(pk=created.json()["id"]), "acceptance"),
    )
    assert response.status_code == 403  # …and refused if tried directly
    assert not GateDecision.objects.exists()


def test_closed_case_cannot_change(
    case: Case, officer: AbstractBaseUser, legal_officer: AbstractBaseUser, chief: AbstractBaseUser
) -> None:
    _approve(legal_officer, case, "acceptance")
    _propose(officer, case)
    _approve(legal_officer, case, "disposition")
    _approve(chief, case, "chief_approval")
    response = api_for(officer).post(
        f"/api/v1/cases/{case.pk}/parties/",
        {"role": "witness", "name": "李四", "gender": "M"},
        format="json",
    )
    assert response.status_code == 409


def test_claimed_task_is_the_claimers(
    case: Case, legal_officer: AbstractBaseUser, xq: object
) -> None:
    other_legal = make_officer("legal_xq2", station=xq, roles=["legal_officer"]).user  # type: ignore[arg-type]
    task = pending(legal_officer)[0]["id"]
    assert api_for(legal_officer).post(f"/api/v1/reviews/{task}/claim/").status_code == 200
    assert api_for(other_legal).post(f"/api/v1/reviews/{task}/claim/").status_code == 409
    response = decide(other_legal, task, decision="approve", checklist=ticks(case, "acceptance"))
    assert response.status_code == 409
    assert "认领" in response.json()["detail"]
