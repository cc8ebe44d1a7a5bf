"""Shapes of the inventory API: input serializers check only the shape, the services check
the values; output serializers show an inventory as the caller may see it."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers

from casework.core.api import DateTimeField
from casework.inventory.models import Inventory, ItemPhoto, PropertyItem, Seizure


class ServiceChoiceField(serializers.CharField):
    """A choice the service checks (and refuses in its own words); the schema lists the values."""

    def __init__(
        self, choices: type[models.TextChoices], *, blank: bool = False, **kw: Any
    ) -> None:
        self.values = ([""] if blank else []) + list(choices.values)
        # Named after the model ("PropertyItemCategoryEnum"): other apps have a "category" too.
        owner = choices.__qualname__.replace(".", "")
        self.component_name = f"{owner}{'OrBlank' if blank else ''}Enum"
        super().__init__(**kw)


class ServiceChoiceFieldExtension(OpenApiSerializerFieldExtension):
    target_class = ServiceChoiceField

    def get_name(self) -> str:
        return str(self.target.component_name)

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        return {"type": "string", "enum": self.target.values}


def _optional(**kw: Any) -> Any:
    return serializers.CharField(required=False, allow_blank=True, default="", **kw)


# ---- input ----------------------------------------------------------------------------------


class ItemInputSerializer(serializers.Serializer[Any]):
    """One item as the officer lists it. Omitted fields are blank; the service says which
    ones may not be."""

    category = ServiceChoiceField(PropertyItem.Category, required=False, allow_blank=True)
    name = serializers.CharField(required=False, allow_blank=True)
    quantity = serializers.CharField(
        required=False, allow_blank=True, help_text=gettext_lazy("大于 0,最多两位小数")
    )
    unit = serializers.CharField(required=False, allow_blank=True)
    size = serializers.CharField(required=False, allow_blank=True)
    marks = serializers.CharField(required=False, allow_blank=True)
    condition = serializers.CharField(required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    is_empty = serializers.BooleanField(required=False)
    denominations = serializers.DictField(
        required=False, help_text=gettext_lazy("现金面额明细(面额: 张数),数量按合计计算")
    )


class InventoryOpenSerializer(serializers.Serializer[Any]):
    party = serializers.IntegerField(
        source="party_id", help_text=gettext_lazy("本案违法犯罪嫌疑人")
    )
    items = ItemInputSerializer(many=True, required=False, default=list)
    taken_at = DateTimeField(required=False, default=None)
    place = _optional()


class SignSerializer(serializers.Serializer[Any]):
    suspect_signature = ServiceChoiceField(
        Inventory.SuspectSignature, required=False, allow_blank=True, default=""
    )
    second_officer = _optional(help_text=gettext_lazy("在场民警的用户名"))
    witness_name = _optional()
    refusal_reason = _optional()


class DisposeSerializer(serializers.Serializer[Any]):
    disposition = ServiceChoiceField(
        PropertyItem.Disposition, required=False, allow_blank=True, default=""
    )
    receiver = _optional()
    receiver_relation = _optional()
    locker = _optional()
    custodian = _optional(help_text=gettext_lazy("保管人的用户名(不能是本案办案民警)"))
    note = _optional()


class HandOverSerializer(serializers.Serializer[Any]):
    custodian = _optional(help_text=gettext_lazy("保管人的用户名(不能是本案办案民警)"))


class ReleaseSerializer(serializers.Serializer[Any]):
    note = _optional()


class ReturnSerializer(serializers.Serializer[Any]):
    returned_to = _optional()


class CorrectSerializer(serializers.Serializer[Any]):
    reason = _optional()


class PhotoUploadSerializer(serializers.Serializer[Any]):
    photo = serializers.FileField(required=False, allow_empty_file=True)


# ---- output ---------------------------------------------------------------------------------


class PartyRefSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()


class PhotoSerializer(serializers.ModelSerializer[ItemPhoto]):
    class Meta:
        model = ItemPhoto
        fields = ["id", "item", "sha256", "content_type", "uploaded_at"]


class SeizureSerializer(serializers.ModelSerializer[Seizure]):
    custodian = serializers.CharField(source="custodian.username", default=None)

    class Meta:
        model = Seizure
        fields = [
            "seized_at", "handed_over_at", "custodian", "unrelated_at", "returned_at",
            "returned_to",
        ]  # fmt: skip


class ItemSerializer(serializers.ModelSerializer[PropertyItem]):
    category = ServiceChoiceField(PropertyItem.Category, read_only=True)
    category_display = serializers.CharField(source="get_category_display", read_only=True)
    quantity = serializers.CharField(source="quantity_text", read_only=True)
    disposition = ServiceChoiceField(PropertyItem.Disposition, blank=True, read_only=True)
    custodian = serializers.CharField(source="custodian.username", default=None, read_only=True)
    photos = PhotoSerializer(many=True, read_only=True)
    seizure = SeizureSerializer(read_only=True, allow_null=True)

    class Meta:
        model = PropertyItem
        fields = [
            "id", "inventory", "line", "category", "category_display", "name", "quantity",
            "unit", "size", "marks", "condition", "description", "is_empty", "denominations",
            "removed_at", "disposition", "disposed_at", "receiver", "receiver_relation",
            "locker", "custodian", "disposal_note", "photos", "seizure",
        ]  # fmt: skip


class ItemStateSerializer(ItemSerializer):
    """An item after an end-state change, with its inventory's status (it may have closed)."""

    inventory_status = ServiceChoiceField(
        Inventory.Status, source="inventory.status", read_only=True
    )

    class Meta(ItemSerializer.Meta):
        fields = [*ItemSerializer.Meta.fields, "inventory_status"]


_INVENTORY_FIELDS = [
    "id", "case", "case_number", "station", "party", "revision", "status", "status_display",
    "taken_at", "place", "created_by", "created_at", "signed_at", "sha256", "closed_at",
    "supersedes",
]  # fmt: skip


class InventorySerializer(serializers.ModelSerializer[Inventory]):
    case_number = serializers.CharField(source="case.number", read_only=True)
    station = serializers.CharField(source="station.code", read_only=True)
    party = PartyRefSerializer(read_only=True)
    status = ServiceChoiceField(Inventory.Status, read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    created_by = serializers.CharField(source="created_by.username", read_only=True)
    item_count = serializers.IntegerField(read_only=True)
    open_item_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Inventory
        fields = [*_INVENTORY_FIELDS, "item_count", "open_item_count"]


class InventoryDetailSerializer(InventorySerializer):
    signed_by = serializers.CharField(source="signed_by.username", default=None, read_only=True)
    second_officer = serializers.CharField(
        source="second_officer.username", default=None, read_only=True
    )
    suspect_signature = ServiceChoiceField(Inventory.SuspectSignature, blank=True, read_only=True)
    superseded_by = serializers.IntegerField(
        source="superseded_by.pk", allow_null=True, read_only=True
    )
    pdf_url = serializers.SerializerMethodField()
    items = ItemSerializer(source="live", many=True, read_only=True)

    class Meta:
        model = Inventory
        fields = [
            *_INVENTORY_FIELDS, "signed_by", "second_officer", "witness_name",
            "suspect_signature", "refusal_reason", "correction_reason", "superseded_at",
            "superseded_by", "pdf_url", "pdf_rendered_at", "items",
        ]  # fmt: skip

    def get_pdf_url(self, inventory: Inventory) -> str | None:
        """Every signed revision has its form: stored by the worker, or rendered on request."""
        if inventory.status == Inventory.Status.DRAFT:
            return None
        url = reverse("api:inventory-pdf", args=[inventory.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url
