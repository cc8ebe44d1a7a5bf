"""`seed_scale` guards the database it is pointed at; its data is exercised by `bench`
(tests/dashboards/test_bench_all.py), which seeds its throwaway database the same way."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from casework.cases.models import Case
from casework.org.models import Station


def test_seed_scale_refuses_sqlite_with_a_clear_message(db: None) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the suite runs on PostgreSQL here")
    with pytest.raises(CommandError, match="SQLite is not supported"):
        call_command("seed_scale", "--scale", "0.001")
    assert not Case.objects.exists()


def test_seed_scale_refuses_a_database_that_has_cases(xq: Station, officer: object) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("seed_scale only runs on PostgreSQL")
    Case.objects.create(station=xq, number="XQ-1", kind=Case.Kind.CRIMINAL, title="案",
                        summary="案", occurred_at=timezone.now(), created_by=officer)  # fmt: skip
    with pytest.raises(CommandError, match="already has cases"):
        call_command("seed_scale", "--scale", "0.001")
    assert Case.objects.count() == 1
