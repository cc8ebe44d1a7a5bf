"""System checks for what WeasyPrint and the Chinese UI need from the operating system.

Each names the Debian package to install, because the failure otherwise shows up far from its
cause: an import error at the first PDF, a 13-second render (no harfbuzz-subset), or a form
full of empty boxes (no CJK font).
"""

from __future__ import annotations

import ctypes.util
import glob
import shutil
import subprocess
from typing import Any

from django.core.checks import CheckMessage, Error, register

SYSTEM_LIBRARIES = [
    ("pango-1.0", "libpango-1.0-0"),
    ("pangoft2-1.0", "libpangoft2-1.0-0"),
    ("harfbuzz-subset", "libharfbuzz-subset0"),
]
CJK_FONT_GLOBS = ["/usr/share/fonts/opentype/noto/NotoSansCJK-*.ttc", "/usr/share/fonts/**/*CJK*"]


def cjk_font_installed() -> bool:
    if shutil.which("fc-list"):
        found = subprocess.run(
            ["fc-list", ":lang=zh", "family"], capture_output=True, text=True, timeout=20
        )
        return bool(found.stdout.strip())
    return any(glob.glob(pattern, recursive=True) for pattern in CJK_FONT_GLOBS)


@register("casework")
def check_system_libraries(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    for library, package in SYSTEM_LIBRARIES:
        if ctypes.util.find_library(library) is None:
            errors.append(
                Error(
                    f"System library '{library}' is missing (PDF rendering needs it).",
                    hint=f"Install the Debian package: apt-get install {package}",
                    id="casework.E001",
                )
            )
    if not cjk_font_installed():
        errors.append(
            Error(
                "No Chinese (CJK) font is installed: PDFs would show empty boxes.",
                hint="Install the Debian package: apt-get install fonts-noto-cjk",
                id="casework.E002",
            )
        )
    return errors
