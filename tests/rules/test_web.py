"""The rule library in the browser: read, edit with history, new versions, trip preview."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.contrib.auth.models import AbstractBaseUser

from casework.core.models import AuditEvent
from casework.rules.forms import RuleForm
from casework.rules.models import Rule, RuleRevision
from casework.rules.services import rule_save
from tests.factories import client_for

pytestmark = pytest.mark.django_db
COMMON = {
    "legal_basis": [{"law": "公安部五条禁令", "article": "第四条", "version": "2003"}],
    "verified": "VERIFIED",
    "enabled": True,
    "category": "trip",
}
FAR = {"province": "广东省", "city": "深圳市", "county": "南山区"}
HOME = {"province": "山东省", "city": "东营市", "county": "东营区"}


@pytest.fixture
def always() -> Rule:
    return rule_save(by=None, slug="always", title="禁酒", conditions={}, text="严禁饮酒", **COMMON)


@pytest.fixture
def out_of_area() -> Rule:
    return rule_save(
        by=None,
        slug="out_of_area",
        title="异地协作",
        text="须提出协作请求",
        conditions={
            "all": [
                {"field": "out_of_area", "op": "is_true"},
                {"field": "purposes", "op": "contains_any", "value": ["arrest"]},
            ]
        },
        **COMMON,
    )


def _form_data(rule: Rule, **changes: Any) -> dict[str, Any]:
    """The edit form as the browser would post it back, with `changes` typed in."""
    form = RuleForm(initial=RuleForm.initial_of(rule))
    data = {name: form[name].value() for name in form.fields}
    data.update(note="按省厅通知修改", **changes)
    return {k: ("on" if v is True else v) for k, v in data.items() if v not in (None, False)}


def _field_block(page: str, name: str) -> str:
    """The HTML of one form field's block (label, input, help and errors)."""
    return next(b for b in page.split('<div class="cw-field') if f'name="{name}"' in b)


def test_officer_reads_the_library_but_cannot_edit(
    officer: AbstractBaseUser, out_of_area: Rule
) -> None:
    client = client_for(officer)
    listing = client.get("/rules/")
    assert listing.status_code == 200
    assert "out_of_area" in listing.content.decode()
    assert "/edit/" not in listing.content.decode()
    detail = client.get(f"/rules/{out_of_area.pk}/").content.decode()
    assert "异地办案(出县) 为是" in detail  # the condition in words
    assert 'data-testid="edit-link"' not in detail
    assert client.get(f"/rules/{out_of_area.pk}/edit/").status_code == 403
    posted = client.post(f"/rules/{out_of_area.pk}/edit/", _form_data(out_of_area, text="改"))
    assert posted.status_code == 403
    out_of_area.refresh_from_db()
    assert (out_of_area.text, out_of_area.revision) == ("须提出协作请求", 1)


def test_the_auditor_has_no_rule_library(auditor: AbstractBaseUser, always: Rule) -> None:
    client = client_for(auditor)
    assert client.get("/rules/").status_code == 403
    assert client.get(f"/rules/{always.pk}/").status_code == 403
    assert 'href="/rules/"' not in client.get("/home/").content.decode()


def test_the_menu_offers_the_library_to_readers(officer: AbstractBaseUser) -> None:
    assert 'href="/rules/"' in client_for(officer).get("/home/").content.decode()


def test_edit_creates_a_revision_with_author_and_note(
    legal_officer: AbstractBaseUser, always: Rule
) -> None:
    client = client_for(legal_officer)
    form = client.get(f"/rules/{always.pk}/edit/").content.decode()
    assert "公安部五条禁令 | 第四条 | 2003" in _field_block(form, "legal_basis")
    response = client.post(
        f"/rules/{always.pk}/edit/", _form_data(always, text="出差期间严禁饮酒(含备勤)")
    )
    assert response.status_code == 302
    always.refresh_from_db()
    assert (always.text, always.revision, always.legal_basis) == (
        "出差期间严禁饮酒(含备勤)",
        2,
        COMMON["legal_basis"],
    )
    latest = RuleRevision.objects.get(rule=always, revision=2)
    assert (latest.changed_by, latest.note) == (legal_officer, "按省厅通知修改")
    assert AuditEvent.objects.filter(verb="rules.saved", actor=legal_officer).count() == 1
    page = client.get(f"/rules/{always.pk}/").content.decode()
    history = page.split('data-testid="history"')[1]
    assert "陈静" in history
    assert "按省厅通知修改" in history
    assert "提醒内容" in history
    assert "出差期间严禁饮酒(含备勤)" in history


def test_bureau_legal_team_edits_conditions_too(
    bureau_legal: AbstractBaseUser, always: Rule
) -> None:
    new = '{"field": "uses_vehicle", "op": "is_true"}'
    response = client_for(bureau_legal).post(
        f"/rules/{always.pk}/edit/", _form_data(always, conditions=new)
    )
    assert response.status_code == 302
    always.refresh_from_db()
    assert always.conditions == {"field": "uses_vehicle", "op": "is_true"}


@pytest.mark.parametrize(
    ("conditions", "message"),
    [
        ('{"field": "uses_vehicle", "op": "is_true"', "不是有效的 JSON:第 1 行"),
        ('{"field": "weather", "op": "eq", "value": "rain"}', "unknown field &#x27;weather&#x27;"),
        ("[1, 2]", "触发条件有误"),
    ],
    ids=["malformed", "unknown-field", "not-an-object"],
)
def test_bad_conditions_are_named_on_the_field_and_nothing_changes(
    legal_officer: AbstractBaseUser, always: Rule, conditions: str, message: str
) -> None:
    response = client_for(legal_officer).post(
        f"/rules/{always.pk}/edit/", _form_data(always, conditions=conditions, text="改过")
    )
    assert response.status_code == 200
    block = _field_block(response.content.decode(), "conditions")
    assert block.startswith(" cw-field--error")
    assert message in block
    assert conditions.split('"')[0] in block  # the typed text is kept for correcting
    always.refresh_from_db()
    assert (always.conditions, always.text, always.revision) == ({}, "严禁饮酒", 1)
    assert RuleRevision.objects.filter(rule=always).count() == 1


def test_a_service_refusal_lands_on_its_field(
    legal_officer: AbstractBaseUser, always: Rule
) -> None:
    response = client_for(legal_officer).post(
        f"/rules/{always.pk}/edit/", _form_data(always, verified="UNVERIFIED")
    )
    assert "未核对原文的规则不能启用" in _field_block(response.content.decode(), "enabled")
    assert Rule.objects.get(pk=always.pk).revision == 1


def test_saving_without_a_change_adds_no_revision(
    legal_officer: AbstractBaseUser, out_of_area: Rule
) -> None:
    response = client_for(legal_officer).post(
        f"/rules/{out_of_area.pk}/edit/", _form_data(out_of_area)
    )
    assert response.status_code == 302
    assert RuleRevision.objects.filter(rule=out_of_area).count() == 1


def test_a_new_version_ends_the_old_one_the_day_before(
    legal_officer: AbstractBaseUser, always: Rule
) -> None:
    response = client_for(legal_officer).post(
        f"/rules/{always.pk}/", {"valid_from": "2026-01-01", "note": "新法施行"}
    )
    assert response.status_code == 302
    old, new = Rule.objects.filter(slug="always").order_by("version_key")
    assert (old.valid_from, old.valid_to) == (None, date(2025, 12, 31))
    assert (new.valid_from, new.valid_to, new.text) == (date(2026, 1, 1), None, "严禁饮酒")
    assert RuleRevision.objects.get(rule=new).changed_by == legal_officer
    again = client_for(legal_officer).post(
        f"/rules/{old.pk}/", {"valid_from": "2026-06-01", "note": "x"}
    )
    assert "新版本的生效日期须在本版本的有效期内" in _field_block(
        again.content.decode(), "valid_from"
    )
    assert Rule.objects.filter(slug="always").count() == 2


def test_officer_cannot_start_a_new_version(officer: AbstractBaseUser, always: Rule) -> None:
    response = client_for(officer).post(
        f"/rules/{always.pk}/", {"valid_from": "2026-01-01", "note": "x"}
    )
    assert response.status_code == 403
    assert Rule.objects.count() == 1


def _preview(user: AbstractBaseUser, destination: dict[str, str], **trip: Any) -> tuple[str, str]:
    query = {**destination, "officers_count": 2, **trip}
    page = client_for(user).get("/rules/preview/", query).content.decode()
    fired, rest = page.split('data-testid="fired"')[1].split('data-testid="silent"')
    return fired, rest.split('data-testid="facts"')[0]


@pytest.mark.usefixtures("always", "out_of_area")
def test_preview_lists_the_rules_that_fire_and_not_the_others(officer: AbstractBaseUser) -> None:
    fired, silent = _preview(officer, FAR, purposes=["arrest"])
    assert 'data-rule="out_of_area"' in fired
    assert 'data-rule="always"' in fired
    fired, silent = _preview(officer, HOME, purposes=["arrest"])
    assert 'data-rule="always"' in fired
    assert 'data-rule="out_of_area"' not in fired
    assert 'data-rule="out_of_area"' in silent


def test_preview_without_a_purpose_names_the_field(officer: AbstractBaseUser) -> None:
    page = client_for(officer).get("/rules/preview/", FAR).content.decode()
    assert 'data-testid="fired"' not in page
    assert _field_block(page, "purposes").startswith(" cw-field--error")


def test_preview_uses_the_version_in_force_on_departure(
    officer: AbstractBaseUser, always: Rule
) -> None:
    rule_save(by=None, slug="always", rule_id=always.pk, valid_to=date(2025, 12, 31))
    before, _ = _preview(officer, FAR, purposes=["arrest"], departs_at="2025-12-31T09:00")
    after, _ = _preview(officer, FAR, purposes=["arrest"], departs_at="2026-01-01T09:00")
    assert 'data-rule="always"' in before
    assert 'data-rule="always"' not in after


def test_the_list_costs_the_same_queries_at_any_size(
    legal_officer: AbstractBaseUser, django_assert_max_num_queries: Any
) -> None:
    for n in range(30):
        category = ("trip", "measure", "case")[n % 3]
        conditions = {} if category == "trip" else {"field": "event", "op": "eq", "value": "bail"}
        rule_save(
            by=None,
            slug=f"r{n}",
            title=f"规则{n}",
            text="…",
            **{**COMMON, "category": category, "conditions": conditions},
        )
    client = client_for(legal_officer)
    client.get("/rules/")
    with django_assert_max_num_queries(10):
        page = client.get("/rules/").content.decode()
    assert page.count('data-testid="category-') == 3
    with django_assert_max_num_queries(10):
        assert "r1<" in client.get("/rules/?category=measure").content.decode()


def test_the_detail_page_costs_the_same_queries_at_any_history(
    legal_officer: AbstractBaseUser, always: Rule, django_assert_max_num_queries: Any
) -> None:
    for n in range(10):
        rule_save(by=legal_officer, slug="always", rule_id=always.pk, text=f"第{n}稿", note=str(n))
    client = client_for(legal_officer)
    client.get(f"/rules/{always.pk}/")
    with django_assert_max_num_queries(10):
        page = client.get(f"/rules/{always.pk}/").content.decode()
    assert page.count("<td>r") == 11
