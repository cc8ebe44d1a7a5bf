"""The permission matrix: role × own/other station × endpoint. Missing and forbidden: 404."""

from __future__ import annotations

from typing import Any

import pytest
from viewflow.workflow.models import Task

from casework.cases.models import Case
from tests.factories import api_for, ticks

pytestmark = pytest.mark.django_db

PERSONAS = [
    "officer", "auxiliary", "legal_officer", "instructor", "chief",
    "other_station_officer", "other_station_legal", "bureau_legal", "auditor",
]  # fmt: skip

# persona → expected status per endpoint (see _call); a table reads best unwrapped.
# ruff: noqa: E501
MATRIX: dict[str, dict[str, int]] = {
    "officer":               {"list": 1, "detail": 200, "timeline": 200, "create": 201, "party": 201, "decide": 404},
    "auxiliary":             {"list": 1, "detail": 200, "timeline": 200, "create": 403, "party": 201, "decide": 404},
    "legal_officer":         {"list": 1, "detail": 200, "timeline": 200, "create": 403, "party": 403, "decide": 200},
    "instructor":            {"list": 1, "detail": 200, "timeline": 200, "create": 403, "party": 403, "decide": 404},
    "chief":                 {"list": 1, "detail": 200, "timeline": 200, "create": 403, "party": 403, "decide": 404},
    "other_station_officer": {"list": 0, "detail": 404, "timeline": 404, "create": 201, "party": 404, "decide": 404},
    "other_station_legal":   {"list": 0, "detail": 404, "timeline": 404, "create": 403, "party": 404, "decide": 404},
    "bureau_legal":          {"list": 1, "detail": 200, "timeline": 200, "create": 403, "party": 403, "decide": 404},
    "auditor":               {"list": 0, "detail": 404, "timeline": 404, "create": 403, "party": 404, "decide": 404},
}  # fmt: skip


def _call(user: Any, endpoint: str, case: Case) -> int:
    api = api_for(user)
    if endpoint == "list":
        return int(api.get("/api/v1/cases/").json()["count"])
    if endpoint == "detail":
        return int(api.get(f"/api/v1/cases/{case.pk}/").status_code)
    if endpoint == "timeline":
        return int(api.get(f"/api/v1/cases/{case.pk}/timeline/").status_code)
    if endpoint == "create":
        body = {"kind": "criminal", "title": "盗窃案", "summary": "电动车被盗"}
        return int(api.post("/api/v1/cases/", body, format="json").status_code)
    if endpoint == "party":
        body = {"role": "witness", "name": "王五", "gender": "M"}
        return int(api.post(f"/api/v1/cases/{case.pk}/parties/", body, format="json").status_code)
    task = Task.objects.get(process__caseprocess__case=case, status="NEW")
    body = {"decision": "approve", "checklist": ticks(case, "acceptance")}
    return int(api.post(f"/api/v1/reviews/{task.pk}/decide/", body, format="json").status_code)


@pytest.mark.parametrize("persona", PERSONAS)
def test_permission_matrix(persona: str, request: pytest.FixtureRequest) -> None:
    for name in PERSONAS:
        request.getfixturevalue(name)
    officer = request.getfixturevalue("officer")
    case_id = api_for(officer).post(
        "/api/v1/cases/", {"kind": "administrative", "title": "殴打他人案", "summary": "…",
                           "handlers": ["officer_xq1", "aux_xq1"]}, format="json",
    ).json()["id"]  # fmt: skip
    case = Case.objects.get(pk=case_id)
    user = request.getfixturevalue(persona)
    expected = MATRIX[persona]
    # "list" first: a create by this persona would change the count.
    actual = {endpoint: _call(user, endpoint, case) for endpoint in expected}
    assert actual == expected
