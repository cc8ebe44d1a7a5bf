"""CaseFlow: the case's path through the legal officer's gates. Read it as the process chart.

    start → 受立案审核 ─通过→ 侦办(监督事项) → 处理意见审核 ─通过→ 所长审批 ─通过→ 结案 → 评查
               └退回→ 补正┘        ↑        └──退回───────┘          │
                                   └──────────退回─────────────────────┘

Every human step is a `flow.Handle`: our services run it (web form or API alike) and record
the route it chose; the Switch after it follows that route. A later material change to an
approved state runs the current step with route "reopen:<gate>", which leads back to the gate.
"""

from __future__ import annotations

from typing import Any

from viewflow import this
from viewflow.workflow import flow, lock

from casework.workflow.models import CaseProcess

APPROVE, RETURN = "approve", "return"


def went(route: str) -> Any:
    def condition(activation: Any) -> bool:
        return bool(activation.process.coerced.route == route)

    return condition


class CaseFlow(flow.Flow):
    process_class = CaseProcess
    # PostgreSQL: SELECT … FOR UPDATE on the process row serialises two reviewers (waiting,
    # not nowait: nowait inside our own transaction aborts it instead of answering). SQLite has
    # no row locks; its IMMEDIATE transactions and the unique GateDecision.task_id do it.
    lock_impl = lock.SelectForUpdateLock(nowait=False)

    start = flow.StartHandle(this.start_case).Next(this.acceptance_review)

    acceptance_review = flow.Handle(this.set_route).Next(this.after_acceptance)
    after_acceptance = (
        flow.Switch().Case(this.investigation, went(APPROVE)).Default(this.acceptance_revision)
    )
    acceptance_revision = flow.Handle(this.set_route).Next(this.acceptance_review)

    investigation = flow.Handle(this.set_route).Next(this.after_investigation)
    after_investigation = (
        flow.Switch()
        .Case(this.acceptance_review, went("reopen:acceptance"))
        .Default(this.disposition_review)
    )

    disposition_review = flow.Handle(this.set_route).Next(this.after_disposition)
    after_disposition = (
        flow.Switch()
        .Case(this.chief_approval, went(APPROVE))
        .Case(this.acceptance_review, went("reopen:acceptance"))
        .Default(this.investigation)
    )

    chief_approval = flow.Handle(this.set_route).Next(this.after_chief)
    after_chief = (
        flow.Switch()
        .Case(this.close, went(APPROVE))
        .Case(this.acceptance_review, went("reopen:acceptance"))
        .Case(this.disposition_review, went("reopen:disposition"))
        .Default(this.investigation)
    )

    close = flow.Function(this.close_case).Next(this.evaluation)
    evaluation = flow.Handle(this.set_route).Next(this.end)
    end = flow.End()

    def start_case(self, activation: Any, case: Any) -> Any:
        activation.process.case = case  # saved by the start activation right after this
        return activation.process

    def set_route(self, activation: Any, route: str) -> None:
        process = activation.process.coerced
        process.route = route
        process.save(update_fields=["route"])

    def close_case(self, activation: Any) -> None:
        from casework.cases.models import Case
        from casework.cases.services import case_set_status

        case_set_status(case=activation.process.coerced.case, status=Case.Status.CLOSED)
