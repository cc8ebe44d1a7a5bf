"""案后复盘: what opens a retrospective, and a corrective action from open to verified."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.utils import timezone

from casework.cases.models import Case
from casework.core.errors import Conflict, NotFoundOrForbidden, RuleViolation
from casework.core.models import AuditEvent, Notification
from casework.deadlines.models import Deadline
from casework.deadlines.services import deadline_sweep, warnings_deliver
from casework.reviews import selectors, services
from casework.reviews.models import CorrectiveAction, Retrospective
from casework.workflow import services as workflow
from casework.workflow.selectors import active_task
from tests.factories import ticks

pytestmark = pytest.mark.django_db
SOON = date.today() + timedelta(days=10)


def _decide(by: Any, case: Case, gate: str, decision: str = "approve", **extra: Any) -> None:
    task = active_task(case)
    assert task is not None
    checklist = ticks(case, gate) if decision == "approve" else {}
    workflow.review_decide(by=by, task_id=task.pk, decision=decision, checklist=checklist, **extra)


def _close(case: Case, officer: Any, legal: Any, chief: Any) -> None:
    _decide(legal, case, "acceptance")
    workflow.disposition_propose(
        by=officer, case_id=case.pk, proposal="行政拘留五日", legal_basis="治安管理处罚法"
    )
    _decide(legal, case, "disposition")
    _decide(chief, case, "chief_approval")


# ---- triggers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("facts", "trigger"),
    [({"is_major": True}, "major_case"), ({"reconsideration_risk": True}, "reconsideration_risk")],
)
def test_closing_a_major_or_risky_case_opens_its_retrospective_for_the_legal_officers(
    officer: AbstractBaseUser,
    legal_officer: AbstractBaseUser,
    chief: AbstractBaseUser,
    facts: dict[str, bool],
    trigger: str,
) -> None:
    case = workflow.case_start(by=officer, kind="administrative", title="案", summary="案", **facts)
    _decide(legal_officer, case, "acceptance")
    assert not Retrospective.objects.exists()  # not before the case closes
    workflow.disposition_propose(by=officer, case_id=case.pk, proposal="罚款", legal_basis="法")
    _decide(legal_officer, case, "disposition")
    _decide(chief, case, "chief_approval")
    retrospective = Retrospective.objects.get(case=case)
    assert (retrospective.trigger, retrospective.opened_by) == (trigger, None)
    assert Notification.objects.filter(
        recipient=legal_officer, key__startswith=f"retrospective:{retrospective.pk}:"
    ).exists()


def test_an_ordinary_closed_case_opens_none(
    officer: AbstractBaseUser, legal_officer: AbstractBaseUser, chief: AbstractBaseUser, case: Case
) -> None:
    _close(case, officer, legal_officer, chief)
    assert not Retrospective.objects.exists()


@pytest.mark.parametrize(
    ("kind", "trigger"),
    [
        ("reconsideration_filed", "reconsideration"),
        ("complaint_received", "litigation"),
        ("key_incident_flagged", "key_incident"),
        ("control_lapse", "control_lapse"),
    ],
)
def test_a_reconsideration_lawsuit_key_incident_or_lapse_opens_the_retrospective(
    officer: AbstractBaseUser, legal_officer: AbstractBaseUser, case: Case, kind: str, trigger: str
) -> None:
    workflow.event_record(by=legal_officer, case_id=case.pk, kind=kind, occurred_at=timezone.now())
    assert Retrospective.objects.get(case=case).trigger == trigger
    workflow.event_record(by=legal_officer, case_id=case.pk, kind=kind, occurred_at=timezone.now())
    assert Retrospective.objects.filter(case=case).count() == 1  # one case, one retrospective


def test_a_lapse_found_after_the_case_closed_still_opens_the_retrospective(
    officer: AbstractBaseUser, legal_officer: AbstractBaseUser, chief: AbstractBaseUser
) -> None:
    case = workflow.case_start(
        by=officer, kind="administrative", title="李某盗窃案", summary="超市盗窃"
    )
    _close(case, officer, legal_officer, chief)
    assert not Retrospective.objects.filter(case=case).exists()
    event = workflow.event_record(
        by=legal_officer, case_id=case.pk, kind="control_lapse", occurred_at=timezone.now(),
        note="取保候审期间失联,未及时发现",
    )  # fmt: skip
    retrospective = Retrospective.objects.get(case=case)
    assert retrospective.trigger == "control_lapse"
    assert event.note in {e.note for e in case.events.all()}


def test_a_gate_returned_twice_opens_the_retrospective(
    officer: AbstractBaseUser, legal_officer: AbstractBaseUser, case: Case
) -> None:
    _decide(legal_officer, case, "acceptance", "return", reason="材料不全")
    workflow.acceptance_resubmit(by=officer, case_id=case.pk)
    assert not Retrospective.objects.exists()
    _decide(legal_officer, case, "acceptance", "return", reason="仍不全")
    assert Retrospective.objects.get(case=case).trigger == "gate_returned_twice"


def test_an_overdue_clock_opens_the_retrospective_by_time_travel(
    officer: AbstractBaseUser, legal_officer: AbstractBaseUser, case: Case
) -> None:
    from casework.deadlines.models import Deadline
    from casework.rules.services import rules_load
    from tests.inventory.conftest import LIBRARY

    rules_load(data=json.loads(LIBRARY.read_text("utf-8")))
    party = workflow.party_add(by=officer, case_id=case.pk, role="suspect", name="张三", gender="M")
    workflow.measure_add(
        by=officer, case_id=case.pk, party_id=party.pk, kind="summons", started_at=timezone.now()
    )
    assert Deadline.objects.filter(case=case).exists()
    assert services.retrospectives_for_overdue_clocks(now=timezone.now()) == 0
    with time_machine.travel(timezone.now() + timedelta(hours=25), tick=False):
        assert services.retrospectives_for_overdue_clocks(now=timezone.now()) == 1
        assert services.retrospectives_for_overdue_clocks(now=timezone.now()) == 0
    assert Retrospective.objects.get(case=case).trigger == "overdue_clock"


def test_legal_officer_or_chief_open_one_by_hand_and_only_one(
    officer: AbstractBaseUser,
    legal_officer: AbstractBaseUser,
    chief: AbstractBaseUser,
    case: Case,
) -> None:
    with pytest.raises(Exception):  # noqa: B017,PT011 - an officer may not
        services.retrospective_open(by=officer, case_id=case.pk)
    opened = services.retrospective_open(by=chief, case_id=case.pk)
    assert (opened.trigger, opened.opened_by) == ("manual", chief)
    with pytest.raises(ValidationError) as raised:
        services.retrospective_open(by=legal_officer, case_id=case.pk)
    assert "case" in raised.value.message_dict
    assert Retrospective.objects.count() == 1


def test_another_station_finds_nothing(
    legal_officer: AbstractBaseUser, other_station_legal: AbstractBaseUser, case: Case
) -> None:
    opened = services.retrospective_open(by=legal_officer, case_id=case.pk)
    assert not selectors.retrospective_list(user=other_station_legal).exists()
    with pytest.raises(NotFoundOrForbidden):
        services.finding_add(
            by=other_station_legal, retrospective_id=opened.pk, category="other", description="x"
        )
    with pytest.raises(NotFoundOrForbidden):
        services.retrospective_open(by=other_station_legal, case_id=case.pk)


# ---- findings and actions -------------------------------------------------------------------


def _with_finding(legal: Any, case: Case) -> tuple[Retrospective, int]:
    retrospective = services.retrospective_open(by=legal, case_id=case.pk)
    finding = services.finding_add(
        by=legal, retrospective_id=retrospective.pk, category="bodycam_off",
        description="带离现场途中未开启执法记录仪", cause="电池未充电", officer="officer_xq1",
    )  # fmt: skip
    return retrospective, finding.pk


def test_an_action_goes_from_open_to_verified_and_the_retrospective_ends(
    officer: AbstractBaseUser,
    legal_officer: AbstractBaseUser,
    case: Case,
) -> None:
    retrospective, finding = _with_finding(legal_officer, case)
    action = services.action_add(
        by=legal_officer, retrospective_id=retrospective.pk, finding=finding,
        description="执法记录仪出警前充电检查并登记", owner="officer_xq1", due_on=SOON,
    )  # fmt: skip
    assert Notification.objects.filter(recipient=officer, key=f"action:{action.pk}:assigned")
    with pytest.raises(ValidationError) as raised:  # not done yet
        services.action_verify(by=legal_officer, action_id=action.pk, accepted=True)
    assert "status" in raised.value.message_dict
    services.action_complete(by=officer, action_id=action.pk, evidence="已建立充电登记表")
    rejected = services.action_verify(
        by=legal_officer, action_id=action.pk, accepted=False, note="请附登记表照片"
    )
    assert rejected.status == CorrectiveAction.Status.REJECTED
    services.action_complete(by=officer, action_id=action.pk, evidence="已附登记表照片")
    verified = services.action_verify(by=legal_officer, action_id=action.pk, accepted=True)
    assert (verified.status, verified.verified_by) == ("verified", legal_officer)
    retrospective.refresh_from_db()
    assert retrospective.status == Retrospective.Status.CLOSED
    verbs = set(
        AuditEvent.objects.filter(verb__startswith="reviews.").values_list("verb", flat=True)
    )
    assert verbs >= {
        "reviews.opened", "reviews.finding_added", "reviews.action_added",
        "reviews.action_completed", "reviews.action_verified", "reviews.closed",
    }  # fmt: skip


def test_only_a_legal_officer_verifies_and_never_the_owner(
    officer: AbstractBaseUser,
    legal_officer: AbstractBaseUser,
    second_legal: AbstractBaseUser,
    chief: AbstractBaseUser,
    case: Case,
) -> None:
    retrospective, finding = _with_finding(legal_officer, case)
    own = services.action_add(
        by=legal_officer, retrospective_id=retrospective.pk, finding=finding,
        description="法制员自查审核流程", owner="legal_xq", due_on=SOON,
    )  # fmt: skip
    services.action_complete(by=legal_officer, action_id=own.pk, evidence="已自查")
    with pytest.raises(RuleViolation):
        services.action_verify(by=legal_officer, action_id=own.pk, accepted=True)
    with pytest.raises(RuleViolation):
        services.action_verify(by=chief, action_id=own.pk, accepted=True)
    with pytest.raises(RuleViolation):
        services.action_complete(by=officer, action_id=own.pk, evidence="代报")
    assert CorrectiveAction.objects.get(pk=own.pk).status == CorrectiveAction.Status.DONE
    services.action_verify(by=second_legal, action_id=own.pk, accepted=True)
    assert CorrectiveAction.objects.get(pk=own.pk).status == CorrectiveAction.Status.VERIFIED


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"owner": ""}, "owner"),
        ({"owner": "officer_pl1"}, "owner"),
        ({"due_on": None}, "due_on"),
        ({"due_on": date(2020, 1, 1)}, "due_on"),
        ({"finding": None}, "finding"),
        ({"description": " "}, "description"),
    ],
)
def test_an_action_needs_an_owner_a_due_date_and_a_finding(
    legal_officer: AbstractBaseUser,
    other_station_officer: AbstractBaseUser,
    case: Case,
    change: dict[str, Any],
    field: str,
) -> None:
    retrospective, finding = _with_finding(legal_officer, case)
    fields = {"finding": finding, "description": "整改", "owner": "officer_xq1", "due_on": SOON}
    with pytest.raises(ValidationError) as raised:
        services.action_add(
            by=legal_officer, retrospective_id=retrospective.pk, **(fields | change)
        )
    assert field in raised.value.message_dict
    assert not CorrectiveAction.objects.exists()


def test_a_finding_needs_a_known_category_and_a_description(
    legal_officer: AbstractBaseUser, case: Case
) -> None:
    opened = services.retrospective_open(by=legal_officer, case_id=case.pk)
    for bad, field in (({"category": "weather"}, "category"), ({"description": ""}, "description")):
        kwargs = {"category": "other", "description": "问题"} | bad
        with pytest.raises(ValidationError) as raised:
            services.finding_add(by=legal_officer, retrospective_id=opened.pk, **kwargs)
        assert field in raised.value.message_dict
    assert not opened.findings.exists()


def test_a_completed_action_cannot_be_completed_again(
    officer: AbstractBaseUser, legal_officer: AbstractBaseUser, case: Case
) -> None:
    retrospective, finding = _with_finding(legal_officer, case)
    action = services.action_add(
        by=legal_officer, retrospective_id=retrospective.pk, finding=finding,
        description="整改", owner="officer_xq1", due_on=SOON,
    )  # fmt: skip
    services.action_complete(by=officer, action_id=action.pk, evidence="已整改")
    with pytest.raises(Conflict):
        services.action_complete(by=officer, action_id=action.pk, evidence="改写")
    assert CorrectiveAction.objects.get(pk=action.pk).evidence == "已整改"


def _sweep(now: Any) -> None:
    """What the beat does every minute: the deadline machinery's sweep, then delivery."""
    deadline_sweep(now=now)
    warnings_deliver(now=now)


def test_an_overdue_action_climbs_the_deadline_ladder_to_the_chief(
    officer: AbstractBaseUser,
    legal_officer: AbstractBaseUser,
    chief: AbstractBaseUser,
    case: Case,
) -> None:
    retrospective, finding = _with_finding(legal_officer, case)
    action = services.action_add(
        by=legal_officer, retrospective_id=retrospective.pk, finding=finding,
        description="整改", owner="officer_xq1", due_on=SOON,
    )  # fmt: skip
    clock = Deadline.objects.get(case=case, trigger=f"action:{action.pk}")
    assert (clock.rule_id, clock.owner_id, clock.status) == (None, officer.pk, "open")
    assert timezone.localtime(clock.due_at).date() == SOON + timedelta(days=1)

    def told(user: Any) -> list[str]:
        return sorted(
            Notification.objects.filter(
                recipient=user, key__startswith="deadline-warning:"
            ).values_list("subject", flat=True)
        )

    _sweep(timezone.now())
    assert (told(officer), told(legal_officer), told(chief)) == ([], [], [])
    day_before = timezone.make_aware(datetime.combine(SOON, time(12)))
    with time_machine.travel(day_before, tick=False):
        _sweep(timezone.now())
    assert (len(told(officer)), told(legal_officer), told(chief)) == (1, [], [])
    with time_machine.travel(day_before + timedelta(days=2), tick=False):
        _sweep(timezone.now())
        _sweep(timezone.now())  # a second beat: nothing new
    assert (len(told(officer)), len(told(legal_officer)), told(chief)) == (2, 1, [])
    with time_machine.travel(day_before + timedelta(days=4), tick=False):
        _sweep(timezone.now())
    assert (len(told(officer)), len(told(legal_officer)), len(told(chief))) == (2, 1, 1)
    assert all("整改措施" in s for s in told(chief))
    warned = Notification.objects.get(recipient=chief, key__startswith="deadline-warning:")
    assert warned.link == f"/reviews/{retrospective.pk}/"
    # Reporting it done stops the clock: no further warnings, however late.
    services.action_complete(by=officer, action_id=action.pk, evidence="已整改")
    clock.refresh_from_db()
    assert clock.status == "met"
    with time_machine.travel(day_before + timedelta(days=20), tick=False):
        _sweep(timezone.now())
    assert (len(told(officer)), len(told(legal_officer)), len(told(chief))) == (2, 1, 1)


def test_a_rejected_action_runs_its_due_date_again_on_a_new_clock(
    officer: AbstractBaseUser, legal_officer: AbstractBaseUser, case: Case
) -> None:
    retrospective, finding = _with_finding(legal_officer, case)
    action = services.action_add(
        by=legal_officer, retrospective_id=retrospective.pk, finding=finding,
        description="整改", owner="officer_xq1", due_on=SOON,
    )  # fmt: skip
    services.action_complete(by=officer, action_id=action.pk, evidence="已整改")
    services.action_verify(by=legal_officer, action_id=action.pk, accepted=False, note="不完整")
    clocks = Deadline.objects.filter(case=case, trigger__startswith=f"action:{action.pk}")
    assert sorted(clocks.values_list("trigger", "status")) == [
        (f"action:{action.pk}", "met"),
        (f"action:{action.pk}:1", "open"),
    ]
    services.action_complete(by=officer, action_id=action.pk, evidence="已补充")
    assert set(clocks.values_list("status", flat=True)) == {"met"}
