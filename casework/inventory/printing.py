"""The printed 嫌疑人随身物品处置表: context for the print template, and the QR code on it."""

from __future__ import annotations

import base64
import io
from typing import Any

import qrcode
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.core.pdf import pdf_render
from casework.inventory.models import Inventory, PropertyItem
from casework.inventory.selectors import live_items
from casework.org.models import Profile

# The form's tick columns, headed as on paper (the choice labels are longer: 扣押(证据)).
DISPOSITION_COLUMNS = [
    (PropertyItem.Disposition.RETURNED, _("返还本人")),
    (PropertyItem.Disposition.FAMILY, _("交家属")),
    (PropertyItem.Disposition.CUSTODY, _("代为保管")),
    (PropertyItem.Disposition.SEIZED, _("扣押")),
]

QR_BORDER = 4  # modules of white around the code: the quiet zone the QR standard asks for


def record_url(inventory: Inventory) -> str:
    return settings.CASEWORK_BASE_URL + reverse("inventory:inventory-detail", args=[inventory.pk])


def qr_data_uri(text: str) -> str:
    """The QR code as a data: URL (the PDF fetcher allows data: and nothing outside).

    One pixel per module, scaled up by the template with `image-rendering: pixelated`: a
    200-byte PNG, where an SVG of the same code cost WeasyPrint ~50 ms to parse and draw."""
    image = qrcode.make(text, box_size=1, border=QR_BORDER)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _profile(user_id: int | None) -> Profile | None:
    """The officer's police facts (name, 警号) for the signature boxes, if the user has them."""
    if user_id is None:
        return None
    return Profile.objects.filter(user_id=user_id).first()


def print_context(inventory: Inventory, items: list[PropertyItem]) -> dict[str, Any]:
    url = record_url(inventory)
    return {
        "inventory": inventory,
        "case": inventory.case,
        "party": inventory.party,
        "station": inventory.station,
        "previous": inventory.supersedes,
        "officer": _profile(inventory.signed_by_id),
        "second": _profile(inventory.second_officer_id),
        "items": items,
        "dispositions": DISPOSITION_COLUMNS,
        "record_url": url,
        "qr": qr_data_uri(url),
        "printed_at": timezone.now(),
    }


def inventory_pdf_render(*, inventory: Inventory) -> bytes:
    """The form as PDF bytes (A4, Chinese), from the signed content of this revision."""
    items = list(live_items(inventory))
    return pdf_render(template="print/inventory.html", context=print_context(inventory, items))
