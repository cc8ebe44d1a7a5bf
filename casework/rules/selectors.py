"""Reads of the rule library and the pure evaluation over it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.core.errors import NotFoundOrForbidden, as_id
from casework.org.selectors import me_summary
from casework.rules import rules
from casework.rules.labels import AUDIENCE_LABELS, EVENT_LABELS, rule_field
from casework.rules.models import Rule, RuleRevision

# Trip previews show what a departing officer would be told: trip and discipline rules.
TRIP_CATEGORIES = ["trip", "discipline"]


def rule_list(
    *, category: str = "", enabled_only: bool = False, disabled_only: bool = False
) -> QuerySet[Rule]:
    found = Rule.objects.all()
    if category:
        found = found.filter(category=category)
    if enabled_only:
        found = found.filter(enabled=True)
    if disabled_only:
        found = found.filter(enabled=False)
    return found


def rule_counts() -> dict[str, int]:
    """How many rule versions each category holds (the list page's tabs)."""
    rows = Rule.objects.order_by().values_list("category").annotate(n=Count("pk"))
    return dict(rows)


def access_rule(user: Any, rule_id: object) -> Rule:
    """One rule version, for anyone who may read the library; missing and forbidden alike."""
    found = Rule.objects.filter(pk=as_id(rule_id)).select_related("updated_by__profile").first()
    if found is None or not user.has_perm("rules.view_rule"):
        raise NotFoundOrForbidden(
            target_type="rules.rule", target_id=rule_id, perm="rules.view_rule", denied=bool(found)
        )
    return found


def rule_versions(*, rule: Rule) -> QuerySet[Rule]:
    """Every version of the rule's slug, the given one included, oldest validity first."""
    return Rule.objects.filter(slug=rule.slug).order_by("version_key")


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class HistoryEntry:
    revision: RuleRevision
    changes: list[Change] = field(default_factory=list)


def _shown(name: str, value: Any) -> str:
    """A snapshot value as an officer reads it (snapshots hold plain JSON values)."""
    if value in (None, "", [], {}):
        return "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if name == "trigger_event":
        return str(EVENT_LABELS.get(value, value))
    if name == "escalation":
        return "→".join(str(AUDIENCE_LABELS.get(v, v)) for v in value)
    choices = dict(rule_field(name).flatchoices)
    if value in choices:
        return str(choices[value])
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def rule_history(*, rule: Rule) -> list[HistoryEntry]:
    """The rule's revisions, newest first, each with what it changed from the one before."""
    revisions = list(rule.revisions.select_related("changed_by__profile").order_by("revision"))
    entries: list[HistoryEntry] = []
    before: dict[str, Any] | None = None  # the first revision created the version
    for revision in revisions:
        after = revision.snapshot
        changes = [
            Change(str(rule_field(f).verbose_name), _shown(f, before.get(f)), _shown(f, v))
            for f, v in after.items()
            if before is not None and before.get(f) != v
        ]
        entries.append(HistoryEntry(revision=revision, changes=changes))
        before = after
    return entries[::-1]


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


@dataclass(frozen=True)
class TripPreview:
    context: dict[str, Any]
    on: date
    fired: list[Rule]
    silent: list[Rule]  # enabled and in force on `on`, but their conditions do not hold


def rules_preview(
    *,
    user: Any,
    destination: dict[str, str],
    purposes: list[str],
    departs_at: datetime | None = None,
    officers_count: int = 1,
    carries_firearm: bool = False,
    uses_vehicle: bool = False,
    escorts_suspect: bool = False,
    suspect_gender: str = "",
    suspect_age: int | None = None,
) -> TripPreview:
    """Which rules would fire for a sample trip from the caller's station (API and web page)."""
    station = me_summary(user=user)["station"]
    home = (
        {"province": station.province, "city": station.city, "county": station.county}
        if station
        else {}
    )
    context = rules.trip_context(
        home=home,
        destination=destination,
        purposes=purposes,
        officers_count=max(1, officers_count),
        carries_firearm=carries_firearm,
        uses_vehicle=uses_vehicle,
        escorts_suspect=escorts_suspect,
        suspect_gender=suspect_gender,
        suspect_age=suspect_age,
    )
    # The departure date picks the rule version in force, as it will for the real trip.
    on = timezone.localtime(departs_at or timezone.now()).date()
    fired = rules_firing(categories=TRIP_CATEGORIES, context=context, on=on)
    in_force = [
        r
        for r in rule_list(enabled_only=True).filter(category__in=TRIP_CATEGORIES)
        if rules.in_force(facts_of(r), on) and r not in fired
    ]
    return TripPreview(context=context, on=on, fired=fired, silent=in_force)
