"""The leadership dashboard at scale, beside a hand-written GROUP BY computing the same figures.

ENGINEERING.md: the same number of SQL queries at 1% and 100% scale (≤ 10), and ≤ 2× a
hand-written GROUP BY in the same run. The baseline is one SQL statement per table, run
through a cursor; `dashboard_measure` first checks that it gives every station exactly the
numbers `dashboard()` gives, so the ratio is honest.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from viewflow.workflow.models import Task

from casework.core.bench import Budget, Figure, p95, queries_of, side_by_side
from casework.dashboards.scale.measuring import Disagreement
from casework.dashboards.selectors import Window, dashboard
from casework.org.models import Station
from casework.workflow.flows import CaseFlow

MAX_RATIO = 2.0
MAX_QUERIES = 10
GATES = {  # the gates the dashboard counts, by node, and the key it reports them under
    "acceptance_review": "acceptance",
    "disposition_review": "disposition",
    "chief_approval": "chief_approval",
    "evaluation": "evaluation",
}


BASELINE: dict[str, str] = {
    "reviews": """
    SELECT c.station_id, t.flow_task,
           count(*) FILTER (WHERE t.created > %(one)s),
           count(*) FILTER (WHERE t.created <= %(one)s AND t.created > %(three)s),
           count(*) FILTER (WHERE t.created <= %(three)s)
    FROM viewflow_task t
    JOIN workflow_caseprocess p ON p.process_ptr_id = t.process_id
    JOIN cases_case c ON c.id = p.case_id
    WHERE t.status = 'NEW' AND t.flow_task = ANY(%(gate_refs)s) AND c.station_id = ANY(%(ids)s)
    GROUP BY 1, 2
    """,
    "clocks": """
    SELECT c.station_id, count(*) FILTER (WHERE d.due_at < %(now)s),
           count(*) FILTER (WHERE d.due_at >= %(now)s)
    FROM deadlines_deadline d JOIN cases_case c ON c.id = d.case_id
    WHERE d.status = 'open' AND d.due_at < %(day_end)s AND c.station_id = ANY(%(ids)s)
    GROUP BY 1
    """,
    "reminders": """
    SELECT t.station_id, count(*)
    FROM trips_reminder r JOIN trips_trip t ON t.id = r.trip_id
    WHERE r.acknowledged_at IS NULL AND t.departs_at BETWEEN %(now)s AND %(remind_until)s
      AND t.station_id = ANY(%(ids)s)
    GROUP BY 1
    """,
    "retrospectives": """
    SELECT station_id, count(*) FILTER (WHERE status = 'open'),
           count(*) FILTER (WHERE opened_at BETWEEN %(year_start)s AND %(now)s)
    FROM reviews_retrospective WHERE station_id = ANY(%(ids)s)
    GROUP BY 1
    """,
    "actions": """
    SELECT r.station_id,
           count(*) FILTER (WHERE a.status IN ('open', 'rejected')),
           count(*) FILTER (WHERE a.status IN ('open', 'rejected') AND a.due_on < %(today)s),
           count(*) FILTER (WHERE a.status = 'verified'
                            AND a.verified_at BETWEEN %(year_start)s AND %(now)s)
    FROM reviews_correctiveaction a JOIN reviews_retrospective r ON r.id = a.retrospective_id
    WHERE r.station_id = ANY(%(ids)s)
    GROUP BY 1
    """,
    "officers": """
    SELECT station_id, count(*) FILTER (WHERE points >= %(threshold)s),
           count(*) FILTER (WHERE points < %(threshold)s AND largest > 0
                            AND points >= %(threshold)s - largest)
    FROM (SELECT station_id, officer_id, sum(points) AS points
          FROM conduct_conductrecord
          WHERE station_id = ANY(%(ids)s) AND created_at >= %(conduct_since)s
            AND objection_status <> 'upheld'
          GROUP BY 1, 2) o,
         (SELECT coalesce(max(points), 0) AS largest FROM conduct_pointrule) p
    GROUP BY 1
    """,
    "incidents": """
    SELECT station_id,
           count(*) FILTER (WHERE status IN ('open', 'dispatched', 'handled')),
           count(*) FILTER (WHERE received_at BETWEEN %(year_start)s AND %(now)s),
           count(*) FILTER (WHERE received_at BETWEEN %(last_year_start)s AND %(last_year_now)s),
           count(*) FILTER (WHERE category LIKE %(dispute)s
                            AND received_at BETWEEN %(year_start)s AND %(now)s),
           count(*) FILTER (WHERE category LIKE %(dispute)s
                            AND received_at BETWEEN %(last_year_start)s AND %(last_year_now)s),
           count(*) FILTER (WHERE category LIKE %(dispute)s AND status = 'closed'
                            AND received_at BETWEEN %(year_start)s AND %(now)s),
           count(*) FILTER (WHERE category LIKE %(dispute)s AND status = 'closed'
                            AND received_at BETWEEN %(last_year_start)s AND %(last_year_now)s)
    FROM cases_incident WHERE station_id = ANY(%(ids)s)
    GROUP BY 1
    """,
    "cases": """
    SELECT station_id,
           count(*) FILTER (WHERE created_at BETWEEN %(year_start)s AND %(now)s),
           count(*) FILTER (WHERE created_at BETWEEN %(last_year_start)s AND %(last_year_now)s),
           count(*) FILTER (WHERE kind = 'criminal'
                            AND created_at BETWEEN %(year_start)s AND %(now)s),
           count(*) FILTER (WHERE kind = 'criminal'
                            AND created_at BETWEEN %(last_year_start)s AND %(last_year_now)s),
           count(*) FILTER (WHERE closed_at BETWEEN %(year_start)s AND %(now)s),
           count(*) FILTER (WHERE closed_at BETWEEN %(last_year_start)s AND %(last_year_now)s),
           count(*) FILTER (WHERE kind = 'criminal' AND closed_at <= %(now)s
                            AND created_at BETWEEN %(year_start)s AND %(now)s),
           count(*) FILTER (WHERE kind = 'criminal' AND closed_at <= %(last_year_now)s
                            AND created_at BETWEEN %(last_year_start)s AND %(last_year_now)s)
    FROM cases_case
    WHERE station_id = ANY(%(ids)s)
      AND (created_at >= %(last_year_start)s OR closed_at >= %(last_year_start)s)
    GROUP BY 1
    """,
    "inventories": """
    SELECT station_id, count(*) FROM inventory_inventory
    WHERE status IN ('draft', 'signed') AND station_id = ANY(%(ids)s)
    GROUP BY 1
    """,
    "daily": """
    SELECT station_id, count(*) FROM cases_dailyincidentreport
    WHERE cleared_at IS NULL AND day < %(today)s AND station_id = ANY(%(ids)s)
    GROUP BY 1
    """,
    "outcomes": """
    SELECT c.station_id,
           count(*) FILTER (WHERE o.kind = 'reconsideration'
                            AND o.filed_on BETWEEN %(year_from)s AND %(today)s),
           count(*) FILTER (WHERE o.kind = 'reconsideration'
                            AND o.filed_on BETWEEN %(last_year_from)s AND %(last_year_to)s),
           count(*) FILTER (WHERE o.kind = 'litigation'
                            AND o.filed_on BETWEEN %(year_from)s AND %(today)s),
           count(*) FILTER (WHERE o.kind = 'litigation'
                            AND o.filed_on BETWEEN %(last_year_from)s AND %(last_year_to)s)
    FROM reviews_outcome o JOIN cases_case c ON c.id = o.case_id
    WHERE c.station_id = ANY(%(ids)s)
    GROUP BY 1
    """,
}
COUNTS = {  # what each baseline statement's columns after the station (and node) are
    "clocks": ("overdue_deadlines", "due_today_deadlines"),
    "reminders": ("unacknowledged_reminders",),
    "retrospectives": ("retrospectives_in_progress", "retrospectives_this_year"),
    "actions": ("open_actions", "overdue_actions", "actions_verified_this_year"),
    "officers": ("officers_at_threshold", "officers_near_threshold"),
    "incidents": ("unclosed_incidents", "incidents_now", "incidents_before", "disputes_now",
                  "disputes_before", "resolved_now", "resolved_before"),
    "cases": ("accepted_now", "accepted_before", "filed_now", "filed_before", "closed_now",
              "closed_before", "cleared_now", "cleared_before"),
    "inventories": ("open_inventories",),
    "daily": ("uncleared_daily_reports",),
    "outcomes": ("rc_now", "rc_before", "lt_now", "lt_before"),
}  # fmt: skip
# Counts that only feed the trends (the unclosed incidents are a figure of their own).
_TREND_COUNTS = {*COUNTS["cases"], *COUNTS["outcomes"], *COUNTS["incidents"][1:]}


def _moments(now: datetime) -> dict[str, Any]:
    """The baseline's parameters: the screen's own calendar (`selectors.Window`: now, today,
    this year to date and last year's same span) as SQL parameters, with the ages it counts."""
    w = Window.at(now)
    return {
        "now": now,
        "today": w.today,
        "day_end": w.day_end,
        "year_start": w.year_start,
        "last_year_start": w.last_year_start,
        "last_year_now": w.last_year_now,
        "year_from": w.year_start.date(),
        "last_year_from": w.last_year_start.date(),
        "last_year_to": w.last_year_now.date(),
        "one": now - timedelta(days=1),
        "three": now - timedelta(days=3),
        "remind_until": now + timedelta(hours=48),
        "conduct_since": now - timedelta(days=settings.CONDUCT_PERIOD_DAYS),
        "threshold": settings.CONDUCT_TALK_POINTS,
        "dispute": "%纠纷%",
    }


def _rate(part: int, whole: int) -> float | None:
    return round(part * 100 / whole, 1) if whole else None


def _trend(now: float | None, before: float | None) -> dict[str, Any]:
    change = None if now is None or not before else round((now - before) * 100 / before, 1)
    return {"this_year": now, "last_year": before, "change_percent": change}


def _figures(counts: dict[str, Any]) -> dict[str, Any]:
    """The baseline's counts of one station in the shape of `StationFigures.as_dict()`."""
    c = counts
    by_gate = c.pop("pending_reviews_by_gate")
    trends = {
        "incidents": _trend(c["incidents_now"], c["incidents_before"]),
        "cases_accepted": _trend(c["accepted_now"], c["accepted_before"]),
        "cases_filed": _trend(c["filed_now"], c["filed_before"]),
        "cases_closed": _trend(c["closed_now"], c["closed_before"]),
        "clearance_rate": _trend(
            _rate(c["cleared_now"], c["filed_now"]), _rate(c["cleared_before"], c["filed_before"])
        ),
        "dispute_resolution_rate": _trend(
            _rate(c["resolved_now"], c["disputes_now"]),
            _rate(c["resolved_before"], c["disputes_before"]),
        ),
        "reconsiderations": _trend(c["rc_now"], c["rc_before"]),
        "litigations": _trend(c["lt_now"], c["lt_before"]),
    }
    kept = {k: v for k, v in c.items() if k not in _TREND_COUNTS}
    return kept | {
        "pending_reviews": sum(sum(ages.values()) for ages in by_gate.values()),
        "pending_reviews_by_gate": by_gate,
        "reconsiderations_this_year": c["rc_now"],
        "litigations_this_year": c["lt_now"],
        "trends": trends,
    }


def baseline(ids: list[int], moments: dict[str, Any], gate_of: dict[str, str]) -> dict[int, Any]:
    """The same figures by hand: one GROUP BY per table through a cursor."""
    params = {**moments, "ids": ids, "gate_refs": list(gate_of)}
    rows: dict[str, list[tuple[Any, ...]]] = {}
    with connection.cursor() as cursor:
        for name, sql in BASELINE.items():
            cursor.execute(sql, params)
            rows[name] = cursor.fetchall()
    counts: dict[int, dict[str, Any]] = {
        pk: {"pending_reviews_by_gate": {}} | {k: 0 for names in COUNTS.values() for k in names}
        for pk in ids
    }
    for station, flow_task, lt1, d1_3, gt3 in rows.pop("reviews"):
        counts[station]["pending_reviews_by_gate"][gate_of[flow_task]] = {
            "lt1": lt1, "d1_3": d1_3, "gt3": gt3,
        }  # fmt: skip
    for name, found in rows.items():
        for station, *values in found:
            counts[station].update(zip(COUNTS[name], values, strict=True))
    return {pk: _figures(c) for pk, c in counts.items()}


def _comparable(figures: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in figures.items() if k not in {"station", "station_name"}}


def _differences(ours: dict[str, Any], theirs: dict[str, Any]) -> list[str]:
    keys = sorted(set(ours) | set(theirs))
    return [f"{k}: dashboard {ours.get(k)!r}, baseline {theirs.get(k)!r}" for k in keys
            if ours.get(k) != theirs.get(k)]  # fmt: skip


def gate_refs() -> dict[str, str]:
    """viewflow's stored `flow_task` string of each gate → the key the dashboard reports."""
    stored = Task._meta.get_field("flow_task")
    return {stored.get_prep_value(getattr(CaseFlow, node)): gate for node, gate in GATES.items()}


@dataclass
class DashboardMeasured:
    figures: list[Figure]
    queries: dict[str, int]  # all_stations, one_station
    stations: int
    first_station: dict[str, Any]
    seconds: dict[str, list[float]] = field(default_factory=dict)

    @property
    def budget(self) -> Budget:
        counts: dict[str, int | None] = {f"{self.stations} stations": self.queries["all_stations"],
                                         "one": self.queries["one_station"]}  # fmt: skip
        return Budget("dashboard()", counts, MAX_QUERIES)


def dashboard_measure(*, now: datetime, repeat: int) -> DashboardMeasured:
    """The dashboard of every station and of one, each beside its baseline, `repeat` times."""
    stations = list(Station.objects.filter(is_active=True).order_by("code"))
    ids, one, gate_of = [s.pk for s in stations], stations[:1], gate_refs()
    moments = _moments(now)
    runs: dict[str, Callable[[], Any]] = {
        "dashboard": lambda: dashboard(stations=stations, now=now),
        "baseline": lambda: baseline(ids, moments, gate_of),
        "dashboard_one": lambda: dashboard(stations=one, now=now),
        "baseline_one": lambda: baseline(ids[:1], moments, gate_of),
    }
    # Warm-up, and the honesty check: every station's every number, both ways.
    last = {name: run() for name, run in runs.items()}
    for ours_key, theirs_key in (("dashboard", "baseline"), ("dashboard_one", "baseline_one")):
        for f in last[ours_key]:
            diff = _differences(_comparable(f.as_dict()), last[theirs_key][f.station.pk])
            if diff:
                raise Disagreement(f"dashboard and baseline disagree for {f.station.code}: "
                                   + "; ".join(diff))  # fmt: skip
    queries = {
        "all_stations": queries_of(runs["dashboard"]),
        "one_station": queries_of(runs["dashboard_one"]),
    }
    seconds = side_by_side(runs, repeat=repeat)
    median = {k: statistics.median(v) for k, v in seconds.items()}
    n, code = len(stations), one[0].code
    figures = [
        Figure(f"dashboard, {n} stations, median of {repeat}", median["dashboard"],
               "hand-written GROUP BY", median["baseline"], f"≤ {MAX_RATIO:g}×",
               median["dashboard"] <= MAX_RATIO * median["baseline"],
               p95=p95(seconds["dashboard"]), queries=queries["all_stations"]),
        Figure(f"dashboard, one station ({code}), median", median["dashboard_one"],
               "hand-written GROUP BY", median["baseline_one"], f"≤ {MAX_RATIO:g}×",
               median["dashboard_one"] <= MAX_RATIO * median["baseline_one"],
               p95=p95(seconds["dashboard_one"]), queries=queries["one_station"]),
    ]  # fmt: skip
    return DashboardMeasured(
        figures=figures,
        queries=queries,
        stations=n,
        first_station=last["dashboard"][0].as_dict(),
        seconds={k: [round(s, 5) for s in v] for k, v in seconds.items()},
    )
