"""chief_xq opens the leadership screen, follows a number to its list, and the screen
refreshes itself without a reload; the screenshots are saved under var/screenshots."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from casework.cases.models import Incident
from casework.deadlines.services import clock_set
from casework.workflow import services as workflow
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page: Page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/home/")


def test_chief_reads_the_station_screen_and_it_refreshes_itself(
    page: Page, live_server: Any, officer: Any, chief: Any, xq: Any, screenshot_dir: Path
) -> None:
    now = timezone.now()
    case = workflow.case_start(
        by=officer, kind="criminal", title="李某盗窃电动车案", summary="小区内盗窃电动车"
    )
    clock_set(case=case, trigger="t1", title="拘留后24小时内通知家属", text="",
              due_at=now - timedelta(hours=2), owner=officer)  # fmt: skip
    for n, category in enumerate(["盗窃", "邻里纠纷", "噪音扰民"]):
        Incident.objects.create(
            station=xq, number=f"XQ-J-{n}", received_at=now - timedelta(days=n), category=category,
            location="新区某小区", summary="警情", created_by=officer,
        )  # fmt: skip
    base = live_server.url
    page.add_init_script("window.CASEWORK_REFRESH_SECONDS = 2")  # not a minute, in a test
    _login(page, base, "chief_xq")
    page.goto(f"{base}/dashboard/")
    expect(page.get_by_test_id("n-pending_reviews")).to_contain_text("1")
    expect(page.get_by_test_id("n-overdue_clocks")).to_contain_text("1")
    expect(page.get_by_test_id("n-unclosed_incidents")).to_contain_text("3")
    expect(page.get_by_test_id("chart")).to_have_count(2)
    page.screenshot(path=str(screenshot_dir / "dashboard_chief_xq.png"), full_page=True)

    # A new incident arrives; the panel refreshes in place (no navigation).
    page.evaluate("window.__marker = 1")
    Incident.objects.create(
        station=xq, number="XQ-J-9", received_at=now, category="求助", location="新区",
        summary="警情", created_by=officer,
    )  # fmt: skip
    expect(page.get_by_test_id("n-unclosed_incidents")).to_contain_text("4", timeout=10_000)
    assert page.evaluate("window.__marker") == 1  # same page: no full reload

    page.get_by_test_id("n-unclosed_incidents").click()
    page.wait_for_url("**/dashboard/list/incidents-unclosed/**")
    expect(page.get_by_test_id("list-table")).to_contain_text("XQ-J-9")
    with page.expect_download() as download:
        page.get_by_test_id("xlsx-link").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    page.screenshot(path=str(screenshot_dir / "dashboard_list.png"), full_page=True)
