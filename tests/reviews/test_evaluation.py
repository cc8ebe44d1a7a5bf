"""案件评查: the legal officer scores closed cases; scores roll up per officer and station."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from casework.cases.models import Case, ChecklistItem
from casework.org.models import Station
from casework.reviews.selectors import evaluation_figures
from casework.workflow import services as workflow
from casework.workflow.selectors import active_task
from tests.factories import make_officer, ticks

pytestmark = pytest.mark.django_db


def _evaluated(officer: Any, legal: Any, chief: Any, missing_points: int = 0) -> Case:
    case = workflow.case_start(by=officer, kind="administrative", title="案", summary="案")
    for gate, by in (("acceptance", legal), ("disposition", legal), ("chief_approval", chief)):
        if gate == "disposition":
            workflow.disposition_propose(
                by=officer, case_id=case.pk, proposal="罚款", legal_basis="法"
            )
        task = active_task(case)
        assert task is not None
        workflow.review_decide(
            by=by, task_id=task.pk, decision="approve", checklist=ticks(case, gate)
        )
    sheet = ticks(case, "evaluation")
    first = next(iter(sheet))
    sheet[first] -= missing_points
    task = active_task(case)
    assert task is not None
    workflow.review_decide(by=legal, task_id=task.pk, decision="approve", checklist=sheet)
    return case


def test_scores_roll_up_to_each_officer_and_the_station(
    officer: AbstractBaseUser,
    legal_officer: AbstractBaseUser,
    chief: AbstractBaseUser,
    other_station_legal: AbstractBaseUser,
    xq: Station,
) -> None:
    full = sum(
        ChecklistItem.objects.filter(
            kind="administrative", gate="evaluation", is_active=True
        ).values_list("points", flat=True)
    )
    assert full == 100  # the shipped score sheet for administrative cases
    colleague = make_officer("officer_xq2", station=xq, roles=["officer"]).user
    _evaluated(officer, legal_officer, chief)
    _evaluated(officer, legal_officer, chief, missing_points=10)
    _evaluated(colleague, legal_officer, chief, missing_points=4)
    figures = evaluation_figures(user=chief, year=timezone.localdate().year)
    assert figures["cases"] == 3
    assert figures["average"] == round((100 + 90 + 96) / 3, 1)
    assert [(o["username"], o["cases"], o["average"]) for o in figures["officers"]] == [
        ("officer_xq1", 2, 95.0),
        ("officer_xq2", 1, 96.0),
    ]
    assert (
        evaluation_figures(user=other_station_legal, year=timezone.localdate().year)["cases"] == 0
    )
