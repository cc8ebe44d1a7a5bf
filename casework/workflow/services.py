"""The orchestrator's services: they call the apps below (cases) and move the CaseFlow.

Every human step of the flow is completed here, whether the click came from the web UI or
the API, so the rules (who may decide, the checklist, separation of duties, the race between
two reviewers) hold the same everywhere.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.fsm import TransitionNotAllowed
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from casework.cases import services as cases
from casework.cases.models import Case, CaseEvent, Gate, GateDecision, Measure, Party
from casework.cases.selectors import access_case, handler_ids
from casework.core import audit
from casework.core.errors import Conflict, NotFoundOrForbidden, RuleViolation
from casework.deadlines.services import clocks_for_event, clocks_for_measure, clocks_start
from casework.inventory.selectors import case_has_open_inventory
from casework.reviews.models import Outcome
from casework.reviews.services import outcome_add, retrospective_trigger
from casework.workflow.flows import APPROVE, CaseFlow
from casework.workflow.selectors import GATE_OF_NODE, STATUS_OF_NODE, active_task

EVENT_RETROSPECTIVES: dict[str, str] = {
    CaseEvent.Kind.RECONSIDERATION_FILED: "reconsideration",
    CaseEvent.Kind.COMPLAINT_RECEIVED: "litigation",
    CaseEvent.Kind.KEY_INCIDENT_FLAGGED: "key_incident",
    CaseEvent.Kind.CONTROL_LAPSE: "control_lapse",
}

# Who decides which gate: the model permission, checked together with the case's station.
GATE_PERMISSION = {
    Gate.ACCEPTANCE: "cases.review_case",
    Gate.DISPOSITION: "cases.review_case",
    Gate.CHIEF_APPROVAL: "cases.approve_case",
    Gate.EVALUATION: "cases.review_case",
}


def _run(task: Task, route: str, case: Case) -> None:
    """Complete a human step with a route, then mirror the new position on the case."""
    node = task.flow_task
    try:
        node.run(task, route=route)
    except TransitionNotAllowed:
        raise Conflict(_("该任务已由他人处理,请刷新后查看最新结果")) from None
    case.refresh_from_db()
    following = active_task(case)
    status = (
        STATUS_OF_NODE.get(following.flow_task.name, case.status)
        if following
        else Case.Status.EVALUATED
    )
    cases.case_set_status(case=case, status=status)


@transaction.atomic
def case_start(*, by: Any, **fields: Any) -> Case:
    """Open a case (cases.case_open) and start its CaseFlow at the acceptance review."""
    case = cases.case_open(by=by, **fields)
    CaseFlow.start.run(case=case)
    audit.record(actor=by, verb="workflow.started", target=case)
    return case


def _review_task(by: Any, task_id: int) -> tuple[Task, Case, str]:
    task = Task.objects.select_related("process").filter(pk=task_id).first()
    gate = GATE_OF_NODE.get(task.flow_task.name) if task is not None and task.flow_task else None
    if task is None or gate is None:
        raise NotFoundOrForbidden(target_type="viewflow.task", target_id=task_id)
    case = access_case(by, task.process.coerced.case_id, for_update=True)
    if not by.has_perm(GATE_PERMISSION[gate]):
        raise NotFoundOrForbidden(target_type="viewflow.task", target_id=task_id, denied=True)
    return task, case, gate


@transaction.atomic
def review_claim(*, by: Any, task_id: int) -> Task:
    """Take a pooled review task; the conditional update lets exactly one reviewer win."""
    task, case, _gate = _review_task(by, task_id)
    if by.pk in handler_ids(case):
        raise RuleViolation(_("不能审核本人办理的案件"))
    claimed = Task.objects.filter(pk=task.pk, status=STATUS.NEW, owner__isnull=True).update(
        owner=by, assigned=timezone.now()
    )
    if not claimed:
        task.refresh_from_db()
        if task.owner_id != by.pk:
            raise Conflict(_("该任务已被他人认领或处理"))
    audit.record(actor=by, verb="cases.review_claimed", target=case, payload={"task": task.pk})
    return task


@transaction.atomic
def review_decide(
    *,
    by: Any,
    task_id: int,
    decision: str,
    reason: str = "",
    checklist: dict[str, Any] | None = None,
) -> GateDecision:
    """Decide a gate: approve, or return for revision with a reason.

    1. the task must be a pending gate of a case the reviewer may decide (station, role);
    2. nobody decides a gate on a case they handle; a task claimed by another is theirs;
       the case is not closed while a property inventory is open;
    3. the decision, with the SHA-256 of the state decided on, and the flow move commit
       together; a second reviewer racing on the same task gets a conflict, nothing stored.
    """
    task, case, gate = _review_task(by, task_id)
    if task.status != STATUS.NEW:
        raise Conflict(_("该任务已由他人处理,请刷新后查看最新结果"))
    if task.owner_id not in (None, by.pk):
        raise Conflict(_("该任务已被 %(u)s 认领") % {"u": task.owner})
    if gate == Gate.CHIEF_APPROVAL and decision == APPROVE and case_has_open_inventory(case.pk):
        # 全流程闭环: the chief's approval closes the case; every item must have its end state.
        raise Conflict(_("本案尚有未闭环的随身物品处置表,所有物品处置完毕后才能结案"))
    try:
        with transaction.atomic():
            record = cases.decision_record(
                by=by,
                case=case,
                gate=gate,
                task_id=task.pk,
                decision=decision,
                reason=reason,
                checklist=checklist or {},
            )
    except IntegrityError:
        raise Conflict(_("该任务已由他人处理,请刷新后查看最新结果")) from None
    _run(task, decision, case)
    _retrospective_after(case, gate, decision)
    if gate == Gate.ACCEPTANCE and decision == APPROVE:
        # 受案/立案: the case clock starts (2012 治安法 counts from 受理, 2025 from 立案).
        for event in ("case_accepted", "case_filed"):
            clocks_start(case=case, event=event, started_at=record.decided_at, trigger=event)
    return record


def _retrospective_after(case: Case, gate: str, decision: str) -> None:
    """一案一复盘: a major or reconsideration-prone case is reviewed once it closes; a gate
    returned twice shows something went wrong and is reviewed too."""
    if gate == Gate.CHIEF_APPROVAL and decision == APPROVE:
        if case.is_major:
            retrospective_trigger(case=case, trigger="major_case")
        elif case.reconsideration_risk:
            retrospective_trigger(case=case, trigger="reconsideration_risk")
    returns = GateDecision.objects.filter(
        case=case, gate=gate, decision=GateDecision.Decision.RETURN
    )
    if decision != APPROVE and returns.count() >= 2:
        retrospective_trigger(case=case, trigger="gate_returned_twice")


@transaction.atomic
def acceptance_resubmit(*, by: Any, case_id: int, note: str = "") -> Case:
    """The handler, having corrected what the review returned, sends it back for review."""
    case = access_case(by, case_id, for_update=True)
    cases.require_handler(by, case)
    task = active_task(case)
    if task is None or task.flow_task.name != "acceptance_revision":
        raise Conflict(_("案件当前不处于受立案补正环节"))
    _run(task, "resubmit", case)
    audit.record(actor=by, verb="workflow.resubmitted", target=case, payload={"note": note[:500]})
    return case


@transaction.atomic
def disposition_propose(*, by: Any, case_id: int, proposal: str, legal_basis: str) -> Case:
    """The handler's 处理意见 ends the investigation and starts the disposition review."""
    case = access_case(by, case_id, for_update=True)
    task = active_task(case)
    if task is None or task.flow_task.name != "investigation":
        raise Conflict(_("案件当前不处于侦办环节,不能提出处理意见"))
    cases.disposition_set(by=by, case=case, proposal=proposal, legal_basis=legal_basis)
    _run(task, "propose", case)
    # 拟作出处罚决定: the duties before a penalty (告知听证权利, 法制审核) reach the handlers now.
    clocks_start(
        case=case,
        event="penalty_drafted",
        started_at=timezone.now(),
        trigger=f"penalty_drafted:v{case.version}",
    )
    return case


# ---- material changes: reopen the gates whose approval they made stale ------------------------

_REOPEN_ORDER = [Gate.ACCEPTANCE, Gate.DISPOSITION]


def _reconcile(case: Case) -> None:
    """After a material change: mark stale approvals; if the case already moved past the
    earliest stale gate, lead the flow back to it (the pending step runs with "reopen")."""
    stale = set(cases.decisions_mark_stale(case=case))
    gate = next((g for g in _REOPEN_ORDER if g in stale), None)
    if gate is None and Gate.CHIEF_APPROVAL in stale:
        gate = Gate.DISPOSITION  # the chief approved a proposal that has since changed
    task = active_task(case)
    if (
        gate is None
        or task is None
        or task.flow_task.name in {"acceptance_review", "acceptance_revision"}
    ):
        return
    if gate == Gate.DISPOSITION and task.flow_task.name in {"investigation", "disposition_review"}:
        return  # the disposition will be (re)decided on the way anyway
    _run(task, f"reopen:{gate}", case)
    audit.record(actor=None, verb="workflow.gate_reopened", target=case, payload={"gate": gate})


@transaction.atomic
def case_edit(*, by: Any, case_id: int, **changes: Any) -> Case:
    case = cases.case_update(by=by, case_id=case_id, **changes)
    _reconcile(case)
    return case


@transaction.atomic
def party_add(*, by: Any, case_id: int, **fields: Any) -> Party:
    party = cases.party_add(by=by, case_id=case_id, **fields)
    _reconcile(party.case)
    return party


@transaction.atomic
def event_record(*, by: Any, case_id: int, **fields: Any) -> CaseEvent:
    """Record a procedural step (送达, 复议申请, 拟询问…); its clocks and duties start with it."""
    event = cases.case_event_add(by=by, case_id=case_id, **fields)
    clocks_for_event(event=event)
    outcome = EVENT_RETROSPECTIVES.get(event.kind)
    if outcome:  # a reconsideration, a lawsuit, a key incident, a lapse: 案后复盘
        retrospective_trigger(case=event.case, trigger=outcome)
    return event


@transaction.atomic
def measure_add(*, by: Any, case_id: int, **fields: Any) -> Measure:
    """Record a measure; its statutory clocks start from the rule library in the same commit."""
    measure = cases.measure_add(by=by, case_id=case_id, **fields)
    clocks_for_measure(measure=measure)
    _reconcile(measure.case)
    return measure


OUTCOME_EVENTS: dict[str, str] = {
    Outcome.Kind.RECONSIDERATION: CaseEvent.Kind.RECONSIDERATION_FILED,
    Outcome.Kind.LITIGATION: CaseEvent.Kind.COMPLAINT_RECEIVED,
}


@transaction.atomic
def outcome_record(
    *, by: Any, case_id: int, kind: str, filed_on: Any, body: str = "", received_at: Any = None
) -> Outcome:
    """A reconsideration or lawsuit against the case: recorded as its case event (the reply
    clock, 10 working days / 15 days, and the retrospective start from it) and as an outcome
    whose result is entered when the body decides."""
    if kind not in OUTCOME_EVENTS:
        raise ValidationError({"kind": _("请选择复议或诉讼")})
    event = event_record(
        by=by, case_id=case_id, kind=OUTCOME_EVENTS[kind],
        occurred_at=received_at or timezone.now(), note=body,
    )  # fmt: skip
    return outcome_add(by=by, event=event, kind=kind, filed_on=filed_on, body=body)
