"""What an uploaded file is, read from its content, never from its name or the browser's word."""

from __future__ import annotations

from io import BytesIO

from PIL import Image, UnidentifiedImageError

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
PDF = "application/pdf"


def image_type(data: bytes) -> str | None:
    """The MIME type of a JPEG, PNG or WebP image that Pillow can read; None for anything else."""
    try:
        with Image.open(BytesIO(data)) as image:
            image.verify()
            kind = image.format or ""
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return None
    return IMAGE_TYPES.get(kind)


def document_type(data: bytes) -> str | None:
    """A PDF (by its header and end-of-file marker) or one of the images; None otherwise."""
    if data.startswith(b"%PDF-") and b"%%EOF" in data[-2048:]:
        return PDF
    return image_type(data)
