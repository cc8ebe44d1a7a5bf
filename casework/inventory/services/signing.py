"""Signing and locking, corrections as new revisions, and the printed form."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.core import audit, outbox
from casework.core.errors import Conflict, RuleViolation
from casework.inventory import selectors
from casework.inventory.models import Inventory, ItemPhoto
from casework.inventory.services.common import (
    ITEM_FIELDS,
    draft_for,
    require_handler,
)
from casework.inventory.services.recording import item_create
from casework.org.selectors import station_member

# ---- signing --------------------------------------------------------------------------------


def _second_officer(by: Any, inventory: Inventory, username: str) -> Any:
    if not username:
        return None
    officer = station_member(station_id=inventory.station_id, username=username)
    if officer is None or not officer.has_perm("cases.handle_case"):  # a 辅警 is no second 民警
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
    inventory = draft_for(by, inventory_id)
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


# ---- corrections ----------------------------------------------------------------------------


@transaction.atomic
def inventory_correct(*, by: Any, inventory_id: int, reason: str) -> Inventory:
    """A signed inventory found wrong: a new draft revision with the same items, linked to it.

    The signed revision stays as it was (marked superseded, its PDF kept). Once an item has
    reached an end state the form has been acted on, so corrections stop there."""
    inventory = selectors.access_inventory(by, inventory_id, for_update=True)
    require_handler(by, inventory.case, "inventory.change_inventory")
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
        new = item_create(revision, values | {"copied_from": old}, old.line)
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
    try:
        pdf = inventory_pdf_render(inventory=inventory)
    except Exception as exc:  # recorded on the row for the screens; the outbox retries
        Inventory.objects.filter(pk=inventory.pk).service_update(
            pdf_error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        raise
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
