"""警情: registered, dispatched, and always ended — as a case, a closure or a diversion."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AbstractBaseUser

from casework.cases.models import Incident
from casework.core.models import AuditEvent
from tests.factories import api_for

pytestmark = pytest.mark.django_db
BODY = {
    "received_at": "2026-11-22T21:05:00+08:00",
    "category": "纠纷",
    "summary": "烧烤店顾客发生口角",
    "location": "东营区吾悦广场",
}


def _register(user: AbstractBaseUser) -> dict:
    response = api_for(user).post("/api/v1/incidents/", BODY, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_register_numbers_per_station_and_lists_as_open(officer: AbstractBaseUser) -> None:
    first, second = _register(officer), _register(officer)
    assert first["number"] == "XQ-JQ-2026-000001"
    assert second["number"] == "XQ-JQ-2026-000002"
    assert first["status"] == "open"
    opened = api_for(officer).get("/api/v1/incidents/?open=true").json()["results"]
    assert {i["id"] for i in opened} == {first["id"], second["id"]}


def test_close_needs_an_outcome_and_then_leaves_the_open_list(officer: AbstractBaseUser) -> None:
    incident = _register(officer)
    url = f"/api/v1/incidents/{incident['id']}/close/"
    refused = api_for(officer).post(url, {"outcome": ""}, format="json")
    assert refused.status_code == 400
    assert "outcome" in refused.json()
    assert api_for(officer).post(url, {"outcome": "双方和解"}, format="json").status_code == 200
    assert api_for(officer).get("/api/v1/incidents/?open=true").json()["count"] == 0
    again = api_for(officer).post(url, {"outcome": "再次办结"}, format="json")
    assert again.status_code == 409


def test_diversion_names_the_receiving_department(officer: AbstractBaseUser) -> None:
    incident = _register(officer)
    url = f"/api/v1/incidents/{incident['id']}/divert/"
    assert api_for(officer).post(url, {"department": ""}, format="json").status_code == 400
    response = api_for(officer).post(url, {"department": "区市场监管局"}, format="json")
    assert response.json()["status"] == "diverted"
    assert response.json()["diverted_to"] == "区市场监管局"


def test_flag_must_be_answered_before_the_incident_can_end(
    officer: AbstractBaseUser, legal_officer: AbstractBaseUser
) -> None:
    incident = _register(officer)
    api_for(officer).post(f"/api/v1/incidents/{incident['id']}/dispatch/")
    flag = api_for(legal_officer).post(
        f"/api/v1/incidents/{incident['id']}/flags/",
        {"kind": "should_accept", "note": "有人员受伤,应受案"},
        format="json",
    )
    assert flag.status_code == 201
    close = f"/api/v1/incidents/{incident['id']}/close/"
    blocked = api_for(officer).post(close, {"outcome": "调解"}, format="json")
    assert blocked.status_code == 409
    answer = api_for(officer).post(
        f"/api/v1/flags/{flag.json()['id']}/answer/", {"answer": "已受案"}, format="json"
    )
    assert answer.status_code == 200
    assert api_for(officer).post(close, {"outcome": "调解"}, format="json").status_code == 200


def test_only_the_legal_officer_flags(officer: AbstractBaseUser) -> None:
    incident = _register(officer)
    response = api_for(officer).post(
        f"/api/v1/incidents/{incident['id']}/flags/", {"kind": "other", "note": "x"}, format="json"
    )
    assert response.status_code == 403
    assert AuditEvent.objects.filter(verb="access.denied", actor=officer).exists()


def test_a_case_from_an_incident_ends_it(officer: AbstractBaseUser) -> None:
    incident = _register(officer)
    case = api_for(officer).post(
        "/api/v1/cases/",
        {"kind": "administrative", "title": "口角纠纷", "summary": "…", "incident": incident["id"]},
        format="json",
    )
    assert case.status_code == 201
    closed = Incident.objects.get(pk=incident["id"])
    assert closed.status == Incident.Status.CLOSED
    assert case.json()["number"] in closed.outcome


def test_other_station_gets_404(
    officer: AbstractBaseUser, other_station_officer: AbstractBaseUser
) -> None:
    incident = _register(officer)
    response = api_for(other_station_officer).get(f"/api/v1/incidents/{incident['id']}/")
    assert response.status_code == 404
    close = api_for(other_station_officer).post(
        f"/api/v1/incidents/{incident['id']}/close/", {"outcome": "x"}, format="json"
    )
    assert close.status_code == 404
    assert Incident.objects.get(pk=incident["id"]).status == "open"


def test_received_in_the_future_is_refused(officer: AbstractBaseUser) -> None:
    response = api_for(officer).post(
        "/api/v1/incidents/", {**BODY, "received_at": "2099-01-01T00:00:00+08:00"}, format="json"
    )
    assert response.status_code == 400
    assert "received_at" in response.json()
