"""Writes to inventories: list the items, sign and lock, record every item's end state.

Check → change → audit in one transaction. A signed inventory's content never changes: every
write below first asks `require_draft`, the database refuses what slips past (migration
0002), and the stored SHA-256 shows it if anything did.
"""

from casework.inventory.services.common import ITEM_FIELDS, MAX_ITEMS, MAX_PHOTO_BYTES
from casework.inventory.services.end_states import (
    item_dispose,
    item_label,
    seizure_hand_over,
    seizure_release,
    seizure_return,
)
from casework.inventory.services.recording import (
    inventory_open,
    item_add,
    item_remove,
    item_update,
    photo_add,
)
from casework.inventory.services.signing import (
    inventory_correct,
    inventory_pdf_store,
    inventory_sign,
)

__all__ = [
    "ITEM_FIELDS",
    "MAX_ITEMS",
    "MAX_PHOTO_BYTES",
    "inventory_correct",
    "inventory_open",
    "inventory_pdf_store",
    "inventory_sign",
    "item_add",
    "item_dispose",
    "item_label",
    "item_remove",
    "item_update",
    "photo_add",
    "seizure_hand_over",
    "seizure_release",
    "seizure_return",
]
