"""legal_xq runs a retrospective in the browser, from the case page to a verified action;
officer_xq1 reports the action done from 我的整改措施."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Page, expect

from casework.cases.models import Case
from casework.reviews.models import CorrectiveAction, FindingCategory
from casework.workflow import services as workflow
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def case(officer: Any, legal_officer: Any) -> Case:
    # A transactional test before this one may have flushed the migration's seeded categories.
    FindingCategory.objects.get_or_create(
        code="bodycam_off", defaults={"name": "未全程开启执法记录仪"}
    )
    return workflow.case_start(
        by=officer, kind="administrative", title="张某殴打他人案", summary="烧烤店内殴打他人"
    )


def _login(page: Page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/home/")


def _record_finding_and_action(page: Page, due: str, shots: Path) -> None:
    finding = page.get_by_test_id("finding-form")
    finding.get_by_label("问题类别").select_option(label="未全程开启执法记录仪")
    finding.get_by_label("责任民警(可不填)").select_option("officer_xq1")
    finding.get_by_label("问题描述").fill("抓获张某时未全程开启执法记录仪,缺少现场视频。")
    finding.get_by_label("原因分析").fill("记录仪电量不足,出警前未检查。")
    finding.get_by_role("button", name="登记问题").click()
    expect(page.get_by_test_id("finding-1")).to_contain_text("未全程开启执法记录仪")

    action = page.get_by_test_id("action-form")
    action.get_by_label("针对的问题").select_option(index=1)
    action.get_by_label("整改措施").fill("出警前检查执法记录仪电量,全所开展一次使用培训。")
    action.get_by_role("button", name="设定措施").click()
    # No owner, no due date: refused at the fields, what was typed stays.
    expect(action).to_contain_text("请指定责任人")
    expect(action).to_contain_text("请填写整改期限")
    action.screenshot(path=str(shots / "retrospective_action_error.png"))
    action.get_by_label("责任人").select_option("officer_xq1")
    action.get_by_label("整改期限").fill(due)
    action.get_by_role("button", name="设定措施").click()
    expect(page.get_by_test_id("finding-1").get_by_test_id("actions")).to_contain_text("待整改")


def test_legal_officer_runs_a_retrospective_to_a_verified_action(
    page: Page, live_server: Any, case: Case, screenshot_dir: Path
) -> None:
    base = live_server.url
    due = (timezone.localdate() + timedelta(days=7)).isoformat()
    _login(page, base, "legal_xq")
    page.goto(f"{base}/cases/{case.pk}/")
    page.get_by_test_id("retrospective").screenshot(
        path=str(screenshot_dir / "retrospective_case_section.png")
    )
    page.get_by_test_id("retrospective-open").click()
    page.wait_for_url("**/reviews/*/")
    expect(page.get_by_test_id("retrospective-status")).to_have_text("复盘中")
    expect(page.get_by_test_id("timeline")).to_contain_text("受理案件")
    _record_finding_and_action(page, due, screenshot_dir)
    page.screenshot(path=str(screenshot_dir / "retrospective_detail_open.png"), full_page=True)
    retrospective_url = page.url
    action = CorrectiveAction.objects.get()

    _login(page, base, "officer_xq1")
    page.goto(f"{base}/reviews/")
    page.get_by_test_id("tab-mine").click()
    row = page.get_by_test_id(f"action-{action.pk}")
    expect(row).to_contain_text(due)
    form = page.get_by_test_id(f"complete-form-{action.pk}")
    form.get_by_label("整改情况").fill("已于本周组织全所执法记录仪使用培训,出警前检查制度已上墙。")
    sign_in_sheet = screenshot_dir / "培训签到表.png"
    Image.new("RGB", (60, 40), "white").save(sign_in_sheet)
    form.locator("input[type=file]").set_input_files(str(sign_in_sheet))
    page.screenshot(path=str(screenshot_dir / "retrospective_my_actions.png"), full_page=True)
    form.get_by_role("button", name="报告完成").click()
    expect(page.get_by_test_id(f"action-status-{action.pk}")).to_have_text("已完成,待核验")
    expect(page.get_by_test_id(f"complete-form-{action.pk}")).to_have_count(0)
    expect(row).to_contain_text("培训签到表.png")  # the evidence file, linked

    _login(page, base, "legal_xq")
    page.goto(retrospective_url)
    verify = page.get_by_test_id(f"verify-form-{action.pk}")
    verify.get_by_label("通过", exact=True).check()
    verify.get_by_label("核验意见(不通过时必填)").fill("培训签到表已核对。")
    page.screenshot(path=str(screenshot_dir / "retrospective_verify.png"), full_page=True)
    verify.get_by_role("button", name="提交核验").click()
    expect(page.get_by_test_id("retrospective-status")).to_have_text("已结束")
    expect(page.get_by_test_id(f"action-status-{action.pk}")).to_have_text("已核验")
    page.screenshot(path=str(screenshot_dir / "retrospective_closed.png"), full_page=True)

    page.goto(f"{base}/reviews/?tab=all")
    expect(page.get_by_test_id("retrospective-list")).to_contain_text("已结束")
    page.screenshot(path=str(screenshot_dir / "retrospective_list.png"), full_page=True)
    action.refresh_from_db()
    assert (action.status, action.verified_by.get_username()) == ("verified", "legal_xq")
    assert [f.name for f in action.files.all()] == ["培训签到表.png"]
