"""The post-case review API (API.md): open, findings, actions, complete, verify."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import AbstractBaseUser

from casework.cases.models import Case
from casework.reviews.models import CorrectiveAction, Retrospective
from tests.factories import api_for

pytestmark = pytest.mark.django_db
DUE = str(date.today() + timedelta(days=7))


def test_legal_officer_runs_a_retrospective_to_a_verified_action_over_the_api(
    officer: AbstractBaseUser,
    legal_officer: AbstractBaseUser,
    other_station_legal: AbstractBaseUser,
    case: Case,
) -> None:
    legal = api_for(legal_officer)
    opened = legal.post(f"/api/v1/cases/{case.pk}/retrospectives/", {}, format="json")
    assert opened.status_code == 201, opened.content
    rid = opened.json()["id"]
    again = legal.post(f"/api/v1/cases/{case.pk}/retrospectives/", {}, format="json")
    assert again.status_code == 400
    assert "case" in again.json()
    finding = legal.post(
        f"/api/v1/retrospectives/{rid}/findings/",
        {"category": "document_defect", "description": "传唤证未填写到案时间", "cause": "疏忽"},
        format="json",
    )
    assert finding.status_code == 201, finding.content
    body = {"finding": finding.json()["id"], "description": "文书逐项核对", "due_on": DUE}
    missing = legal.post(f"/api/v1/retrospectives/{rid}/actions/", body, format="json")
    assert missing.status_code == 400
    assert "owner" in missing.json()
    body["owner"] = "officer_xq1"
    action = legal.post(f"/api/v1/retrospectives/{rid}/actions/", body, format="json")
    assert action.status_code == 201, action.content
    aid = action.json()["id"]
    early = legal.post(f"/api/v1/actions/{aid}/verify/", {"accepted": True}, format="json")
    assert early.status_code == 400
    done = api_for(officer).post(
        f"/api/v1/actions/{aid}/complete/", {"evidence": "已组织文书培训"}, format="json"
    )
    assert done.status_code == 200
    assert done.json()["status"] == "done"
    assert api_for(other_station_legal).get(f"/api/v1/retrospectives/{rid}/").status_code == 404
    assert (
        api_for(other_station_legal)
        .post(f"/api/v1/actions/{aid}/verify/", {"accepted": True}, format="json")
        .status_code
        == 404
    )
    verified = legal.post(f"/api/v1/actions/{aid}/verify/", {"accepted": True}, format="json")
    assert verified.json()["status"] == "verified"
    listed = legal.get(f"/api/v1/retrospectives/?case={case.pk}").json()["results"]
    assert [(r["id"], r["status"]) for r in listed] == [(rid, "closed")]
    assert CorrectiveAction.objects.get(pk=aid).verified_by == legal_officer
    assert Retrospective.objects.get(pk=rid).closed_at is not None


def test_an_officer_cannot_open_a_retrospective(officer: AbstractBaseUser, case: Case) -> None:
    response = api_for(officer).post(f"/api/v1/cases/{case.pk}/retrospectives/", {}, format="json")
    assert response.status_code == 403
    assert not Retrospective.objects.exists()


def test_the_report_and_the_monthly_bulletin_download_as_pdf(
    legal_officer: AbstractBaseUser, other_station_legal: AbstractBaseUser, case: Case
) -> None:
    legal = api_for(legal_officer)
    rid = legal.post(f"/api/v1/cases/{case.pk}/retrospectives/", {}, format="json").json()["id"]
    report = legal.get(f"/api/v1/retrospectives/{rid}/pdf/")
    assert report.status_code == 200
    assert report["Content-Type"] == "application/pdf"
    assert report.content.startswith(b"%PDF")
    assert api_for(other_station_legal).get(f"/api/v1/retrospectives/{rid}/pdf/").status_code == 404
    monthly = legal.get("/api/v1/reviews/monthly-report/")
    assert monthly.status_code == 200
    assert monthly.content.startswith(b"%PDF")
    bad = legal.get("/api/v1/reviews/monthly-report/?month=13")
    assert bad.status_code == 400
    assert "month" in bad.json()
    other = api_for(other_station_legal).get(
        f"/api/v1/reviews/monthly-report/?station={case.station_id}"
    )
    assert other.status_code == 404
