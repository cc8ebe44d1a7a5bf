"""The rule library over the API: list and preview for a sample trip."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AbstractBaseUser

from casework.rules.services import rule_save
from tests.factories import api_for

pytestmark = pytest.mark.django_db
COMMON = {
    "legal_basis": [{"law": "公安部五条禁令", "article": "第四条", "version": "2003"}],
    "verified": "VERIFIED",
    "enabled": True,
    "category": "trip",
}


@pytest.fixture
def library(legal_officer: AbstractBaseUser) -> None:
    rule_save(by=None, slug="always", title="禁酒", conditions={}, text="严禁饮酒", **COMMON)
    rule_save(
        by=None,
        slug="out_of_area",
        title="异地协作",
        text="须提出协作请求",
        conditions={
            "all": [
                {"field": "out_of_area", "op": "is_true"},
                {"field": "purposes", "op": "contains_any", "value": ["arrest"]},
            ]
        },
        **COMMON,
    )


def _preview(user: AbstractBaseUser, **body: object) -> list[str]:
    response = api_for(user).post("/api/v1/rules/preview/", body, format="json")
    assert response.status_code == 200, response.content
    return sorted(r["slug"] for r in response.json())


def test_preview_an_out_of_area_arrest(library: None, officer: AbstractBaseUser) -> None:
    far = {"province": "广东省", "city": "深圳市", "county": "南山区"}
    home = {"province": "山东省", "city": "东营市", "county": "东营区"}
    assert _preview(officer, destination=far, purposes=["arrest"]) == ["always", "out_of_area"]
    assert _preview(officer, destination=home, purposes=["arrest"]) == ["always"]
    assert _preview(officer, destination=far, purposes=["investigation"]) == ["always"]


def test_unknown_purpose_is_a_400_naming_the_field(officer: AbstractBaseUser) -> None:
    response = api_for(officer).post(
        "/api/v1/rules/preview/",
        {"destination": {"province": "山东省", "city": "东营市"}, "purposes": ["picnic"]},
        format="json",
    )
    assert response.status_code == 400
    assert "purposes" in response.json()


def test_rules_are_listed_for_station_staff_not_the_auditor(
    library: None, officer: AbstractBaseUser, auditor: AbstractBaseUser
) -> None:
    assert api_for(officer).get("/api/v1/rules/").json()["count"] == 2
    assert api_for(auditor).get("/api/v1/rules/").status_code == 403
