"""The lists behind the screen's numbers: each number links to its list, and each list
exports as CSV and XLSX. A list is rows of plain text cells (what the page, the CSV and the
spreadsheet show alike) plus a link per row; the querysets select what their cells read."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from casework.cases.models import Case, DailyIncidentItem, DailyIncidentReport, Incident
from casework.conduct.models import ConductRecord
from casework.dashboards.selectors import (
    AGES,
    GATE_NODES,
    OPEN_ACTION,
    OPEN_INCIDENT,
    OPEN_INVENTORY,
    REMINDER_WINDOW,
    Window,
)
from casework.deadlines.models import Deadline
from casework.inventory.models import Inventory
from casework.org.models import Station
from casework.reviews.models import CorrectiveAction, Outcome, Retrospective
from casework.trips.models import Reminder

MAX_ROWS = 10_000  # an export beyond this is cut, and says so


def _when(moment: datetime | None) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}" if moment else ""


def _person(user: Any) -> str:
    if user is None:
        return ""
    profile = getattr(user, "profile", None)
    return str(getattr(profile, "display_name", "") or user.username)


@dataclass
class Listing:
    title: Any
    columns: list[Any]
    rows: Iterable[Any]
    cells: Callable[[Any], list[Any]]
    link: Callable[[Any], str]


def _ids(stations: list[Station]) -> list[int]:
    return [s.pk for s in stations]


def _reviews(stations: list[Station], w: Window, params: dict[str, str]) -> Listing:
    nodes = list(GATE_NODES)
    gate = params.get("gate")
    if gate:
        nodes = [node for node, g in GATE_NODES.items() if str(g) == gate]
    tasks = Task.objects.filter(
        status=STATUS.NEW, flow_task__in=nodes,
        process__caseprocess__case__station_id__in=_ids(stations),
    )  # fmt: skip
    one, three = w.now - timedelta(days=1), w.now - timedelta(days=3)
    age = params.get("age")
    if age in AGES:
        tasks = tasks.filter(
            {"lt1": Q(created__gt=one), "d1_3": Q(created__lte=one, created__gt=three),
             "gt3": Q(created__lte=three)}[age]
        )  # fmt: skip
    tasks = tasks.select_related("process__caseprocess__case__station").order_by("created")

    def cells(task: Any) -> list[Any]:
        case = task.process.caseprocess.case
        waited = (w.now - task.created).total_seconds() / 86400
        return [
            case.station.name, case.number, case.title,
            GATE_NODES[task.flow_task].label, _when(task.created), f"{waited:.1f}",
        ]  # fmt: skip

    return Listing(
        _("待审核"),
        [_("派出所"), _("案件编号"), _("案件名称"), _("审核环节"), _("提交时间"), _("已等待(天)")],
        tasks, cells,
        lambda t: reverse("cases:case-detail", args=[t.process.caseprocess.case.pk]),
    )  # fmt: skip


def _clocks(state: str) -> Callable[..., Listing]:
    def build(stations: list[Station], w: Window, params: dict[str, str]) -> Listing:
        clocks = Deadline.objects.filter(
            status=Deadline.Status.OPEN, case__station_id__in=_ids(stations)
        )
        if state == "overdue":
            clocks = clocks.filter(due_at__lt=w.now)
        else:
            clocks = clocks.filter(due_at__gte=w.now, due_at__lt=w.day_end)
        clocks = clocks.select_related("case__station", "owner__profile").order_by("due_at")
        return Listing(
            _("已超期的时限") if state == "overdue" else _("今日到期的时限"),
            [_("派出所"), _("案件编号"), _("事项"), _("截止时间"), _("责任人")],
            clocks,
            lambda d: [
                d.case.station.name,
                d.case.number,
                d.title,
                _when(d.due_at),
                _person(d.owner) or _("办案民警"),
            ],
            lambda d: d.link or reverse("cases:case-detail", args=[d.case_id]),
        )

    return build


def _reminders(stations: list[Station], w: Window, params: dict[str, str]) -> Listing:
    reminders = (
        Reminder.objects.filter(
            acknowledged_at__isnull=True,
            trip__station_id__in=_ids(stations),
            trip__departs_at__gte=w.now,
            trip__departs_at__lte=w.now + REMINDER_WINDOW,
        )
        .select_related("trip__station", "officer__profile")
        .order_by("trip__departs_at", "pk")
    )
    return Listing(
        _("48 小时内出发、尚未确认的提醒"),
        [_("派出所"), _("出发时间"), _("目的地"), _("民警"), _("提醒")],
        reminders,
        lambda r: [r.trip.station.name, _when(r.trip.departs_at),
                   f"{r.trip.province}{r.trip.city}{r.trip.county}", _person(r.officer), r.title],
        lambda r: reverse("trips:trip-detail", args=[r.trip_id]),
    )  # fmt: skip


def _inventories(stations: list[Station], w: Window, params: dict[str, str]) -> Listing:
    found = (
        Inventory.objects.filter(station_id__in=_ids(stations), status__in=OPEN_INVENTORY)
        .select_related("station", "case", "party")
        .order_by("taken_at")
    )
    return Listing(
        _("未闭环的随身物品处置表"),
        [_("派出所"), _("案件编号"), _("当事人"), _("登记时间"), _("状态")],
        found,
        lambda i: [
            i.station.name,
            i.case.number,
            i.party.name,
            _when(i.taken_at),
            i.get_status_display(),
        ],
        lambda i: reverse("inventory:inventory-detail", args=[i.pk]),
    )


def _actions(overdue: bool) -> Callable[..., Listing]:
    def build(stations: list[Station], w: Window, params: dict[str, str]) -> Listing:
        found = CorrectiveAction.objects.filter(
            retrospective__station_id__in=_ids(stations), status__in=OPEN_ACTION
        )
        if overdue:
            found = found.filter(due_on__lt=w.today)
        found = found.select_related(
            "retrospective__station", "retrospective__case", "owner__profile"
        ).order_by("due_on", "pk")
        return Listing(
            _("逾期未完成的整改措施") if overdue else _("未完成的整改措施"),
            [_("派出所"), _("案件编号"), _("整改措施"), _("责任人"), _("整改期限"), _("状态")],
            found,
            lambda a: [
                a.retrospective.station.name,
                a.retrospective.case.number,
                a.description,
                _person(a.owner),
                f"{a.due_on:%Y-%m-%d}",
                a.get_status_display(),
            ],
            lambda a: reverse("reviews:retrospective-detail", args=[a.retrospective_id]),
        )

    return build


def _retrospectives(year: bool) -> Callable[..., Listing]:
    def build(stations: list[Station], w: Window, params: dict[str, str]) -> Listing:
        found = Retrospective.objects.filter(station_id__in=_ids(stations))
        found = (
            found.filter(w.this_year("opened_at"))
            if year
            else found.filter(status=Retrospective.Status.OPEN)
        )
        found = found.select_related("station", "case").order_by("opened_at", "pk")
        return Listing(
            _("今年的案后复盘") if year else _("复盘中"),
            [_("派出所"), _("案件编号"), _("案件名称"), _("启动原因"), _("启动时间"), _("状态")],
            found,
            lambda r: [
                r.station.name,
                r.case.number,
                r.case.title,
                r.get_trigger_display(),
                _when(r.opened_at),
                r.get_status_display(),
            ],
            lambda r: reverse("reviews:retrospective-detail", args=[r.pk]),
        )

    return build


def _verified(stations: list[Station], w: Window, params: dict[str, str]) -> Listing:
    found = (
        CorrectiveAction.objects.filter(
            retrospective__station_id__in=_ids(stations),
            status=CorrectiveAction.Status.VERIFIED,
        )
        .filter(w.this_year("verified_at"))
        .select_related("retrospective__station", "retrospective__case", "owner__profile")
        .order_by("verified_at", "pk")
    )
    return Listing(
        _("今年核验通过的整改措施"),
        [_("派出所"), _("案件编号"), _("整改措施"), _("责任人"), _("核验时间")],
        found,
        lambda a: [
            a.retrospective.station.name,
            a.retrospective.case.number,
            a.description,
            _person(a.owner),
            _when(a.verified_at),
        ],
        lambda a: reverse("reviews:retrospective-detail", args=[a.retrospective_id]),
    )


def _officers(stations: list[Station], w: Window, params: dict[str, str]) -> Listing:
    since = w.now - timedelta(days=settings.CONDUCT_PERIOD_DAYS)
    rows = (
        ConductRecord.objects.filter(station_id__in=_ids(stations), created_at__gte=since)
        .exclude(objection_status=ConductRecord.Objection.UPHELD)
        .values("station__name", "officer__username", "officer__profile__display_name")
        .annotate(points=Sum("points"))
        .filter(points__gt=0)
        .order_by("-points", "officer__username")
    )
    threshold = settings.CONDUCT_TALK_POINTS
    return Listing(
        _("记分民警(本周期)"),
        [_("派出所"), _("民警"), _("记分"), _("约谈线")],
        rows,
        lambda r: [
            r["station__name"],
            r["officer__profile__display_name"] or r["officer__username"],
            r["points"],
            _("已达约谈线") if r["points"] >= threshold else "",
        ],
        lambda r: reverse("conduct:officer-detail", args=[r["officer__username"]]),
    )


def _incidents(year: bool) -> Callable[..., Listing]:
    def build(stations: list[Station], w: Window, params: dict[str, str]) -> Listing:
        found = Incident.objects.filter(station_id__in=_ids(stations))
        found = (
            found.filter(w.this_year("received_at"))
            if year
            else found.filter(status__in=OPEN_INCIDENT)
        )
        found = found.select_related("station", "created_by__profile").order_by("received_at")
        return Listing(
            _("今年的警情") if year else _("未办结警情"),
            [
                _("派出所"),
                _("警情编号"),
                _("接警时间"),
                _("警情类别"),
                _("发生地点"),
                _("状态"),
                _("已过天数"),
                _("接警人"),
            ],
            found,
            lambda i: [
                i.station.name,
                i.number,
                _when(i.received_at),
                i.category,
                i.location,
                i.get_status_display(),
                (w.today - timezone.localdate(i.received_at)).days,
                _person(i.created_by),
            ],
            lambda i: reverse("cases:incident-detail", args=[i.pk]),
        )

    return build


def _cases(which: str) -> Callable[..., Listing]:
    titles = {
        "accepted": _("今年受案"), "filed": _("今年立案(刑事)"), "closed": _("今年结案"),
    }  # fmt: skip

    def build(stations: list[Station], w: Window, params: dict[str, str]) -> Listing:
        found = Case.objects.filter(station_id__in=_ids(stations))
        if which == "closed":
            found = found.filter(w.this_year("closed_at"))
        else:
            found = found.filter(w.this_year("created_at"))
        if which == "filed":
            found = found.filter(kind=Case.Kind.CRIMINAL)
        found = found.select_related("station").order_by("created_at", "pk")
        return Listing(
            titles[which],
            [
                _("派出所"),
                _("案件编号"),
                _("案件名称"),
                _("案件类型"),
                _("受案时间"),
                _("结案时间"),
                _("状态"),
            ],
            found,
            lambda c: [
                c.station.name,
                c.number,
                c.title,
                c.get_kind_display(),
                _when(c.created_at),
                _when(c.closed_at),
                c.get_status_display(),
            ],
            lambda c: reverse("cases:case-detail", args=[c.pk]),
        )

    return build


def _outcomes(kind: str) -> Callable[..., Listing]:
    def build(stations: list[Station], w: Window, params: dict[str, str]) -> Listing:
        found = (
            Outcome.objects.filter(
                case__station_id__in=_ids(stations),
                kind=kind,
                filed_on__gte=w.year_start.date(),
                filed_on__lte=w.today,
            )
            .select_related("case__station")
            .order_by("filed_on", "pk")
        )
        return Listing(
            _("今年的行政复议") if kind == Outcome.Kind.RECONSIDERATION else _("今年的行政诉讼"),
            [_("派出所"), _("案件编号"), _("申请/起诉日期"), _("复议机关/受理法院"), _("结果")],
            found,
            lambda o: [
                o.case.station.name,
                o.case.number,
                f"{o.filed_on:%Y-%m-%d}",
                o.body,
                o.get_result_display() or _("待决定"),
            ],
            lambda o: reverse("cases:case-detail", args=[o.case_id]),
        )

    return build


def _daily(stations: list[Station], w: Window, params: dict[str, str]) -> Listing:
    found = (
        DailyIncidentReport.objects.filter(
            station_id__in=_ids(stations), cleared_at__isnull=True, day__lt=w.today
        )
        .select_related("station")
        .annotate(
            unanswered=Count(
                "items",
                filter=Q(items__section=DailyIncidentItem.Section.UNCLOSED)
                & Q(items__answered_at__isnull=True),
            )
        )
        .order_by("day")
    )
    return Listing(
        _("未清零的每日警情分析表"),
        [_("派出所"), _("日期"), _("未答复条数")],
        found,
        lambda r: [r.station.name, f"{r.day:%Y-%m-%d}", r.unanswered],
        lambda r: reverse("cases:daily-report-detail", args=[r.pk]),
    )


LISTS: dict[str, Callable[[list[Station], Window, dict[str, str]], Listing]] = {
    "reviews": _reviews,
    "clocks-overdue": _clocks("overdue"),
    "clocks-today": _clocks("today"),
    "reminders": _reminders,
    "inventories": _inventories,
    "actions-open": _actions(False),
    "actions-overdue": _actions(True),
    "retrospectives-open": _retrospectives(False),
    "retrospectives-year": _retrospectives(True),
    "actions-verified": _verified,
    "officers": _officers,
    "incidents-unclosed": _incidents(False),
    "incidents-year": _incidents(True),
    "cases-accepted": _cases("accepted"),
    "cases-filed": _cases("filed"),
    "cases-closed": _cases("closed"),
    "reconsiderations": _outcomes(Outcome.Kind.RECONSIDERATION),
    "litigations": _outcomes(Outcome.Kind.LITIGATION),
    "daily-uncleared": _daily,
}


def listing(key: str, *, stations: list[Station], now: datetime, params: dict[str, str]) -> Listing:
    return LISTS[key](stations, Window.at(now), params)
