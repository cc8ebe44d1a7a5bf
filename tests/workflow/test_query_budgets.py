"""The case list and the review queue cost the same number of queries at any size."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

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


def _bulk_cases(officer: AbstractBaseUser, start: int, n: int) -> None:
    """n more cases, each with a pending acceptance review, inserted in bulk (fast)."""
    from viewflow.workflow.models import Process, Task

    from casework.cases.models import Case
    from casework.workflow.flows import CaseFlow

    station = officer.profile.station  # type: ignore[attr-defined]
    cases = Case.objects.bulk_create(
        Case(station=station, number=f"XQ-BULK-{start + i:06d}", kind="administrative",
             title=f"批量案件{i}", summary="…", occurred_at=timezone.now(), created_by=officer)
        for i in range(n)
    )  # fmt: skip
    processes = Process.objects.bulk_create(Process(flow_class=CaseFlow) for _ in cases)
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO workflow_caseprocess (process_ptr_id, case_id, route) VALUES (%s, %s, '')",
            [(p.pk, c.pk) for p, c in zip(processes, cases, strict=True)],
        )
    Task.objects.bulk_create(
        Task(process=p, flow_task=CaseFlow.acceptance_review, status="NEW") for p in processes
    )


@pytest.mark.slow
@pytest.mark.parametrize("url", ["/api/v1/cases/", "/api/v1/reviews/pending/"])
def test_same_queries_at_100_and_10000_cases(
    url: str, officer: AbstractBaseUser, legal_officer: AbstractBaseUser
) -> None:
    api = api_for(legal_officer)
    _bulk_cases(officer, 0, 100)
    api.get(url)
    at_100 = _queries(lambda: api.get(url))
    _bulk_cases(officer, 100, 9900)
    assert _queries(lambda: api.get(url)) == at_100
