"""Web forms for cases and gates. They only parse input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from casework.cases.models import (
    Case,
    CaseEvent,
    ChecklistItem,
    Gate,
    GateDecision,
    Measure,
    Party,
)
from casework.core.fields import DateTimeField

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE = forms.DateInput(attrs={"type": "date"})


class CaseCreateForm(forms.Form):
    kind = forms.ChoiceField(label=_("案件类型"), choices=Case.Kind.choices)
    title = forms.CharField(label=_("案件名称"), max_length=200)
    summary = forms.CharField(label=_("简要案情"), widget=forms.Textarea(attrs={"rows": 4}))
    occurred_at = DateTimeField(label=_("案发时间"), required=False, widget=DATETIME)
    is_major = forms.BooleanField(label=_("重大案件"), required=False)
    reconsideration_risk = forms.BooleanField(label=_("易引发行政复议"), required=False)
    handlers = forms.CharField(
        label=_("办案人员(账号,逗号分隔;第一位民警为主办)"), required=False, max_length=300
    )

    def clean_handlers(self) -> list[str]:
        raw = self.cleaned_data["handlers"].replace("\uff0c", ",")  # a Chinese keyboard's comma
        return [name.strip() for name in raw.split(",") if name.strip()]


class PartyForm(forms.Form):
    role = forms.ChoiceField(label=_("身份"), choices=Party.Role.choices)
    name = forms.CharField(label=_("姓名"), max_length=100)
    id_number = forms.CharField(label=_("居民身份证号"), required=False, max_length=40)
    gender = forms.ChoiceField(
        label=_("性别"), required=False, choices=[("", "—"), *Party.Gender.choices]
    )
    birth_date = forms.DateField(label=_("出生日期"), required=False, widget=DATE)


class MeasureForm(forms.Form):
    party = forms.TypedChoiceField(label=_("当事人"), coerce=int)
    kind = forms.ChoiceField(label=_("措施"), choices=Measure.Kind.choices)
    started_at = DateTimeField(label=_("开始时间"), widget=DATETIME)
    ended_at = DateTimeField(label=_("结束时间"), required=False, widget=DATETIME)

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        party: Any = self.fields["party"]
        party.choices = [(p.pk, str(p)) for p in case.parties.all()]


class EventForm(forms.Form):
    kind = forms.ChoiceField(label=_("办案节点"), choices=CaseEvent.Kind.choices)
    occurred_at = DateTimeField(label=_("发生时间"), widget=DATETIME)
    party = forms.TypedChoiceField(label=_("当事人"), coerce=int, required=False, empty_value=None)
    note = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        party: Any = self.fields["party"]
        party.choices = [("", "—"), *((p.pk, str(p)) for p in case.parties.all())]


class DispositionForm(forms.Form):
    proposal = forms.CharField(label=_("处理意见"), widget=forms.Textarea(attrs={"rows": 3}))
    legal_basis = forms.CharField(label=_("法律依据"), widget=forms.Textarea(attrs={"rows": 2}))


class SupervisionForm(forms.Form):
    issue = forms.CharField(label=_("发现问题"), widget=forms.Textarea(attrs={"rows": 2}))
    required_correction = forms.CharField(
        label=_("整改要求"), widget=forms.Textarea(attrs={"rows": 2})
    )
    due_on = forms.DateField(label=_("整改期限"), widget=DATE)


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("答复"), widget=forms.Textarea(attrs={"rows": 2}))


class GateDecisionForm(forms.Form):
    """The reviewer's checklist (ticks, or scores for the evaluation), decision and reason."""

    decision = forms.ChoiceField(
        label=_("结论"), choices=GateDecision.Decision.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("理由(退回时必填)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, items: list[ChecklistItem], gate: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items, self.gate = items, gate
        for item in items:
            if gate == Gate.EVALUATION:
                self.fields[f"item_{item.code}"] = forms.IntegerField(
                    label=f"{item.text}(0–{item.points})", min_value=0, max_value=item.points
                )
            else:
                field = forms.BooleanField(label=item.text, required=False)
                self.fields[f"item_{item.code}"] = field
        if gate == Gate.EVALUATION:
            decision: Any = self.fields["decision"]
            decision.choices = [(GateDecision.Decision.APPROVE, _("提交评分"))]

    def checklist(self) -> dict[str, Any]:
        return {item.code: self.cleaned_data[f"item_{item.code}"] for item in self.items}

    def item_fields(self) -> list[Any]:
        return [self[f"item_{item.code}"] for item in self.items]


class ChecklistItemForm(forms.Form):
    item_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    kind = forms.ChoiceField(label=_("案件类型"), choices=Case.Kind.choices)
    gate = forms.ChoiceField(
        label=_("审核环节"),
        choices=[
            (g, Gate(g).label)
            for g in (Gate.ACCEPTANCE, Gate.DISPOSITION, Gate.CHIEF_APPROVAL, Gate.EVALUATION)
        ],
    )
    text = forms.CharField(label=_("检查项"), max_length=200)
    points = forms.IntegerField(label=_("分值(仅案件评查)"), min_value=0, max_value=100, initial=0)
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)
