"""Web forms for the conduct ledger. They only parse input; the services decide again.

A required field says what the service would say, so a blank field reads the same whichever
of the two catches it.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

TEXT = {"rows": 3}


def _required(message: Any) -> dict[str, Any]:
    return {"required": message, "invalid_choice": message}


class ObjectionForm(forms.Form):
    text = forms.CharField(
        label=_("异议理由"), widget=forms.Textarea(attrs=TEXT),
        error_messages=_required(_("请填写异议理由")),
    )  # fmt: skip


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("处理结论"),
        choices=[("uphold", _("异议成立,撤销记分")), ("dismiss", _("异议不成立,维持记分"))],
        widget=forms.RadioSelect,
        error_messages=_required(_("请选择处理结论")),
    )
    note = forms.CharField(
        label=_("处理意见"), widget=forms.Textarea(attrs={"rows": 2}),
        error_messages=_required(_("请填写处理意见")),
    )  # fmt: skip

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"upheld": data["decision"] == "uphold", "note": data["note"]}


class TalkForm(forms.Form):
    minutes = forms.CharField(
        label=_("约谈记录"), widget=forms.Textarea(attrs=TEXT),
        error_messages=_required(_("请填写约谈记录")),
    )  # fmt: skip
    follow_up = forms.CharField(
        label=_("后续跟进"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
