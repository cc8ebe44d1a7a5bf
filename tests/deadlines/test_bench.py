"""The sweep benchmark runs in CI at a small scale: ratios and row counts, never absolute times."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def test_sweep_benchmark_meets_its_ratio_and_a_second_sweep_creates_nothing() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("bench_sweep measures PostgreSQL (the PostgreSQL stage of .ci/run runs it)")
    small = ["--open", "20000", "--due", "1000", "--overdue", "1000", "--met", "2000"]
    done = subprocess.run(
        [sys.executable, "manage.py", "bench_sweep", *small, "--deliver", "50"],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.local"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "second sweep: 0 new rows" in done.stdout
    assert "sweep: 1,000 warnings" in done.stdout
    assert "MISSED" not in done.stdout
