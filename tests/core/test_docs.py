"""README stays true: every environment variable the settings read is documented."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _variables_read_by_settings() -> set[str]:
    source = "".join(p.read_text("utf-8") for p in (ROOT / "config" / "settings").glob("*.py"))
    return set(re.findall(r'(?:env_\w+|_from_env)\(\s*"([A-Z_]+)"', source))


def test_every_setting_variable_is_in_the_readme_and_env_example() -> None:
    variables = _variables_read_by_settings()
    assert "DATABASE_URL" in variables  # the scan itself works
    readme = (ROOT / "README.md").read_text("utf-8")
    example = (ROOT / ".env.example").read_text("utf-8")
    assert sorted(v for v in variables if f"`{v}`" not in readme) == []
    test_only = {"CELERY_TASK_ALWAYS_EAGER", "EMAIL_FILE_PATH"}
    assert sorted(v for v in variables - test_only if f"{v}=" not in example) == []
