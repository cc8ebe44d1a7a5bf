"""Start-up configuration: bad values stop start-up with one line; production passes --deploy."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from casework.core import checks

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DATABASE_URL", "mysql://db/casework"),
        ("DATABASE_URL", "postgres://"),
        ("DATABASE_URL", "not a url"),
        ("CELERY_BROKER_URL", "kafka://broker"),
        ("CELERY_BROKER_URL", "redis://host:notaport/0"),
        ("CELERY_BROKER_URL", "redis://"),
    ],
)
def test_malformed_url_stops_start_up_with_one_line_naming_it(variable: str, value: str) -> None:
    result = _manage("check", **{variable: value})
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert variable in lines[0]


def test_production_needs_a_secret_key() -> None:
    result = _manage("check", DJANGO_SETTINGS_MODULE="config.settings.production")
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "casework: configuration error in SECRET_KEY: required in production: 50+ random characters"
    ]


def test_check_deploy_passes_under_production_settings() -> None:
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="casework.example.cn",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_missing_system_library_names_the_debian_package(monkeypatch: Any) -> None:
    real = checks.ctypes.util.find_library
    monkeypatch.setattr(
        checks.ctypes.util,
        "find_library",
        lambda name: None if name == "harfbuzz-subset" else real(name),
    )
    errors = checks.check_system_libraries()
    assert [e.id for e in errors] == ["casework.E001"]
    assert "apt-get install libharfbuzz-subset0" in (errors[0].hint or "")


def test_installed_system_passes_the_checks() -> None:
    assert checks.check_system_libraries() == []


def test_missing_cjk_font_names_fonts_noto_cjk(monkeypatch: Any) -> None:
    monkeypatch.setattr(checks, "cjk_font_installed", lambda: False)
    errors = checks.check_system_libraries()
    assert any("fonts-noto-cjk" in (e.hint or "") for e in errors)
