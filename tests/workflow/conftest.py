"""A case in the workflow, opened by officer_xq1 through the API."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AbstractBaseUser

from casework.cases.models import Case
from tests.factories import api_for


@pytest.fixture
def case(
    officer: AbstractBaseUser, legal_officer: AbstractBaseUser, chief: AbstractBaseUser
) -> Case:
    response = api_for(officer).post(
        "/api/v1/cases/",
        {
            "kind": "administrative",
            "title": "张某殴打他人案",
            "summary": "11月20日晚在烧烤店内殴打他人",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    return Case.objects.get(pk=response.json()["id"])


def pending(user: AbstractBaseUser) -> list[dict[str, Any]]:
    response = api_for(user).get("/api/v1/reviews/pending/")
    assert response.status_code == 200
    return list(response.json()["results"])


def decide(user: AbstractBaseUser, task: int, **body: Any) -> Any:
    return api_for(user).post(f"/api/v1/reviews/{task}/decide/", body, format="json")
