"""The shipped rule library (fixtures/rules.json) loads, and fires as the seed describes."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command

from casework.rules import rules
from casework.rules.models import Rule
from casework.rules.selectors import rules_firing

pytestmark = pytest.mark.django_db
LIBRARY = json.loads(
    (Path(__file__).resolve().parents[2] / "fixtures" / "rules.json").read_text("utf-8")
)
XQ = {"province": "山东省", "city": "东营市", "county": "东营区"}


@pytest.fixture
def loaded() -> None:
    call_command("load_rules")


def test_all_forty_rules_load_once_and_unverified_ones_stay_disabled(loaded: None) -> None:
    assert Rule.objects.values("slug").distinct().count() == 40
    assert Rule.objects.count() == len(LIBRARY["rules"])
    assert not Rule.objects.filter(verified="UNVERIFIED", enabled=True).exists()
    call_command("load_rules")
    assert Rule.objects.count() == len(LIBRARY["rules"])


def test_the_seeds_out_of_area_arrest_gets_the_seeds_two_reminders(loaded: None) -> None:
    context = rules.trip_context(
        home=XQ,
        destination={"province": "广东省", "city": "深圳市", "county": "南山区"},
        purposes=["arrest"],
        uses_vehicle=True,
    )
    fired = {
        r.slug
        for r in rules_firing(
            categories=["trip", "discipline"], context=context, on=date(2026, 11, 25)
        )
    }
    assert {
        "trip_no_alcohol_on_duty",
        "trip_out_of_area_coordination",
        "trip_no_drink_driving",
    } <= fired
    local = rules.trip_context(home=XQ, destination=XQ, purposes=["investigation"])
    fired_local = {
        r.slug
        for r in rules_firing(
            categories=["trip", "discipline"], context=local, on=date(2026, 11, 25)
        )
    }
    assert "trip_out_of_area_coordination" not in fired_local
    assert "trip_no_drink_driving" not in fired_local


def test_a_summons_on_new_years_eve_and_new_years_day_pick_different_laws(loaded: None) -> None:
    context = {"event": "summons_arrival", "case_kind": "administrative"}
    old = rules_firing(categories=["measure"], context=context, on=date(2025, 12, 31))
    new = rules_firing(categories=["measure"], context=context, on=date(2026, 1, 1))
    old_cap = next(r for r in old if r.slug == "adm_questioning_time_cap")
    new_cap = next(r for r in new if r.slug == "adm_questioning_time_cap")
    assert old_cap.valid_to == date(2025, 12, 31)
    assert new_cap.valid_from == date(2026, 1, 1)
