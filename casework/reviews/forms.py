"""Web forms for retrospectives. They only parse input; the services decide again.

Required fields say what the service would say, so an empty field gets the same message
whether the form or the service catches it.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from casework.core.uploads import MAX_UPLOAD_BYTES
from casework.reviews.models import Finding, FindingCategory
from casework.rules.forms import DATE

TEXT = {"rows": 3}


def _required(message: Any) -> dict[str, Any]:
    return {"required": message, "invalid_choice": message}


class FindingForm(forms.Form):
    category = forms.ChoiceField(label=_("问题类别"), error_messages=_required(_("请选择问题类别")))
    description = forms.CharField(
        label=_("问题描述"), widget=forms.Textarea(attrs=TEXT),
        error_messages=_required(_("请描述发现的问题")),
    )  # fmt: skip
    cause = forms.CharField(label=_("原因分析"), required=False, widget=forms.Textarea(attrs=TEXT))
    officer = forms.ChoiceField(label=_("责任民警(可不填)"), required=False)

    def __init__(self, *args: Any, officers: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kinds = FindingCategory.objects.filter(is_active=True).values_list("code", "name")
        category: Any = self.fields["category"]
        category.choices = [("", "—"), *kinds]
        officer: Any = self.fields["officer"]
        officer.choices = officers


class ActionForm(forms.Form):
    finding = forms.TypedChoiceField(
        label=_("针对的问题"), coerce=int, error_messages=_required(_("请选择本复盘中的问题"))
    )
    description = forms.CharField(
        label=_("整改措施"), widget=forms.Textarea(attrs=TEXT),
        error_messages=_required(_("请填写整改措施")),
    )  # fmt: skip
    owner = forms.ChoiceField(label=_("责任人"), error_messages=_required(_("请指定责任人")))
    due_on = forms.DateField(
        label=_("整改期限"), widget=DATE, error_messages=_required(_("请填写整改期限"))
    )

    def __init__(
        self, *args: Any, findings: list[Finding], owners: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        finding: Any = self.fields["finding"]
        finding.choices = [("", "—"), *((f.pk, _label(f)) for f in findings)]
        owner: Any = self.fields["owner"]
        owner.choices = owners


def _label(finding: Finding) -> str:
    return f"{finding.category.name}:{finding.description[:40]}"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented recipe); the service checks each."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


def uploads(files: list[Any]) -> list[tuple[str, bytes]]:
    """(name, content) of each upload; one byte past the limit is enough for the service."""
    return [(f.name, f.read(MAX_UPLOAD_BYTES + 1)) for f in files]


class CompleteForm(forms.Form):
    evidence = forms.CharField(
        label=_("整改情况"), widget=forms.Textarea(attrs=TEXT),
        error_messages=_required(_("请填写整改情况")),
    )  # fmt: skip
    attachment = MultipleFileField(
        label=_("佐证材料(PDF 或图片,可多选,每个不超过 10 MB)"), required=False
    )

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"evidence": data["evidence"], "files": uploads(data["attachment"])}


class VerifyForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("核验结论"),
        choices=[("accept", _("通过")), ("reject", _("不通过"))],
        widget=forms.RadioSelect,
        error_messages=_required(_("请选择核验结论")),
    )
    note = forms.CharField(
        label=_("核验意见(不通过时必填)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"accepted": data["decision"] == "accept", "note": data["note"]}


class ProposalForm(forms.Form):
    """Accept the proposed reminder (edited, or as offered) or dismiss it."""

    decision = forms.ChoiceField(
        label=_("处理"),
        choices=[("accept", _("采纳,加入出警前提醒规则库")), ("dismiss", _("不采纳"))],
        widget=forms.RadioSelect,
        error_messages=_required(_("请选择是否采纳")),
    )
    title = forms.CharField(label=_("规则名称"), max_length=200, required=False)
    text = forms.CharField(label=_("提醒内容"), required=False, widget=forms.Textarea(attrs=TEXT))

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "accept": data["decision"] == "accept",
            "title": data["title"],
            "text": data["text"],
        }
