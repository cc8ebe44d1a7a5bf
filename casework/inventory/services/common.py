"""What every inventory service checks first: who may act, and that a draft is still a draft."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from casework.cases.selectors import handler_ids
from casework.core.errors import Conflict, RuleViolation
from casework.core.uploads import MAX_UPLOAD_BYTES
from casework.inventory import selectors
from casework.inventory.models import Inventory

ITEM_FIELDS = (
    "category", "name", "quantity", "unit", "size", "marks", "condition", "description",
    "is_empty", "denominations",
)  # fmt: skip
MAX_ITEMS = 300
MAX_PHOTO_BYTES = MAX_UPLOAD_BYTES


def require_handler(by: Any, case: Any, perm: str) -> None:
    if not by.has_perm(perm) or by.pk not in handler_ids(case):
        raise RuleViolation(_("只有本案办案民警可以填写、签名和处置随身物品处置表"))


def require_draft(inventory: Inventory) -> None:
    if inventory.status != Inventory.Status.DRAFT:
        raise Conflict(
            _("该处置表已签名锁定(%(s)s),不能修改;如需更正请生成新版本")
            % {"s": inventory.get_status_display()}
        )


def draft_for(by: Any, inventory_id: int) -> Inventory:
    inventory = selectors.access_inventory(by, inventory_id, for_update=True)
    require_handler(by, inventory.case, "inventory.change_inventory")
    require_draft(inventory)
    return inventory
