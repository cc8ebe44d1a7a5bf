"""提醒 → 记分 → 约谈 in the browser: officer_xq1 objects to a record (a blank reason is
refused at the field), the instructor dismisses the objection and holds the formal talk."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from casework.conduct import services
from casework.conduct.models import ConductRecord, PointRule, Talk
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page: Page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/home/")


def test_officer_objects_and_the_instructor_decides_and_holds_the_talk(
    page: Page,
    live_server: Any,
    officer: Any,
    instructor: Any,
    legal_officer: Any,
    xq: Any,
    screenshot_dir: Path,
) -> None:
    SHOTS = screenshot_dir
    for code, pts in {"procedure_breach": 3, "detention_overrun_risk": 3, "other": 0}.items():
        PointRule.objects.get_or_create(category_code=code, defaults={"points": pts})
    rows = [
        ("procedure_breach", "程序违法", "讯问前未告知犯罪嫌疑人诉讼权利义务"),
        ("detention_overrun_risk", "留置超时风险", "继续盘问接近法定时限方才报批"),
        ("other", "其他", "执法文书签名不规范"),
    ]
    for n, (code, cat, reason) in enumerate(rows):
        services.record_for_finding(
            officer=officer,
            station_id=xq.pk,
            category_code=code,
            category=cat,
            reason=reason,
            source=f"shot:{n}",
        )
    record = ConductRecord.objects.get(category="程序违法")
    base = live_server.url
    _login(page, base, "officer_xq1")
    page.goto(f"{base}/conduct/")
    page.screenshot(path=str(SHOTS / "conduct_mine.png"), full_page=True)
    page.get_by_test_id(f"record-{record.pk}").locator(
        "xpath=following-sibling::tr[1]"
    ).get_by_text("提出异议").click()
    form = page.get_by_test_id(f"objection-form-{record.pk}")
    form.get_by_role("button", name="提交异议").click()
    expect(page.get_by_test_id(f"objection-form-{record.pk}")).to_contain_text("请填写异议理由")
    page.screenshot(path=str(SHOTS / "conduct_mine_error.png"), full_page=True)
    page.get_by_test_id(f"objection-form-{record.pk}").get_by_label("异议理由").fill(
        "讯问笔录第一页已记载告知情况,有同步录音录像为证。"
    )
    page.get_by_test_id(f"objection-form-{record.pk}").get_by_role(
        "button", name="提交异议"
    ).click()
    expect(page.get_by_test_id(f"objection-{record.pk}")).to_contain_text("异议待处理")

    _login(page, base, "instructor_xq")
    page.goto(f"{base}/conduct/station/")
    page.screenshot(path=str(SHOTS / "conduct_station.png"), full_page=True)
    decide = page.get_by_test_id(f"decide-form-{record.pk}")
    decide.get_by_label("异议不成立,维持记分").check()
    decide.get_by_label("处理意见").fill("录音录像中未见告知,维持记分。")
    decide.get_by_role("button", name="提交处理意见").click()
    talk = Talk.objects.get()
    tform = page.get_by_test_id(f"talk-form-{talk.pk}")
    tform.get_by_label("约谈记录").fill("指出讯问程序问题,本人表示接受并作出书面检查。")
    tform.get_by_label("后续跟进").fill("一个月后回访,抽查其讯问笔录。")
    tform.get_by_role("button", name="记录约谈").click()
    expect(page.get_by_test_id("held-talks")).to_contain_text("书面检查")
    page.screenshot(path=str(SHOTS / "conduct_station_done.png"), full_page=True)
    page.goto(f"{base}/conduct/officers/officer_xq1/")
    page.screenshot(path=str(SHOTS / "conduct_officer.png"), full_page=True)
    record.refresh_from_db()
    talk.refresh_from_db()
    assert (record.objection_status, talk.status) == ("dismissed", "held")
    assert "书面检查" in talk.minutes
