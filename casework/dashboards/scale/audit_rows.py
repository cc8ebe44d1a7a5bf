"""Two years of audit trail (5M rows at city scale), hash-chained in SQL so that
`manage.py audit_verify` checks the seeded rows exactly as it checks real ones.

Each row's `hash` is `sha256()` over the same canonical JSON `casework.core.audit.compute_hash`
builds in Python, chained through `prev_hash` in id order from the last row already there; a
recursive query carries the previous hash from row to row. The rows come from arithmetic on
their number: who (an officer of the case's station, its legal officer, an officer of another
station refused access, anyone signing in), what (the verb mix below), when (evenly spread over
two years up to the run's `now`).
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction

from casework.core import audit
from casework.core.models import GENESIS_HASH, AuditEvent
from casework.dashboards.scale.people import STAFF_PER_STATION, first_of

# (verb, whose row it is, outcome); repeats weigh the mix: half the trail is signing in and out.
VERBS = [
    *[("auth.login", "anyone", "success")] * 6,
    *[("auth.logout", "anyone", "success")] * 2,
    ("auth.session_expired", "anyone", "success"),
    ("auth.login_failed", "anyone", "failure"),
    *[("cases.updated", "case", "success")] * 2,
    ("cases.opened", "case", "success"),
    ("cases.party_added", "case", "success"),
    ("cases.measure_added", "case", "success"),
    ("cases.disposition_proposed", "case", "success"),
    ("cases.event_added", "case", "success"),
    ("inventory.item_added", "case", "success"),
    ("cases.review_claimed", "review", "success"),
    ("access.denied", "denied", "denied"),
]
BATCH = 500_000  # rows a statement: the recursive query holds its batch in memory

# The fields of row j, then its hash over [occurred_at, actor_id, actor_username, station_id,
# verb, target_type, target_id, target_repr, outcome, source_ip, payload, prev_hash] as
# compute_hash() serialises them (json.dumps, sort_keys, no spaces, UTF-8 kept).
CHAIN = """
WITH RECURSIVE chain AS (
    SELECT %(first)s::bigint - 1 AS j, NULL::timestamptz AS occurred_at, NULL::int AS actor_id,
           NULL::text AS actor_username, NULL::bigint AS station_id, NULL::text AS verb,
           NULL::text AS target_type, NULL::text AS target_id, NULL::text AS target_repr,
           NULL::text AS outcome, NULL::text AS source_ip, NULL::text AS payload,
           NULL::text AS prev_hash, %(prev)s::text AS hash
    UNION ALL
    SELECT f.j, f.occurred_at, f.actor_id, f.actor_username, f.station_id, f.verb,
           f.target_type, f.target_id, f.target_repr, f.outcome, f.source_ip, f.payload, c.hash,
           encode(sha256(convert_to(
               '[' || to_json(to_char(f.occurred_at AT TIME ZONE 'UTC',
                                      'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'))::text
               || ',' || f.actor_id || ',' || to_json(f.actor_username)::text
               || ',' || f.station_id || ',' || to_json(f.verb)::text
               || ',' || to_json(f.target_type)::text || ',' || to_json(f.target_id)::text
               || ',' || to_json(f.target_repr)::text || ',' || to_json(f.outcome)::text
               || ',' || to_json(f.source_ip)::text || ',' || f.payload
               || ',' || to_json(c.hash)::text || ']', 'UTF8')), 'hex')
    FROM chain c
    CROSS JOIN LATERAL (
        SELECT w.j, %(start)s + w.j * %(step_us)s * interval '1 microsecond' AS occurred_at,
               (%(staff)s::int[])[w.a] AS actor_id, (%(usernames)s::text[])[w.a] AS actor_username,
               (%(stations)s::bigint[])[w.s] AS station_id, w.verb,
               CASE WHEN w.whose = 'anyone' THEN '' ELSE 'cases.case' END AS target_type,
               CASE WHEN w.whose = 'anyone' THEN '' ELSE (%(case_base)s + w.k)::text END
               AS target_id,
               CASE WHEN w.whose = 'anyone' THEN ''
                    ELSE 'SC' || lpad(w.k::text, 8, '0') || ' 基准案件' || w.k END AS target_repr,
               w.outcome,
               '10.' || mod(w.s, 250) || '.' || mod(w.a / 250, 250) || '.' || (1 + mod(w.a, 250))
               AS source_ip,
               '{}' AS payload
        FROM (
            SELECT v.*,
                   CASE v.whose
                       WHEN 'case' THEN (v.s - 1) * %(staff_per)s + %(first_officer)s
                                        + mod(v.k, %(per_station)s)
                       WHEN 'review' THEN (v.s - 1) * %(staff_per)s + %(first_legal)s
                                          + mod(v.j, 2)
                       WHEN 'denied' THEN mod(v.s, %(n_stations)s) * %(staff_per)s
                                          + %(first_officer)s + mod(v.j, %(per_station)s)
                       ELSE (v.s - 1) * %(staff_per)s + 1
                            + floor(pg_temp.u(v.j, 44) * %(staff_per)s)::int
                   END AS a
            FROM (
                SELECT t.*,
                       CASE WHEN t.whose = 'anyone'
                            THEN 1 + floor(%(n_stations)s * pg_temp.u(t.j, 43))::int
                            ELSE 1 + floor(%(n_stations)s * power(pg_temp.u(t.k, 1), 1.3))::int
                       END AS s
                FROM (
                    SELECT r.j, r.k, (%(verbs)s::text[])[r.n] AS verb,
                           (%(whose)s::text[])[r.n] AS whose, (%(outcomes)s::text[])[r.n] AS outcome
                    FROM (SELECT c.j + 1 AS j,
                                 1 + floor(pg_temp.u(c.j + 1, 41) * %(n_verbs)s)::int AS n,
                                 1 + floor(pg_temp.u(c.j + 1, 42) * %(cases)s)::bigint AS k) r
                ) t
            ) v
        ) w
    ) f
    WHERE c.j < %(last)s
)
INSERT INTO core_auditevent (occurred_at, actor_id, actor_username, station_id, verb,
    target_type, target_id, target_repr, outcome, source_ip, payload, prev_hash, hash)
SELECT occurred_at, actor_id, actor_username, station_id, verb, target_type, target_id,
       target_repr, outcome, source_ip::inet, payload::jsonb, prev_hash, hash
FROM chain WHERE j >= %(first)s ORDER BY j
"""


def audit_rows_insert(*, count: int, now: datetime, params: dict[str, Any]) -> dict[str, float]:
    """Append `count` chained rows after the last audit row; return the seconds of each phase.

    One transaction holding the chain's writer lock. A B-tree fed 5M random hashes row by row
    takes ~10 minutes here, so the table's secondary indexes, unique constraints and foreign key
    are dropped first and rebuilt from their own definitions afterwards (PostgreSQL's advice for
    bulk loads); if anything fails, the transaction puts them back as they were.
    """
    steps: dict[str, float] = {}
    span = timedelta(days=730)
    chain = params | {
        "start": now - span,
        "step_us": int(span.total_seconds() * 1_000_000) // (count + 1),
        "verbs": [v for v, _w, _o in VERBS],
        "whose": [w for _v, w, _o in VERBS],
        "outcomes": [o for _v, _w, o in VERBS],
        "n_verbs": len(VERBS),
        "staff_per": STAFF_PER_STATION,
        "first_officer": first_of("officer"),
        "first_legal": first_of("legal"),
    }
    with transaction.atomic(), connection.cursor() as cursor:
        audit._lock_chain()
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        clock = time.perf_counter()
        restore = _secondary_indexes_drop(cursor, AuditEvent._meta.db_table)
        prev = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
        chain["prev"] = prev or GENESIS_HASH
        first_id = None
        for first in range(1, count + 1, BATCH):
            cursor.execute(CHAIN, chain | {"first": first, "last": min(count, first + BATCH - 1)})
            row = AuditEvent.objects.order_by("-id").values_list("id", "hash").first()
            assert row is not None
            first_id = first_id or row[0] - min(count, BATCH) + 1
            chain["prev"] = row[1]
        steps["audit rows: chained insert"] = time.perf_counter() - clock
        clock = time.perf_counter()
        for statement in restore:
            cursor.execute(statement)
        steps["audit rows: indexes rebuilt"] = time.perf_counter() - clock
    if first_id is not None:
        _spot_check(first_id)
    return steps


def _secondary_indexes_drop(cursor: Any, table: str) -> list[str]:
    """Drop every index, unique constraint and foreign key of `table` but its primary key;
    return the statements that recreate them exactly (same names, same definitions)."""
    quote = connection.ops.quote_name
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE conrelid = %s::regclass AND contype IN ('u', 'f') ORDER BY contype DESC, conname",
        [table],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()"
        " AND tablename = %s AND indexname NOT IN"
        " (SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass) ORDER BY indexname",
        [table, table],
    )
    indexes = cursor.fetchall()
    for name, _definition in constraints:
        cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
    for name, _definition in indexes:
        cursor.execute(f"DROP INDEX {quote(name)}")
    return [
        *(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(n)} {d}" for n, d in constraints),
        *(definition for _name, definition in indexes),
    ]


def _spot_check(first_id: int, rows: int = 50) -> None:
    """Recompute a few seeded rows in Python, at the seam with the rows before them and at the
    end: SQL and compute_hash() must agree, or `audit_verify` would fail on every seeded row."""
    seeded = AuditEvent.objects.filter(id__gte=first_id - 1)
    for event in [*seeded.order_by("id")[: rows + 1], *seeded.order_by("-id")[:rows]]:
        if audit.compute_hash(event) != event.hash:
            raise RuntimeError(f"seeded audit row {event.pk}: SQL and compute_hash() disagree")
