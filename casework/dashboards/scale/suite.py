"""Every target of ENGINEERING.md's performance table, each beside its baseline, in one run over
one seeded database: what `manage.py bench` (and `make bench`) prints.

The deadline sweep and the inventory PDF are measured by their own benchmarks' code
(`bench_sweep`, `bench_inventory_pdf`), here on the seeded city: the sweep's 500k-clock backlog
is added beside the seeded clocks (whose rungs it fills in and warns as history), after every
other measure has read them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from django.db import connection

from casework.cases.models import Case
from casework.core.bench import Budget, Figure, statement_timeout
from casework.dashboards.scale.audit_search import audit_search_measure
from casework.dashboards.scale.dashboard import dashboard_measure, gate_refs
from casework.dashboards.scale.lists import case_list_measure, review_queue_measure
from casework.dashboards.scale.measuring import STATEMENT_TIMEOUT_S, Measured
from casework.dashboards.scale.seed import Size
from casework.deadlines.management.commands import bench_sweep
from casework.inventory.management.commands import bench_inventory_pdf as pdf_bench
from casework.inventory.printing import inventory_pdf_render
from casework.org.models import Station
from casework.rules.models import Rule


@dataclass
class Suite:
    figures: list[Figure] = field(default_factory=list)
    budgets: list[Budget] = field(default_factory=list)
    memory: pdf_bench.Memory | None = None
    seconds: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return (
            all(f.ok is not False for f in self.figures)
            and all(b.ok for b in self.budgets)
            and (self.memory is None or self.memory.ok)
        )

    def as_dict(self) -> dict[str, Any]:
        memory = self.memory
        return {
            "figures": [f.as_dict() for f in self.figures],
            "budgets": [asdict(b) | {"ok": b.ok} for b in self.budgets],
            "memory": asdict(memory) | {"growth_mb": memory.growth_mb, "ok": memory.ok}
            if memory
            else None,
            "seconds": self.seconds,
            "ok": self.ok,
        }


def suite_run(
    *, scale: float, now: datetime, repeat: int, pdf_runs: int, pdf_renders: int, pdf_warmup: int
) -> Suite:
    """Measure everything, the data-changing measures (sweep, PDF) last."""
    suite = Suite()
    stations = list(Station.objects.filter(is_active=True).order_by("code"))
    dashboards = dashboard_measure(now=now, repeat=repeat)
    suite.figures += dashboards.figures
    suite.budgets.append(dashboards.budget)
    suite.seconds["dashboard"] = dashboards.seconds
    legal_nodes = [ref for ref, gate in gate_refs().items() if gate != "chief_approval"]
    lists: dict[str, Callable[[], Measured]] = {
        "case list": partial(case_list_measure, stations=stations, repeat=repeat),
        "review queue": partial(review_queue_measure, stations=stations, nodes=legal_nodes,
                                repeat=repeat),
        "audit search": partial(audit_search_measure, repeat=repeat),
    }  # fmt: skip
    with statement_timeout(STATEMENT_TIMEOUT_S):
        for name, measure in lists.items():
            measured = measure()
            suite.figures += measured.figures
            suite.budgets += measured.budgets
            suite.seconds[name] = measured.seconds
    suite.figures += sweep_measure(now=now, scale=scale, repeat=min(repeat, 3))
    figures, suite.memory, suite.seconds["pdf"] = pdf_measure(
        runs=pdf_runs, renders=pdf_renders, warmup=pdf_warmup
    )
    suite.figures += figures
    return suite


def sweep_measure(*, now: datetime, scale: float, repeat: int) -> list[Figure]:
    """`bench_sweep`'s backlog at `scale` (500k open clocks, 10k with a rung due), on a seeded
    open case, swept beside its raw INSERT … SELECT; then a second sweep, then delivery."""
    size = Size(scale)
    opts = {
        "open": size.of(500_000, 2_000), "due": size.of(10_000, 100),
        "overdue": size.of(20_000, 100), "met": size.of(100_000, 200),
        "deliver": size.of(1_000, 50), "repeat": repeat,
    }  # fmt: skip
    case = Case.objects.filter(status=Case.Status.INVESTIGATING).order_by("pk").first()
    rule = Rule.objects.filter(trigger_event="criminal_detention").order_by("pk").first()
    if case is None or rule is None:
        raise RuntimeError("the sweep needs a seeded open case and the rule library")
    params = {**opts, "now": now, "case": case.pk, "rule": rule.pk}
    with connection.cursor() as cursor:
        for statement in bench_sweep.POPULATE:
            cursor.execute(statement, params)
    return bench_sweep.Command()._measure(now, opts)


def pdf_measure(
    *, runs: int, renders: int, warmup: int
) -> tuple[list[Figure], pdf_bench.Memory, dict[str, list[float]]]:
    """`bench_inventory_pdf`'s figures: a 1-page form beside a minimal render, a 100-item form,
    memory over `renders` renders."""
    people = pdf_bench._case()
    one, hundred = (pdf_bench._signed_inventory(n, *people) for n in (len(pdf_bench.SAMPLE), 100))
    render_one = partial(inventory_pdf_render, inventory=one)
    times = pdf_bench._side_by_side(render_one, runs)
    hundred_s, _cpu, pdf = pdf_bench._timed(partial(inventory_pdf_render, inventory=hundred))
    figures = pdf_bench._figures(
        times, pdf_bench._pages(render_one()), (hundred_s, pdf_bench._pages(pdf))
    )
    return figures, pdf_bench._memory(render_one, renders, warmup), times
