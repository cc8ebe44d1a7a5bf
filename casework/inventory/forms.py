"""Web forms for the property inventory. They only parse input; the services decide.

The item table is a formset (`items-N-field`). Each row is checked on its own so every bad
row is marked at once; the service checks again, and its errors (keyed `items[2].quantity`)
are routed back to the row they came from by `InventoryEntry`.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.cases.models import Case, Party
from casework.core.fields import DateTimeField
from casework.inventory.models import DENOMINATIONS, Inventory, PropertyItem
from casework.inventory.services import MAX_ITEMS, MAX_PHOTO_BYTES
from casework.rules.forms import DATETIME

DECIMAL = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
SERVICE_KEY = re.compile(r"^items\[(\d+)\]\.(\w+)$")


def denomination_field(value: str) -> str:
    """ "0.5" → "d0_5": a denomination's form field name."""
    return "d" + value.replace(".", "_")


class ItemForm(forms.Form):
    """One row of the item table (also the add/edit form on the detail page)."""

    category = forms.ChoiceField(
        label=_("类别"), choices=[("", "—"), *PropertyItem.Category.choices]
    )
    name = forms.CharField(label=_("物品名称"), max_length=100)
    quantity = forms.DecimalField(
        label=_("数量"), required=False, max_digits=12, decimal_places=2, widget=DECIMAL,
        min_value=Decimal("0.01"), error_messages={"min_value": _("数量必须大于 0")},
    )  # fmt: skip
    unit = forms.CharField(label=_("单位"), max_length=10, required=False)
    size = forms.CharField(label=_("尺寸/规格"), max_length=100, required=False)
    marks = forms.CharField(label=_("颜色/标记/序列号"), max_length=200, required=False)
    condition = forms.CharField(label=_("成色/状况"), max_length=100, required=False)
    description = forms.CharField(label=_("描述"), required=False)
    is_empty = forms.BooleanField(label=_("空"), required=False)

    CELLS = ("category", "name", "quantity", "unit", "size", "marks", "condition", "description")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for value in DENOMINATIONS:
            self.fields[denomination_field(value)] = forms.IntegerField(
                label=_("%(d)s 元") % {"d": value},
                required=False,
                min_value=0,
                widget=forms.NumberInput(
                    attrs={"min": "0", "inputmode": "numeric", "data-den": value}
                ),
            )
        self.fields["category"].widget.attrs["data-role"] = "category"
        self.fields["quantity"].widget.attrs["data-role"] = "quantity"
        self.fields["unit"].widget.attrs["data-role"] = "unit"

    @classmethod
    def initial_for(cls, item: PropertyItem) -> dict[str, Any]:
        initial = {f: getattr(item, f) for f in (*cls.CELLS, "is_empty")}
        initial["quantity"] = item.quantity_text
        initial.update({denomination_field(d): n for d, n in item.denominations.items()})
        return initial

    def cells(self) -> list[forms.BoundField]:
        return [self[f] for f in self.CELLS]

    def denomination_cells(self) -> list[forms.BoundField]:
        return [self[denomination_field(d)] for d in DENOMINATIONS]

    def denominations(self) -> dict[str, int]:
        # The grid is shown for cash only: counts left in it under another category are not
        # what the officer sees on the screen, so they are not sent.
        if self.cleaned_data.get("category") != PropertyItem.Category.CASH:
            return {}
        counts = {d: self.cleaned_data.get(denomination_field(d)) for d in DENOMINATIONS}
        return {d: n for d, n in counts.items() if n}

    def clean(self) -> dict[str, Any]:
        data = self.cleaned_data
        counted = bool(self.denominations())
        if data.get("quantity") is None and "quantity" not in self.errors and not counted:
            self.add_error("quantity", _("请填写数量"))
        if not data.get("unit") and not counted:
            self.add_error("unit", _("请填写单位"))
        return data

    def item(self) -> dict[str, Any]:
        """The row as the services take it."""
        data = self.cleaned_data
        values = {f: data.get(f) or "" for f in self.CELLS}
        values["quantity"] = data["quantity"] if data.get("quantity") is not None else ""
        return values | {"is_empty": data["is_empty"], "denominations": self.denominations()}


ItemFormSet = forms.formset_factory(ItemForm, extra=2, max_num=MAX_ITEMS)


class InventoryHeadForm(forms.Form):
    party = forms.TypedChoiceField(label=_("嫌疑人"), coerce=int)
    taken_at = DateTimeField(label=_("登记时间"), widget=DATETIME)
    place = forms.CharField(label=_("登记地点"), max_length=100, required=False)

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        suspects = [(p.pk, p.name) for p in case.parties.filter(role=Party.Role.SUSPECT)]
        self.has_suspect = bool(suspects)
        party: Any = self.fields["party"]
        party.choices = suspects if len(suspects) == 1 else [("", "—"), *suspects]
        self.fields["taken_at"].initial = timezone.localtime().replace(second=0, microsecond=0)


class InventoryEntry:
    """The head and the item rows as one form, so `run_service` can put each error where
    it belongs: `party` on the head, `items[2].quantity` on the third row filled in."""

    def __init__(self, data: Any = None, *, case: Case) -> None:
        self.head = InventoryHeadForm(data, case=case)
        self.items = ItemFormSet(data, prefix="items")

    def is_valid(self) -> bool:
        head_ok = self.head.is_valid()  # both run, so every error shows at once
        return self.items.is_valid() and head_ok

    def filled(self) -> list[ItemForm]:
        # Blank rows are skipped; the service numbers what is left from 0.
        return [f for f in self.items.forms if f.has_changed()]

    @property
    def fields(self) -> set[str]:
        keys = {*self.head.fields, "items"}
        for i, row in enumerate(self.filled()):
            keys |= {f"items[{i}].{f}" for f in (*row.fields, "denominations")}
        return keys

    def add_error(self, field: str | None, error: Any) -> None:
        found = SERVICE_KEY.match(field or "")
        if found is None:
            self.head.add_error(field if field in self.head.fields else None, error)
            return
        row, name = self.filled()[int(found[1])], found[2]
        row.add_error(name if name in row.fields else None, error)

    def service_kwargs(self) -> dict[str, Any]:
        head = self.head.cleaned_data
        return {
            "party_id": head["party"],
            "taken_at": head["taken_at"],
            "place": head["place"],
            "items": [row.item() for row in self.filled()],
        }


def officer_choices(profiles: Any) -> list[tuple[str, str]]:
    return [("", "—"), *((p.user.username, str(p)) for p in profiles)]


class SignForm(forms.Form):
    suspect_signature = forms.ChoiceField(
        label=_("嫌疑人签名"), choices=Inventory.SuspectSignature.choices, widget=forms.RadioSelect
    )
    second_officer = forms.ChoiceField(label=_("在场民警"), required=False)
    witness_name = forms.CharField(
        label=_("见证人(无第二名民警时填写)"), max_length=100, required=False
    )
    refusal_reason = forms.CharField(
        label=_("拒签原因"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, officers: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        second: Any = self.fields["second_officer"]
        second.choices = officers
        self.fields["refusal_reason"].widget.attrs["data-show-for"] = "refused"
        self.fields["suspect_signature"].widget.attrs["data-role"] = "switch"


class DisposeForm(forms.Form):
    disposition = forms.ChoiceField(
        label=_("处置方式"), choices=[("", "—"), *PropertyItem.Disposition.choices]
    )
    receiver = forms.CharField(label=_("接收人"), max_length=100, required=False)
    receiver_relation = forms.CharField(label=_("与嫌疑人关系"), max_length=30, required=False)
    locker = forms.CharField(label=_("保管柜号"), max_length=30, required=False)
    custodian = forms.ChoiceField(label=_("保管人"), required=False)
    note = forms.CharField(
        label=_("处置说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    # Which fields each disposition asks for (the page hides the others; the service decides).
    SHOW_FOR = {
        "receiver": "returned family",
        "receiver_relation": "family",
        "locker": "custody",
        "custodian": "custody",
    }

    def __init__(self, *args: Any, custodians: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        custodian: Any = self.fields["custodian"]
        custodian.choices = custodians
        self.fields["disposition"].widget.attrs["data-role"] = "switch"
        for name, values in self.SHOW_FOR.items():
            self.fields[name].widget.attrs["data-show-for"] = values


class HandOverForm(forms.Form):
    custodian = forms.ChoiceField(label=_("涉案财物管理人员"))

    def __init__(self, *args: Any, custodians: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        custodian: Any = self.fields["custodian"]
        custodian.choices = custodians


class ReleaseForm(forms.Form):
    note = forms.CharField(label=_("认定无关的理由"), max_length=500, required=False)


class ReturnForm(forms.Form):
    returned_to = forms.CharField(label=_("退还对象"), max_length=100, required=False)


class CorrectForm(forms.Form):
    reason = forms.CharField(
        label=_("更正原因"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class PhotoForm(forms.Form):
    photo = forms.FileField(
        label=_("照片"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )

    def data_bytes(self) -> bytes:
        upload = self.cleaned_data.get("photo")
        # One byte past the limit is enough for the service to refuse it; never read more.
        return upload.read(MAX_PHOTO_BYTES + 1) if upload else b""
