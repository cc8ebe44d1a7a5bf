"""The benchmark harness behind the `bench_*` commands (ENGINEERING.md: performance targets).

A benchmark runs in a throwaway database (`<database>_bench`, created and migrated for the run,
dropped afterwards), so it never fills the product's own data with millions of rows.
Each figure is printed next to its baseline from the same run; the ratio is what counts.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from django.db import connection


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

    @property
    def ratio(self) -> float | None:
        if not self.baseline_seconds:
            return None
        return self.seconds / self.baseline_seconds


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


def report(figures: list[Figure], out: Writer) -> bool:
    """Print the figures side by side with their baselines; return whether every target holds."""
    out.write(f"{'measure':<44} {'time':>9} {'baseline':>34} {'ratio':>7}  target\n")
    for f in figures:
        base = f"{f.baseline} {f.baseline_seconds:.3f}s" if f.baseline_seconds else f.baseline
        ratio = f"{f.ratio:.2f}x" if f.ratio is not None else ""
        mark = {True: "ok", False: "MISSED", None: ""}[f.ok]
        out.write(
            f"{f.what:<44} {f.seconds:>8.3f}s {base:>34} {ratio:>7}  {f.target} {mark}\n".rstrip()
            + "\n"
        )
    return all(f.ok is not False for f in figures)
