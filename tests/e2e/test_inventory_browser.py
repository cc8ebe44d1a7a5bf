"""officer_xq1 lists a suspect's property in the browser, signs it and downloads the PDF."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from casework.cases.models import Party
from casework.inventory.models import Inventory
from casework.org.models import Station
from casework.rules.services import rules_load
from casework.workflow import services as workflow
from tests.factories import PASSWORD, make_officer
from tests.inventory.conftest import LIBRARY

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLET = {"width": 768, "height": 1024}
TABLET_LANDSCAPE = {"width": 1024, "height": 768}


@pytest.fixture
def suspect(officer: Any, xq: Station) -> Party:
    """officer_xq1's case with a suspect, the rule library, and officer_xq2 on duty."""
    rules_load(data=json.loads(LIBRARY.read_text("utf-8")))
    make_officer("officer_xq2", station=xq, roles=["officer"], display_name="孙浩")
    case = workflow.case_start(
        by=officer, kind="administrative", title="张某殴打他人案", summary="烧烤店内殴打他人"
    )
    return workflow.party_add(by=officer, case_id=case.pk, role="suspect", name="张三", gender="M")


def _login(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/home/")


def _tablet_screenshot(page: Page, size: dict[str, int], path: Path) -> None:
    """Lay the page out afresh at a tablet size (the menu drawer folds away) and shoot it."""
    page.set_viewport_size(size)
    page.evaluate("window.scrollTo(0, 0)")
    page.wait_for_timeout(400)  # the drawer's closing transition
    page.screenshot(path=str(path), full_page=True)


def _fill_row(page: Page, i: int, **values: str) -> None:
    for name, value in values.items():
        field = page.locator(f'[name="items-{i}-{name}"]')
        if name == "category":
            field.select_option(value)
        else:
            field.fill(value)


def _record_five_items(page: Page) -> None:
    expect(page.get_by_test_id("item-row")).to_have_count(2)  # two blank rows to start
    _fill_row(page, 0, category="phone", name="手机", quantity="1", unit="部",
              marks="黑色 iPhone 13", condition="屏幕有裂痕")  # fmt: skip
    _fill_row(page, 1, category="wallet", name="钱包", quantity="1", unit="个", marks="棕色皮质")
    page.locator('[name="items-1-is_empty"]').check()
    page.get_by_test_id("add-row").click()
    _fill_row(page, 2, category="cash", name="人民币现金")
    _fill_row(page, 2, d100="3", d50="1", d0_5="2")
    # The grid counts the notes: 3×100 + 50 + 2×0.5 元.
    expect(page.locator('[name="items-2-quantity"]')).to_have_value("351")
    expect(page.locator('[name="items-2-unit"]')).to_have_value("元")
    page.get_by_test_id("add-row").click()
    _fill_row(page, 3, category="other", name="误加的一行", quantity="1", unit="件")
    page.get_by_test_id("item-row").nth(3).get_by_role("button", name="删除此行").click()
    page.get_by_test_id("add-row").click()
    _fill_row(page, 3, category="keys", name="钥匙", quantity="3", unit="把")
    page.get_by_test_id("add-row").click()
    _fill_row(page, 4, category="clothing", name="腰带", quantity="1", unit="条", marks="黑色")
    expect(page.get_by_test_id("item-row")).to_have_count(5)


def test_officer_records_signs_and_prints_the_property_inventory(
    page: Page,
    live_server: Any,
    suspect: Party,
    screenshot_dir: Path,
) -> None:
    base, case = live_server.url, suspect.case
    _login(page, base, "officer_xq1")
    page.goto(f"{base}/cases/{case.pk}/")
    page.get_by_test_id("inventory-create").click()
    page.wait_for_url("**/inventory/create/**")
    expect(page.get_by_label("登记地点")).to_be_visible()
    page.get_by_label("登记地点").fill("办案区人身检查室")
    _record_five_items(page)
    page.screenshot(path=str(screenshot_dir / "inventory_form.png"), full_page=True)
    _tablet_screenshot(page, TABLET, screenshot_dir / "inventory_form_tablet.png")
    _fill_row(page, 4, quantity="0")
    page.get_by_test_id("submit-inventory").click()
    # Refused by the server: the error sits at the field, every typed row is still there.
    expect(page.locator('[data-field="items-4-quantity"]')).to_contain_text("数量必须大于 0")
    expect(page.get_by_test_id("item-row")).to_have_count(5)
    expect(page.locator('[name="items-1-is_empty"]')).to_be_checked()
    page.locator('[data-field="items-4-quantity"]').screenshot(
        path=str(screenshot_dir / "inventory_form_error.png")
    )
    _fill_row(page, 4, quantity="1")
    page.get_by_test_id("submit-inventory").click()

    page.wait_for_url("**/inventory/*/")
    expect(page.get_by_test_id("inventory-status")).to_have_text("填写中")
    items = page.get_by_test_id("items")
    for name in ["手机", "钱包", "人民币现金", "钥匙", "腰带"]:
        expect(items).to_contain_text(name)
    expect(items).not_to_contain_text("误加的一行")
    expect(page.get_by_test_id("item-2").get_by_test_id("empty-tag")).to_be_visible()
    expect(page.get_by_test_id("cash-3")).to_contain_text("100 元 × 3")
    _tablet_screenshot(page, TABLET, screenshot_dir / "inventory_draft_tablet.png")

    sign = page.get_by_test_id("sign-form")
    expect(sign.get_by_label("拒签原因")).to_be_hidden()  # asked for only on a refusal
    sign.get_by_label("本人已签名").check()
    sign.get_by_label("在场民警").select_option("officer_xq2")
    sign.get_by_role("button", name="签名并锁定").click()
    expect(page.get_by_test_id("inventory-status")).to_have_text("已签名,待处置")
    inventory = Inventory.objects.get()
    expect(page.get_by_test_id("inventory-sha256")).to_have_text(inventory.sha256)
    _tablet_screenshot(page, TABLET_LANDSCAPE, screenshot_dir / "inventory_detail_tablet.png")

    page.set_viewport_size({"width": 1280, "height": 800})
    page.reload()
    dispose = page.get_by_test_id("dispose-2")
    dispose.locator("summary").click()
    dispose.get_by_label("处置方式").select_option("family")
    expect(dispose.get_by_label("保管柜号")).to_be_hidden()
    dispose.get_by_label("接收人").fill("张父")
    dispose.get_by_label("与嫌疑人关系").fill("父子")
    page.screenshot(path=str(screenshot_dir / "inventory_detail_dispose.png"), full_page=True)
    dispose.get_by_role("button", name="确认处置").click()
    expect(page.get_by_test_id("disposition-2")).to_contain_text("交家属")
    page.screenshot(path=str(screenshot_dir / "inventory_detail.png"), full_page=True)

    with page.expect_download() as download:
        page.get_by_test_id("pdf-link").click()
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    for name in ["手机", "钱包", "人民币现金", "钥匙", "腰带", case.number]:
        assert name in text, name
    page.goto(f"{base}/cases/{case.pk}/")
    section = page.get_by_test_id("inventories")
    expect(section).to_contain_text("已签名,待处置")
    section.screenshot(path=str(screenshot_dir / "inventory_case_section.png"))
    assert list(inventory.items.values_list("name", flat=True).order_by("line")) == [
        "手机", "钱包", "人民币现金", "钥匙", "腰带",
    ]  # fmt: skip
