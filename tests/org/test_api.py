"""The API contract of API.md: token, /me, schema and docs."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AbstractBaseUser
from rest_framework.test import APIClient

from casework.core.models import AuditEvent
from tests.factories import login_data

pytestmark = pytest.mark.django_db


def test_token_then_me(legal_officer: AbstractBaseUser) -> None:
    client = APIClient()
    token = client.post("/api/v1/auth/token/", login_data("legal_xq"), format="json").json()[
        "token"
    ]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = client.get("/api/v1/me/").json()
    assert me["username"] == "legal_xq"
    assert me["display_name"] == "陈静"
    assert me["roles"] == ["legal_officer"]
    assert me["station"] == {
        "code": "XQ",
        "name": "新区派出所",
        "bureau": "东营市公安局东营分局",
        "province": "山东省",
        "city": "东营市",
        "county": "东营区",
    }
    assert AuditEvent.objects.filter(verb="auth.token_issued", actor=legal_officer).exists()


def test_me_for_bureau_staff_has_no_station(bureau_legal: AbstractBaseUser) -> None:
    client = APIClient()
    client.force_login(bureau_legal)
    assert client.get("/api/v1/me/").json()["station"] is None


def test_wrong_password_gets_400_with_a_detail(legal_officer: AbstractBaseUser) -> None:
    response = APIClient().post("/api/v1/auth/token/", login_data("legal_xq", "bad"), format="json")
    assert response.status_code == 400
    assert "detail" in response.json()


def test_missing_field_is_named() -> None:
    response = APIClient().post("/api/v1/auth/token/", {"username": "x"}, format="json")
    assert response.status_code == 400
    assert "password" in response.json()


def test_api_needs_authentication() -> None:
    assert APIClient().get("/api/v1/me/").status_code in {401, 403}


def test_openapi_schema_and_docs_are_served(legal_officer: AbstractBaseUser) -> None:
    client = APIClient()
    client.force_login(legal_officer)
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/auth/token/" in paths
    assert "/api/v1/me/" in paths
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    # Swagger UI comes from the sidecar package: no CDN on a police network.
    assert "cdn" not in docs.content.decode().lower()


def test_the_api_description_is_for_signed_in_users_only() -> None:
    anonymous = APIClient()
    assert anonymous.get("/api/v1/schema/").status_code == 401
    assert anonymous.get("/api/v1/docs/").status_code == 401
