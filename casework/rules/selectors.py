"""Reads of the rule library and the pure evaluation over it."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import QuerySet

from casework.rules import rules
from casework.rules.models import Rule


def rule_list(*, category: str = "", enabled_only: bool = False) -> QuerySet[Rule]:
    found = Rule.objects.all()
    if category:
        found = found.filter(category=category)
    if enabled_only:
        found = found.filter(enabled=True)
    return found


def facts_of(rule: Rule) -> rules.RuleFacts:
    return rules.RuleFacts(
        slug=rule.slug,
        category=rule.category,
        conditions=rule.conditions,
        valid_from=rule.valid_from,
        valid_to=rule.valid_to,
        enabled=rule.enabled,
    )


def rules_firing(*, categories: list[str], context: dict[str, Any], on: date) -> list[Rule]:
    """The enabled rules of these categories, in force on `on`, that fire for `context`."""
    candidates = list(rule_list(enabled_only=True).filter(category__in=categories))
    fired = {
        f.slug + str(f.valid_from)
        for f in rules.firing([facts_of(r) for r in candidates], context, on)
    }
    return [r for r in candidates if r.slug + str(r.valid_from) in fired]
