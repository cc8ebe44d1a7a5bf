"""Case events (办案节点): they start the clocks and duty prompts of the rule library."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.core.management import call_command
from django.utils import timezone

from casework.cases.models import Case, CaseEvent
from casework.core.models import Notification
from casework.deadlines.models import Deadline, Prompt
from tests.factories import api_for, client_for
from tests.workflow.test_case_flow import _approve, _propose

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def library() -> None:
    call_command("load_rules", verbosity=0)


def _event(user: AbstractBaseUser, case: Case, **body: object) -> object:
    return api_for(user).post(f"/api/v1/cases/{case.pk}/events/", body, format="json")


def test_a_served_decision_starts_the_reconsideration_window_even_after_closure(
    case: Case, officer: AbstractBaseUser, legal_officer: AbstractBaseUser, chief: AbstractBaseUser
) -> None:
    _approve(legal_officer, case, "acceptance")
    _propose(officer, case)
    _approve(legal_officer, case, "disposition")
    _approve(chief, case, "chief_approval")
    response = _event(officer, case, kind="decision_served", occurred_at="2026-11-21T10:00+08:00")
    assert response.status_code == 201, response.content  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert [d["rule"] for d in body["deadlines"]] == ["recon_window_and_remedy_notice"]
    # A planning event on the closed case is refused.
    planned = _event(
        officer, case, kind="questioning_planned", occurred_at="2026-11-21T10:00+08:00"
    )
    assert planned.status_code == 409  # type: ignore[attr-defined]


def test_proposing_a_penalty_prompts_the_hearing_rights_duty_to_the_handlers(
    case: Case, officer: AbstractBaseUser, legal_officer: AbstractBaseUser
) -> None:
    _approve(legal_officer, case, "acceptance")
    _propose(officer, case)
    prompt = Prompt.objects.get(case=case, rule__slug="adm_hearing_rights_notice")
    assert Notification.objects.filter(recipient=officer, subject__contains=prompt.title).exists()
    page = client_for(officer).get(f"/cases/{case.pk}/").content.decode()
    assert "办案提醒" in page
    assert prompt.title in page


def test_rule_text_placeholders_are_filled_from_the_case_and_the_event(
    case: Case, officer: AbstractBaseUser
) -> None:
    party = api_for(officer).post(
        f"/api/v1/cases/{case.pk}/parties/",
        {"role": "suspect", "name": "赵某", "gender": "M"},
        format="json",
    )
    _event(
        officer,
        case,
        kind="reconsideration_filed",
        occurred_at="2026-11-21T09:30+08:00",
        party=party.json()["id"],
    )
    clock = Deadline.objects.get(case=case, rule__slug="recon_respondent_reply_10d")
    assert "已收到赵某的行政复议申请书副本" in clock.text
    assert f"须在{timezone.localtime(clock.due_at):%Y-%m-%d %H:%M}前" in clock.text
    assert "{" not in clock.text


def test_bad_event_input_is_named_and_nothing_is_stored(
    case: Case, officer: AbstractBaseUser, other_station_officer: AbstractBaseUser
) -> None:
    unknown = _event(officer, case, kind="teleported", occurred_at="2026-11-21T10:00+08:00")
    assert unknown.status_code == 400  # type: ignore[attr-defined]
    assert "kind" in unknown.json()  # type: ignore[attr-defined]
    future = _event(officer, case, kind="decision_issued", occurred_at="2030-01-01T10:00+08:00")
    assert future.status_code == 400  # type: ignore[attr-defined]
    assert "occurred_at" in future.json()  # type: ignore[attr-defined]
    foreign_party = _event(
        officer, case, kind="decision_issued", occurred_at="2026-11-21T10:00+08:00", party=999999
    )
    assert "party" in foreign_party.json()  # type: ignore[attr-defined]
    other = _event(
        other_station_officer, case, kind="decision_issued", occurred_at="2026-11-21T10:00+08:00"
    )
    assert other.status_code == 404  # type: ignore[attr-defined]
    assert not CaseEvent.objects.exists()
    assert not Deadline.objects.filter(case=case).exists()


def test_an_event_is_recorded_from_the_case_page(case: Case, officer: AbstractBaseUser) -> None:
    client = client_for(officer)
    response = client.post(
        f"/cases/{case.pk}/",
        {"action": "event", "kind": "onsite_penalty", "occurred_at": "2026-11-21T10:00"},
    )
    assert response.status_code == 302
    assert Deadline.objects.filter(case=case, rule__slug="adm_onsite_penalty_filing_24h").exists()
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "当场处罚" in page
    bad = client.post(
        f"/cases/{case.pk}/", {"action": "event", "kind": "onsite_penalty", "occurred_at": "x"}
    )
    assert bad.status_code == 200
    assert "occurred_at" in bad.content.decode()
