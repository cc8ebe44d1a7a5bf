"""The home page per role."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client

from tests.factories import client_for

pytestmark = pytest.mark.django_db


def test_anonymous_visitor_is_sent_to_the_login_page() -> None:
    response = Client().get("/home/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_legal_officer_home_shows_her_duties_and_station(legal_officer: AbstractBaseUser) -> None:
    page = client_for(legal_officer).get("/home/").content.decode()
    assert "我的职责:法制员" in page
    assert "受立案的审核员" in page
    assert "新区派出所" in page
    assert "/audit/" not in page  # no audit trail for a legal officer


def test_auditor_home_links_to_the_audit_trail(auditor: AbstractBaseUser) -> None:
    page = client_for(auditor).get("/home/").content.decode()
    assert "我的职责:审计管理员" in page
    assert 'href="/audit/"' in page


def test_audit_trail_is_for_auditors_only(
    auditor: AbstractBaseUser, legal_officer: AbstractBaseUser
) -> None:
    assert client_for(auditor).get("/audit/").status_code == 200
    assert client_for(auditor).get("/audit/verify/").status_code == 200
    assert client_for(legal_officer).get("/audit/").status_code == 403


def test_audit_search_filters_by_verb(auditor: AbstractBaseUser, legal_officer: Client) -> None:
    client_for(legal_officer).get("/audit/")  # a denial to find
    page = client_for(auditor).get("/audit/?verb=access.denied").content.decode()
    assert "越权访问被拒绝" in page
    assert "legal_xq" in page
