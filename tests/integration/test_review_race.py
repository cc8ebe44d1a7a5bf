"""Two legal officers decide the same review task at the same moment, on PostgreSQL."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from casework.cases.models import Case, GateDecision
from casework.core.errors import Conflict
from casework.workflow import services
from casework.workflow.selectors import review_queue
from tests.factories import make_officer, ticks

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("attempt", range(5))
def test_exactly_one_of_two_simultaneous_decisions_wins(
    attempt: int, xq: Any, officer: Any
) -> None:
    assert connection.vendor == "postgresql"
    first = make_officer(f"legal_a{attempt}", station=xq, roles=["legal_officer"]).user
    second = make_officer(f"legal_b{attempt}", station=xq, roles=["legal_officer"]).user
    case = services.case_start(by=officer, kind="administrative", title="竞争审核", summary="…")
    task = review_queue(user=first).get()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def decide(user: Any, decision: str) -> None:
        barrier.wait()
        try:
            services.review_decide(
                by=user, task_id=task.pk, decision=decision, reason="理由",
                checklist=ticks(case, "acceptance"),
            )  # fmt: skip
            outcomes.append("won")
        except Conflict as exc:
            outcomes.append(f"conflict: {exc}")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=(first, "approve")),
        threading.Thread(target=decide, args=(second, "return")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(o[:8] for o in outcomes) == ["conflict", "won"], outcomes
    assert GateDecision.objects.filter(case=case).count() == 1
    decision = GateDecision.objects.get(case=case)
    expected = "investigating" if decision.decision == "approve" else "acceptance_revision"
    assert Case.objects.get(pk=case.pk).status == expected
