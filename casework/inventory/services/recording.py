"""Listing the items: open the inventory, add, change, strike, photograph (drafts only)."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.cases.models import CaseEvent, Party
from casework.cases.services import case_event_add, require_open
from casework.core import audit
from casework.core.uploads import image_type
from casework.deadlines.services import clocks_for_event
from casework.inventory import selectors
from casework.inventory.models import DENOMINATIONS, Inventory, ItemPhoto, PropertyItem
from casework.inventory.services.common import (
    ITEM_FIELDS,
    MAX_ITEMS,
    MAX_PHOTO_BYTES,
    draft_for,
    require_handler,
)

# ---- items --------------------------------------------------------------------------------


def _quantity(value: Any, prefix: str) -> Decimal:
    try:
        quantity = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({f"{prefix}quantity": _("数量必须是数字")}) from None
    if not quantity.is_finite() or quantity <= 0:
        raise ValidationError({f"{prefix}quantity": _("数量必须大于 0")})
    if quantity != quantity.quantize(Decimal("0.01")) or quantity >= Decimal("1e10"):
        raise ValidationError({f"{prefix}quantity": _("数量最多两位小数、十位整数")})
    return quantity


def _denominations(value: Any, prefix: str) -> tuple[dict[str, int], Decimal]:
    """Cash counted by denomination: {"100": 3} → ({"100": 3}, Decimal("300"))."""
    if not value:
        return {}, Decimal(0)
    if not isinstance(value, dict):
        raise ValidationError({f"{prefix}denominations": _("面额明细格式有误")})
    counted: dict[str, int] = {}
    for key, count in value.items():
        if str(key) not in DENOMINATIONS:
            raise ValidationError({f"{prefix}denominations": _("未知面额:%(d)s") % {"d": key}})
        try:
            number = int(str(count))
        except ValueError:
            raise ValidationError({f"{prefix}denominations": _("张数必须是整数")}) from None
        if number < 0:
            raise ValidationError({f"{prefix}denominations": _("张数不能为负数")})
        if number:
            counted[str(key)] = number
    total = sum((Decimal(k) * n for k, n in counted.items()), Decimal(0))
    return counted, total


def _item_values(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Validate one item's fields; errors name the field (with `items[i].` for a list)."""
    unknown = set(data) - set(ITEM_FIELDS) - {"id"}
    if unknown:
        raise ValidationError({f"{prefix}{f}": _("未知字段") for f in sorted(unknown)})
    values = {f: data.get(f, "") for f in ITEM_FIELDS}
    values["name"] = str(values["name"] or "").strip()
    values["is_empty"] = bool(values["is_empty"])
    if not values["name"]:
        raise ValidationError({f"{prefix}name": _("请填写物品名称")})
    if values["category"] not in PropertyItem.Category.values:
        raise ValidationError({f"{prefix}category": _("请选择物品类别")})
    denominations, total = _denominations(values["denominations"], prefix)
    if denominations and values["category"] != PropertyItem.Category.CASH:
        raise ValidationError({f"{prefix}denominations": _("只有现金可以填写面额明细")})
    values["denominations"] = denominations
    if denominations:
        # Cash counted note by note: the total is the count, so the two cannot disagree.
        values["quantity"], values["unit"] = total, values["unit"] or "元"
    values["quantity"] = _quantity(values["quantity"], prefix)
    values["unit"] = str(values["unit"] or "").strip()
    if not values["unit"]:
        raise ValidationError({f"{prefix}unit": _("请填写单位")})
    for field in ("size", "marks", "condition", "description"):
        values[field] = str(values[field] or "").strip()
    return values


def item_create(inventory: Inventory, values: dict[str, Any], line: int) -> PropertyItem:
    item = PropertyItem(inventory=inventory, line=line, **values)
    item.full_clean(exclude=["inventory"])
    item.save()
    return item


def _next_line(inventory: Inventory) -> int:
    last = inventory.items.order_by("-line").values_list("line", flat=True).first()
    return (last or 0) + 1


@transaction.atomic
def inventory_open(
    *,
    by: Any,
    case_id: int,
    party_id: int,
    items: list[dict[str, Any]] | None = None,
    taken_at: Any = None,
    place: str = "",
) -> Inventory:
    """Start the suspect's inventory (a draft), with the items listed so far.

    The suspect's arrival in the handling area is recorded as a case event unless it already
    was, so the rule library's duties for it (安全检查, 逐项登记) reach the handlers."""
    from casework.cases.selectors import access_case

    case = access_case(by, case_id, for_update=True)
    require_open(case)
    require_handler(by, case, "inventory.add_inventory")
    party = case.parties.filter(pk=party_id).first()
    if party is None:
        raise ValidationError({"party": _("当事人不属于本案")})
    if party.role != Party.Role.SUSPECT:
        raise ValidationError({"party": _("随身物品处置表只为违法犯罪嫌疑人填写")})
    taken_at = taken_at or timezone.now()
    if taken_at > timezone.now() + timedelta(minutes=5):
        raise ValidationError({"taken_at": _("登记时间不能晚于当前时间")})
    rows = [_item_values(d, f"items[{i}].") for i, d in enumerate(items or [])]
    if len(rows) > MAX_ITEMS:
        raise ValidationError({"items": _("一张处置表最多 %(n)s 项") % {"n": MAX_ITEMS}})
    inventory = Inventory.objects.create(
        station_id=case.station_id, case=case, party=party, taken_at=taken_at,
        place=place.strip()[:100], created_by=by,
    )  # fmt: skip
    for line, values in enumerate(rows, start=1):
        item_create(inventory, values, line)
    audit.record(
        actor=by,
        verb="inventory.opened",
        target=inventory,
        payload={"case": case.pk, "party": party.pk, "items": len(rows)},
    )
    _admitted(by, inventory)
    return inventory


def _admitted(by: Any, inventory: Inventory) -> None:
    admitted = CaseEvent.objects.filter(
        case=inventory.case, party=inventory.party, kind=CaseEvent.Kind.SUSPECT_ADMITTED
    )
    if not admitted.exists():
        event = case_event_add(
            by=by, case_id=inventory.case_id, kind=CaseEvent.Kind.SUSPECT_ADMITTED,
            occurred_at=inventory.taken_at, party_id=inventory.party_id,
            note=_("随身物品处置表 #%(n)s") % {"n": inventory.pk},
        )  # fmt: skip
        clocks_for_event(event=event)


@transaction.atomic
def item_add(*, by: Any, inventory_id: int, **fields: Any) -> PropertyItem:
    """Add one item to a draft inventory."""
    inventory = draft_for(by, inventory_id)
    if inventory.items.filter(removed_at__isnull=True).count() >= MAX_ITEMS:
        raise ValidationError({"items": _("一张处置表最多 %(n)s 项") % {"n": MAX_ITEMS}})
    item = item_create(inventory, _item_values(fields), _next_line(inventory))
    audit.record(
        actor=by,
        verb="inventory.item_added",
        target=inventory,
        payload={"item": item.pk, "name": item.name[:100]},
    )
    return item


@transaction.atomic
def item_update(*, by: Any, item_id: int, **fields: Any) -> PropertyItem:
    """Change an item of a draft inventory (the whole row is given again)."""
    item = selectors.access_item(by, item_id)
    draft_for(by, item.inventory_id)
    values = _item_values(fields)
    before = {f: str(getattr(item, f)) for f in values if getattr(item, f) != values[f]}
    for field, value in values.items():
        setattr(item, field, value)
    item.full_clean(exclude=["inventory"])
    item.save(update_fields=list(values))
    audit.record(
        actor=by,
        verb="inventory.item_changed",
        target=item.inventory,
        payload={"item": item.pk, "before": before},
    )
    return item


@transaction.atomic
def item_remove(*, by: Any, item_id: int) -> PropertyItem:
    """Strike an item from a draft; the row is kept (never deleted) but no longer listed."""
    item = selectors.access_item(by, item_id)
    draft_for(by, item.inventory_id)
    item.removed_at = timezone.now()
    item.save(update_fields=["removed_at"])
    audit.record(
        actor=by, verb="inventory.item_removed", target=item.inventory, payload={"item": item.pk}
    )
    return item


def _image_kind(data: bytes) -> str:
    """The image's MIME type, read from its content; anything else is refused."""
    kind = image_type(data)
    if kind is None:
        raise ValidationError({"photo": _("照片必须是 JPEG、PNG 或 WebP 图片")})
    return kind


@transaction.atomic
def photo_add(*, by: Any, item_id: int, data: bytes) -> ItemPhoto:
    """Attach a photo to an item of a draft (its digest becomes part of what is signed)."""
    item = selectors.access_item(by, item_id)
    draft_for(by, item.inventory_id)
    if not data:
        raise ValidationError({"photo": _("请选择照片")})
    if len(data) > MAX_PHOTO_BYTES:
        raise ValidationError({"photo": _("照片不能超过 10 MB")})
    kind = _image_kind(data)
    photo = ItemPhoto(
        item=item, sha256=hashlib.sha256(data).hexdigest(), content_type=kind, uploaded_by=by
    )
    photo.image.save("photo", ContentFile(data), save=False)
    photo.save()
    audit.record(
        actor=by,
        verb="inventory.photo_added",
        target=item.inventory,
        payload={"item": item.pk, "sha256": photo.sha256},
    )
    return photo
