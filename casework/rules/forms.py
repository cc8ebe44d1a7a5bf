"""Web forms for the rule library. They only parse input; `rule_save` decides."""

from __future__ import annotations

import json
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from casework.core.fields import DateTimeField
from casework.rules.labels import AUDIENCE_LABELS, EVENT_LABELS, PURPOSE_LABELS, rule_field
from casework.rules.models import Rule
from casework.rules.rules import EVENTS, PURPOSES
from casework.rules.services import EDITABLE

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
CODE = {"rows": 10, "spellcheck": "false", "style": "font-family: monospace"}


def _label(name: str) -> Any:
    return rule_field(name).verbose_name


class JSONTextField(forms.CharField):
    """JSON typed into a textarea. A syntax error names the line and column, so the editor
    can find it; the structure itself is checked by the service (rules.validate)."""

    widget = forms.Textarea(attrs=CODE)

    def clean(self, value: Any) -> Any:
        text = super().clean(value)
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValidationError(
                _("不是有效的 JSON:第 %(line)s 行第 %(col)s 列附近有误"),
                code="invalid",
                params={"line": exc.lineno, "col": exc.colno},
            ) from exc

    def prepare_value(self, value: Any) -> Any:
        return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, indent=2)


BASIS_KEYS = ("law", "article", "version", "note")


class LegalBasisField(forms.CharField):
    """One source per line: 法律名称 | 条款 | 版本 | 备注 (only the law's name is required)."""

    widget = forms.Textarea(attrs={"rows": 6})

    def clean(self, value: Any) -> list[dict[str, str]]:
        basis = []
        for number, line in enumerate(super().clean(value).splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split("|", 3)] + ["", "", ""]
            if not parts[0]:
                raise ValidationError(_("第 %(n)s 行缺少法律名称"), params={"n": number})
            row = dict(zip(BASIS_KEYS, parts[:4], strict=True))
            if not row["note"]:
                del row["note"]  # the library's rows carry a note only where there is one
            basis.append(row)
        return basis

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, str):
            return value
        return "\n".join(
            " | ".join(b.get(k, "") for k in BASIS_KEYS).rstrip(" |") for b in value or []
        )


class RungsField(forms.CharField):
    """Warnings before the due time, in hours: "12, 4" → [{"before_hours": 12}, …]."""

    def clean(self, value: Any) -> list[dict[str, int]]:
        parts = [p for p in re.split(r"[,\uff0c、\s]+", super().clean(value)) if p]
        if not all(p.isdigit() and int(p) > 0 for p in parts):
            raise ValidationError(_("请填写小时数,用逗号分隔,如:12, 4"), code="invalid")
        return [{"before_hours": int(p)} for p in parts]

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, str):
            return value
        return ", ".join(str(r.get("before_hours", "")) for r in value or [])


class RuleForm(forms.Form):
    """Every editable field of one rule version, plus why it was changed."""

    title = forms.CharField(label=_label("title"), max_length=200)
    category = forms.ChoiceField(label=_label("category"), choices=Rule.Category.choices)
    severity = forms.ChoiceField(label=_label("severity"), choices=Rule.Severity.choices)
    verified = forms.ChoiceField(label=_label("verified"), choices=Rule.Verified.choices)
    enabled = forms.BooleanField(label=_label("enabled"), required=False)
    valid_from = forms.DateField(
        label=_label("valid_from"), required=False, widget=DATE, help_text=_("留空表示不限")
    )
    valid_to = forms.DateField(
        label=_label("valid_to"), required=False, widget=DATE, help_text=_("留空表示不限")
    )
    conditions = JSONTextField(
        label=_label("conditions"), help_text=_("JSON 格式;{} 表示无条件,始终适用")
    )
    legal_basis = LegalBasisField(
        label=_label("legal_basis"), help_text=_("每行一条:法律名称 | 条款 | 版本 | 备注")
    )
    text = forms.CharField(label=_label("text"), widget=forms.Textarea(attrs={"rows": 4}))
    trigger_event = forms.ChoiceField(
        label=_label("trigger_event"),
        required=False,
        choices=[("", "—"), *((e, EVENT_LABELS[e]) for e in EVENTS)],
        help_text=_("仅法定时限规则填写"),
    )
    offset_value = forms.IntegerField(label=_label("offset_value"), required=False, min_value=1)
    offset_unit = forms.ChoiceField(
        label=_label("offset_unit"), required=False, choices=[("", "—"), *Rule.Unit.choices]
    )
    day_kind = forms.ChoiceField(label=_label("day_kind"), choices=Rule.DayKind.choices)
    rungs = RungsField(
        label=_label("rungs"),
        required=False,
        help_text=_("截止前多少小时提醒办案民警,逗号分隔,如:12, 4"),
    )
    escalation = forms.MultipleChoiceField(
        label=_label("escalation"),
        required=False,
        choices=list(AUDIENCE_LABELS.items()),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("都不选时按默认:办案民警、法制员、所长"),
    )
    note = forms.CharField(
        label=_("修改说明"), max_length=300, help_text=_("记入修订历史,说明修改的原因和依据")
    )

    SECTIONS = (
        (_("基本信息"), ("title", "category", "severity", "verified", "enabled")),
        (_("有效期"), ("valid_from", "valid_to")),
        (_("触发条件"), ("conditions",)),
        (_("法律依据与提醒内容"), ("legal_basis", "text")),
        (
            _("法定时限"),
            ("trigger_event", "offset_value", "offset_unit", "day_kind", "rungs", "escalation"),
        ),
        (_("修改说明"), ("note",)),
    )

    @classmethod
    def initial_of(cls, rule: Rule) -> dict[str, Any]:
        return {f: getattr(rule, f) for f in EDITABLE}

    def sections(self) -> list[tuple[Any, list[forms.BoundField]]]:
        return [(title, [self[name] for name in names]) for title, names in self.SECTIONS]

    def rule_fields(self) -> dict[str, Any]:
        """The cleaned fields as `rule_save` takes them (the note travels separately)."""
        data = {f: self.cleaned_data[f] for f in EDITABLE}
        data["escalation"] = [a for a in AUDIENCE_LABELS if a in data["escalation"]]
        return data


class VersionForm(forms.Form):
    valid_from = forms.DateField(label=_("新版本生效日期"), widget=DATE)
    note = forms.CharField(label=_("修改说明"), max_length=300)


class TripFactsForm(forms.Form):
    """The facts of a trip the rules look at; registering a trip and the preview share them."""

    province = forms.CharField(label=_("目的地省"), max_length=50)
    city = forms.CharField(label=_("目的地市"), max_length=50)
    county = forms.CharField(label=_("目的地区县"), max_length=50, required=False)
    purposes = forms.MultipleChoiceField(
        label=_("任务"),
        choices=[(p, PURPOSE_LABELS[p]) for p in PURPOSES],
        widget=forms.CheckboxSelectMultiple,
    )
    carries_firearm = forms.BooleanField(label=_("携带枪支"), required=False)
    uses_vehicle = forms.BooleanField(label=_("使用车辆"), required=False)
    escorts_suspect = forms.BooleanField(label=_("押解嫌疑人"), required=False)
    suspect_gender = forms.ChoiceField(
        label=_("嫌疑人性别"),
        required=False,
        choices=[("", "—"), ("M", _("男")), ("F", _("女"))],
    )
    suspect_age = forms.IntegerField(label=_("嫌疑人年龄"), required=False, min_value=0)

    def facts(self) -> dict[str, Any]:
        """The cleaned data with the destination as one dict, as the services take it."""
        data = dict(self.cleaned_data)
        data["destination"] = {k: data.pop(k) for k in ("province", "city", "county")}
        return data


class PreviewForm(TripFactsForm):
    """A sample trip, as an officer would register it."""

    departs_at = DateTimeField(
        label=_("出发时间"),
        required=False,
        widget=DATETIME,
        help_text=_("决定适用哪一版本的规则;留空为现在"),
    )
    officers_count = forms.IntegerField(
        label=_("出差民警人数"), min_value=1, max_value=50, initial=2
    )
    field_order = ["province", "city", "county", "purposes", "departs_at", "officers_count"]
