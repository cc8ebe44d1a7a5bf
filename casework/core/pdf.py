"""PDF rendering with WeasyPrint: print templates in, bytes out, nothing fetched from outside.

The fetcher refuses every URL except inline `data:` and files under PDF_ASSET_DIRS (bundled
fonts and images): a record's text that smuggles in `<img src="http://…">` or
`file:///etc/passwd` renders as a broken image, never as a request or a leak.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse


class AssetOnlyFetcher(URLFetcher):
    """Fetch `data:` URLs and files inside the configured asset folders; refuse the rest."""

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        if parts.scheme == "data":
            return super().fetch(url, headers)
        if parts.scheme == "file" and _is_bundled(Path(unquote(parts.path))):
            return super().fetch(url, headers)
        raise ValueError(f"PDF rendering refused an outside resource: {url[:200]}")


def _is_bundled(path: Path) -> bool:
    resolved = path.resolve()
    return any(resolved.is_relative_to(Path(d).resolve()) for d in settings.PDF_ASSET_DIRS)


_fonts = threading.local()


def _font_config() -> FontConfiguration:
    # One per thread, kept: a new FontConfiguration per document leaked ~0.2 MB a render in a
    # long-lived worker (bench_inventory_pdf). Documents here declare no @font-face, so
    # nothing one document adds can leak into the next.
    config = getattr(_fonts, "config", None)
    if config is None:
        config = _fonts.config = FontConfiguration()
    return config


def html_to_pdf(html: str) -> bytes:
    """PDF bytes from an HTML string, through the asset-only fetcher and the shared fonts."""
    fetcher = AssetOnlyFetcher(allowed_protocols={"data", "file"}, allow_redirects=False)
    document = HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=fetcher)
    return bytes(document.write_pdf(font_config=_font_config()))


def pdf_render(*, template: str, context: dict[str, Any]) -> bytes:
    """Render a print template to PDF bytes (CJK fonts from the system's fontconfig)."""
    return html_to_pdf(render_to_string(template, context))
