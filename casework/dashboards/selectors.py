"""所站一体研判: a station's state on one screen, computed in a fixed number of queries.

Every figure is grouped by station in SQL (one `GROUP BY` per table), so one station and the
bureau's fifty side by side cost the same queries, whatever the number of cases (ENGINEERING.md:
≤ 10, within 2× a hand-written GROUP BY). Small tables ride along as scalar subqueries of the
station query. The lists behind the numbers are in `casework.dashboards.lists`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import (
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from casework.cases.models import Case, DailyIncidentReport, Gate, Incident
from casework.conduct.models import ConductRecord, PointRule
from casework.core.errors import NotFoundOrForbidden
from casework.deadlines.models import Deadline
from casework.inventory.models import Inventory
from casework.org.models import Station
from casework.org.scoping import is_bureau_wide, user_station_id
from casework.reviews.models import CorrectiveAction, Outcome, Retrospective
from casework.trips.models import Reminder
from casework.workflow.flows import CaseFlow

GATE_NODES = {
    CaseFlow.acceptance_review: Gate.ACCEPTANCE,
    CaseFlow.disposition_review: Gate.DISPOSITION,
    CaseFlow.chief_approval: Gate.CHIEF_APPROVAL,
    CaseFlow.evaluation: Gate.EVALUATION,
}
AGES = ("lt1", "d1_3", "gt3")  # under 1 day, 1–3 days, over 3 days
OPEN_INCIDENT = [Incident.Status.OPEN, Incident.Status.DISPATCHED, Incident.Status.HANDLED]
OPEN_INVENTORY = [Inventory.Status.DRAFT, Inventory.Status.SIGNED]
OPEN_ACTION = [CorrectiveAction.Status.OPEN, CorrectiveAction.Status.REJECTED]
DISPUTE = "纠纷"  # incidents whose category names a dispute count toward 纠纷化解率
REMINDER_WINDOW = timedelta(hours=48)


def may_view(user: Any) -> bool:
    """The station's leadership (chief, legal officer, instructor) and the bureau's legal
    office: those who follow the daily incident list. A permission, not a role lookup, so
    the menu of every page costs no query (permissions are cached per request)."""
    return bool(user.has_perm("cases.view_dailyincidentreport"))


def stations_for(user: Any, code: str | None = None) -> list[Station]:
    """The stations `user` may watch: their own, or (bureau) every active one or the one
    named by `code`. Another station's code is a 404, like every other object."""
    if not may_view(user):
        raise NotFoundOrForbidden(target_type="dashboards.station", target_id=code, denied=True)
    stations = Station.objects.filter(is_active=True).order_by("code")
    if not is_bureau_wide(user):
        stations = stations.filter(pk=user_station_id(user))
    if code:
        stations = stations.filter(code=code)
    found = list(stations)
    if code and not found:
        raise NotFoundOrForbidden(target_type="org.station", target_id=code)
    return found


@dataclass
class Window:
    """The moments the figures compare: now, today, this year to date and the same span of
    last year (同比)."""

    now: datetime
    today: date
    day_start: datetime
    day_end: datetime
    year_start: datetime
    last_year_start: datetime
    last_year_now: datetime

    @classmethod
    def at(cls, now: datetime) -> Window:
        local = timezone.localtime(now)
        day_start = local.replace(hour=0, minute=0, second=0, microsecond=0)
        year_start = day_start.replace(month=1, day=1)
        try:
            last_year_now = local.replace(year=local.year - 1)
        except ValueError:  # 29 February
            last_year_now = local.replace(year=local.year - 1, day=28)
        return cls(
            now=now, today=local.date(), day_start=day_start,
            day_end=day_start + timedelta(days=1), year_start=year_start,
            last_year_start=year_start.replace(year=year_start.year - 1),
            last_year_now=last_year_now,
        )  # fmt: skip

    def this_year(self, field: str) -> Q:
        return Q(**{f"{field}__gte": self.year_start, f"{field}__lte": self.now})

    def last_year(self, field: str) -> Q:
        return Q(**{f"{field}__gte": self.last_year_start, f"{field}__lte": self.last_year_now})


@dataclass
class Trend:
    """A year-to-date figure and last year's over the same span."""

    now: int | float | None
    before: int | float | None

    @property
    def change(self) -> float | None:
        """同比 in per cent; None where last year had nothing to compare with."""
        if self.now is None or not self.before:
            return None
        return round((self.now - self.before) * 100 / self.before, 1)


@dataclass
class StationFigures:
    station: Station
    reviews: dict[str, dict[str, int]] = field(default_factory=dict)  # gate → age → count
    overdue_clocks: int = 0
    due_today_clocks: int = 0
    unacknowledged_reminders: int = 0
    open_inventories: int = 0
    open_actions: int = 0
    overdue_actions: int = 0
    retrospectives_open: int = 0
    retrospectives_this_year: int = 0
    actions_verified_this_year: int = 0
    officers_over: int = 0
    officers_near: int = 0
    unclosed_incidents: int = 0
    uncleared_days: int = 0
    trends: dict[str, Trend] = field(default_factory=dict)

    @property
    def pending_reviews(self) -> int:
        return sum(sum(ages.values()) for ages in self.reviews.values())

    @property
    def reviews_over_3_days(self) -> int:
        return sum(ages.get("gt3", 0) for ages in self.reviews.values())

    def as_dict(self) -> dict[str, Any]:
        """The API's shape (API.md: `GET /api/v1/dashboard/`)."""
        return {
            "station": self.station.code,
            "station_name": self.station.name,
            "pending_reviews": self.pending_reviews,
            "pending_reviews_by_gate": self.reviews,
            "overdue_deadlines": self.overdue_clocks,
            "due_today_deadlines": self.due_today_clocks,
            "unacknowledged_reminders": self.unacknowledged_reminders,
            "open_inventories": self.open_inventories,
            "open_actions": self.open_actions,
            "overdue_actions": self.overdue_actions,
            "retrospectives_in_progress": self.retrospectives_open,
            "retrospectives_this_year": self.retrospectives_this_year,
            "actions_verified_this_year": self.actions_verified_this_year,
            "officers_at_threshold": self.officers_over,
            "officers_near_threshold": self.officers_near,
            "unclosed_incidents": self.unclosed_incidents,
            "uncleared_daily_reports": self.uncleared_days,
            "reconsiderations_this_year": self.trends["reconsiderations"].now,
            "litigations_this_year": self.trends["litigations"].now,
            "trends": {
                name: {"this_year": t.now, "last_year": t.before, "change_percent": t.change}
                for name, t in self.trends.items()
            },
        }


def _count(queryset: QuerySet[Any], station_field: str = "station") -> Coalesce:
    """`SELECT count(*) … WHERE <station> = station.id`, as a column of the station query."""
    counted = (
        queryset.filter(**{station_field: OuterRef("pk")})
        .order_by()
        .values(station_field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _filed(kind: str, start: date, end: date) -> Count:
    return Count("pk", filter=Q(kind=kind, filed_on__gte=start, filed_on__lte=end))


def _stations(ids: list[int], w: Window) -> dict[int, dict[str, Any]]:
    """Query 1: the small tables, as scalar subqueries of the station rows."""
    rows = (
        Station.objects.filter(pk__in=ids)
        .values("pk")
        .annotate(
            open_inventories=_count(Inventory.objects.filter(status__in=OPEN_INVENTORY)),
            uncleared_days=_count(
                DailyIncidentReport.objects.filter(cleared_at__isnull=True, day__lt=w.today)
            ),
            largest_points=Coalesce(
                Subquery(PointRule.objects.order_by("-points").values("points")[:1]), Value(0)
            ),
        )
    )
    return {row.pop("pk"): row for row in rows}


def _outcomes(ids: list[int], w: Window) -> dict[int, dict[str, Any]]:
    """Query 9: reconsiderations and lawsuits filed this year and last. Its own GROUP BY: as
    scalar subqueries of the station query they joined every outcome to its case once per
    station (bench_dashboard, 50 stations: 0.9 s of a 1.7 s dashboard, JIT compile included)."""
    this_year, last_year = (w.year_start.date(), w.today), (
        w.last_year_start.date(), w.last_year_now.date()
    )  # fmt: skip
    rows = (
        Outcome.objects.filter(case__station_id__in=ids)
        .values(station=F("case__station_id"))
        .annotate(
            rc_now=_filed(Outcome.Kind.RECONSIDERATION, *this_year),
            rc_before=_filed(Outcome.Kind.RECONSIDERATION, *last_year),
            lt_now=_filed(Outcome.Kind.LITIGATION, *this_year),
            lt_before=_filed(Outcome.Kind.LITIGATION, *last_year),
        )
        .order_by()
    )
    return {row.pop("station"): row for row in rows}


def _reviews(ids: list[int], w: Window) -> list[dict[str, Any]]:
    """Query 2: the gates' pending tasks per station, gate and age."""
    one, three = w.now - timedelta(days=1), w.now - timedelta(days=3)
    return list(
        Task.objects.filter(
            status=STATUS.NEW,
            flow_task__in=list(GATE_NODES),
            process__caseprocess__case__station_id__in=ids,
        )
        .values("flow_task", station=F("process__caseprocess__case__station_id"))
        .annotate(
            lt1=Count("pk", filter=Q(created__gt=one)),
            d1_3=Count("pk", filter=Q(created__lte=one, created__gt=three)),
            gt3=Count("pk", filter=Q(created__lte=three)),
        )
        .order_by()
    )


def _clocks(ids: list[int], w: Window) -> list[dict[str, Any]]:
    """Query 3: open clocks past due, and due before midnight."""
    return list(
        Deadline.objects.filter(status=Deadline.Status.OPEN, case__station_id__in=ids)
        .filter(due_at__lt=w.day_end)
        .values(station=F("case__station_id"))
        .annotate(
            overdue=Count("pk", filter=Q(due_at__lt=w.now)),
            due_today=Count("pk", filter=Q(due_at__gte=w.now)),
        )
        .order_by()
    )


def _reminders(ids: list[int], w: Window) -> list[dict[str, Any]]:
    """Query 4: reminders not yet acknowledged for trips leaving in the next 48 hours."""
    return list(
        Reminder.objects.filter(
            acknowledged_at__isnull=True,
            trip__station_id__in=ids,
            trip__departs_at__gte=w.now,
            trip__departs_at__lte=w.now + REMINDER_WINDOW,
        )
        .values(station=F("trip__station_id"))
        .annotate(n=Count("pk"))
        .order_by()
    )


def _reviews_done(ids: list[int], w: Window) -> list[dict[str, Any]]:
    """Query 5: retrospectives in progress and this year, corrective actions open, overdue and
    verified this year (one pass over retrospectives joined to their actions)."""
    return list(
        Retrospective.objects.filter(station_id__in=ids)
        .values("station")
        .annotate(
            open=Count("pk", filter=Q(status=Retrospective.Status.OPEN), distinct=True),
            this_year=Count("pk", filter=w.this_year("opened_at"), distinct=True),
            actions_open=Count("actions", filter=Q(actions__status__in=OPEN_ACTION)),
            actions_overdue=Count(
                "actions", filter=Q(actions__status__in=OPEN_ACTION, actions__due_on__lt=w.today)
            ),
            verified=Count(
                "actions",
                filter=Q(actions__status=CorrectiveAction.Status.VERIFIED)
                & w.this_year("actions__verified_at"),
            ),
        )
        .order_by()
    )


def _points(ids: list[int], w: Window) -> list[dict[str, Any]]:
    """Query 6: each officer's points in the period (voided records left out)."""
    since = w.now - timedelta(days=settings.CONDUCT_PERIOD_DAYS)
    return list(
        ConductRecord.objects.filter(station_id__in=ids, created_at__gte=since)
        .exclude(objection_status=ConductRecord.Objection.UPHELD)
        .values("station", "officer")
        .annotate(points=Sum("points"))
        .order_by()
    )


def _incidents(ids: list[int], w: Window) -> list[dict[str, Any]]:
    """Query 7: unclosed incidents, and incidents and disputes this year and last."""
    dispute = Q(category__contains=DISPUTE)
    resolved = dispute & Q(status=Incident.Status.CLOSED)
    return list(
        Incident.objects.filter(station_id__in=ids)
        .values("station")
        .annotate(
            unclosed=Count("pk", filter=Q(status__in=OPEN_INCIDENT)),
            now=Count("pk", filter=w.this_year("received_at")),
            before=Count("pk", filter=w.last_year("received_at")),
            disputes_now=Count("pk", filter=dispute & w.this_year("received_at")),
            disputes_before=Count("pk", filter=dispute & w.last_year("received_at")),
            resolved_now=Count("pk", filter=resolved & w.this_year("received_at")),
            resolved_before=Count("pk", filter=resolved & w.last_year("received_at")),
        )
        .order_by()
    )


def _cases(ids: list[int], w: Window) -> list[dict[str, Any]]:
    """Query 8: cases accepted (受案, every case), filed (立案, criminal), closed; and the
    criminal cases filed this year that are closed (破案率's numerator)."""
    criminal = Q(kind=Case.Kind.CRIMINAL)
    figures: dict[str, Any] = {}
    spans = (("now", w.this_year, w.now), ("before", w.last_year, w.last_year_now))
    for span, when, end in spans:
        solved = criminal & when("created_at") & Q(closed_at__lte=end)
        figures[f"accepted_{span}"] = Count("pk", filter=when("created_at"))
        figures[f"filed_{span}"] = Count("pk", filter=criminal & when("created_at"))
        figures[f"closed_{span}"] = Count("pk", filter=when("closed_at"))
        figures[f"cleared_{span}"] = Count("pk", filter=solved)
    years = Q(created_at__gte=w.last_year_start) | Q(closed_at__gte=w.last_year_start)
    return list(
        Case.objects.filter(station_id__in=ids)
        .filter(years)
        .values("station")
        .annotate(**figures)
        .order_by()
    )


def _rate(part: int, whole: int) -> float | None:
    return round(part * 100 / whole, 1) if whole else None


def dashboard(*, stations: list[Station], now: datetime | None = None) -> list[StationFigures]:
    """The figures of each station, in nine queries whatever the number of stations or rows."""
    w = Window.at(now or timezone.now())
    ids = [s.pk for s in stations]
    result = {s.pk: StationFigures(station=s) for s in stations}
    if not ids:
        return []
    small = _stations(ids, w)
    for row in _reviews(ids, w):
        gate = GATE_NODES.get(row["flow_task"])
        if gate is not None:
            result[row["station"]].reviews[str(gate)] = {age: row[age] for age in AGES}
    for row in _clocks(ids, w):
        result[row["station"]].overdue_clocks = row["overdue"]
        result[row["station"]].due_today_clocks = row["due_today"]
    for row in _reminders(ids, w):
        result[row["station"]].unacknowledged_reminders = row["n"]
    for row in _reviews_done(ids, w):
        f = result[row["station"]]
        f.retrospectives_open, f.retrospectives_this_year = row["open"], row["this_year"]
        f.open_actions, f.overdue_actions = row["actions_open"], row["actions_overdue"]
        f.actions_verified_this_year = row["verified"]
    threshold = settings.CONDUCT_TALK_POINTS
    for row in _points(ids, w):
        f, points = result[row["station"]], row["points"] or 0
        largest = small[row["station"]]["largest_points"]
        if points >= threshold:
            f.officers_over += 1
        elif largest and points >= threshold - largest:
            f.officers_near += 1
    incidents = {row["station"]: row for row in _incidents(ids, w)}
    cases = {row["station"]: row for row in _cases(ids, w)}
    outcomes = _outcomes(ids, w)
    for pk, f in result.items():
        extra = small[pk]
        f.open_inventories, f.uncleared_days = extra["open_inventories"], extra["uncleared_days"]
        i = incidents.get(pk, {})
        c = cases.get(pk, {})
        o = outcomes.get(pk, {})
        f.unclosed_incidents = i.get("unclosed", 0)
        f.trends = {
            "incidents": Trend(i.get("now", 0), i.get("before", 0)),
            "cases_accepted": Trend(c.get("accepted_now", 0), c.get("accepted_before", 0)),
            "cases_filed": Trend(c.get("filed_now", 0), c.get("filed_before", 0)),
            "cases_closed": Trend(c.get("closed_now", 0), c.get("closed_before", 0)),
            "clearance_rate": Trend(
                _rate(c.get("cleared_now", 0), c.get("filed_now", 0)),
                _rate(c.get("cleared_before", 0), c.get("filed_before", 0)),
            ),
            "dispute_resolution_rate": Trend(
                _rate(i.get("resolved_now", 0), i.get("disputes_now", 0)),
                _rate(i.get("resolved_before", 0), i.get("disputes_before", 0)),
            ),
            "reconsiderations": Trend(o.get("rc_now", 0), o.get("rc_before", 0)),
            "litigations": Trend(o.get("lt_now", 0), o.get("lt_before", 0)),
        }
    return [result[s.pk] for s in stations]
