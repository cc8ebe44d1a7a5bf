"""A legal officer signs in through a real browser and lands on the Chinese home page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import AbstractBaseUser
from playwright.sync_api import Page, expect

from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_legal_officer_logs_in_and_sees_the_chinese_home_page(
    page: Page, live_server: Any, legal_officer: AbstractBaseUser, screenshot_dir: Path
) -> None:
    page.goto(f"{live_server.url}/")
    page.wait_for_url("**/accounts/login/**")
    expect(page.locator("body")).to_contain_text("派出所执法全流程监督系统")
    expect(page.get_by_label("用户名")).to_be_visible()
    page.get_by_label("用户名").fill("legal_xq")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/home/")
    expect(page.locator("h1")).to_have_text("您好,陈静")
    expect(page.get_by_test_id("role-card")).to_contain_text("法制员")
    expect(page.get_by_test_id("identity")).to_contain_text("新区派出所")
    page.screenshot(path=str(screenshot_dir / "legal_xq_home.png"), full_page=True)


def test_language_switch_turns_the_page_english(
    page: Page, live_server: Any, legal_officer: AbstractBaseUser
) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.select_option("#cw-language", "en")
    page.wait_for_load_state()
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    page.get_by_label("Username").fill("legal_xq")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/home/")
    expect(page.get_by_test_id("role-card")).to_contain_text("Legal officer")


def test_wrong_password_shows_a_chinese_error(
    page: Page, live_server: Any, legal_officer: Any
) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("legal_xq")
    page.get_by_label("密码").fill("wrong")
    page.get_by_role("button", name="登录").click()
    expect(page.locator("body")).to_contain_text("请输入一个正确的")
