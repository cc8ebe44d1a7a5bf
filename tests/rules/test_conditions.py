"""The condition language: validated on save, evaluated without eval, versions by date."""

from __future__ import annotations

from datetime import date

import pytest

from casework.rules import rules

OUT_OF_AREA_ARREST = {
    "all": [
        {"field": "out_of_area", "op": "is_true"},
        {"field": "purposes", "op": "contains_any", "value": ["arrest", "search"]},
    ]
}


@pytest.mark.parametrize(
    ("context", "fires"),
    [
        ({"out_of_area": True, "purposes": ["arrest"]}, True),
        ({"out_of_area": True, "purposes": ["investigation"]}, False),
        ({"out_of_area": False, "purposes": ["arrest"]}, False),
        ({"purposes": ["arrest"]}, False),  # an unknown fact never satisfies a condition
    ],
)
def test_trip_condition(context: dict, fires: bool) -> None:
    rules.validate(OUT_OF_AREA_ARREST, "trip")
    assert rules.holds(OUT_OF_AREA_ARREST, context) is fires


def test_empty_condition_always_fires() -> None:
    assert rules.holds({}, {})


def test_not_any_and_numbers() -> None:
    condition = {
        "any": [
            {"not": {"field": "suspect_gender", "op": "eq", "value": "M"}},
            {"field": "suspect_age", "op": "lt", "value": 18},
        ]
    }
    rules.validate(condition, "trip")
    assert rules.holds(condition, {"suspect_gender": "F", "suspect_age": 30})
    assert rules.holds(condition, {"suspect_gender": "M", "suspect_age": 16})
    assert not rules.holds(condition, {"suspect_gender": "M", "suspect_age": 40})


@pytest.mark.parametrize(
    ("condition", "category", "names"),
    [
        ({"field": "weather", "op": "eq", "value": "rain"}, "trip", "conditions.field"),
        ({"field": "purposes", "op": "contains", "value": "picnic"}, "trip", "conditions.value"),
        ({"field": "suspect_age", "op": "between", "value": 1}, "trip", "conditions.op"),
        ({"all": []}, "trip", "conditions.all"),
        (
            {"all": [{"field": "event", "op": "eq", "value": "arrest"}]},
            "trip",
            "conditions.all[0].field",
        ),
        ({"field": "purposes", "op": "gt", "value": "arrest"}, "trip", "conditions.op"),
        ({"field": "event", "op": "eq", "value": "arrest"}, "weather", "category"),
        ({"field": "event", "op": "eq"}, "measure", "conditions.value"),
    ],
)
def test_malformed_conditions_are_rejected_naming_the_part(
    condition: dict, category: str, names: str
) -> None:
    with pytest.raises(rules.ConditionError, match=names.replace("[", r"\[").replace("]", r"\]")):
        rules.validate(condition, category)


def test_the_acts_date_picks_the_version() -> None:
    old = rules.RuleFacts("adm_questioning_time_cap", "measure", {}, None, date(2025, 12, 31))
    new = rules.RuleFacts("adm_questioning_time_cap", "measure", {}, date(2026, 1, 1), None)
    assert rules.firing([old, new], {}, date(2025, 12, 31)) == [old]
    assert rules.firing([old, new], {}, date(2026, 1, 1)) == [new]


def test_disabled_rules_do_not_fire() -> None:
    off = rules.RuleFacts("x", "trip", {}, None, None, enabled=False)
    assert rules.firing([off], {}, date(2026, 1, 1)) == []


def test_render_fills_known_placeholders_and_keeps_unknown_ones() -> None:
    text = "【送押】{嫌疑人}须在{截止时间}前送押{x.__class__}"
    assert rules.render(text, {"嫌疑人": "张某", "截止时间": "11-21 20:00"}) == (
        "【送押】张某须在11-21 20:00前送押{x.__class__}"
    )
