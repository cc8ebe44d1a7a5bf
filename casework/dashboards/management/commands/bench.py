"""`python manage.py bench [--scale 1.0] [--json var/bench/all.json]`: every target of
ENGINEERING.md's performance table in one run (`make bench`).

Seeds a throwaway PostgreSQL database once (`seed()`, as `seed_scale` does), then measures the
leadership dashboard, the permission-filtered case list, the legal officer's review queue, the
audit search, the deadline sweep and the inventory PDF, each beside its baseline
(casework.dashboards.scale.suite). Prints one table and the query budgets, writes the figures
as JSON, and exits non-zero when a ratio or a query budget is broken. CI runs it at a tiny scale
(tests/dashboards/test_bench_all.py), where the ORM's fixed costs may break a ratio but never
a budget; absolute times are never a target.
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
from casework.dashboards.scale.measuring import Disagreement
from casework.dashboards.scale.seed import DEMO_PASSWORD, seed
from casework.dashboards.scale.suite import suite_run


class Command(BaseCommand):
    help = "Every performance target at city scale, each beside its baseline (PostgreSQL)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--scale", type=float, default=1.0, help="1.0: 500k cases, 5M audit")
        parser.add_argument("--repeat", type=int, default=7, help="timed runs of each measure")
        parser.add_argument("--pdf-runs", type=int, default=30, help="timed renders of each kind")
        parser.add_argument("--pdf-renders", type=int, default=200, help="renders for memory")
        parser.add_argument("--pdf-warmup", type=int, default=20, help="renders before RSS base")
        default_json = Path(settings.VAR_DIR) / "bench" / "all.json"
        parser.add_argument("--json", default=str(default_json), help="where to write figures")
        parser.add_argument("--keep", action="store_true", help="keep the database afterwards")

    def handle(self, *args: Any, **opts: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("bench measures PostgreSQL: set DATABASE_URL=postgres://…")
        if opts["scale"] <= 0 or opts["repeat"] < 1 or opts["pdf_runs"] < 1:
            raise CommandError("need --scale > 0, --repeat ≥ 1 and --pdf-runs ≥ 1")
        if not 0 < opts["pdf_warmup"] < opts["pdf_renders"]:
            raise CommandError("need 0 < --pdf-warmup < --pdf-renders")
        now = timezone.now().replace(microsecond=0)
        with throwaway_database(keep=opts["keep"]) as name:
            self.stdout.write(f"database {name}: seeding at scale {opts['scale']:g}…\n")
            seeded = seed(scale=opts["scale"], now=now, password=DEMO_PASSWORD)
            self.stdout.write(
                f"seeded in {seeded.seconds:.1f}s: "
                + ", ".join(f"{n:,} {what}" for what, n in seeded.rows.items())
                + "\n"
            )
            try:
                suite = suite_run(
                    scale=opts["scale"], now=now, repeat=opts["repeat"],
                    pdf_runs=opts["pdf_runs"], pdf_renders=opts["pdf_renders"],
                    pdf_warmup=opts["pdf_warmup"],
                )  # fmt: skip
            except Disagreement as error:
                raise CommandError(str(error)) from error
        report(suite.figures, self.stdout)
        for budget in suite.budgets:
            self.stdout.write(budget.line() + "\n")
        if suite.memory is not None:
            self.stdout.write(suite.memory.line())
        data = {
            "scale": opts["scale"],
            "repeat": opts["repeat"],
            "now": now.isoformat(),
            "rows": seeded.rows,
            "seed_seconds": seeded.seconds,
            "seed_steps": seeded.steps,
        } | suite.as_dict()
        path = Path(opts["json"])
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str), "utf-8")
        self.stdout.write(f"figures written to {path}\n")
        broken = [b.line() for b in suite.budgets if not b.ok]
        if broken:
            raise CommandError("query budget broken: " + "; ".join(broken))
        if not suite.ok:
            raise CommandError("a target was missed")
