"""Every item's end state (闭环): returned, family, custody, seized, and the seizure's clocks."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.cases.models import CaseEvent
from casework.cases.selectors import handler_ids
from casework.cases.services import case_event_add
from casework.core import audit
from casework.core.errors import Conflict
from casework.deadlines.services import clocks_for_event, clocks_meet
from casework.inventory import selectors
from casework.inventory.models import Inventory, PropertyItem, Seizure
from casework.inventory.services.common import (
    require_handler,
)
from casework.org.selectors import station_member

# ---- end states (闭环) ------------------------------------------------------------------------


def _custodian(inventory: Inventory, username: str, field: str) -> Any:
    """A custodian is of the station and never an officer handling the case (涉案财物管理
    若干规定 §11: 办案人员不得自行保管)."""
    if not username:
        raise ValidationError({field: _("请填写保管人")})
    user = station_member(station_id=inventory.station_id, username=username)
    if user is None:
        raise ValidationError({field: _("保管人须为本所在职人员")})
    if user.pk in handler_ids(inventory.case):
        raise ValidationError({field: _("保管人不能是本案办案民警")})
    return user


def _disposable(by: Any, item_id: int) -> tuple[PropertyItem, Inventory]:
    item = selectors.access_item(by, item_id)
    inventory = selectors.access_inventory(by, item.inventory_id, for_update=True)
    require_handler(by, inventory.case, "inventory.dispose_item")
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
    require_handler(by, inventory.case, "inventory.dispose_item")
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
