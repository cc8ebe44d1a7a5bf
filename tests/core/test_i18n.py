"""Chinese first, English second: complete catalogues, including viewflow's own strings."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import viewflow
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client
from django.utils import translation

from tests.factories import client_for

ROOT = Path(__file__).resolve().parents[2]
OURS = ROOT / "casework" / "locale"
VIEWFLOW_OURS = ROOT / "casework" / "core" / "locale_viewflow" / "zh_Hans" / "LC_MESSAGES"
VIEWFLOW_SHIPPED = Path(viewflow.__file__).parent / "locale" / "zh_Hans" / "LC_MESSAGES"


def _msgattrib(po: Path, flag: str) -> str:
    result = subprocess.run(
        ["msgattrib", flag, str(po)], capture_output=True, text=True, check=True
    )
    return result.stdout


def _msgids(po: Path) -> set[str]:
    return set(re.findall(r'^msgid "(.+)"$', po.read_text("utf-8"), flags=re.MULTILINE))


@pytest.mark.parametrize(
    "po",
    [OURS / "zh_Hans/LC_MESSAGES/django.po", OURS / "en/LC_MESSAGES/django.po"],
    ids=["zh_Hans", "en"],
)
def test_our_catalogue_is_complete(po: Path) -> None:
    assert _msgattrib(po, "--untranslated") == ""
    assert _msgattrib(po, "--only-fuzzy") == ""


def test_viewflow_strings_all_have_chinese() -> None:
    ours = VIEWFLOW_OURS / "django.po"
    assert _msgattrib(ours, "--untranslated") == ""
    missing = _msgids(VIEWFLOW_SHIPPED / "django.po") - _msgids(ours)
    assert missing == set()
    with translation.override("zh-hans"):
        assert translation.gettext("Inbox") == "待办箱"
        assert translation.gettext("Log out") == "退出登录"


@pytest.mark.django_db
def test_chinese_even_for_an_english_browser(legal_officer: AbstractBaseUser) -> None:
    client = client_for(legal_officer)
    page = client.get("/home/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="zh-hans"' in page
    assert "我的职责" in page
    assert "退出登录" in page  # viewflow's own menu string, translated by our catalogue


@pytest.mark.django_db
def test_language_switch_gives_english(legal_officer: AbstractBaseUser) -> None:
    client = client_for(legal_officer)
    client.post("/i18n/setlang/", {"language": "en", "next": "/home/"})
    page = client.get("/home/").content.decode()
    assert '<html lang="en"' in page
    assert "Legal officer" in page
    assert "我的职责" not in page


def test_login_page_is_chinese() -> None:
    page = Client().get("/accounts/login/").content.decode()
    for label in ("用户名", "密码", "登录"):
        assert label in page
