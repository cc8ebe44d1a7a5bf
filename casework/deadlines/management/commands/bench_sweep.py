"""`python manage.py bench_sweep`: the deadline sweep at city scale, next to its lower bound.

ENGINEERING.md: 500k open deadlines with 10k due swept in ≤ 5 s on PostgreSQL and ≤ 10× a raw
`INSERT … SELECT` in the same run; a second sweep creates 0 rows. Runs in a throwaway database.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from casework.cases.models import Case
from casework.core.bench import Figure, report, throwaway_database, timed
from casework.deadlines.models import DeadlineWarning
from casework.deadlines.services import deadline_sweep, warnings_deliver
from casework.org.models import Station
from casework.rules.models import Rule
from casework.rules.services import rules_load

# The lower bound: the same set of warnings written by one statement, no Python in between.
RAW_SWEEP = """
INSERT INTO deadlines_deadlinewarning (rung_id, created_at)
SELECT r.id, %(now)s FROM deadlines_rung r
JOIN deadlines_deadline d ON d.id = r.deadline_id
WHERE r.fires_at <= %(now)s AND d.status = 'open'
  AND NOT EXISTS (SELECT 1 FROM deadlines_deadlinewarning w WHERE w.rung_id = r.id)
ON CONFLICT DO NOTHING
"""

# Deadlines 1..due have an officer rung due an hour ago (not yet warned); the next `overdue`
# are past due with every rung already warned; the rest run in the future. `met` closed clocks
# with warned rungs make the history a real station accumulates.
POPULATE = [
    """
    INSERT INTO deadlines_deadline (case_id, rule_id, trigger, title, text, legal_basis,
                                    started_at, due_at, status, met_note, link)
    SELECT %(case)s, %(rule)s, 'bench:' || i, 'bench', '', '[]'::jsonb,
           %(now)s - interval '1 day',
           CASE WHEN i <= %(due)s THEN %(now)s + interval '1 hour'
                WHEN i <= %(due)s + %(overdue)s THEN %(now)s - interval '3 hours'
                ELSE %(now)s + interval '3 hours' + i * interval '1 second' END,
           CASE WHEN i <= %(open)s THEN 'open' ELSE 'met' END, '', ''
    FROM generate_series(1, %(open)s + %(met)s) AS i
    """,
    """
    UPDATE deadlines_deadline SET due_at = %(now)s - interval '10 days', met_at = %(now)s
    WHERE status = 'met'
    """,
    """
    INSERT INTO deadlines_rung (deadline_id, fires_at, audience, label)
    SELECT d.id, d.due_at + o.shift, o.audience, o.audience
    FROM deadlines_deadline d CROSS JOIN (VALUES (interval '-2 hours', 'officer'),
        (interval '0', 'legal_officer'), (interval '2 hours', 'chief')) AS o(shift, audience)
    """,
    """
    INSERT INTO deadlines_deadlinewarning (rung_id, created_at, delivered_at)
    SELECT r.id, %(now)s, %(now)s FROM deadlines_rung r
    JOIN deadlines_deadline d ON d.id = r.deadline_id
    WHERE r.fires_at <= %(now)s AND d.due_at <> %(now)s + interval '1 hour'
    """,
    "ANALYZE deadlines_deadline",
    "ANALYZE deadlines_rung",
    "ANALYZE deadlines_deadlinewarning",
]


class _Rollback(Exception):
    pass


def _rolled_back(func: Any) -> Any:
    """Run `func` in a transaction that is then undone, so every repetition sees the same data."""
    holder: list[Any] = []
    try:
        with transaction.atomic():
            holder.append(func())
            raise _Rollback
    except _Rollback:
        return holder[0]


def _raw_sweep(now: datetime) -> int:
    with connection.cursor() as cursor:
        cursor.execute(RAW_SWEEP, {"now": now})
        return cursor.rowcount


class Command(BaseCommand):
    help = "Benchmark the deadline sweep against a raw INSERT … SELECT (PostgreSQL)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--open", type=int, default=500_000, help="open deadlines")
        parser.add_argument("--due", type=int, default=10_000, help="of which have a rung due")
        parser.add_argument("--overdue", type=int, default=20_000, help="already warned, past due")
        parser.add_argument("--met", type=int, default=100_000, help="closed clocks (history)")
        parser.add_argument("--repeat", type=int, default=3)
        parser.add_argument("--deliver", type=int, default=1000, help="warnings to deliver")
        parser.add_argument("--keep", action="store_true", help="keep the database afterwards")

    def handle(self, *args: Any, **opts: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("bench_sweep measures PostgreSQL: set DATABASE_URL=postgres://…")
        with throwaway_database(keep=opts["keep"]) as name:
            self.stdout.write(f"database {name}: populating…")
            now = timezone.now().replace(microsecond=0)
            timed_populate, _ = timed(lambda: self._populate(now, opts))
            self.stdout.write(
                f"{opts['open']:,} open deadlines ({opts['due']:,} with a rung due, "
                f"{opts['overdue']:,} past due and warned), {opts['met']:,} met; "
                f"populated in {timed_populate:.1f}s\n"
            )
            figures = self._measure(now, opts)
        if not report(figures, self.stdout):
            raise CommandError("a target was missed")

    def _populate(self, now: datetime, opts: dict[str, Any]) -> None:
        rules_load(data=json.loads(Path(settings.BASE_DIR, "fixtures", "rules.json").read_text()))
        station = Station.objects.create(
            code="BENCH1",
            name="基准派出所",
            bureau="基准分局",
            province="省",
            city="市",
            county="县",
        )
        user = get_user_model().objects.create(username="bench")
        case = Case.objects.create(
            station=station,
            number="BENCH-0001",
            kind=Case.Kind.CRIMINAL,
            title="基准",
            summary="基准",
            occurred_at=now,
            created_by=user,
        )
        rule = Rule.objects.filter(trigger_event="criminal_detention").first()
        assert rule is not None
        params = {**opts, "now": now, "case": case.pk, "rule": rule.pk}
        with connection.cursor() as cursor:
            for statement in POPULATE:
                cursor.execute(statement, params)

    def _measure(self, now: datetime, opts: dict[str, Any]) -> list[Figure]:
        repeat = opts["repeat"]
        raw_s, raw_rows = timed(lambda: _rolled_back(lambda: _raw_sweep(now)), repeat=repeat)
        ours_s, ours_rows = timed(
            lambda: _rolled_back(lambda: deadline_sweep(now=now)), repeat=repeat
        )
        if raw_rows != opts["due"] or ours_rows != opts["due"]:
            raise CommandError(f"expected {opts['due']} warnings, raw {raw_rows}, ours {ours_rows}")
        first_s, _ = timed(lambda: deadline_sweep(now=now))
        second_s, second_rows = timed(lambda: deadline_sweep(now=now))
        later = now + timedelta(seconds=60)
        deliver_s, delivered = timed(lambda: warnings_deliver(now=later, limit=opts["deliver"]))
        left = DeadlineWarning.objects.filter(delivered_at__isnull=True).count()
        return [
            Figure(
                f"sweep: {ours_rows:,} warnings (median of {repeat})",
                ours_s,
                "raw INSERT…SELECT",
                raw_s,
                "≤ 5 s and ≤ 10×",
                ours_s <= 5 and ours_s <= 10 * raw_s,
            ),
            Figure("sweep, committed", first_s),
            Figure(
                f"second sweep: {second_rows} new rows",
                second_s,
                target="0 rows",
                ok=second_rows == 0,
            ),
            Figure(
                f"deliver {delivered:,} warnings ({delivered / deliver_s:,.0f}/s; {left:,} left)",
                deliver_s,
            ),
        ]
