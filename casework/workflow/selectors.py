"""Reads over the CaseFlow: the review queue (our own selector, not viewflow's user_queue),
the active step of a case, its gates and its timeline (一案一回溯)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from casework.cases.models import Case, Gate, GateDecision
from casework.cases.selectors import case_history
from casework.org.scoping import is_bureau_wide, user_station_id
from casework.workflow.flows import CaseFlow

GATE_OF_NODE = {
    "acceptance_review": Gate.ACCEPTANCE,
    "disposition_review": Gate.DISPOSITION,
    "chief_approval": Gate.CHIEF_APPROVAL,
    "evaluation": Gate.EVALUATION,
}
STATUS_OF_NODE = {
    "acceptance_review": Case.Status.ACCEPTANCE_REVIEW,
    "acceptance_revision": Case.Status.ACCEPTANCE_REVISION,
    "investigation": Case.Status.INVESTIGATING,
    "disposition_review": Case.Status.DISPOSITION_REVIEW,
    "chief_approval": Case.Status.CHIEF_APPROVAL,
    "evaluation": Case.Status.CLOSED,
}
STEP_LABELS = {
    "start": gettext_lazy("立案登记"),
    "acceptance_review": gettext_lazy("受立案审核"),
    "acceptance_revision": gettext_lazy("受立案补正"),
    "investigation": gettext_lazy("侦办"),
    "disposition_review": gettext_lazy("处理意见审核"),
    "chief_approval": gettext_lazy("所长审批"),
    "close": gettext_lazy("结案"),
    "evaluation": gettext_lazy("案件评查"),
    "end": gettext_lazy("流程结束"),
}
_LEGAL_GATES = [CaseFlow.acceptance_review, CaseFlow.disposition_review, CaseFlow.evaluation]


def active_task(case: Case) -> Task | None:
    """The case's pending step (a CaseFlow has one at a time)."""
    return (
        Task.objects.filter(process__caseprocess__case=case, status=STATUS.NEW)
        .exclude(flow_task_type__in=["SWITCH", "END", "START"])
        .order_by("-pk")
        .first()
    )


def review_queue(*, user: Any) -> QuerySet[Task]:
    """Review tasks `user` may decide: by role and station, never on cases they handle.

    Routing is role + station (ENGINEERING.md: viewflow's user_queue() ignores guardian's
    direct-FK tables). Legal officers decide acceptance, disposition and evaluation; the
    chief approves. Constant queries, whatever the number of cases.
    """
    nodes = []
    if user.has_perm("cases.review_case"):
        nodes += _LEGAL_GATES
    if user.has_perm("cases.approve_case"):
        nodes.append(CaseFlow.chief_approval)
    if not nodes:
        return Task.objects.none()
    tasks = Task.objects.filter(status=STATUS.NEW, flow_task__in=nodes)
    if not is_bureau_wide(user):
        tasks = tasks.filter(process__caseprocess__case__station_id=user_station_id(user))
    return (
        tasks.exclude(process__caseprocess__case__handlers__user=user)
        .select_related("process__caseprocess__case__station", "owner")
        .order_by("created", "pk")
    )


def gates_of(case: Case) -> list[dict[str, Any]]:
    """Each gate's latest state for the case detail and the API."""
    decisions = {
        d.gate: d for d in GateDecision.objects.filter(case=case).select_related("decided_by")
    }
    pending = active_task(case)
    pending_gate = GATE_OF_NODE.get(pending.flow_task.name) if pending else None
    rows = []
    for gate in (Gate.ACCEPTANCE, Gate.DISPOSITION, Gate.CHIEF_APPROVAL, Gate.EVALUATION):
        decision = decisions.get(gate)
        if gate == pending_gate:
            state = "pending"
        elif decision is None:
            state = "not_reached"
        elif decision.stale_at:
            state = "stale"
        else:
            state = "approved" if decision.decision == GateDecision.Decision.APPROVE else "returned"
        rows.append(
            {
                "gate": gate,
                "label": Gate(gate).label,
                "status": state,
                "decided_by": decision.decided_by.username if decision else None,
                "decided_at": decision.decided_at if decision else None,
                "reason": decision.reason if decision else "",
                "score": decision.score if decision else None,
                "sha256": decision.snapshot_sha256 if decision else "",
                "task": pending.pk if gate == pending_gate and pending else None,
            }
        )
    return rows


def timeline_of(case: Case) -> list[dict[str, Any]]:
    """一案一回溯: the case's history (cases.case_history) with the workflow steps woven in."""
    steps = []
    tasks = Task.objects.filter(process__caseprocess__case=case).exclude(
        flow_task_type__in=["SWITCH"]
    )
    for task in tasks.select_related("owner"):
        label = str(STEP_LABELS.get(task.flow_task.name, task.flow_task.name))
        detail = _("进行中") if task.status == STATUS.NEW else ""
        steps.append({"at": task.created, "type": "step", "title": label, "detail": detail})
    return sorted([*steps, *case_history(case)], key=lambda e: e["at"])


def workbench_counts(*, user: Any) -> dict[str, int]:
    """The legal officer's five roles, each with what is waiting for them."""
    from casework.cases.models import IncidentFlag, SupervisionItem
    from casework.cases.selectors import case_list, incident_list

    queue = review_queue(user=user)
    return {
        Gate.DISPATCH: incident_list(user=user, open_only=True).count(),
        Gate.ACCEPTANCE: queue.filter(flow_task=CaseFlow.acceptance_review).count(),
        Gate.SUPERVISION: SupervisionItem.objects.filter(
            case__in=case_list(user=user), answered_at__isnull=True
        ).count(),
        Gate.DISPOSITION: queue.filter(flow_task=CaseFlow.disposition_review).count(),
        Gate.EVALUATION: queue.filter(flow_task=CaseFlow.evaluation).count(),
        "open_flags": IncidentFlag.objects.filter(
            incident__in=incident_list(user=user), answered_at__isnull=True
        ).count(),
    }
