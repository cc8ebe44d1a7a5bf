"""Reads of inventories: always through the case's visibility; the signed content and its hash."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from casework.cases.selectors import case_list
from casework.core.errors import NotFoundOrForbidden, as_id
from casework.inventory.models import Inventory, ItemPhoto, PropertyItem

OPEN = [Inventory.Status.DRAFT, Inventory.Status.SIGNED]


def inventory_list(
    *, user: Any, open_only: bool = False, case_id: int | None = None
) -> QuerySet[Inventory]:
    """Inventories of the cases `user` may see (a lent case brings its inventories along)."""
    if not user.has_perm("inventory.view_inventory"):
        return Inventory.objects.none()
    found = Inventory.objects.filter(case__in=case_list(user=user).values("pk"))
    if open_only:
        found = found.filter(status__in=OPEN)
    if case_id is not None:
        found = found.filter(case_id=case_id)
    # Per-row subqueries, not a join with GROUP BY: the paginator's count then drops them
    # (a plain count), and the page computes them for its own rows only.
    live = PropertyItem.objects.filter(inventory=OuterRef("pk"), removed_at__isnull=True)
    counted = found.select_related("case", "party", "station", "created_by__profile").annotate(
        item_count=_count_of(live), open_item_count=_count_of(live.filter(disposition=""))
    )
    return counted.order_by("-created_at", "-pk")


def _count_of(items: QuerySet[PropertyItem]) -> Coalesce:
    counted = items.order_by().values("inventory").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted), 0)


def access_inventory(user: Any, inventory_id: object, *, for_update: bool = False) -> Inventory:
    """The inventory if `user` may see it; missing and forbidden raise the same 404."""
    found = inventory_list(user=user).filter(pk=as_id(inventory_id))
    if for_update:
        # Lock the row itself (the annotated list cannot be locked with its GROUP BY), and only
        # it, FOR NO KEY UPDATE: a plain FOR UPDATE also locked the joined station row, and
        # blocks the KEY SHARE lock a foreign-key check takes, so an insert referencing a
        # locked row waited at COMMIT for the signer, who waited for the audit chain's lock
        # held by that insert: a deadlock, seen by the load test (issue 8).
        ids = list(found.values_list("pk", flat=True))
        found = Inventory.objects.select_for_update(of=("self",), no_key=True).filter(pk__in=ids)
        found = found.select_related("case", "party", "station")
    inventory = found.first()
    if inventory is None:
        exists = Inventory.objects.filter(pk=as_id(inventory_id)).exists()
        raise NotFoundOrForbidden(
            target_type="inventory.inventory", target_id=inventory_id, denied=exists
        )
    return inventory


def access_item(user: Any, item_id: object) -> PropertyItem:
    item = PropertyItem.objects.filter(pk=as_id(item_id), removed_at__isnull=True).first()
    if item is None or not inventory_list(user=user).filter(pk=item.inventory_id).exists():
        raise NotFoundOrForbidden(
            target_type="inventory.propertyitem", target_id=item_id, denied=item is not None
        )
    return item


def access_photo(user: Any, photo_id: object) -> ItemPhoto:
    photo = ItemPhoto.objects.select_related("item").filter(pk=as_id(photo_id)).first()
    if photo is None or not inventory_list(user=user).filter(pk=photo.item.inventory_id).exists():
        raise NotFoundOrForbidden(
            target_type="inventory.itemphoto", target_id=photo_id, denied=photo is not None
        )
    return photo


def live_items(inventory: Inventory) -> QuerySet[PropertyItem]:
    """The items listed on the form (struck-out draft rows are kept but not listed)."""
    photos = ItemPhoto.objects.select_related("uploaded_by")
    return (
        inventory.items.filter(removed_at__isnull=True)
        .select_related("custodian__profile", "seizure__custodian__profile", "disposed_by")
        .prefetch_related(Prefetch("photos", queryset=photos))
    )


def inventory_detail(*, user: Any, inventory_id: object) -> Inventory:
    """One inventory with its items and photos, for the detail page and the API."""
    inventory = access_inventory(user, inventory_id)
    items = live_items(inventory)
    return (
        Inventory.objects.filter(pk=inventory.pk)
        .select_related(
            "case", "party", "station", "signed_by__profile", "second_officer__profile",
            "supersedes", "superseded_by",
        )
        .prefetch_related(Prefetch("items", queryset=items, to_attr="live"))
        .get()
    )  # fmt: skip


# ---- the signed content ---------------------------------------------------------------------

_ITEM_FIELDS = (
    "line", "category", "name", "unit", "size", "marks", "condition", "description", "is_empty",
)  # fmt: skip


def inventory_content(inventory: Inventory) -> dict[str, Any]:
    """What the signatures cover, as plain values in a fixed order (the SHA-256 input)."""
    items = []
    for item in inventory.items.filter(removed_at__isnull=True).order_by("line", "pk"):
        row: dict[str, Any] = {f: getattr(item, f) for f in _ITEM_FIELDS}
        row["quantity"] = item.quantity_text
        row["denominations"] = item.denominations
        row["photos"] = sorted(item.photos.values_list("sha256", flat=True))
        items.append(row)
    return {
        "inventory": inventory.pk,
        "revision": inventory.revision,
        "supersedes": inventory.supersedes_id,
        "case": inventory.case.number,
        "party": {"id": inventory.party_id, "name": inventory.party.name},
        "taken_at": timezone.localtime(inventory.taken_at).isoformat(timespec="seconds"),
        "place": inventory.place,
        "signed_by": inventory.signed_by.username if inventory.signed_by else "",
        "second_officer": inventory.second_officer.username if inventory.second_officer else "",
        "witness": inventory.witness_name,
        "suspect_signature": inventory.suspect_signature,
        "refusal_reason": inventory.refusal_reason,
        "items": items,
    }


def inventory_digest(inventory: Inventory) -> str:
    canonical = json.dumps(
        inventory_content(inventory), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def inventory_is_intact(inventory: Inventory) -> bool:
    """A signed inventory's content still hashes to what was stored when it was signed."""
    return bool(inventory.sha256) and inventory_digest(inventory) == inventory.sha256


def open_inventories(*, user: Any, limit: int = 20) -> list[Inventory]:
    """Inventories not yet closed, oldest first: the legal officer's and the chief's list."""
    return list(inventory_list(user=user, open_only=True).order_by("taken_at")[:limit])


def case_has_open_inventory(case_id: int) -> bool:
    return Inventory.objects.filter(case_id=case_id, status__in=OPEN).exists()
