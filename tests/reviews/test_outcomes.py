"""Reconsiderations and lawsuits: their reply clocks, their results, and the live figures."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.utils import timezone

from casework.cases.models import Case
from casework.core.errors import Conflict, RuleViolation
from casework.deadlines.models import Deadline
from casework.reviews import selectors, services
from casework.reviews.models import CorrectiveAction, Outcome, Retrospective
from casework.rules.services import rules_load
from casework.workflow import services as workflow
from tests.factories import api_for
from tests.inventory.conftest import LIBRARY

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def library(db: None) -> None:
    rules_load(data=json.loads(LIBRARY.read_text("utf-8")))


@pytest.mark.parametrize(
    ("kind", "rule", "days"),
    [
        ("reconsideration", "recon_respondent_reply_10d", 10),
        ("litigation", "litigation_answer_15d", 15),
    ],
)
def test_an_outcome_starts_its_reply_clock_and_the_retrospective(
    legal_officer: AbstractBaseUser, case: Case, library: None, kind: str, rule: str, days: int
) -> None:
    outcome = workflow.outcome_record(
        by=legal_officer, case_id=case.pk, kind=kind, filed_on=TODAY, body="东营区人民政府"
    )
    clock = Deadline.objects.get(case=case, rule__slug=rule)
    assert clock.trigger == f"event:{outcome.event_id}"
    assert clock.due_at - clock.started_at >= timedelta(days=days)  # working days run longer
    assert Retrospective.objects.get(case=case).trigger == kind


def test_the_result_is_recorded_once_and_only_by_a_legal_officer(
    officer: AbstractBaseUser, legal_officer: AbstractBaseUser, case: Case
) -> None:
    outcome = workflow.outcome_record(
        by=legal_officer, case_id=case.pk, kind="reconsideration", filed_on=TODAY
    )
    with pytest.raises(RuleViolation):
        services.outcome_decide(
            by=officer, outcome_id=outcome.pk, result="upheld", decided_on=TODAY
        )
    for bad, field in (
        ({"result": "lost"}, "result"),
        ({"decided_on": TODAY - timedelta(days=3)}, "decided_on"),
    ):
        kwargs = {"result": "upheld", "decided_on": TODAY} | bad
        with pytest.raises(ValidationError) as raised:
            services.outcome_decide(by=legal_officer, outcome_id=outcome.pk, **kwargs)
        assert field in raised.value.message_dict
    services.outcome_decide(
        by=legal_officer, outcome_id=outcome.pk, result="upheld", decided_on=TODAY
    )
    with pytest.raises(Conflict):
        services.outcome_decide(
            by=legal_officer, outcome_id=outcome.pk, result="revoked", decided_on=TODAY
        )
    assert Outcome.objects.get(pk=outcome.pk).result == "upheld"


def test_outcome_over_the_api_names_a_bad_field(
    legal_officer: AbstractBaseUser, case: Case
) -> None:
    api = api_for(legal_officer)
    bad = api.post(
        f"/api/v1/cases/{case.pk}/outcomes/",
        {"kind": "appeal", "filed_on": str(TODAY)},
        format="json",
    )
    assert bad.status_code == 400
    assert "kind" in bad.json()
    good = api.post(
        f"/api/v1/cases/{case.pk}/outcomes/",
        {"kind": "litigation", "filed_on": str(TODAY), "result": "withdrawn"},
        format="json",
    )
    assert good.status_code == 201, good.content
    assert (good.json()["kind"], good.json()["result"]) == ("litigation", "withdrawn")


def test_the_seed_stations_figures_are_computed_from_the_data(
    officer: AbstractBaseUser,
    legal_officer: AbstractBaseUser,
    chief: AbstractBaseUser,
    other_station_legal: AbstractBaseUser,
) -> None:
    """22 retrospectives, 16 corrective actions implemented, 0 reconsiderations (seed 005)."""
    due = TODAY + timedelta(days=5)
    for n in range(22):
        case = workflow.case_start(by=officer, kind="administrative", title=f"案{n}", summary="案")
        retrospective = services.retrospective_open(by=legal_officer, case_id=case.pk)
        if n >= 16:
            continue
        finding = services.finding_add(
            by=legal_officer,
            retrospective_id=retrospective.pk,
            category="other",
            description="问题",
        )
        action = services.action_add(
            by=legal_officer, retrospective_id=retrospective.pk, finding=finding.pk,
            description="整改", owner="officer_xq1", due_on=due,
        )  # fmt: skip
        services.action_complete(by=officer, action_id=action.pk, evidence="已整改")
        services.action_verify(by=legal_officer, action_id=action.pk, accepted=True)
    figures = selectors.review_figures(user=chief, year=TODAY.year)
    assert figures == {
        "retrospectives": 22,
        "actions_verified": 16,
        "reconsiderations": 0,
        "litigations": 0,
    }
    assert CorrectiveAction.objects.count() == 16
    assert (
        selectors.review_figures(user=other_station_legal, year=TODAY.year)["retrospectives"] == 0
    )
    assert selectors.review_figures(user=chief, year=date(2020, 1, 1).year)["retrospectives"] == 0
