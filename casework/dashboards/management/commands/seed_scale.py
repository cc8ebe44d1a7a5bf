"""`python manage.py seed_scale [--scale 1.0] [--force] [--password P]`: city-size data for a
load or benchmark database (PostgreSQL only)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from casework.cases.models import Case
from casework.dashboards.scale.people import SeedConflict
from casework.dashboards.scale.seed import DEMO_PASSWORD, Size, seed


class Command(BaseCommand):
    help = (
        "Fill this PostgreSQL database with deterministic city-size data: at --scale 1.0, 50 "
        "stations, 2,000 staff, 500k cases (workflow, handlers, parties, measures, clocks, "
        "inventories and items, retrospectives), 1M incidents, 5M hash-chained audit rows. "
        "Meant for a load or benchmark database, e.g. "
        "DATABASE_URL=postgres://postgres@127.0.0.1:5432/casework_scale; migrates it first. "
        "Logins, all with --password: per station N (S001, S002…) sNNN_chief, sNNN_instructor, "
        "sNNN_legal1, sNNN_legal2, sNNN_aux1..4, sNNN_officer1..32 (e.g. s001_officer1); "
        "bureau-wide bureau_legal1, bureau_auditor1, bureau_admin1."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--scale", type=float, default=1.0, help="1.0: 500k cases; 0.01 for CI")
        parser.add_argument("--force", action="store_true", help="seed even if cases exist")
        parser.add_argument("--password", default=DEMO_PASSWORD, help="every login's password")
        parser.add_argument(
            "--now", type=datetime.fromisoformat, default=None,
            help="the moment the data leads up to (ISO 8601; default: now); same scale and "
                 "--now, same rows",
        )  # fmt: skip

    def handle(self, *args: Any, **opts: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError(
                "seed_scale writes with PostgreSQL's generate_series and sha256(); SQLite is not "
                "supported: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/casework_scale"
            )
        if opts["scale"] <= 0:
            raise CommandError("need --scale > 0")
        migrated = Case._meta.db_table in connection.introspection.table_names()
        if migrated and Case.objects.exists() and not opts["force"]:
            raise CommandError(
                f"database {connection.settings_dict['NAME']!r} already has cases: seed_scale is "
                "for an empty load/benchmark database (or pass --force to add to it)"
            )
        call_command("migrate", verbosity=0, interactive=False)
        now = opts["now"] or timezone.now().replace(microsecond=0)
        if timezone.is_naive(now):
            now = timezone.make_aware(now)
        self.stdout.write(
            f"seeding {connection.settings_dict['NAME']} at scale {opts['scale']:g} "
            f"({Size(opts['scale']).cases:,} cases), up to {now.isoformat()}\n"
        )
        try:
            seeded = seed(scale=opts["scale"], now=now, password=opts["password"],
                          say=lambda m: self.stdout.write(m + "\n"))  # fmt: skip
        except SeedConflict as error:
            raise CommandError(f"{error} (seeded before? seed a fresh database)") from error
        self.stdout.write(
            f"seeded in {seeded.seconds:.1f}s: "
            + ", ".join(f"{n:,} {what}" for what, n in seeded.rows.items())
            + "\n"
        )
        first = seeded.people.usernames[0].split("_")[0]
        self.stdout.write(
            f"logins (password {opts['password']!r}): {first}_chief, {first}_legal1, "
            f"{first}_officer1 … per station s001–s{len(seeded.people.stations):03d}; "
            + ", ".join(seeded.people.bureau)
            + "\n"
        )
