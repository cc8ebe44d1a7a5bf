"""The benchmark harness behind the `bench*` commands (ENGINEERING.md: performance targets).

A benchmark runs in a throwaway database (`<database>_bench`, created and migrated for the run,
dropped afterwards), so it never fills the product's own data with millions of rows.
Each figure is printed next to its baseline from the same run; the ratio is what counts.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any, Protocol

from django.db import connection
from django.test.utils import CaptureQueriesContext


class Writer(Protocol):
    def write(self, msg: str, /) -> Any: ...


@dataclass
class Figure:
    what: str
    seconds: float
    baseline: str = ""
    baseline_seconds: float | None = None
    target: str = ""
    ok: bool | None = None
    p95: float | None = None  # of the same runs as `seconds` (a median)
    queries: int | None = None  # SQL statements one call makes

    @property
    def ratio(self) -> float | None:
        if not self.baseline_seconds:
            return None
        return self.seconds / self.baseline_seconds

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {"ratio": self.ratio}


@contextmanager
def throwaway_database(*, keep: bool = False) -> Iterator[str]:
    """Create and migrate a scratch database, point the default connection at it, drop it after."""
    creation = connection.creation
    old_name = connection.settings_dict["NAME"]
    # Its own name, so a benchmark never touches the test suite's database.
    connection.settings_dict.setdefault("TEST", {})["NAME"] = f"{old_name}_bench"
    name = creation.create_test_db(verbosity=0, autoclobber=True, keepdb=keep, serialize=False)
    try:
        yield name
    finally:
        if not keep:
            creation.destroy_test_db(old_name, verbosity=0)


def timed(func: Callable[[], Any], *, repeat: int = 1) -> tuple[float, Any]:
    """The median wall time of `repeat` runs, and the last run's result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def p95(times: list[float]) -> float:
    """The 95th percentile by nearest rank (of 7 runs: the slowest)."""
    return sorted(times)[math.ceil(0.95 * len(times)) - 1]


def side_by_side(runs: dict[str, Callable[[], Any]], *, repeat: int) -> dict[str, list[float]]:
    """Wall times of each run, `repeat` times, alternating them so that drift in the machine's
    load hits each alike."""
    seconds: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeat):
        for name, run in runs.items():
            start = time.perf_counter()
            run()
            seconds[name].append(time.perf_counter() - start)
    return seconds


def queries_of(func: Callable[[], Any]) -> int:
    """How many SQL statements one call of `func` sends."""
    with CaptureQueriesContext(connection) as captured:
        func()
    return len(captured.captured_queries)


@contextmanager
def statement_timeout(seconds: float) -> Iterator[None]:
    """PostgreSQL cancels any statement running longer than `seconds` (a benchmark reports a
    call that takes minutes, rather than waiting for it)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('statement_timeout', %s, false)", [f"{seconds * 1000:.0f}"]
        )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET statement_timeout")


def cancelled(error: BaseException) -> bool:
    """Whether a database error is PostgreSQL cancelling a statement (SQLSTATE query_canceled)."""
    return getattr(error.__cause__, "sqlstate", None) == "57014"


@dataclass
class Budget:
    """SQL statements per call of one screen, for several callers (stations, roles, scales):
    the same number for all, and at most `limit`. None: the call was cancelled, not counted."""

    what: str
    counts: dict[str, int | None]  # caller → statements
    limit: int

    @property
    def ok(self) -> bool:
        counts = set(self.counts.values())
        return None not in counts and len(counts) == 1 and max(n or 0 for n in counts) <= self.limit

    def line(self) -> str:
        calls = ", ".join(
            f"{'(cancelled)' if n is None else n} for {caller}" for caller, n in self.counts.items()
        )
        return (
            f"SQL queries per {self.what}: {calls} (target ≤ {self.limit}, whatever the scale) "
            f"{'ok' if self.ok else 'MISSED'}"
        )


def report(figures: list[Figure], out: Writer) -> bool:
    """Print the figures side by side with their baselines; return whether every target holds.

    Columns: the median (or single) time, its p95 and the SQL statements of one call where
    measured, the baseline and its time, the ratio, the target and whether it holds."""
    out.write(
        f"{'measure':<46} {'median':>9} {'p95':>9} {'SQL':>4} {'baseline':>36} {'ratio':>7}"
        "  target\n"
    )
    for f in figures:
        base = f"{f.baseline} {f.baseline_seconds:.3f}s" if f.baseline_seconds else f.baseline
        ratio = f"{f.ratio:.2f}x" if f.ratio is not None else ""
        tail = f"{f.p95:>8.3f}s" if f.p95 is not None else f"{'':>9}"
        queries = f"{f.queries:>4}" if f.queries is not None else f"{'':>4}"
        mark = {True: "ok", False: "MISSED", None: ""}[f.ok]
        out.write(
            f"{f.what:<46} {f.seconds:>8.3f}s {tail} {queries} {base:>36} {ratio:>7}  "
            f"{f.target} {mark}".rstrip()
            + "\n"
        )
    return all(f.ok is not False for f in figures)
