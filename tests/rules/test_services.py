"""Saving rules: validation that names the field, history, audit; loading the default library."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError

from casework.core.models import AuditEvent
from casework.rules.models import Rule
from casework.rules.services import rule_save, rules_load

pytestmark = pytest.mark.django_db
BASE = {
    "title": "出差禁酒",
    "category": "trip",
    "conditions": {},
    "text": "出差期间严禁饮酒",
    "legal_basis": [{"law": "公安部五条禁令", "article": "第四条", "version": "2003"}],
    "verified": "VERIFIED-secondary",
    "enabled": True,
}


def test_edit_keeps_history_and_audits(legal_officer: AbstractBaseUser) -> None:
    rule = rule_save(by=legal_officer, slug="trip_no_alcohol_on_duty", **BASE)
    rule = rule_save(
        by=legal_officer,
        slug=rule.slug,
        rule_id=rule.pk,
        text="出差期间严禁饮酒(含备勤)",
        note="按省厅禁酒令",
    )
    assert rule.revision == 2
    assert [r.snapshot["text"] for r in rule.revisions.all()] == [
        "出差期间严禁饮酒",
        "出差期间严禁饮酒(含备勤)",
    ]
    assert AuditEvent.objects.filter(verb="rules.saved", target_id=str(rule.pk)).count() == 2


def test_unknown_condition_field_is_refused_and_nothing_changes(
    legal_officer: AbstractBaseUser,
) -> None:
    rule = rule_save(by=legal_officer, slug="r1", **BASE)
    bad = {"field": "weather", "op": "eq", "value": "rain"}
    with pytest.raises(ValidationError) as error:
        rule_save(by=legal_officer, slug="r1", rule_id=rule.pk, conditions=bad)
    assert "conditions" in error.value.message_dict
    rule.refresh_from_db()
    assert (rule.conditions, rule.revision) == ({}, 1)


def test_unverified_rule_cannot_be_enabled(legal_officer: AbstractBaseUser) -> None:
    with pytest.raises(ValidationError) as error:
        rule_save(by=legal_officer, slug="r2", **{**BASE, "verified": "UNVERIFIED"})
    assert "enabled" in error.value.message_dict


def test_validity_must_run_forward(legal_officer: AbstractBaseUser) -> None:
    with pytest.raises(ValidationError) as error:
        rule_save(
            by=legal_officer,
            slug="r3",
            **BASE,
            valid_from=date(2026, 1, 1),
            valid_to=date(2025, 1, 1),
        )
    assert "valid_to" in error.value.message_dict


def test_officers_cannot_edit_rules(officer: AbstractBaseUser) -> None:
    with pytest.raises(PermissionDenied):
        rule_save(by=officer, slug="r4", **BASE)


def test_loading_the_library_twice_creates_nothing_the_second_time() -> None:
    data = {
        "rules": [
            {**BASE, "slug": "v", "valid_to": "2025-12-31"},
            {**BASE, "slug": "v", "valid_from": "2026-01-01", "text": "新法"},
        ]
    }
    assert rules_load(data=data) == 2
    assert rules_load(data=data) == 0
    assert Rule.objects.filter(slug="v").count() == 2
