"""每日警情分析表: every morning each station's incidents of the day before and every one still
open go to its instructors, who answer each open one until the day counts as cleared.

Writes only (check → change → audit); the reads are in `selectors`, the print in `printing`.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.cases.models import DailyIncidentItem, DailyIncidentReport, Incident
from casework.cases.selectors import access_daily_item
from casework.cases.services import incident_close
from casework.core import audit
from casework.core.errors import Conflict
from casework.core.notify import notify
from casework.org.models import Station
from casework.org.roles import Role
from casework.org.selectors import station_people

OPEN_STATUSES = [Incident.Status.OPEN, Incident.Status.DISPATCHED, Incident.Status.HANDLED]


def daily_reports_make(*, now: datetime) -> list[DailyIncidentReport]:
    """Make today's report for every active station that has none yet; return those made.

    Idempotent: a second run (a second beat, a retried task) finds every report made and
    makes nothing. Each station is its own transaction: if one fails, the reports already
    made stay, and running the task again the same day makes the rest."""
    day = timezone.localdate(now)
    done = DailyIncidentReport.objects.filter(day=day).values("station_id")
    stations = Station.objects.filter(is_active=True).exclude(pk__in=done).order_by("code")
    made = [_report_make(station=s, day=day, now=now) for s in stations]
    return [report for report in made if report is not None]


@transaction.atomic
def _report_make(*, station: Station, day: date, now: datetime) -> DailyIncidentReport | None:
    """1. snapshot the incidents; 2. claim (station, day) through the unique constraint — a
    report without open incidents is cleared at once; 3. store the items; 4. audit, notify."""
    incidents = _incidents(station, day, now)
    any_open = any(incident.is_open for incident in incidents)
    try:
        with transaction.atomic():
            report = DailyIncidentReport.objects.create(
                station=station, day=day, created_at=now, cleared_at=None if any_open else now
            )
    except IntegrityError:
        return None  # another run made it first
    items = DailyIncidentItem.objects.bulk_create(_item(report, i) for i in incidents)
    counts = {
        "yesterday": sum(item.age_days == 1 for item in items),
        "unclosed": sum(item.section == DailyIncidentItem.Section.UNCLOSED for item in items),
    }
    audit.record(
        actor=None,
        verb="incidents.daily_report_made",
        target=report,
        payload={"day": day.isoformat(), **counts},
    )
    _notify_instructors(report, **counts)
    return report


def _incidents(station: Station, day: date, now: datetime) -> list[Incident]:
    """Received the day before (local calendar day), or still open when the report is made."""
    start = timezone.make_aware(datetime.combine(day - timedelta(days=1), time.min))
    yesterday = Q(received_at__gte=start, received_at__lt=start + timedelta(days=1))
    still_open = Q(status__in=OPEN_STATUSES, received_at__lte=now)
    return list(Incident.objects.filter(Q(station=station) & (yesterday | still_open)))


def _item(report: DailyIncidentReport, incident: Incident) -> DailyIncidentItem:
    section = (
        DailyIncidentItem.Section.UNCLOSED
        if incident.is_open
        else DailyIncidentItem.Section.YESTERDAY
    )
    received_on = timezone.localdate(incident.received_at)
    return DailyIncidentItem(
        report=report,
        incident=incident,
        section=section,
        status=incident.status,
        age_days=max((report.day - received_on).days, 0),
        owner_id=incident.created_by_id,
    )


def _notify_instructors(report: DailyIncidentReport, *, yesterday: int, unclosed: int) -> None:
    link = f"/cases/daily/{report.pk}/"
    subject = _("【每日警情分析表】%(d)s:昨日警情 %(y)d 起,未办结 %(u)d 起") % {
        "d": report.day.isoformat(), "y": yesterday, "u": unclosed,
    }  # fmt: skip
    body = _("请逐项答复未办结警情(说明情况、已采取措施或办结)。PDF:%(pdf)s") % {
        "pdf": f"{link}pdf/"
    }
    for person in station_people(station_id=report.station_id, role=Role.INSTRUCTOR):
        notify(
            recipient=person,
            subject=subject,
            body=body,
            key=f"daily-report:{report.pk}:{person.pk}",
            link=link,
        )


@transaction.atomic
def daily_item_answer(*, by: Any, item_id: int, kind: str, answer: str) -> DailyIncidentItem:
    """Answer one unclosed item, once. A closure answer also closes the incident through
    `incident_close` (the answer is its outcome) if it is still open; when it refuses, the
    answer is not stored either. The last answer of a report clears it."""
    item = access_daily_item(by, item_id)
    if not by.has_perm("cases.answer_dailyincidentitem"):
        raise PermissionDenied("cases.answer_dailyincidentitem")
    text = answer.strip()
    _answer_check(item, kind=kind, text=text)
    now = timezone.now()
    claimed = DailyIncidentItem.objects.filter(pk=item.pk, answered_at__isnull=True)
    # A conditional update: two instructors answering at once cannot both write.
    if not claimed.service_update(answer=text, answer_kind=kind, answered_by=by, answered_at=now):
        raise ValidationError({"answer": _("该项已答复,不能覆盖原答复")})
    item.answer, item.answer_kind, item.answered_by, item.answered_at = text, kind, by, now
    if kind == DailyIncidentItem.AnswerKind.CLOSURE:
        incident = Incident.objects.get(pk=item.incident_id)
        if incident.is_open:
            incident_close(by=by, incident_id=incident.pk, outcome=text)
    audit.record(
        actor=by,
        verb="incidents.daily_item_answered",
        target=item.report,
        payload={"item": item.pk, "incident": item.incident_id, "kind": kind},
    )
    _report_clear_if_done(item.report, by=by, now=now)
    return item


def _answer_check(item: DailyIncidentItem, *, kind: str, text: str) -> None:
    if item.section != DailyIncidentItem.Section.UNCLOSED:
        raise Conflict(_("该警情在制表时已办结,无需答复"))
    if item.answered_at is not None:
        raise ValidationError({"answer": _("该项已答复,不能覆盖原答复")})
    errors = {}
    if kind not in DailyIncidentItem.AnswerKind.values:
        errors["kind"] = _("请选择答复类型:说明情况、已采取措施或已办结")
    if not text:
        errors["answer"] = _("请填写答复")
    if errors:
        raise ValidationError(errors)


def _report_clear_if_done(report: DailyIncidentReport, *, by: Any, now: datetime) -> None:
    waiting = report.items.filter(
        section=DailyIncidentItem.Section.UNCLOSED, answered_at__isnull=True
    )
    if waiting.exists():
        return
    cleared = DailyIncidentReport.objects.filter(pk=report.pk, cleared_at__isnull=True)
    if cleared.service_update(cleared_at=now):
        report.cleared_at = now
        audit.record(actor=by, verb="incidents.daily_report_cleared", target=report)
