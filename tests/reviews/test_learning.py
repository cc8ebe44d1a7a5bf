"""学以致用: a finding category that recurs becomes a pre-trip reminder the next trip carries."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client
from django.utils import timezone

from casework.core.errors import Conflict, NotFoundOrForbidden
from casework.core.models import Notification
from casework.reviews import services
from casework.reviews.models import RuleProposal
from casework.trips.models import Reminder
from casework.trips.services import trip_register
from casework.workflow import services as workflow

pytestmark = pytest.mark.django_db
FAR = {"province": "广东省", "city": "深圳市", "county": "南山区"}


def _finding(officer: AbstractBaseUser, legal: AbstractBaseUser, n: int, category: str) -> None:
    case = workflow.case_start(by=officer, kind="administrative", title=f"案{n}", summary="案")
    retrospective = services.retrospective_open(by=legal, case_id=case.pk)
    services.finding_add(
        by=legal, retrospective_id=retrospective.pk, category=category,
        description=f"第{n}案押解途中未开启执法记录仪",
    )  # fmt: skip


def test_a_third_finding_in_90_days_proposes_a_rule_and_accepting_it_briefs_the_next_trip(
    officer: AbstractBaseUser, legal_officer: AbstractBaseUser
) -> None:
    _finding(officer, legal_officer, 1, "bodycam_off")
    _finding(officer, legal_officer, 2, "bodycam_off")
    _finding(officer, legal_officer, 3, "document_defect")
    assert not RuleProposal.objects.exists()
    _finding(officer, legal_officer, 4, "bodycam_off")
    proposal = RuleProposal.objects.get()
    assert (proposal.findings_count, proposal.category.code) == (3, "bodycam_off")
    assert "未全程开启执法记录仪" in proposal.title
    assert "第4案押解途中" in proposal.text
    assert Notification.objects.filter(recipient=legal_officer, key__startswith="rule-proposal:")
    _finding(officer, legal_officer, 5, "bodycam_off")
    assert RuleProposal.objects.count() == 1  # one open proposal per category

    accepted = services.proposal_decide(
        by=legal_officer,
        proposal_id=proposal.pk,
        accept=True,
        text="出发前检查执法记录仪电量,全程开启",
    )
    assert accepted.status == RuleProposal.Status.ACCEPTED
    assert accepted.rule is not None
    departs = timezone.now() + timedelta(days=1)
    trip = trip_register(
        by=officer, officers=["officer_xq1"], destination=FAR, departs_at=departs,
        returns_at=departs + timedelta(days=1), purposes=["arrest"],
    )  # fmt: skip
    reminder = Reminder.objects.get(trip=trip, rule=accepted.rule)
    assert reminder.text == "出发前检查执法记录仪电量,全程开启"
    with pytest.raises(Conflict):
        services.proposal_decide(by=legal_officer, proposal_id=proposal.pk, accept=False)


def test_findings_older_than_the_window_do_not_count(
    officer: AbstractBaseUser, legal_officer: AbstractBaseUser
) -> None:
    with time_machine.travel(timezone.now() - timedelta(days=120), tick=False):
        _finding(officer, legal_officer, 1, "bodycam_off")
        _finding(officer, legal_officer, 2, "bodycam_off")
    _finding(officer, legal_officer, 3, "bodycam_off")
    assert not RuleProposal.objects.exists()


def test_only_the_stations_legal_officer_decides_a_proposal(
    officer: AbstractBaseUser,
    legal_officer: AbstractBaseUser,
    other_station_legal: AbstractBaseUser,
    settings: object,
) -> None:
    settings.REVIEWS_RECURRENCE_COUNT = 1  # type: ignore[attr-defined]
    _finding(officer, legal_officer, 1, "family_not_notified")
    proposal = RuleProposal.objects.get()
    for outsider in (officer, other_station_legal):
        with pytest.raises(NotFoundOrForbidden):
            services.proposal_decide(by=outsider, proposal_id=proposal.pk, accept=True)
    dismissed = services.proposal_decide(by=legal_officer, proposal_id=proposal.pk, accept=False)
    assert (dismissed.status, dismissed.rule) == (RuleProposal.Status.DISMISSED, None)


def test_the_legal_officer_accepts_an_edited_proposal_on_the_proposals_page(
    officer: AbstractBaseUser,
    legal_officer: AbstractBaseUser,
    other_station_legal: AbstractBaseUser,
    settings: object,
) -> None:
    settings.REVIEWS_RECURRENCE_COUNT = 1  # type: ignore[attr-defined]
    _finding(officer, legal_officer, 1, "bodycam_off")
    proposal = RuleProposal.objects.get()
    web = Client()
    web.force_login(officer)
    assert web.get("/reviews/proposals/").status_code == 403
    web.force_login(other_station_legal)
    assert (
        f'data-testid="proposal-{proposal.pk}"'
        not in web.get("/reviews/proposals/").content.decode()
    )
    prefix = f"proposal-{proposal.pk}"
    assert (
        web.post(
            "/reviews/proposals/", {"target": proposal.pk, f"{prefix}-decision": "accept"}
        ).status_code
        == 404
    )

    web.force_login(legal_officer)
    page = web.get("/reviews/proposals/").content.decode()
    assert f'data-testid="proposal-form-{proposal.pk}"' in page
    assert proposal.text in page  # offered pre-filled
    blank = web.post("/reviews/proposals/", {"target": proposal.pk})
    assert "请选择是否采纳" in blank.content.decode()
    assert RuleProposal.objects.get().status == RuleProposal.Status.PROPOSED
    done = web.post(
        "/reviews/proposals/",
        {"target": proposal.pk, f"{prefix}-decision": "accept",
         f"{prefix}-title": "押解前检查执法记录仪", f"{prefix}-text": "押解全程开启执法记录仪"},
        follow=True,
    )  # fmt: skip
    assert "已加入规则库" in done.content.decode()
    accepted = RuleProposal.objects.get()
    assert accepted.rule is not None
    assert (accepted.rule.title, accepted.rule.text) == (
        "押解前检查执法记录仪",
        "押解全程开启执法记录仪",
    )
    assert f'data-testid="proposal-rule-{proposal.pk}"' in done.content.decode()
    assert Notification.objects.filter(
        recipient=legal_officer, key__startswith="rule-proposal:", link="/reviews/proposals/"
    ).exists()
