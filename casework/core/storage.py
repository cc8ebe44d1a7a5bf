"""Static files storage for production: whitenoise's hashed, compressed files, except that a
third-party stylesheet may name a file its package does not ship.

viewflow 2.4.0's `roboto-fontface.css` points at `./Roboto-*.woff2` beside itself, while the
package ships those fonts in `../../fonts/roboto/`. Strict post-processing stopped
`collectstatic` there, so no production deployment could start (DEBUG off needs the manifest).
Such a reference under a listed third-party prefix is left as written (the browser gets the same
404 as before); our own stylesheets stay strict.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlsplit

from whitenoise.storage import CompressedManifestStaticFilesStorage  # type: ignore[import-untyped]

THIRD_PARTY_PREFIXES = ("viewflow/",)


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    def hashed_name(self, name: str, content: Any = None, filename: str | None = None) -> str:
        if content is None:
            path = urlsplit(unquote(filename or name)).path.strip()
            if path.startswith(THIRD_PARTY_PREFIXES) and not self.exists(path):
                return name
        return str(super().hashed_name(name, content, filename))
