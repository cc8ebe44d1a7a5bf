"""The printed 案后复盘 documents: a case's 案后复盘报告 and a station's monthly 通报.

Both are rendered on request from the live data and stored nowhere: a retrospective changes
until its last action is verified, so the print time on every page says which state it shows.
The data is assembled in plain functions (for the views, the API and the tests) in a constant
number of queries; the templates only lay it out.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.cases.selectors import case_history, case_list
from casework.conduct.models import ConductRecord, Talk
from casework.core.errors import NotFoundOrForbidden, as_id
from casework.core.pdf import pdf_render
from casework.org.models import Station
from casework.org.selectors import station_list
from casework.reviews.models import CorrectiveAction, Finding, Outcome, Retrospective
from casework.reviews.selectors import access_retrospective, retrospective_list, review_figures
from casework.reviews.services import OPEN_ACTION


def _name(user: Any) -> str:
    """An officer as printed: the name on their profile, else the login (bureau staff)."""
    if user is None:
        return ""
    profile = getattr(user, "profile", None)  # None when missing; select_related it in lists
    return profile.display_name if profile is not None else user.get_username()


def _filename(text: str) -> str:
    # Only ASCII in a Content-Disposition header: case numbers are ASCII, but never trust it.
    return re.sub(r"[^A-Za-z0-9._-]", "_", text)


# ---- 案后复盘报告 (one case) ----------------------------------------------------------------


def _action_row(action: CorrectiveAction, finding_no: dict[int, int]) -> dict[str, Any]:
    return {
        "action": action,
        "finding_no": finding_no.get(action.finding_id),
        "owner": _name(action.owner),
        "verified_by": _name(action.verified_by),
    }


def retrospective_report(*, user: Any, retrospective_id: object) -> dict[str, Any]:
    """What the 案后复盘报告 shows: the case, its replayed timeline (一案一回溯), the findings
    numbered in the order found, each action against its finding's number, and the outcomes."""
    retrospective = access_retrospective(user, retrospective_id)
    findings = list(retrospective.findings.select_related("category", "officer__profile"))
    finding_no = {finding.pk: no for no, finding in enumerate(findings, start=1)}
    actions = retrospective.actions.select_related("owner__profile", "verified_by__profile")
    return {
        "retrospective": retrospective,
        "case": retrospective.case,
        "station": retrospective.station,
        "opened_by": _name(retrospective.opened_by),  # None: a trigger opened it
        "timeline": case_history(retrospective.case),
        "findings": [{"finding": f, "officer": _name(f.officer)} for f in findings],
        "actions": [_action_row(a, finding_no) for a in actions],
        "outcomes": list(Outcome.objects.filter(case_id=retrospective.case_id)),
        "printed_at": timezone.now(),
    }


def retrospective_pdf(*, user: Any, retrospective_id: object) -> tuple[str, bytes]:
    """The 案后复盘报告 as (file name, PDF bytes), rendered now; 404 outside the user's scope."""
    report = retrospective_report(user=user, retrospective_id=retrospective_id)
    name = _filename(f"retrospective-{report['case'].number}.pdf")
    return name, pdf_render(template="print/retrospective.html", context=report)


# ---- monthly 通报 (one station, one month) ----------------------------------------------------


def _station(user: Any, station_id: object) -> Station:
    """The station if `user` may read its retrospectives; missing and forbidden alike."""
    found = station_list(user=user).filter(pk=as_id(station_id)).first()
    if found is None or not user.has_perm("reviews.view_retrospective"):
        exists = Station.objects.filter(pk=as_id(station_id)).exists()
        raise NotFoundOrForbidden(target_type="org.station", target_id=station_id, denied=exists)
    return found


def _month(year: int, month: int) -> tuple[datetime, datetime]:
    """The month as [start, end) in local time (Asia/Shanghai), not UTC: a finding recorded
    at 07:00 on the 1st is the previous day's 23:00 in UTC but belongs to the new month."""
    if not (1 <= month <= 12 and 2000 <= year <= 2999):
        raise ValidationError({"month": _("请选择有效的年份和月份")})
    start = timezone.make_aware(datetime(year, month, 1))
    end = timezone.make_aware(datetime(year + month // 12, month % 12 + 1, 1))
    return start, end


def _in(field: str, start: Any, end: Any) -> Q:
    return Q(**{f"{field}__gte": start, f"{field}__lt": end})


def _action_figures(
    retrospectives: QuerySet[Retrospective], start: datetime, end: datetime, today: date
) -> dict[str, Any]:
    """The month's action counts in one query, and the overdue ones (as of today) in another."""
    actions = CorrectiveAction.objects.filter(retrospective__in=retrospectives.values("pk"))
    overdue = Q(status__in=OPEN_ACTION, due_on__lt=today)
    counts = actions.aggregate(
        opened=Count("pk", filter=_in("created_at", start, end)),
        done=Count("pk", filter=_in("completed_at", start, end)),
        verified=Count(
            "pk", filter=_in("verified_at", start, end) & Q(status=CorrectiveAction.Status.VERIFIED)
        ),
        overdue=Count("pk", filter=overdue),
    )
    late = actions.filter(overdue).select_related("owner__profile", "retrospective__case")
    rows = [_overdue_row(action, today) for action in late.order_by("due_on", "pk")]
    return {**counts, "overdue_list": rows}


def _overdue_row(action: CorrectiveAction, today: date) -> dict[str, Any]:
    return {
        "action": action,
        "case": action.retrospective.case,
        "owner": _name(action.owner),
        "days": (today - action.due_on).days,
    }


def _outcomes(cases: QuerySet[Any], start: datetime, end: datetime) -> dict[str, Any]:
    """Reconsiderations and lawsuits filed or decided in the month (dates, not datetimes)."""
    first, after = start.date(), end.date()
    rows = list(
        Outcome.objects.filter(case__in=cases)
        .filter(_in("filed_on", first, after) | _in("decided_on", first, after))
        .select_related("case")
        .order_by("filed_on", "pk")
    )
    filed = [o for o in rows if first <= o.filed_on < after]
    return {
        "list": rows,
        "reconsiderations": sum(o.kind == Outcome.Kind.RECONSIDERATION for o in filed),
        "litigations": sum(o.kind == Outcome.Kind.LITIGATION for o in filed),
        "decided": sum(o.decided_on is not None and first <= o.decided_on < after for o in rows),
    }


def _by_category(
    retrospectives: QuerySet[Retrospective], start: datetime, end: datetime
) -> list[dict[str, Any]]:
    """Findings recorded in the month per category, in the category list's order, with the
    number of cases each was found in."""
    return list(
        Finding.objects.filter(retrospective__in=retrospectives.values("pk"))
        .filter(_in("created_at", start, end))
        .values("category__name", "category__order", "category_id")
        .annotate(count=Count("pk"), cases=Count("retrospective", distinct=True))
        .order_by("category__order", "category_id")
    )


def _conduct(station: Station, start: datetime, end: datetime) -> dict[str, Any]:
    """提醒 and 记分 recorded in the month per officer (points of upheld objections voided),
    and the 约谈 opened and held in it. Two queries."""
    voided = Q(objection_status=ConductRecord.Objection.UPHELD)
    rows = list(
        ConductRecord.objects.filter(station=station)
        .filter(_in("created_at", start, end))
        .values("officer_id", "officer__username", "officer__profile__display_name")
        .annotate(
            reminders=Count("pk", filter=Q(kind=ConductRecord.Kind.REMINDER)),
            scored=Count("pk", filter=Q(kind=ConductRecord.Kind.POINTS)),
            points=Coalesce(Sum("points", filter=~voided), 0),
            voided=Count("pk", filter=voided),
        )
        .order_by("-points", "officer__username")
    )
    talks = Talk.objects.filter(station=station).aggregate(
        opened=Count("pk", filter=_in("opened_at", start, end)),
        held=Count("pk", filter=_in("held_at", start, end)),
    )
    return {
        "rows": [
            {**row, "name": row["officer__profile__display_name"] or row["officer__username"]}
            for row in rows
        ],
        "points": sum(row["points"] for row in rows),
        "records": sum(row["reminders"] + row["scored"] for row in rows),
        "talks": talks,
    }


def monthly_report(*, user: Any, station_id: object, year: int, month: int) -> dict[str, Any]:
    """The station's 案后复盘 通报 for a month: retrospectives opened, findings by category,
    corrective actions, reconsiderations and lawsuits, 提醒/记分/约谈, and the year's figures.

    Only what `user` may see counts (the retrospective and case selectors' scope), limited
    to the station. Constant queries, whatever the number of retrospectives."""
    station = _station(user, station_id)
    start, end = _month(year, month)
    visible = retrospective_list(user=user).filter(station_id=station.pk)
    opened = visible.filter(_in("opened_at", start, end)).annotate(
        findings_count=Count("findings", distinct=True),
        actions_count=Count("actions", distinct=True),
    )
    categories = _by_category(visible, start, end)
    cases = case_list(user=user).filter(station_id=station.pk).values("pk")
    return {
        "station": station,
        "year": year,
        "month": month,
        "start": start,
        "last_day": (end - timedelta(days=1)).date(),
        "retrospectives": list(opened.order_by("opened_at", "pk")),
        "categories": categories,
        "findings_total": sum(row["count"] for row in categories),
        "actions": _action_figures(visible, start, end, timezone.localdate()),
        "outcomes": _outcomes(cases, start, end),
        "conduct": _conduct(station, start, end),
        "figures": review_figures(user=user, year=year, station_id=station.pk),
        "printed_at": timezone.now(),
    }


def monthly_report_pdf(
    *, user: Any, station_id: object, year: int, month: int
) -> tuple[str, bytes]:
    """The monthly 通报 as (file name, PDF bytes), rendered now."""
    report = monthly_report(user=user, station_id=station_id, year=year, month=month)
    name = _filename(f"reviews-{report['station'].code}-{year:04d}-{month:02d}.pdf")
    return name, pdf_render(template="print/monthly_report.html", context=report)
