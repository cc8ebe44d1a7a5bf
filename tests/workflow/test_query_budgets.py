"""The case list and the review queue cost the same number of queries at any size."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casework.workflow.services import case_start
from tests.factories import api_for, client_for

pytestmark = pytest.mark.django_db


def _open_cases(officer: AbstractBaseUser, n: int) -> None:
    for i in range(n):
        case_start(by=officer, kind="administrative", title=f"案件{i}", summary="…")


def _queries(call: Any) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = call()
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize(
    "url",
    ["/api/v1/cases/", "/api/v1/reviews/pending/", "/api/v1/cases/?status=acceptance_review"],
)
def test_api_lists_use_constant_queries(
    url: str, officer: AbstractBaseUser, legal_officer: AbstractBaseUser
) -> None:
    api = api_for(legal_officer)
    _open_cases(officer, 3)
    api.get(url)  # warm: the user's permissions are cached on the user object after this
    small = _queries(lambda: api.get(url))
    _open_cases(officer, 40)
    assert _queries(lambda: api.get(url)) == small
    assert small <= 10


@pytest.mark.parametrize("url", ["/cases/", "/cases/queue/", "/cases/workbench/"])
def test_pages_use_constant_queries(
    url: str, officer: AbstractBaseUser, legal_officer: AbstractBaseUser
) -> None:
    client = client_for(legal_officer)
    _open_cases(officer, 3)
    client.get(url)
    small = _queries(lambda: client.get(url))
    _open_cases(officer, 40)
    assert _queries(lambda: client.get(url)) == small
