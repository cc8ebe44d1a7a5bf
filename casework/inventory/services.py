"""Writes to inventories: list the items, sign and lock, record every item's end state.

Check → change → audit in one transaction. A signed inventory's content never changes: every
write below first asks `_require_draft`, the database refuses what slips past (migration
0002), and the stored SHA-256 shows it if anything did.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from casework.cases.models import CaseEvent, Party
from casework.cases.selectors import handler_ids
from casework.cases.services import case_event_add, require_open
from casework.core import audit, outbox
from casework.core.errors import Conflict, RuleViolation
from casework.deadlines.services import clocks_for_event, clocks_meet
from casework.inventory import selectors
from casework.inventory.models import DENOMINATIONS, Inventory, ItemPhoto, PropertyItem, Seizure

User = get_user_model()

ITEM_FIELDS = (
    "category", "name", "quantity", "unit", "size", "marks", "condition", "description",
    "is_empty", "denominations",
)  # fmt: skip
MAX_ITEMS = 300
MAX_PHOTO_BYTES = 10 * 1024 * 1024
PHOTO_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


def _require_handler(by: Any, case: Any, perm: str) -> None:
    if not by.has_perm(perm):
        raise PermissionDenied(perm)
    if by.pk not in handler_ids(case):
        raise RuleViolation(_("只有本案办案民警可以填写、签名和处置随身物品处置表"))


def _require_draft(inventory: Inventory) -> None:
    if inventory.status != Inventory.Status.DRAFT:
        raise Conflict(
            _("该处置表已签名锁定(%(s)s),不能修改;如需更正请生成新版本")
            % {"s": inventory.get_status_display()}
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


def _item_create(inventory: Inventory, values: dict[str, Any], line: int) -> PropertyItem:
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
    _require_handler(by, case, "inventory.add_inventory")
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
        _item_create(inventory, values, line)
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


def _draft_for(by: Any, inventory_id: int) -> Inventory:
    inventory = selectors.access_inventory(by, inventory_id, for_update=True)
    _require_handler(by, inventory.case, "inventory.change_inventory")
    _require_draft(inventory)
    return inventory


@transaction.atomic
def item_add(*, by: Any, inventory_id: int, **fields: Any) -> PropertyItem:
    """Add one item to a draft inventory."""
    inventory = _draft_for(by, inventory_id)
    if inventory.items.filter(removed_at__isnull=True).count() >= MAX_ITEMS:
        raise ValidationError({"items": _("一张处置表最多 %(n)s 项") % {"n": MAX_ITEMS}})
    item = _item_create(inventory, _item_values(fields), _next_line(inventory))
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
    _draft_for(by, item.inventory_id)
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
    _draft_for(by, item.inventory_id)
    item.removed_at = timezone.now()
    item.save(update_fields=["removed_at"])
    audit.record(
        actor=by, verb="inventory.item_removed", target=item.inventory, payload={"item": item.pk}
    )
    return item


def _image_kind(data: bytes) -> str:
    """The image's MIME type, read from its content; anything else is refused."""
    from io import BytesIO

    try:
        with Image.open(BytesIO(data)) as image:
            image.verify()
            kind = image.format or ""
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError({"photo": _("照片必须是 JPEG、PNG 或 WebP 图片")}) from None
    if kind not in PHOTO_FORMATS:
        raise ValidationError({"photo": _("照片必须是 JPEG、PNG 或 WebP 图片")})
    return PHOTO_FORMATS[kind]


@transaction.atomic
def photo_add(*, by: Any, item_id: int, data: bytes) -> ItemPhoto:
    """Attach a photo to an item of a draft (its digest becomes part of what is signed)."""
    item = selectors.access_item(by, item_id)
    _draft_for(by, item.inventory_id)
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


# ---- signing --------------------------------------------------------------------------------


def _second_officer(by: Any, inventory: Inventory, username: str) -> Any:
    if not username:
        return None
    officer = User.objects.filter(
        username=username, is_active=True, profile__station_id=inventory.station_id
    ).first()
    if officer is None:
        raise ValidationError({"second_officer": _("在场民警须为本所在职民警")})
    if officer.pk == by.pk:
        raise ValidationError({"second_officer": _("在场民警不能是登记民警本人")})
    return officer


@transaction.atomic
def inventory_sign(
    *,
    by: Any,
    inventory_id: int,
    suspect_signature: str,
    second_officer: str = "",
    witness_name: str = "",
    refusal_reason: str = "",
) -> Inventory:
    """Sign and lock the inventory: the responsible officer signs in the system and records
    the second officer or witness and the suspect's signature (or refusal) on the printed form.

    1. a draft with at least one item, signed by a 民警 handling the case;
    2. its content is hashed (SHA-256) and the inventory locked in one conditional update;
    3. the PDF is rendered by a worker after commit (outbox), once for this revision."""
    inventory = _draft_for(by, inventory_id)
    if not by.has_perm("inventory.sign_inventory"):
        raise RuleViolation(_("只有民警可以签名锁定处置表(辅警不能)"))
    if not inventory.items.filter(removed_at__isnull=True).exists():
        raise ValidationError({"items": _("处置表没有任何物品,不能签名")})
    officer = _second_officer(by, inventory, second_officer.strip())
    witness_name = witness_name.strip()
    if officer is None and not witness_name:
        raise ValidationError({"second_officer": _("须有第二名民警或见证人在场")})
    if suspect_signature not in Inventory.SuspectSignature.values:
        raise ValidationError({"suspect_signature": _("请登记嫌疑人签名情况")})
    refusal_reason = refusal_reason.strip()
    if suspect_signature == Inventory.SuspectSignature.REFUSED and not refusal_reason:
        raise ValidationError({"refusal_reason": _("嫌疑人拒绝签名的,须注明原因")})
    inventory.signed_by, inventory.second_officer = by, officer
    inventory.witness_name, inventory.suspect_signature = witness_name[:100], suspect_signature
    inventory.refusal_reason = refusal_reason if suspect_signature == "refused" else ""
    digest = selectors.inventory_digest(inventory)
    locked = Inventory.objects.filter(pk=inventory.pk, status=Inventory.Status.DRAFT)
    if not locked.service_update(
        status=Inventory.Status.SIGNED, signed_at=timezone.now(), signed_by=by,
        second_officer=officer, witness_name=inventory.witness_name,
        suspect_signature=suspect_signature, refusal_reason=inventory.refusal_reason,
        sha256=digest,
    ):  # fmt: skip
        raise Conflict(_("该处置表已被他人签名,请刷新后查看"))
    inventory.refresh_from_db()
    audit.record(actor=by, verb="inventory.signed", target=inventory, payload={"sha256": digest})
    outbox.outbox_put(
        topic="inventory.pdf", payload={"inventory": inventory.pk}, key=f"inventory-pdf:{digest}"
    )
    return inventory


# ---- end states (闭环) ------------------------------------------------------------------------


def _custodian(inventory: Inventory, username: str, field: str) -> Any:
    """A custodian is of the station and never an officer handling the case (涉案财物管理
    若干规定 §11: 办案人员不得自行保管)."""
    if not username:
        raise ValidationError({field: _("请填写保管人")})
    user = User.objects.filter(
        username=username, is_active=True, profile__station_id=inventory.station_id
    ).first()
    if user is None:
        raise ValidationError({field: _("保管人须为本所在职人员")})
    if user.pk in handler_ids(inventory.case):
        raise ValidationError({field: _("保管人不能是本案办案民警")})
    return user


def _disposable(by: Any, item_id: int) -> tuple[PropertyItem, Inventory]:
    item = selectors.access_item(by, item_id)
    inventory = selectors.access_inventory(by, item.inventory_id, for_update=True)
    _require_handler(by, inventory.case, "inventory.dispose_item")
    if inventory.status == Inventory.Status.DRAFT:
        raise Conflict(_("处置表尚未签名,请先签名锁定再登记处置"))
    if inventory.status == Inventory.Status.SUPERSEDED:
        raise Conflict(_("该版本已被更正,请在最新版本上登记处置"))
    item.refresh_from_db()
    if item.disposition:
        raise ValidationError(
            {
                "disposition": _("该物品已处置(%(d)s),不能重复处置")
                % {"d": item.get_disposition_display()}
            }
        )
    return item, inventory


@transaction.atomic
def item_dispose(
    *,
    by: Any,
    item_id: int,
    disposition: str,
    receiver: str = "",
    receiver_relation: str = "",
    locker: str = "",
    custodian: str = "",
    note: str = "",
) -> PropertyItem:
    """Record an item's end state; closes the inventory when it was the last open item.

    Seizing an item as evidence records the seizure as a case event, which starts the rule
    library's clocks for it (hand-over to the custodian within 24 h)."""
    item, inventory = _disposable(by, item_id)
    values: dict[str, Any] = {"receiver": receiver.strip()[:100], "locker": locker.strip()[:30]}
    values["receiver_relation"], values["custodian"] = receiver_relation.strip()[:30], None
    if disposition not in PropertyItem.Disposition.values:
        raise ValidationError({"disposition": _("请选择处置方式")})
    if disposition == PropertyItem.Disposition.RETURNED:
        values["receiver"] = values["receiver"] or inventory.party.name
    if disposition == PropertyItem.Disposition.FAMILY and not values["receiver"]:
        raise ValidationError({"receiver": _("交家属的,须填写接收人姓名")})
    if disposition == PropertyItem.Disposition.CUSTODY:
        if not values["locker"]:
            raise ValidationError({"locker": _("代为保管的,须填写保管柜号")})
        values["custodian"] = _custodian(inventory, custodian.strip(), "custodian")
    now = timezone.now()
    claimed = PropertyItem.objects.filter(pk=item.pk, disposition="").service_update(
        disposition=disposition, disposed_at=now, disposed_by=by, disposal_note=note.strip(),
        **values,
    )  # fmt: skip
    if not claimed:
        raise ValidationError({"disposition": _("该物品已处置,不能重复处置")})
    item.refresh_from_db()
    audit.record(
        actor=by,
        verb="inventory.item_disposed",
        target=inventory,
        payload={"item": item.pk, "disposition": disposition, "receiver": item.receiver},
    )
    if disposition == PropertyItem.Disposition.SEIZED:
        _seize(by, item, inventory, now)
    _close_if_done(by, inventory)
    return item


def item_label(item: PropertyItem) -> str:
    """ "手机 1 部(iPhone 13,黑色)": how an item is named in reminders and clocks."""
    extra = ",".join(v for v in (item.marks, item.size) if v)
    return f"{item.name} {item.quantity_text}{item.unit}" + (f"({extra})" if extra else "")


def _seize(by: Any, item: PropertyItem, inventory: Inventory, now: Any) -> Seizure:
    event = case_event_add(
        by=by, case_id=inventory.case_id, kind=CaseEvent.Kind.PROPERTY_SEIZED, occurred_at=now,
        party_id=inventory.party_id, note=_("扣押:%(i)s") % {"i": item_label(item)},
    )  # fmt: skip
    clocks_for_event(event=event, subject=item_label(item))
    return Seizure.objects.create(
        item=item, case_id=inventory.case_id, seized_at=now, seized_event=event
    )


def _close_if_done(by: Any, inventory: Inventory) -> None:
    if inventory.items.filter(removed_at__isnull=True, disposition="").exists():
        return
    if Inventory.objects.filter(pk=inventory.pk, status=Inventory.Status.SIGNED).service_update(
        status=Inventory.Status.CLOSED, closed_at=timezone.now()
    ):
        audit.record(actor=by, verb="inventory.closed", target=inventory)


def _seizure_of(by: Any, item_id: int) -> tuple[Seizure, Inventory]:
    item = selectors.access_item(by, item_id)
    inventory = selectors.access_inventory(by, item.inventory_id, for_update=True)
    _require_handler(by, inventory.case, "inventory.dispose_item")
    seizure = Seizure.objects.filter(item=item).first()
    if seizure is None:
        raise ValidationError({"disposition": _("该物品未被扣押")})
    return seizure, inventory


@transaction.atomic
def seizure_hand_over(*, by: Any, item_id: int, custodian: str) -> Seizure:
    """The seized item reaches the property custodian; the 24-hour clock stops."""
    seizure, inventory = _seizure_of(by, item_id)
    if seizure.handed_over_at is not None:
        raise Conflict(_("该扣押物品已移交"))
    keeper = _custodian(inventory, custodian.strip(), "custodian")
    seizure.handed_over_at, seizure.custodian = timezone.now(), keeper
    seizure.save(update_fields=["handed_over_at", "custodian"])
    clocks_meet(
        by=by, case=inventory.case, trigger=f"event:{seizure.seized_event_id}",
        note=_("已移交涉案财物管理人员 %(u)s") % {"u": keeper.username},
    )  # fmt: skip
    audit.record(
        actor=by,
        verb="inventory.seizure_handed_over",
        target=inventory,
        payload={"item": seizure.item_id, "custodian": keeper.username},
    )
    return seizure


@transaction.atomic
def seizure_release(*, by: Any, item_id: int, note: str = "") -> Seizure:
    """The seized item proves unrelated to the case: the return clock (3 days) starts."""
    seizure, inventory = _seizure_of(by, item_id)
    if seizure.unrelated_at is not None:
        raise Conflict(_("该物品已认定与案件无关"))
    event = case_event_add(
        by=by, case_id=inventory.case_id, kind=CaseEvent.Kind.PROPERTY_UNRELATED,
        occurred_at=timezone.now(), party_id=inventory.party_id,
        note=note.strip() or item_label(seizure.item),
    )  # fmt: skip
    clocks_for_event(event=event, subject=item_label(seizure.item))
    seizure.unrelated_at, seizure.unrelated_event = event.occurred_at, event
    seizure.save(update_fields=["unrelated_at", "unrelated_event"])
    audit.record(
        actor=by,
        verb="inventory.seizure_released",
        target=inventory,
        payload={"item": seizure.item_id},
    )
    return seizure


@transaction.atomic
def seizure_return(*, by: Any, item_id: int, returned_to: str) -> Seizure:
    """An unrelated seized item is given back; the 3-day clock stops."""
    seizure, inventory = _seizure_of(by, item_id)
    if seizure.unrelated_at is None:
        raise Conflict(_("须先认定该物品与案件无关,才能退还"))
    if seizure.returned_at is not None:
        raise Conflict(_("该物品已退还"))
    returned_to = returned_to.strip()[:100]
    if not returned_to:
        raise ValidationError({"returned_to": _("请填写退还对象")})
    seizure.returned_at, seizure.returned_to = timezone.now(), returned_to
    seizure.save(update_fields=["returned_at", "returned_to"])
    clocks_meet(
        by=by, case=inventory.case, trigger=f"event:{seizure.unrelated_event_id}",
        note=_("已退还 %(r)s") % {"r": returned_to},
    )  # fmt: skip
    audit.record(
        actor=by,
        verb="inventory.seizure_returned",
        target=inventory,
        payload={"item": seizure.item_id, "returned_to": returned_to},
    )
    return seizure


# ---- corrections ----------------------------------------------------------------------------


@transaction.atomic
def inventory_correct(*, by: Any, inventory_id: int, reason: str) -> Inventory:
    """A signed inventory found wrong: a new draft revision with the same items, linked to it.

    The signed revision stays as it was (marked superseded, its PDF kept). Once an item has
    reached an end state the form has been acted on, so corrections stop there."""
    inventory = selectors.access_inventory(by, inventory_id, for_update=True)
    _require_handler(by, inventory.case, "inventory.change_inventory")
    if inventory.status != Inventory.Status.SIGNED:
        raise Conflict(_("只有已签名、尚未处置的处置表可以更正"))
    if inventory.items.exclude(disposition="").exists():
        raise Conflict(_("已有物品登记了处置,不能再更正处置表"))
    if not reason.strip():
        raise ValidationError({"reason": _("请填写更正原因")})
    Inventory.objects.filter(pk=inventory.pk).service_update(
        status=Inventory.Status.SUPERSEDED, superseded_at=timezone.now()
    )
    revision = Inventory.objects.create(
        station_id=inventory.station_id, case_id=inventory.case_id, party_id=inventory.party_id,
        revision=inventory.revision + 1, supersedes=inventory, correction_reason=reason.strip(),
        taken_at=inventory.taken_at, place=inventory.place, created_by=by,
    )  # fmt: skip
    for old in selectors.live_items(inventory):
        values = {f: getattr(old, f) for f in ITEM_FIELDS}
        new = _item_create(revision, values | {"copied_from": old}, old.line)
        ItemPhoto.objects.bulk_create(
            ItemPhoto(item=new, image=p.image.name, sha256=p.sha256, content_type=p.content_type,
                      uploaded_by=p.uploaded_by, uploaded_at=p.uploaded_at)
            for p in old.photos.all()
        )  # fmt: skip
    audit.record(
        actor=by,
        verb="inventory.corrected",
        target=revision,
        payload={"supersedes": inventory.pk, "reason": reason[:500]},
    )
    return revision


# ---- the printed form -----------------------------------------------------------------------


def inventory_pdf_store(*, inventory_id: int) -> bool:
    """Render a signed revision's PDF and store it; a second call does nothing (idempotent).
    Returns whether this call stored it."""
    from casework.inventory.printing import inventory_pdf_render

    inventory = Inventory.objects.select_related("case", "party", "station").get(pk=inventory_id)
    if inventory.pdf or not inventory.sha256:
        return False
    pdf = inventory_pdf_render(inventory=inventory)
    name = f"{inventory.case.number}-{inventory.pk}-v{inventory.revision}.pdf"
    stored = inventory.pdf.storage.save(
        f"inventories/{inventory.sha256[:2]}/{name}", ContentFile(pdf)
    )
    with transaction.atomic():
        claimed = Inventory.objects.filter(pk=inventory.pk, pdf="").service_update(
            pdf=stored, pdf_rendered_at=timezone.now(), pdf_error=""
        )
        if not claimed:  # another worker stored it first; keep theirs
            inventory.pdf.storage.delete(stored)
            return False
        audit.record(
            actor=None, verb="inventory.pdf_rendered", target=inventory, payload={"file": stored}
        )
    return True


@outbox.handler("inventory.pdf")
def _render_on_sign(payload: dict[str, Any]) -> None:
    inventory_pdf_store(inventory_id=int(payload["inventory"]))
