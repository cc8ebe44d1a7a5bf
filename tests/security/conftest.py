"""The sweeps' world: built once per module inside a transaction that is rolled back at the
module's end; each test runs in a savepoint over it (pytest-django's `db`), so a test may
approve, sign or delete anything and the next one finds the world as built."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.test import Client, override_settings

from tests.factories import client_for
from tests.security.world import World, world_build

# The roles the sweeps run as: None is the anonymous visitor.
ROLES = [
    "anonymous",
    "officer",
    "auxiliary",
    "legal_officer",
    "instructor",
    "chief",
    "other_station_officer",
    "other_station_legal",
    "bureau_legal",
    "auditor",
]


def media_settings(location: Path) -> Any:
    from django.conf import settings

    default = {**settings.STORAGES["default"], "OPTIONS": {"location": str(location)}}
    return override_settings(STORAGES={**settings.STORAGES, "default": default})


@pytest.fixture(scope="module")
def _built(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    with media_settings(tmp_path_factory.mktemp("media")), django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield world_build()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def world(_built: World, db: None) -> World:
    return _built


def web_client(world: World, role: str) -> Client:
    return Client() if role == "anonymous" else client_for(world.user(role))


@pytest.fixture
def no_pdf(monkeypatch: pytest.MonkeyPatch) -> None:
    """WeasyPrint skipped (the templates still render): who may download a PDF is what the
    sweeps ask; the PDFs themselves have their own tests."""
    stub = b"%PDF-1.7\n%stub\n%%EOF\n"
    monkeypatch.setattr("casework.core.pdf.html_to_pdf", lambda html: stub)
    monkeypatch.setattr("casework.dashboards.views.html_to_pdf", lambda html: stub)
