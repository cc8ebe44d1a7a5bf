"""officer_xq1 registers a trip in the browser and acknowledges the safety reminder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from casework.rules.services import rule_save
from casework.trips.models import Reminder
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_registers_a_trip_and_acknowledges(
    page: Page, live_server: Any, officer: Any, screenshot_dir: Path
) -> None:
    basis = [{"law": "公安部“五条禁令”", "article": "第四条", "version": "2003"}]
    rule_save(by=None, slug="trip_no_alcohol_on_duty", title="出差禁酒", category="trip",
              conditions={}, text="出差期间必须严格遵守禁酒令等相关规定", legal_basis=basis,
              verified="VERIFIED-secondary", enabled=True)  # fmt: skip
    rule_save(by=None, slug="trip_out_of_area_coordination", title="异地执法协作", category="trip",
              conditions={"all": [{"field": "out_of_area", "op": "is_true"},
                                  {"field": "purposes", "op": "contains", "value": "arrest"}]},
              text="在外执法办案必须向当地公安机关依法提出协作请求并在当地公安机关协助下进行",
              legal_basis=basis, verified="VERIFIED", enabled=True)  # fmt: skip
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill("officer_xq1")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/home/")
    page.goto(f"{base}/trips/create/")
    page.get_by_label("目的地省").fill("广东省")
    page.get_by_label("目的地市").fill("深圳市")
    page.get_by_label("目的地区县").fill("南山区")
    page.get_by_label("出发时间").fill("2026-11-25T08:00")
    page.get_by_label("返回时间").fill("2026-11-27T20:00")
    page.get_by_label("抓捕/逮捕").check()
    page.get_by_role("button", name="登记并发送提醒").click()
    briefing = page.get_by_test_id("my-briefing")
    expect(briefing).to_contain_text("禁酒令")
    expect(briefing).to_contain_text("协作请求")
    page.screenshot(path=str(screenshot_dir / "officer_xq1_trip_briefing.png"), full_page=True)
    page.get_by_role("button", name="我已阅读并确认以上提醒").click()
    expect(page.get_by_test_id("acknowledged")).to_be_visible()
    assert Reminder.objects.filter(officer=officer, acknowledged_at__isnull=True).count() == 0
    assert Reminder.objects.filter(officer=officer).count() == 2
