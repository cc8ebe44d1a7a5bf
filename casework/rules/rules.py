"""Pure rule evaluation: which rules fire for a trip, a measure or a case event.

Plain functions over plain values (STYLE.md), testable without a database. Conditions are a
small structured language, never Python: a rule an officer edits cannot run code.

    {"all": [cond, …]}   every condition holds          {"any": [cond, …]}  at least one holds
    {"not": cond}        the condition does not hold     {}                  always true
    {"field": NAME, "op": OP, "value": V}                a comparison on one context field

OP is one of: eq, ne, in (field value is in the list V), contains (the list field holds V),
contains_any (the list field holds one of the list V), gt, gte, lt, lte, is_true, is_false.
NAME must be a known field of the rule's category (FIELDS); anything else is rejected when the
rule is saved, so a typo cannot silently make a rule never fire.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

PURPOSES = (
    "summons",
    "compelled_appearance",
    "detention",
    "arrest",
    "search",
    "seizure",
    "interrogation",
    "questioning",
    "escort",
    "investigation",
)
EVENTS = (
    "summons_arrival",
    "extended_questioning",
    "criminal_detention",
    "administrative_detention",
    "arrest",
    "bail",
    "residential_surveillance",
    "seizure",
    "case_accepted",
    "case_filed",
    "decision_issued",
    "decision_served",
    "onsite_penalty",
    "interrogation_planned",
    "questioning_planned",
    "body_search_planned",
    "property_seized",
    "property_unrelated",
    "suspect_admitted",
    "suspect_released",
    "reconsideration_filed",
    "complaint_received",
    "penalty_drafted",
    "duty_started",
    "key_incident_flagged",
    "control_lapse",
)

# field name → (type, allowed values or None). "list" fields hold several strings.
TRIP_FIELDS: dict[str, tuple[str, tuple[str, ...] | None]] = {
    "purposes": ("list", PURPOSES),
    "out_of_area": ("bool", None),  # destination county differs from the station's
    "out_of_city": ("bool", None),
    "out_of_province": ("bool", None),
    "carries_firearm": ("bool", None),
    "uses_vehicle": ("bool", None),
    "escorts_suspect": ("bool", None),
    "suspect_gender": ("str", ("M", "F", "")),
    "suspect_age": ("int", None),
    "suspect_is_minor": ("bool", None),
    "officers_count": ("int", None),
    "duration_hours": ("int", None),
}
EVENT_FIELDS: dict[str, tuple[str, tuple[str, ...] | None]] = {
    "event": ("str", EVENTS),
    "case_kind": ("str", ("administrative", "criminal", "")),
    "case_is_major": ("bool", None),
    "party_role": ("str", ("suspect", "victim", "witness", "")),
    "party_gender": ("str", ("M", "F", "")),
    "party_is_minor": ("bool", None),
    "party_age": ("int", None),
}
CATEGORIES = ("trip", "measure", "case", "property", "discipline", "reconsideration")
FIELDS = {
    "trip": TRIP_FIELDS,
    "discipline": TRIP_FIELDS,
    **{c: EVENT_FIELDS for c in ("measure", "case", "property", "reconsideration")},
}
OPS = (
    "eq",
    "ne",
    "in",
    "contains",
    "contains_any",
    "gt",
    "gte",
    "lt",
    "lte",
    "is_true",
    "is_false",
)


class ConditionError(ValueError):
    """A condition that cannot be evaluated; the message names the offending part."""


def validate(condition: Any, category: str, path: str = "conditions") -> None:
    """Reject unknown fields, operators and malformed structure (called when a rule is saved)."""
    if category not in FIELDS:
        raise ConditionError(f"category: unknown category {category!r}")
    if not isinstance(condition, Mapping):
        raise ConditionError(f"{path}: a condition must be an object")
    if not condition:
        return
    if "all" in condition or "any" in condition:
        key = "all" if "all" in condition else "any"
        parts = condition[key]
        if set(condition) != {key} or not isinstance(parts, list) or not parts:
            raise ConditionError(f"{path}.{key}: a non-empty list and nothing else")
        for i, part in enumerate(parts):
            validate(part, category, f"{path}.{key}[{i}]")
        return
    if "not" in condition:
        if set(condition) != {"not"}:
            raise ConditionError(f"{path}.not: nothing else beside it")
        validate(condition["not"], category, f"{path}.not")
        return
    _validate_comparison(condition, category, path)


def _validate_comparison(condition: Mapping[str, Any], category: str, path: str) -> None:
    field, op = condition.get("field"), condition.get("op")
    if field not in FIELDS[category]:
        raise ConditionError(f"{path}.field: unknown field {field!r} for {category} rules")
    if op not in OPS:
        raise ConditionError(f"{path}.op: unknown operator {op!r}")
    kind, allowed = FIELDS[category][field]
    if op in {"is_true", "is_false"}:
        if kind != "bool":
            raise ConditionError(f"{path}.op: {op} needs a true/false field, {field} is {kind}")
        return
    if "value" not in condition:
        raise ConditionError(f"{path}.value: missing")
    values = condition["value"] if op in {"in", "contains_any"} else [condition["value"]]
    if op in {"in", "contains_any"} and not isinstance(condition["value"], list):
        raise ConditionError(f"{path}.value: {op} needs a list")
    if allowed is not None:
        unknown = [v for v in values if v not in allowed]
        if unknown:
            raise ConditionError(f"{path}.value: {unknown!r} not allowed for {field}")
    if op in {"gt", "gte", "lt", "lte"} and kind != "int":
        raise ConditionError(f"{path}.op: {op} needs a number field, {field} is {kind}")


def holds(condition: Mapping[str, Any], context: Mapping[str, Any]) -> bool:
    """Evaluate a validated condition against a context of plain values."""
    if not condition:
        return True
    if "all" in condition:
        return all(holds(c, context) for c in condition["all"])
    if "any" in condition:
        return any(holds(c, context) for c in condition["any"])
    if "not" in condition:
        return not holds(condition["not"], context)
    actual, op, expected = context.get(condition["field"]), condition["op"], condition.get("value")
    if op == "is_true":
        return actual is True
    if op == "is_false":
        return actual is False
    if actual is None:
        return False  # an unknown fact never satisfies a comparison
    return _compare(op, actual, expected)


def _compare(op: str, actual: Any, expected: Any) -> bool:
    if op == "eq":
        return bool(actual == expected)
    if op == "ne":
        return bool(actual != expected)
    if op == "in":
        return actual in expected
    if op == "contains":
        return expected in actual
    if op == "contains_any":
        return bool(set(actual) & set(expected))
    return bool(
        {
            "gt": actual > expected,
            "gte": actual >= expected,
            "lt": actual < expected,
            "lte": actual <= expected,
        }[op]
    )


@dataclass(frozen=True)
class RuleFacts:
    """What evaluation needs of a rule, as plain values."""

    slug: str
    category: str
    conditions: Mapping[str, Any]
    valid_from: date | None
    valid_to: date | None
    enabled: bool = True


def in_force(rule: RuleFacts, on: date) -> bool:
    """Is this version of the rule the law on `on`? (The act's date picks the version.)"""
    return (rule.valid_from is None or rule.valid_from <= on) and (
        rule.valid_to is None or on <= rule.valid_to
    )


def firing(rules: list[RuleFacts], context: Mapping[str, Any], on: date) -> list[RuleFacts]:
    """The enabled rules in force on `on` whose conditions hold for `context`."""
    return [r for r in rules if r.enabled and in_force(r, on) and holds(r.conditions, context)]


_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


def render(text: str, values: Mapping[str, Any]) -> str:
    """Fill {占位符} placeholders by name; unknown ones stay as written. A plain substitution,
    not str.format: a placeholder can never reach an attribute or an index."""
    return _PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), m.group(0))), text)


def trip_context(
    *,
    home: Mapping[str, str],
    destination: Mapping[str, str],
    purposes: list[str],
    officers_count: int = 1,
    carries_firearm: bool = False,
    uses_vehicle: bool = False,
    escorts_suspect: bool = False,
    suspect_gender: str = "",
    suspect_age: int | None = None,
    duration_hours: int | None = None,
) -> dict[str, Any]:
    """The facts trip rules look at. `home` and `destination` are {province, city, county}:
    leaving the station's county is out-of-area work (异地办案)."""
    province = destination.get("province", "") != home.get("province", "")
    city = province or destination.get("city", "") != home.get("city", "")
    county = bool(destination.get("county")) and destination.get("county") != home.get("county")
    return {
        "purposes": list(purposes),
        "out_of_area": city or county,
        "out_of_city": city,
        "out_of_province": province,
        "carries_firearm": carries_firearm,
        "uses_vehicle": uses_vehicle,
        "escorts_suspect": escorts_suspect,
        "suspect_gender": suspect_gender,
        "suspect_age": suspect_age,
        "suspect_is_minor": suspect_age is not None and suspect_age < 18,
        "officers_count": officers_count,
        "duration_hours": duration_hours,
    }
