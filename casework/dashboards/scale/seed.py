"""`seed()`: 50 stations, 2,000 staff, 500k cases with their workflow, parties, measures,
clocks, inventories and retrospectives, 1M incidents and 5M audit rows at scale 1.0.

Everything but the people is written by `INSERT … SELECT generate_series` (sql.py,
audit_rows.py), straight into the tables: at this size the services would take hours, and the
data is meant to be read. The viewflow strings the rows carry are the ones viewflow itself
stores, read back from one case started the product's way (and then rolled back).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import STATUS

from casework.cases.models import Case
from casework.dashboards.scale import sql
from casework.dashboards.scale.audit_rows import audit_rows_insert
from casework.dashboards.scale.people import OFFICERS_PER_STATION, People, people_create
from casework.inventory.models import Inventory
from casework.inventory.selectors import inventory_is_intact
from casework.rules.services import rules_load
from casework.workflow.flows import CaseFlow
from casework.workflow.services import case_start

# The human steps a case passes through, in order (×2, so the revision fits in between): a
# case's tasks are those up to the step it waits at; an evaluated case has done them all.
STEPS = {
    "start": 0, "acceptance_review": 2, "acceptance_revision": 3, "investigation": 4,
    "disposition_review": 6, "chief_approval": 8, "evaluation": 10,
}  # fmt: skip
CATEGORIES = [
    "盗窃", "邻里纠纷", "家庭纠纷", "交通事故", "求助", "诈骗", "打架斗殴", "噪音扰民",
    "经济纠纷", "其他",
]  # fmt: skip
DEMO_PASSWORD = "casework-demo"  # noqa: S105 - the demo password documented in README
SUMMARY = "某日某时许,报警人称在辖区某路段发生情况,民警到场后经初步调查,已依法开展后续工作。" * 3


@dataclass(frozen=True)
class Size:
    """Rows at a scale: 1.0 is the city of ENGINEERING.md's performance targets."""

    scale: float

    def of(self, full: int, least: int) -> int:
        return max(least, round(full * self.scale))

    @property
    def stations(self) -> int:
        return self.of(50, 2)

    @property
    def cases(self) -> int:
        return self.of(500_000, 10)

    @property
    def audit_rows(self) -> int:
        return self.of(5_000_000, 100)


@dataclass
class Seeded:
    now: datetime
    people: People
    steps: dict[str, float]  # seconds each step took
    rows: dict[str, int]

    @property
    def seconds(self) -> float:
        return round(sum(self.steps.values()), 2)


class _Rollback(Exception):
    pass


def seed(
    *,
    scale: float,
    now: datetime,
    password: str,
    audit: bool = True,
    say: Callable[[str], Any] = lambda _m: None,
) -> Seeded:
    """Fill the (migrated, PostgreSQL) default database at `scale`; `say` hears each step.
    `audit=False` leaves out the audit rows (a benchmark that does not read them)."""
    size, steps = Size(scale), {}

    def step(name: str, func: Callable[[], Any]) -> Any:
        clock = time.perf_counter()
        result = func()
        steps[name] = round(time.perf_counter() - clock, 2)
        say(f"  {name}: {steps[name]:.1f}s")
        return result

    with connection.cursor() as cursor:
        cursor.execute(sql.UNIFORM)
    rules = Path(settings.BASE_DIR, "fixtures", "rules.json")
    step("rule library", lambda: rules_load(data=json.loads(rules.read_text("utf-8"))))
    people = step(
        "stations and staff",
        lambda: people_create(n_stations=size.stations, password=password),
    )
    refs = step("viewflow's strings, from one case started and rolled back",
                lambda: _viewflow_refs(people))  # fmt: skip
    params = _params(size, now, people, refs)
    with connection.cursor() as cursor:
        # Room for the INSERTs' sorts; reset after, so that what runs next in this session (a
        # benchmark) is planned with the server's own work_mem, as the web's queries are.
        cursor.execute("SET work_mem = '64MB'")
        try:
            for name, statement in sql.POPULATE.items():
                step(name, partial(cursor.execute, statement, params))
        finally:
            cursor.execute("RESET work_mem")
    _inventories_check(params["case_base"])
    if audit:
        timings = audit_rows_insert(count=size.audit_rows, now=now, params=params)
        for name, seconds in timings.items():
            steps[name] = round(seconds, 2)
            say(f"  {name}: {seconds:.1f}s")
    step("vacuum analyze", _vacuum)
    return Seeded(now=now, people=people, steps=steps, rows=rows_count())


def _params(size: Size, now: datetime, people: People, refs: dict[str, Any]) -> dict[str, Any]:
    n_stations = len(people.stations)
    view_case = Permission.objects.get(content_type__app_label="cases", codename="view_case")
    return {
        "now": now,
        "today": timezone.localtime(now).date(),
        "tz": settings.TIME_ZONE,
        "stations": [s.pk for s in people.stations],
        "n_stations": n_stations,
        "officers": people.officers,
        "per_station": OFFICERS_PER_STATION,
        "staff": people.staff,
        "usernames": people.usernames,
        "view_case": view_case.pk,
        "cases": size.cases,
        "incidents": size.of(1_000_000, 20),
        "trips": size.of(40_000, n_stations * 4),
        "conduct": size.of(8_000, n_stations * 8),
        "case_base": Case.objects.aggregate(m=Max("pk"))["m"] or 0,
        "process_base": Process.objects.aggregate(m=Max("pk"))["m"] or 0,
        "categories": CATEGORIES,
        "n_categories": len(CATEGORIES),
        "summary": SUMMARY,
        "node_refs": [refs["nodes"][node] for node in STEPS],
        "node_steps": list(STEPS.values()),
        "node_types": [refs["types"][node] for node in STEPS],
    } | {k: refs[k] for k in ("flow_class", "process_new", "process_done", "task_new", "task_done")}


def _viewflow_refs(people: People) -> dict[str, Any]:
    """Start one case the way the product does, read back what viewflow stored, and undo it, so
    the generated processes and tasks carry exactly its strings and no real case is left."""
    officer = get_user_model().objects.get(pk=people.officers[0])
    stored: dict[str, tuple[Any, ...]] = {}
    try:
        with transaction.atomic():
            case = case_start(by=officer, kind=Case.Kind.CRIMINAL, title="基准", summary="基准")
            with connection.cursor() as cursor:
                cursor.execute(
                    """
                    SELECT t.flow_task, t.flow_task_type, t.status, p.flow_class, p.status
                    FROM viewflow_task t
                    JOIN viewflow_process p ON p.id = t.process_id
                    JOIN workflow_caseprocess cp ON cp.process_ptr_id = p.id
                    WHERE cp.case_id = %s ORDER BY t.id
                    """,
                    [case.pk],
                )
                stored = {row[0]: row for row in cursor.fetchall()}
            raise _Rollback
    except _Rollback:
        pass
    field = Task._meta.get_field("flow_task")
    nodes = {node: field.get_prep_value(getattr(CaseFlow, node)) for node in STEPS}
    start, review = stored.get(nodes["start"]), stored.get(nodes["acceptance_review"])
    if start is None or review is None or review[2] != STATUS.NEW:
        raise RuntimeError(f"viewflow stored {sorted(stored)}, expected {nodes}")
    return {
        "nodes": nodes,
        "types": {node: start[1] if node == "start" else review[1] for node in STEPS},
        "task_new": review[2],
        "task_done": start[2],
        "flow_class": review[3],
        "process_new": review[4],
        "process_done": "DONE",
    }


def _inventories_check(case_base: int, sample: int = 20) -> None:
    """The digests were computed in SQL (sql.INVENTORY): a sample of signed and closed forms
    must verify with the product's own `inventory_is_intact`, or none of them would print."""
    signed = Inventory.objects.filter(case_id__gt=case_base).exclude(status=Inventory.Status.DRAFT)
    for inventory in [*signed.order_by("pk")[:sample], *signed.order_by("-pk")[:sample]]:
        if not inventory_is_intact(inventory):
            raise RuntimeError(f"seeded inventory {inventory.pk}: SQL and inventory_digest() "
                               "disagree")  # fmt: skip


def _vacuum() -> None:
    with connection.cursor() as cursor:
        for table in sql.VACUUMED:
            cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(table)}")


# Table → what `rows_count` calls its rows.
COUNTED = {
    "org_station": "stations", "auth_user": "users", "cases_case": "cases",
    "cases_casehandler": "case handlers", "cases_caseuserobjectpermission": "case grants",
    "workflow_caseprocess": "case processes", "viewflow_task": "viewflow tasks",
    "cases_party": "parties", "cases_measure": "measures", "deadlines_deadline": "deadlines",
    "inventory_inventory": "inventories", "inventory_propertyitem": "inventory items",
    "reviews_retrospective": "retrospectives", "reviews_correctiveaction": "corrective actions",
    "cases_incident": "incidents", "trips_trip": "trips", "trips_reminder": "reminders",
    "conduct_conductrecord": "conduct records", "reviews_outcome": "outcomes",
    "cases_dailyincidentreport": "daily reports", "core_auditevent": "audit rows",
}  # fmt: skip


def rows_count() -> dict[str, int]:
    """Rows of each seeded table, in one statement."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        # One statement of constant table names (COUNTED's keys), quoted.
        counts = ", ".join(f"(SELECT count(*) FROM {quote(table)})" for table in COUNTED)  # noqa: S608
        cursor.execute(f"SELECT {counts}")
        row = cursor.fetchone()
    assert row is not None
    return dict(zip(COUNTED.values(), row, strict=True))
