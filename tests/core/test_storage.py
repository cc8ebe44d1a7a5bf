"""The production static files storage: `collectstatic` must get past viewflow's stylesheet.

viewflow 2.4.0's roboto-fontface.css names `./Roboto-*.woff2` beside itself, where the package
ships none; whitenoise's strict manifest storage stopped `collectstatic` there, so a production
deployment (DEBUG off) could not start. Found by the load test (issue 8).
"""

from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

CSS = "@font-face { src: url('./Missing-Thin.woff2') format('woff2'); }\nbody { color: red; }\n"


def _collect(settings: Any, tmp_path: Path, prefix: str) -> Path:
    source, target = tmp_path / "src", tmp_path / "static"
    css = source / prefix / "fonts.css"
    css.parent.mkdir(parents=True)
    css.write_text(CSS)
    settings.STATICFILES_DIRS = [source]
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    settings.STATIC_ROOT = target
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "casework.core.storage.StaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    return target


def test_a_third_party_stylesheet_naming_a_missing_font_is_collected(
    settings: Any, tmp_path: Path
) -> None:
    target = _collect(settings, tmp_path, "viewflow/fonts")
    hashed = [p for p in (target / "viewflow/fonts").glob("fonts.*.css")]
    assert hashed, "the stylesheet was not collected with its hashed name"
    assert "./Missing-Thin.woff2" in hashed[0].read_text()  # left as written
    assert (target / "staticfiles.json").exists()


def test_our_own_stylesheets_stay_strict(settings: Any, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"Missing-Thin\.woff2"):
        _collect(settings, tmp_path, "casework")
