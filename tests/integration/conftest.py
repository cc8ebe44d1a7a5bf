"""The integration stage: PostgreSQL, Redis and a real Celery worker process (.ci/run).

The worker is started against the *test* database that pytest-django created, so what the
test commits, the worker sees, and what the worker writes, the test can assert on.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from config.celery_app import app as celery_app

ROOT = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{s['USER']}{password}@{s['HOST']}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture(scope="session")
def mail_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("mail")


@pytest.fixture(scope="session")
def celery_worker_process(
    django_db_setup: None, django_db_blocker: Any, mail_dir: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """One real worker for the whole stage, consuming from the broker in CELERY_BROKER_URL."""
    if connection.vendor != "postgresql":
        pytest.fail("the integration stage runs on PostgreSQL: set DATABASE_URL (see .ci/run)")
    if not celery_app.conf.broker_url.startswith("redis"):
        pytest.fail("the integration stage runs on Redis: set CELERY_BROKER_URL (see .ci/run)")
    celery_app.conf.task_always_eager = False
    with django_db_blocker.unblock():
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": _database_url(),
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(mail_dir),
        }
    log = (ROOT / "var" / "integration-worker.log").open("wb")
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--loglevel",
            "INFO",
            "--concurrency",
            "2",
            "--without-gossip",
            "--without-mingle",
            "-n",
            "ci@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    _wait_until(lambda: celery_app.control.ping(timeout=0.5), timeout=60, what="worker ready")
    yield worker
    celery_app.conf.task_always_eager = True
    worker.terminate()
    worker.wait(timeout=30)
    log.close()


def _wait_until(condition: Callable[[], Any], *, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.2)
    pytest.fail(f"timed out after {timeout}s waiting for: {what}")


@pytest.fixture
def wait_until() -> Callable[..., Any]:
    return _wait_until
