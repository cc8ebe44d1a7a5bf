"""Reads of incidents and cases, always through the station scope; one access function each."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from casework.cases.models import (
    Case,
    CaseHandler,
    DailyIncidentItem,
    DailyIncidentReport,
    Gate,
    Incident,
    IncidentFlag,
    SupervisionItem,
)
from casework.core.errors import NotFoundOrForbidden, as_id
from casework.core.models import AuditEvent
from casework.core.verbs import verb_label
from casework.org.scoping import scope_to_stations


def incident_list(*, user: Any, open_only: bool = False) -> QuerySet[Incident]:
    if not user.has_perm("cases.view_incident"):
        return Incident.objects.none()  # e.g. the auditor: the audit trail only
    incidents = scope_to_stations(Incident.objects.select_related("station"), user)
    if open_only:
        incidents = incidents.filter(
            status__in=[Incident.Status.OPEN, Incident.Status.DISPATCHED, Incident.Status.HANDLED]
        )
    return incidents.annotate(open_flags=Count("flags", filter=Q(flags__answered_at__isnull=True)))


def access_incident(user: Any, incident_id: object) -> Incident:
    found = incident_list(user=user).filter(pk=as_id(incident_id)).first()
    if found is None:
        exists = Incident.objects.filter(pk=as_id(incident_id)).exists()
        raise NotFoundOrForbidden(
            target_type="cases.incident", target_id=incident_id, denied=exists
        )
    return found


def access_flag(user: Any, flag_id: object) -> IncidentFlag:
    flag = IncidentFlag.objects.select_related("incident").filter(pk=as_id(flag_id)).first()
    if flag is None or not incident_list(user=user).filter(pk=flag.incident_id).exists():
        raise NotFoundOrForbidden(
            target_type="cases.incidentflag", target_id=flag_id, denied=flag is not None
        )
    return flag


# ---- 每日警情分析表 ------------------------------------------------------------------------


def daily_report_list(*, user: Any) -> QuerySet[DailyIncidentReport]:
    """Daily reports of the stations `user` sees, newest first, counted in the same query.

    `yesterday_count` counts the incidents received the day before (age 1, in either
    section); `unanswered_count` the unclosed items still waiting for an answer."""
    if not user.has_perm("cases.view_dailyincidentreport"):
        return DailyIncidentReport.objects.none()
    reports = scope_to_stations(DailyIncidentReport.objects.select_related("station"), user)
    unclosed = Q(items__section=DailyIncidentItem.Section.UNCLOSED)
    return reports.annotate(
        yesterday_count=Count("items", filter=Q(items__age_days=1)),
        unclosed_count=Count("items", filter=unclosed),
        unanswered_count=Count("items", filter=unclosed & Q(items__answered_at__isnull=True)),
    ).order_by("-day", "station__code")


def daily_reports_uncleared(*, user: Any) -> QuerySet[DailyIncidentReport]:
    """Past days whose list still has an unanswered item (the chief's screen)."""
    return daily_report_list(user=user).filter(
        day__lt=timezone.localdate(), cleared_at__isnull=True
    )


def access_daily_report(user: Any, report_id: object) -> DailyIncidentReport:
    found = daily_report_list(user=user).filter(pk=as_id(report_id)).first()
    if found is None:
        exists = DailyIncidentReport.objects.filter(pk=as_id(report_id)).exists()
        raise NotFoundOrForbidden(
            target_type="cases.dailyincidentreport", target_id=report_id, denied=exists
        )
    return found


def access_daily_item(user: Any, item_id: object) -> DailyIncidentItem:
    item = DailyIncidentItem.objects.select_related("report").filter(pk=as_id(item_id)).first()
    if item is None or not daily_report_list(user=user).filter(pk=item.report_id).exists():
        raise NotFoundOrForbidden(
            target_type="cases.dailyincidentitem", target_id=item_id, denied=item is not None
        )
    return item


def daily_items(*, report: DailyIncidentReport) -> QuerySet[DailyIncidentItem]:
    """A report's items with what a page or a print shows of them (constant queries)."""
    return report.items.select_related(
        "incident", "owner__profile", "answered_by__profile"
    ).order_by("-age_days", "incident__received_at", "pk")


def case_list(
    *,
    user: Any,
    status: str = "",
    kind: str = "",
    handler: str = "",
    overdue: bool = False,
) -> QuerySet[Case]:
    """Cases visible to `user`, filtered; constant queries whatever the number of cases."""
    if not user.has_perm("cases.view_case"):
        return Case.objects.none()
    cases = scope_to_stations(Case.objects.select_related("station"), user, perm="cases.view_case")
    if status:
        cases = cases.filter(status=status)
    if kind:
        cases = cases.filter(kind=kind)
    if handler:
        cases = cases.filter(handlers__user__username=handler)
    if overdue:
        late = SupervisionItem.objects.filter(
            case=OuterRef("pk"), answered_at__isnull=True, due_on__lt=timezone.localdate()
        )
        cases = cases.filter(Exists(late))
    # The handlers with their users and profiles in one query, not three.
    handlers = CaseHandler.objects.select_related("user__profile")
    return cases.prefetch_related(Prefetch("handlers", queryset=handlers))


def access_case(user: Any, case_id: object, *, for_update: bool = False) -> Case:
    """The case if `user` may see it; missing and forbidden raise the same 404."""
    cases = case_list(user=user).filter(pk=as_id(case_id))
    # FOR NO KEY UPDATE: writers of one case still queue, but a foreign-key check of a row
    # inserted elsewhere for this case (KEY SHARE, at COMMIT) is not blocked — FOR UPDATE
    # blocked it, and with the audit chain's lock taken in between, deadlocked (issue 8).
    locked = cases.select_for_update(of=("self",), no_key=True) if for_update else cases
    found = locked.first()
    if found is None:
        exists = Case.objects.filter(pk=as_id(case_id)).exists()
        raise NotFoundOrForbidden(
            target_type="cases.case", target_id=case_id, perm="cases.view_case", denied=exists
        )
    return found


def handler_ids(case: Case) -> set[int]:
    return set(CaseHandler.objects.filter(case=case).values_list("user_id", flat=True))


def case_history(case: Case) -> list[dict[str, Any]]:
    """What happened on a case, in order: gate decisions, supervision items and their answers,
    and every audited change. The workflow adds its steps (workflow.selectors.timeline_of);
    a retrospective replays this (一案一回溯)."""
    events: list[dict[str, Any]] = []
    for decision in case.decisions.select_related("decided_by__profile"):
        who = getattr(decision.decided_by, "profile", None)
        name = who.display_name if who else decision.decided_by.username
        events.append({
            "at": decision.decided_at, "type": "decision",
            "title": f"{Gate(decision.gate).label}:{decision.get_decision_display()}",
            "detail": f"{name} {decision.reason}".strip(),
        })  # fmt: skip
    for item in case.supervision_items.all():
        events.append({"at": item.opened_at, "type": "supervision", "title": item.issue,
                       "detail": item.required_correction})  # fmt: skip
        if item.answered_at:
            events.append({"at": item.answered_at, "type": "supervision_answer",
                           "title": item.issue, "detail": item.answer})  # fmt: skip
    audit_rows = AuditEvent.objects.filter(target_type="cases.case", target_id=str(case.pk))
    for row in audit_rows.order_by("id"):
        events.append({"at": row.occurred_at, "type": "audit", "title": verb_label(row.verb),
                       "detail": row.actor_username})  # fmt: skip
    return sorted(events, key=lambda e: e["at"])
