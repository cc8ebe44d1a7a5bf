"""`manage.py bench` (what `make bench` runs) in CI at two tiny scales: every measure is printed
beside its baseline, every query budget holds and sends the same number of queries at both
scales, and the exit status is non-zero exactly when a line says MISSED. Ratios are reported,
not asserted: at a few thousand rows the ORM's fixed cost outweighs the SQL (`make bench`, at
100% scale, is where they count)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow
MEASURES = [
    r"dashboard, \d+ stations", r"case list count, officer S001", r"case list count, bureau",
    r"review queue page 50 \+ count, legal S001", r"audit search: one officer, 30 days",
    r"sweep: [\d,]+ warnings", r"1-page form \(5 items\), median",
]  # fmt: skip


def _bench(scale: str, figures: Path) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "manage.py", "bench", "--scale", scale, "--repeat", "2",
         "--pdf-runs", "2", "--pdf-renders", "6", "--pdf-warmup", "3", "--json", str(figures)],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.local"},
        capture_output=True,
        text=True,
        timeout=600,
    )  # fmt: skip
    out = done.stdout
    assert "disagree" not in done.stderr, done.stderr  # a baseline computed other rows
    assert "the baseline" not in done.stderr, done.stderr
    assert (done.returncode != 0) == ("MISSED" in out), out + done.stderr
    for measure in MEASURES:  # each beside its baseline, with a ratio
        assert re.search(rf"^{measure}.* \d+\.\d+s +\d+\.\d+x", out, re.MULTILINE), measure + out
    budgets = re.findall(r"^SQL queries per (.*): .* (ok|MISSED)$", out, re.MULTILINE)
    assert len(budgets) >= 6, out
    assert all(mark == "ok" for _what, mark in budgets), out
    assert re.search(r"^audit chain verify, [\d,]+ rows .* intact ok$", out, re.MULTILINE), out
    data: dict[str, Any] = json.loads(figures.read_text("utf-8"))
    return data


def _queries(data: dict[str, Any]) -> dict[str, list[int]]:
    """Each budget's query counts, by what is measured (callers differ between scales)."""
    return {b["what"]: sorted(set(b["counts"].values())) for b in data["budgets"]}


def test_bench_reports_every_target_with_constant_query_budgets(tmp_path: Path) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("bench measures PostgreSQL (the PostgreSQL stage of .ci/run runs it)")
    small = _bench("0.002", tmp_path / "small.json")
    larger = _bench("0.01", tmp_path / "larger.json")
    for data in (small, larger):
        assert all(b["ok"] for b in data["budgets"])
        with_baseline = [f for f in data["figures"] if f["baseline_seconds"]]
        assert len(with_baseline) >= 12
        assert all(f["ratio"] > 0 for f in with_baseline)
        assert all(f["queries"] > 0 for f in data["figures"] if f["what"].startswith("case list"))
        assert data["rows"]["audit rows"] >= 10_000
        assert data["seed_seconds"] > 0
    assert larger["rows"]["cases"] == 5 * small["rows"]["cases"]
    assert larger["rows"]["audit rows"] > 4 * small["rows"]["audit rows"]
    assert _queries(larger) == _queries(small)
    assert [f["queries"] for f in larger["figures"]] == [f["queries"] for f in small["figures"]]
    assert all(len(counts) == 1 for counts in _queries(small).values())
