"""The working-day calendar page: everyone who reads cases sees it, legal officers enter it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import AbstractBaseUser

from casework.core.models import AuditEvent
from casework.deadlines.models import Holiday
from casework.deadlines.services import holiday_set
from tests.factories import client_for

pytestmark = pytest.mark.django_db


def _field_block(page: str, name: str) -> str:
    return next(b for b in page.split('<div class="cw-field') if f'name="{name}"' in b)


def test_legal_officer_adds_a_holiday(legal_officer: AbstractBaseUser) -> None:
    client = client_for(legal_officer)
    response = client.post("/calendar/", {"day": "2027-10-01", "name": "国庆节", "is_workday": "0"})
    assert response.status_code == 302
    assert response["Location"].endswith("?year=2027")
    holiday = Holiday.objects.get()
    assert (holiday.day, holiday.name, holiday.is_workday) == (date(2027, 10, 1), "国庆节", False)
    assert AuditEvent.objects.filter(verb="deadlines.holiday_set", actor=legal_officer).exists()
    page = client.get("/calendar/?year=2027").content.decode()
    assert "国庆节" in page
    assert "2027-10-01" in page


def test_an_adjusted_working_day_is_entered_and_changed_in_place(
    legal_officer: AbstractBaseUser,
) -> None:
    client = client_for(legal_officer)
    client.post("/calendar/", {"day": "2026-10-10", "name": "国庆调休", "is_workday": "1"})
    client.post("/calendar/", {"day": "2026-10-10", "name": "国庆节调休", "is_workday": "1"})
    holiday = Holiday.objects.get()
    assert (holiday.name, holiday.is_workday) == ("国庆节调休", True)
    form = client.get("/calendar/?year=2026&day=2026-10-10").content.decode()
    assert 'value="国庆节调休"' in _field_block(form, "name")  # "修改" starts from the row


@pytest.mark.parametrize("day", ["2026-02-30", "30.02.2026", ""])
def test_a_malformed_date_is_named_and_nothing_is_stored(
    legal_officer: AbstractBaseUser, day: str
) -> None:
    response = client_for(legal_officer).post(
        "/calendar/", {"day": day, "name": "春节", "is_workday": "0"}
    )
    assert response.status_code == 200
    block = _field_block(response.content.decode(), "day")
    assert block.startswith(" cw-field--error")
    assert 'class="cw-bad"' in block
    assert not Holiday.objects.exists()
    assert not AuditEvent.objects.filter(verb="deadlines.holiday_set").exists()


def test_a_blank_name_is_named(legal_officer: AbstractBaseUser) -> None:
    response = client_for(legal_officer).post(
        "/calendar/", {"day": "2026-10-01", "name": " ", "is_workday": "0"}
    )
    assert _field_block(response.content.decode(), "name").startswith(" cw-field--error")
    assert not Holiday.objects.exists()


@pytest.mark.parametrize("persona", ["officer", "chief", "bureau_legal"])
def test_other_roles_read_the_calendar_without_a_form(
    persona: str, legal_officer: AbstractBaseUser, request: pytest.FixtureRequest
) -> None:
    holiday_set(by=legal_officer, day=date(2026, 10, 1), name="国庆节")
    client = client_for(request.getfixturevalue(persona))
    page = client.get("/calendar/?year=2026")
    assert page.status_code == 200
    assert "国庆节" in page.content.decode()
    assert 'data-testid="holiday-form"' not in page.content.decode()
    assert 'name="action" value="remove"' not in page.content.decode()
    refused = client.post("/calendar/", {"day": "2026-10-02", "name": "国庆节"})
    assert refused.status_code == 403
    assert Holiday.objects.count() == 1


def test_the_auditor_has_no_calendar(auditor: AbstractBaseUser) -> None:
    client = client_for(auditor)
    assert client.get("/calendar/").status_code == 403
    assert 'href="/calendar/"' not in client.get("/home/").content.decode()


def test_the_year_switcher_shows_one_year(legal_officer: AbstractBaseUser) -> None:
    holiday_set(by=legal_officer, day=date(2026, 9, 25), name="中秋节")
    holiday_set(by=legal_officer, day=date(2030, 1, 1), name="元旦")
    page = client_for(legal_officer).get("/calendar/?year=2030").content.decode()
    assert "元旦" in page
    assert "中秋节" not in page
    assert 'href="?year=2026"' in page  # every year with entries can be reached


def test_a_day_that_changes_nothing_is_flagged(legal_officer: AbstractBaseUser) -> None:
    holiday_set(by=legal_officer, day=date(2026, 10, 3), name="国庆节")  # a Saturday
    page = client_for(legal_officer).get("/calendar/?year=2026").content.decode()
    assert "这一天本是周末,此条不影响计算" in page


def test_legal_officer_removes_a_mistaken_day_and_the_audit_keeps_it(
    legal_officer: AbstractBaseUser,
) -> None:
    holiday_set(by=legal_officer, day=date(2026, 10, 9), name="国庆节")
    response = client_for(legal_officer).post(
        "/calendar/", {"action": "remove", "day": "2026-10-09"}
    )
    assert response.status_code == 302
    assert not Holiday.objects.exists()  # out of the calendar…
    kept = Holiday.all_objects.get(day=date(2026, 10, 9))  # …but not deleted
    assert kept.removed_at is not None
    event = AuditEvent.objects.get(verb="deadlines.holiday_removed")
    assert event.actor == legal_officer
    assert event.payload == {"day": "2026-10-09", "name": "国庆节", "is_workday": False}
    # Entering the day again brings it back.
    holiday_set(by=legal_officer, day=date(2026, 10, 9), name="国庆节")
    assert Holiday.objects.get(day=date(2026, 10, 9)).removed_at is None


def test_the_calendar_costs_the_same_queries_at_any_size(
    legal_officer: AbstractBaseUser, django_assert_max_num_queries: Any
) -> None:
    for n in range(40):
        holiday_set(by=legal_officer, day=date(2026, 1, 1) + timedelta(days=n), name=f"假日{n}")
    client = client_for(legal_officer)
    client.get("/calendar/?year=2026")
    with django_assert_max_num_queries(10):
        page = client.get("/calendar/?year=2026").content.decode()
    assert "假日39" in page
