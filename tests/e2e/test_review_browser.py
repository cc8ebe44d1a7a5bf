"""legal_xq approves an acceptance review in the browser; officer_xq1 sees the result."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page: Page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/home/")


def test_officer_opens_legal_officer_approves_officer_sees_it(
    page: Page, live_server: Any, officer: Any, legal_officer: Any, screenshot_dir: Path
) -> None:
    base = live_server.url
    _login(page, base, "officer_xq1")
    page.goto(f"{base}/cases/create/")
    page.get_by_label("案件类型").select_option("administrative")
    page.get_by_label("案件名称").fill("张某殴打他人案")
    page.get_by_label("简要案情").fill("11月20日晚在烧烤店内因琐事殴打他人")
    page.get_by_role("button", name="提交受立案审核").click()
    expect(page.get_by_test_id("case-status")).to_have_text("受立案审核")
    case_url = page.url

    _login(page, base, "legal_xq")
    page.goto(f"{base}/cases/workbench/")
    expect(page.get_by_test_id("workbench-tabs")).to_contain_text("受立案的审核员")
    page.screenshot(path=str(screenshot_dir / "legal_xq_workbench.png"), full_page=True)
    page.get_by_role("link", name="审核", exact=True).first.click()
    page.wait_for_url("**/cases/tasks/**")
    for box in page.locator("input[type=checkbox]").all():
        box.check()
    page.get_by_label("通过").check()
    page.screenshot(path=str(screenshot_dir / "legal_xq_gate_form.png"), full_page=True)
    page.get_by_role("button", name="提交审核结论").click()
    page.wait_for_url("**/cases/queue/")
    expect(page.locator(".cw-messages")).to_contain_text("通过")

    _login(page, base, "officer_xq1")
    page.goto(case_url)
    expect(page.get_by_test_id("case-status")).to_have_text("侦办中")
    expect(page.get_by_test_id("gates")).to_contain_text("已通过")
    expect(page.get_by_test_id("timeline")).to_contain_text("审核通过")
    page.screenshot(path=str(screenshot_dir / "officer_xq1_case_detail.png"), full_page=True)
