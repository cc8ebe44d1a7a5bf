"""Writes to the rule library: validated, versioned, with history and audit."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from casework.core import audit
from casework.rules import rules
from casework.rules.models import Rule, RuleRevision

ONE_DAY = timedelta(days=1)
EDITABLE = (
    "title",
    "category",
    "conditions",
    "legal_basis",
    "text",
    "severity",
    "valid_from",
    "valid_to",
    "verified",
    "enabled",
    "trigger_event",
    "offset_value",
    "offset_unit",
    "day_kind",
    "rungs",
    "escalation",
)


def _clean(fields: dict[str, Any]) -> dict[str, Any]:
    """Check a rule's fields; errors name the field."""
    errors: dict[str, str] = {}
    try:
        rules.validate(fields.get("conditions") or {}, fields.get("category", ""))
    except rules.ConditionError as exc:
        if str(exc).startswith("category"):
            errors["category"] = str(exc)
        else:  # the path (conditions.all[0].field) tells the editor where to look
            errors["conditions"] = _("触发条件有误:%(detail)s") % {"detail": exc}
    start, end = fields.get("valid_from"), fields.get("valid_to")
    if start and end and end < start:
        errors["valid_to"] = _("失效日期不能早于生效日期")
    event = fields.get("trigger_event") or ""
    if event and event not in rules.EVENTS:
        errors["trigger_event"] = _("未知的起算事件:%(e)s") % {"e": event}
    if event and not fields.get("offset_value"):
        errors["offset_value"] = _("期限规则须填写期限")
    if fields.get("verified") == Rule.Verified.UNVERIFIED and fields.get("enabled"):
        errors["enabled"] = _("未核对原文的规则不能启用,请法制员核对后再启用")
    if errors:
        raise ValidationError(errors)
    return fields


def _snapshot(rule: Rule) -> dict[str, Any]:
    data = {f: getattr(rule, f) for f in EDITABLE}
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in data.items()}


@transaction.atomic
def rule_save(
    *, by: Any, slug: str, note: str = "", rule_id: int | None = None, **fields: Any
) -> Rule:
    """Create a rule version or change one; each save is a numbered revision with its author."""
    if by is not None and not by.has_perm("rules.change_rule"):
        raise PermissionDenied("rules.change_rule")
    rule = (
        Rule.objects.select_for_update().filter(pk=rule_id).first() if rule_id else Rule(slug=slug)
    )
    if rule_id and rule is None:
        raise ValidationError({"rule": _("规则不存在")})
    assert rule is not None
    merged = {**{f: getattr(rule, f) for f in EDITABLE}, **fields}
    for field, value in _clean(merged).items():
        setattr(rule, field, value)
    rule.version_key = rule.valid_from.isoformat() if rule.valid_from else ""
    created = rule.pk is None
    rule.revision = 1 if created else rule.revision + 1
    rule.updated_at, rule.updated_by = timezone.now(), by
    rule.full_clean()
    rule.save()
    RuleRevision.objects.create(
        rule=rule, revision=rule.revision, snapshot=_snapshot(rule), note=note, changed_by=by
    )
    audit.record(
        actor=by, verb="rules.saved", target=rule, payload={"revision": rule.revision, "note": note}
    )
    return rule


@transaction.atomic
def rule_version_add(*, by: Any, rule_id: int, valid_from: date, note: str = "") -> Rule:
    """Start a new version of a rule on `valid_from` (a revised law): the version in force ends
    the day before and the new one starts as its copy, to be edited. The act's date picks
    the version, so trips and clocks before `valid_from` keep the old text."""
    if not by.has_perm("rules.add_rule"):
        raise PermissionDenied("rules.add_rule")
    rule = Rule.objects.filter(pk=rule_id).first()
    if rule is None:
        raise ValidationError({"rule": _("规则不存在")})
    # The version in force ends the day before valid_from, so that day must exist.
    later = rule.valid_from is None or rule.valid_from < valid_from
    starts_after = valid_from > date.min and later
    if not starts_after or (rule.valid_to is not None and valid_from > rule.valid_to):
        raise ValidationError({"valid_from": _("新版本的生效日期须在本版本的有效期内")})
    copy = {f: getattr(rule, f) for f in EDITABLE}
    # 1. end this version; 2. open the next one with the same content from valid_from on.
    rule_save(by=by, slug=rule.slug, rule_id=rule.pk, note=note, valid_to=valid_from - ONE_DAY)
    return rule_save(by=by, slug=rule.slug, note=note, **{**copy, "valid_from": valid_from})


def _fields_from_fixture(row: dict[str, Any]) -> dict[str, Any]:
    clock = row.get("clock") or {}
    offset = clock.get("offset") or {}
    return {
        "title": row["title"],
        "category": row["category"],
        "conditions": row.get("conditions") or {},
        "legal_basis": row.get("legal_basis") or [],
        "text": row["text"],
        "severity": row.get("severity", "warning"),
        "valid_from": parse_date(row["valid_from"]) if row.get("valid_from") else None,
        "valid_to": parse_date(row["valid_to"]) if row.get("valid_to") else None,
        "verified": row["verified"],
        "enabled": bool(row.get("enabled")),
        "trigger_event": clock.get("trigger_event", ""),
        "offset_value": offset.get("value"),
        "offset_unit": offset.get("unit", ""),
        "day_kind": clock.get("day_kind", "calendar"),
        "rungs": clock.get("rungs", []),
        "escalation": clock.get("escalation", []),
    }


@transaction.atomic
def rules_load(*, data: dict[str, Any]) -> int:
    """Load the default library (fixtures/rules.json): create versions that are missing and
    leave existing ones alone, so a legal officer's edits survive every `make run`."""
    created = 0
    for row in data["rules"]:
        key = row.get("valid_from") or ""
        if Rule.objects.filter(slug=row["slug"], version_key=key).exists():
            continue
        rule_save(by=None, slug=row["slug"], note=_("默认规则库"), **_fields_from_fixture(row))
        created += 1
    if created:
        audit.record(actor=None, verb="rules.loaded", payload={"created": created})
    return created
