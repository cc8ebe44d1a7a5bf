"""The words an officer reads for the condition language and the clock fields.

rules.py stays free of Django (plain values, no translation machinery); the display names of
its fields, operators and values live here, next to it, for the web pages and the trips app.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from django.db import models
from django.utils.translation import gettext_lazy as _

from casework.cases.models import Case, Measure, Party
from casework.org.roles import Role
from casework.rules import rules
from casework.rules.models import Rule

PURPOSE_LABELS: dict[str, Any] = {
    "summons": _("传唤"),
    "compelled_appearance": _("拘传"),
    "detention": _("拘留"),
    "arrest": _("抓捕/逮捕"),
    "search": _("搜查"),
    "seizure": _("查封扣押"),
    "interrogation": _("讯问"),
    "questioning": _("询问"),
    "escort": _("押解"),
    "investigation": _("调查取证"),
}

EVENT_LABELS: dict[str, Any] = {
    "summons_arrival": _("被传唤人到案"),
    "extended_questioning": Measure.Kind.EXTENDED_QUESTIONING.label,
    "criminal_detention": Measure.Kind.CRIMINAL_DETENTION.label,
    "administrative_detention": Measure.Kind.ADMINISTRATIVE_DETENTION.label,
    "arrest": Measure.Kind.ARREST.label,
    "bail": Measure.Kind.BAIL.label,
    "residential_surveillance": Measure.Kind.RESIDENTIAL_SURVEILLANCE.label,
    "seizure": Measure.Kind.SEIZURE.label,
    "case_accepted": _("受案"),
    "case_filed": _("立案"),
    "decision_issued": _("作出处理决定"),
    "decision_served": _("送达处理决定"),
    "onsite_penalty": _("当场处罚"),
    "interrogation_planned": _("拟讯问"),
    "questioning_planned": _("拟询问"),
    "body_search_planned": _("拟人身检查"),
    "property_seized": _("扣押涉案财物"),
    "property_unrelated": _("确认财物与案件无关"),
    "suspect_admitted": _("嫌疑人进入办案区"),
    "suspect_released": _("嫌疑人离开办案区"),
    "reconsideration_filed": _("申请行政复议"),
    "complaint_received": _("收到投诉"),
    "penalty_drafted": _("拟作出处罚决定"),
    "duty_started": _("开始执勤"),
    "key_incident_flagged": _("列为重点事件"),
    "control_lapse": _("发生漏管失控"),
}

FIELD_LABELS: dict[str, Any] = {
    "purposes": _("任务"),
    "out_of_area": _("异地办案(出县)"),
    "out_of_city": _("出市"),
    "out_of_province": _("出省"),
    "carries_firearm": _("携带枪支"),
    "uses_vehicle": _("使用车辆"),
    "escorts_suspect": _("押解嫌疑人"),
    "suspect_gender": _("嫌疑人性别"),
    "suspect_age": _("嫌疑人年龄"),
    "suspect_is_minor": _("嫌疑人未成年"),
    "officers_count": _("出差民警人数"),
    "duration_hours": _("出差时长(小时)"),
    "event": _("事件"),
    "case_kind": _("案件类型"),
    "case_is_major": _("重大案件"),
    "party_role": _("当事人身份"),
    "party_gender": _("当事人性别"),
    "party_is_minor": _("当事人未成年"),
    "party_age": _("当事人年龄"),
}

OP_LABELS: dict[str, Any] = {
    "eq": _("等于"),
    "ne": _("不等于"),
    "in": _("属于其一"),
    "contains": _("包含"),
    "contains_any": _("包含任一"),
    "gt": _("大于"),
    "gte": _("大于等于"),
    "lt": _("小于"),
    "lte": _("小于等于"),
    "is_true": _("为是"),
    "is_false": _("为否"),
}

GENDER_LABELS: dict[str, Any] = dict(Party.Gender.choices)
VALUE_LABELS: dict[str, Mapping[str, Any]] = {
    "purposes": PURPOSE_LABELS,
    "event": EVENT_LABELS,
    "suspect_gender": GENDER_LABELS,
    "party_gender": GENDER_LABELS,
    "case_kind": dict(Case.Kind.choices),
    "party_role": dict(Party.Role.choices),
}

# Who a clock's escalation reaches (Rule.escalation): the handlers, then the legal officer, then
# the chief (deadlines.services._rungs).
AUDIENCE_LABELS: dict[str, Any] = {
    "officer": _("办案民警"),
    "legal_officer": Role.LEGAL_OFFICER.label,
    "chief": Role.CHIEF.label,
}


def rule_field(name: str) -> models.Field[Any, Any]:
    """A concrete field of Rule, for its verbose name and choices."""
    return cast("models.Field[Any, Any]", Rule._meta.get_field(name))


def _value(field: str, value: Any) -> str:
    names = VALUE_LABELS.get(field, {})
    values = value if isinstance(value, list) else [value]
    return "、".join(str(names.get(v, v)) if v != "" else "—" for v in values) or "—"


def describe(condition: Mapping[str, Any], depth: int = 0) -> list[tuple[int, str]]:
    """A validated condition as indented lines of plain words: (depth, text)."""
    if not condition:
        return [(depth, str(_("无条件,始终适用")))]
    for key, head in (("all", _("同时满足以下全部条件")), ("any", _("满足以下任一条件"))):
        if key in condition:
            return [(depth, str(head))] + [
                line for part in condition[key] for line in describe(part, depth + 1)
            ]
    if "not" in condition:
        return [(depth, str(_("不满足以下条件"))), *describe(condition["not"], depth + 1)]
    field, op = condition.get("field", ""), condition.get("op", "")
    words = [str(FIELD_LABELS.get(field, field)), str(OP_LABELS.get(op, op))]
    if "value" in condition and op not in {"is_true", "is_false"}:
        words.append(_value(field, condition["value"]))
    return [(depth, " ".join(words))]


# Which operators make sense for each kind of field (rules._validate_comparison enforces it).
OPS_FOR_KIND = {
    "bool": ("is_true", "is_false"),
    "int": ("eq", "ne", "gt", "gte", "lt", "lte"),
    "str": ("eq", "ne", "in"),
    "list": ("contains", "contains_any"),
}


def condition_fields(category: str) -> list[dict[str, Any]]:
    """The fields a rule of this category may test, for the editor's reference card."""
    fields = rules.FIELDS.get(category, {})
    return [
        {
            "name": name,
            "label": FIELD_LABELS.get(name, name),
            "ops": OPS_FOR_KIND[kind],
            "values": [(v, VALUE_LABELS.get(name, {}).get(v, v)) for v in allowed or () if v],
        }
        for name, (kind, allowed) in fields.items()
    ]


def shown_fact(field: str, value: Any) -> str:
    """One fact of an evaluation context as an officer reads it."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(_("是") if value else _("否"))
    return _value(field, value)
