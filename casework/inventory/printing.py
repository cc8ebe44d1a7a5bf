"""The printed 嫌疑人随身物品处置表: context for the print template, and the QR code on it."""

from __future__ import annotations

import base64
import io
from typing import Any

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from casework.core.pdf import pdf_render
from casework.inventory.models import Inventory, PropertyItem
from casework.inventory.selectors import live_items


def record_url(inventory: Inventory) -> str:
    return settings.CASEWORK_BASE_URL + reverse("inventory:inventory-detail", args=[inventory.pk])


def qr_data_uri(text: str) -> str:
    """An SVG QR code as a data: URL (the PDF fetcher allows data: and nothing outside)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=1)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def print_context(inventory: Inventory, items: list[PropertyItem]) -> dict[str, Any]:
    url = record_url(inventory)
    return {
        "inventory": inventory,
        "case": inventory.case,
        "party": inventory.party,
        "station": inventory.station,
        "items": items,
        "dispositions": PropertyItem.Disposition.choices,
        "record_url": url,
        "qr": qr_data_uri(url),
        "printed_at": timezone.now(),
    }


def inventory_pdf_render(*, inventory: Inventory) -> bytes:
    """The form as PDF bytes (A4, Chinese), from the signed content of this revision."""
    items = list(live_items(inventory))
    return pdf_render(template="print/inventory.html", context=print_context(inventory, items))
