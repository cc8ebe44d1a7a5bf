"""`python manage.py bench_dashboard`: the leadership dashboard at city scale, next to a
hand-written GROUP BY that computes the same figures (casework.dashboards.scale.dashboard).

ENGINEERING.md: the same number of SQL queries at 1% and 100% scale (≤ 10), and ≤ 2× a
hand-written GROUP BY in the same run. Runs in a throwaway PostgreSQL database filled by
`seed()` at `--scale` (1.0: 50 stations, 2,000 staff, 500k cases with their viewflow processes
and tasks, 1M incidents over two years, clocks, trips and reminders, inventories,
retrospectives, conduct records, outcomes, daily reports; no audit rows, which it never reads).
CI asserts the ratio and the query count, never absolute times. `bench` runs it with the rest.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from casework.core.bench import report, throwaway_database
from casework.dashboards.scale.dashboard import dashboard_measure
from casework.dashboards.scale.measuring import Disagreement
from casework.dashboards.scale.seed import DEMO_PASSWORD, seed


class Command(BaseCommand):
    help = "Benchmark the leadership dashboard against a hand-written GROUP BY (PostgreSQL)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--scale", type=float, default=1.0, help="1.0: 50 stations, 500k cases")
        parser.add_argument("--repeat", type=int, default=7, help="timed runs of each")
        default_json = Path(settings.VAR_DIR) / "bench" / "dashboard.json"
        parser.add_argument("--json", default=str(default_json), help="where to write figures")
        parser.add_argument("--keep", action="store_true", help="keep the database afterwards")

    def handle(self, *args: Any, **opts: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("bench_dashboard measures PostgreSQL: set DATABASE_URL=postgres://…")
        if opts["scale"] <= 0 or opts["repeat"] < 1:
            raise CommandError("need --scale > 0 and --repeat ≥ 1")
        with throwaway_database(keep=opts["keep"]) as name:
            self.stdout.write(f"database {name}: populating at scale {opts['scale']:g}…\n")
            now = timezone.now().replace(microsecond=0)
            seeded = seed(scale=opts["scale"], now=now, password=DEMO_PASSWORD, audit=False)
            self.stdout.write(
                f"populated in {seeded.seconds:.1f}s: "
                + ", ".join(f"{n:,} {what}" for what, n in seeded.rows.items())
                + "\n"
            )
            try:
                measured = dashboard_measure(now=now, repeat=opts["repeat"])
            except Disagreement as error:
                raise CommandError(str(error)) from error
        ok, budget = report(measured.figures, self.stdout), measured.budget
        self.stdout.write(budget.line() + "\n")
        figures = measured.figures
        data = {
            "scale": opts["scale"],
            "repeat": opts["repeat"],
            "now": now.isoformat(),
            "rows": seeded.rows,
            "population_seconds": seeded.seconds,
            "population_steps": seeded.steps,
            "queries": measured.queries | {"budget": budget.limit, "ok": budget.ok},
            "matched": {"stations": measured.stations, "all_stations": True, "one_station": True},
            "first_station": measured.first_station,
            "ratios": {"all_stations": figures[0].ratio, "one_station": figures[1].ratio},
            "figures": [f.as_dict() for f in figures],
            "seconds": measured.seconds,
            "ok": ok and budget.ok,
        }
        path = Path(opts["json"])
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str), "utf-8")
        self.stdout.write(f"figures written to {path}\n")
        if not budget.ok:
            raise CommandError(f"query budget broken: {budget.line()}")
        if not ok:
            raise CommandError("a target was missed")
