"""The printed 嫌疑人随身物品处置表, rendered by the real WeasyPrint and read back from the PDF."""

from __future__ import annotations

import io
import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
import qrcode
from django.contrib.auth.models import AbstractBaseUser
from pypdf import PdfReader

from casework.cases.models import Case, Party
from casework.core.pdf import AssetOnlyFetcher
from casework.inventory import printing, services
from casework.inventory.models import Inventory
from tests.inventory.conftest import FIVE_ITEMS

pytestmark = pytest.mark.django_db

MARKUP = '<b>粗体</b><img src="http://example.com/x.png"><script>alert(1)</script>'

Sign = Callable[..., Inventory]


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    """Stored PDFs go to a temporary folder, not var/media."""
    location = tmp_path / "media"
    default = {**settings.STORAGES["default"], "OPTIONS": {"location": location}}
    settings.STORAGES = {**settings.STORAGES, "default": default}
    return location


@pytest.fixture
def sign(
    officer: AbstractBaseUser,
    second_officer: AbstractBaseUser,
    case: Case,
    suspect: Party,
    django_capture_on_commit_callbacks: Any,
) -> Sign:
    """Open and sign an inventory through the services; the outbox stores its PDF on commit."""

    def signed(items: list[dict[str, Any]] = FIVE_ITEMS, **how: Any) -> Inventory:
        how = {"suspect_signature": "signed", "second_officer": "officer_xq2"} | how
        with django_capture_on_commit_callbacks(execute=True):
            inventory = services.inventory_open(
                by=officer, case_id=case.pk, party_id=suspect.pk, items=items, place="候问室"
            )
            services.inventory_sign(by=officer, inventory_id=inventory.pk, **how)
        inventory.refresh_from_db()
        return inventory

    return signed


def _stored(inventory: Inventory) -> bytes:
    assert inventory.pdf, inventory.pdf_error
    with inventory.pdf.open("rb") as f:
        return f.read()


def _pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def _flat(text: str) -> str:
    """Text without whitespace: a narrow cell wraps its text over several lines."""
    return re.sub(r"\s+", "", text)


def test_pdf_lists_every_item_with_chinese_headings(sign: Sign, case: Case) -> None:
    inventory = sign()
    [text] = _pages(_stored(inventory))
    headings = (
        "嫌疑人随身物品处置表 序号 类别 物品名称 数量 尺寸/规格 颜色/标记/序列号 成色/状况 描述"
    )
    for heading in [*headings.split(), "返还本人", "交家属", "代为保管", "扣押", "接收人签名"]:
        assert heading in text
    for item in FIVE_ITEMS:
        assert item["name"] in text
    for fact in ("新区派出所", case.number, case.title, "张三", "男", "候问室", "第 1 版"):
        assert fact in text
    assert "黑色iPhone13,IMEI356789104512345" in _flat(text)
    assert "第 1 页 共 1 页" in text
    assert inventory.sha256 in text


def test_empty_wallet_reads_empty_and_cash_shows_its_denominations(sign: Sign) -> None:
    flat = _flat(_pages(_stored(sign()))[0])
    assert "钱包(空)" in flat
    assert "351元" in flat  # 3×100 + 50 + 2×0.5, counted note by note
    for note in ("100元×3", "50元×1", "0.5元×2"):
        assert note in flat


def test_signature_boxes_name_both_officers_and_the_suspect_statement(sign: Sign) -> None:
    text = _pages(_stored(sign()))[0]
    for box in ("登记民警", "李瑞旸", "在场民警或见证人", "孙浩", "嫌疑人签名(捺指印)", "指印"):
        assert box in text
    assert "以上物品经本人当场清点无误" in text
    assert "拒绝签名" not in text


def test_refused_signature_prints_refusal_and_its_reason(sign: Sign) -> None:
    inventory = sign(suspect_signature="refused", refusal_reason="嫌疑人情绪激动,拒不签字")
    text = _pages(_stored(inventory))[0]
    assert "拒绝签名" in text
    assert "嫌疑人情绪激动,拒不签字" in _flat(text)
    assert "以上物品经本人当场清点无误" not in text


def test_pdf_embeds_only_cjk_fonts_and_loses_no_glyph(sign: Sign, tmp_path: Path) -> None:
    path = tmp_path / "inventory.pdf"
    path.write_bytes(_stored(sign()))
    listing = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    fonts = listing.stdout.splitlines()[2:]  # after the two header lines
    assert fonts
    for line in fonts:
        name, embedded = line.split()[0].replace("-", ""), line.split()[-5]
        assert re.search(r"\+Noto(Sans|Serif)CJKSC", name), line  # a subset of the SC face
        assert embedded == "yes", line
    assert any("Noto-Serif-CJK" in line for line in fonts)  # the title
    flat = _flat(_pages(path.read_bytes())[0])
    assert "\ufffd" not in flat
    written = ("name", "unit", "size", "marks", "condition", "description")
    for char in _flat("".join(item.get(f, "") for item in FIVE_ITEMS for f in written)):
        assert char in flat, char


def test_title_is_set_in_the_serif_face_and_centred(sign: Sign) -> None:
    with pdfplumber.open(io.BytesIO(_stored(sign()))) as pdf:
        page = pdf.pages[0]
        title = [c for c in page.chars if c["size"] > 15]
        assert "".join(c["text"] for c in title) == "嫌疑人随身物品处置表"
        assert all("Noto-Serif-CJK-SC" in c["fontname"] for c in title)
        middle = (title[0]["x0"] + title[-1]["x1"]) / 2
        assert abs(middle - page.width / 2) < 3  # points


def test_markup_in_item_text_is_printed_literally_and_nothing_is_fetched(
    sign: Sign, monkeypatch: pytest.MonkeyPatch
) -> None:
    fetched: list[str] = []
    fetch = AssetOnlyFetcher.fetch

    def spy(self: AssetOnlyFetcher, url: str, headers: Any = None) -> Any:
        fetched.append(url)
        return fetch(self, url, headers)

    monkeypatch.setattr(AssetOnlyFetcher, "fetch", spy)
    item = {"category": "other", "name": "纸条", "quantity": "1", "unit": "张"}
    inventory = sign(items=[item | {"description": MARKUP}, item | {"name": "<i>斜体</i>"}])
    flat = _flat(_pages(_stored(inventory))[0])
    assert _flat(MARKUP) in flat
    assert "<i>斜体</i>" in flat
    assert fetched  # the QR code is fetched, from its inline data: URL
    assert all(url.startswith("data:") for url in fetched), fetched


def test_hundred_items_run_to_several_pages_with_the_header_on_each(sign: Sign) -> None:
    items = [
        {"category": "other", "name": f"物品{n:03}", "quantity": "1", "unit": "件",
         "description": f"第{n}项首行\n第{n}项次行\n第{n}项三行\n第{n}项末行"}
        for n in range(1, 101)
    ]  # fmt: skip
    inventory = sign(items=items)
    pages = _pages(_stored(inventory))
    assert len(pages) >= 3
    for number, text in enumerate(pages, start=1):
        assert f"第 {number} 页 共 {len(pages)} 页" in text
        assert inventory.sha256 in text
        if re.search(r"物品\d{3}", text):  # a page holding rows repeats the header
            assert "序号" in text
            assert "物品名称" in text
    everything = "".join(pages)
    for n in range(1, 101):
        assert everything.count(f"物品{n:03}") == 1
        # A row is never split across pages: its first and last lines share a page. (Four
        # lines, so that without `break-inside: avoid` the default orphans/widows allow it.)
        [page] = [text for text in pages if f"第{n}项首行" in text]
        assert f"第{n}项末行" in page
    assert "以上物品经本人当场清点无误" in pages[-1]


def test_stored_pdf_is_served_from_storage_and_not_rendered_again(
    sign: Sign, monkeypatch: pytest.MonkeyPatch
) -> None:
    inventory = sign()
    name, stored = inventory.pdf.name, _stored(inventory)
    assert inventory.pdf_rendered_at is not None

    def render(**kwargs: Any) -> bytes:
        raise AssertionError("rendered again")

    monkeypatch.setattr(printing, "inventory_pdf_render", render)
    assert services.inventory_pdf_store(inventory_id=inventory.pk) is False
    inventory.refresh_from_db()
    assert inventory.pdf.name == name
    assert _stored(inventory) == stored


def test_qr_code_encodes_the_record_url_printed_beside_it(sign: Sign) -> None:
    inventory = sign()
    pdf = _stored(inventory)
    url = printing.record_url(inventory)
    flat = _flat(_pages(pdf)[0])
    assert "扫码查看电子记录" in flat
    assert url in flat
    # The embedded bitmap is the code of that URL, module for module (one pixel each).
    [image] = PdfReader(io.BytesIO(pdf)).pages[0].images
    code = qrcode.QRCode(border=printing.QR_BORDER)
    code.add_data(url)
    code.make(fit=True)
    matrix = code.get_matrix()
    assert image.indirect_reference is not None
    assert image.indirect_reference.get_object()["/Interpolate"].value is False  # sharp
    pixels = image.image.convert("L")
    assert pixels.size == (len(matrix), len(matrix))
    for y, row in enumerate(matrix):
        assert [pixels.getpixel((x, y)) < 128 for x in range(len(row))] == row


def test_correction_names_the_revision_it_replaces_and_why(
    sign: Sign, officer: AbstractBaseUser, django_capture_on_commit_callbacks: Any
) -> None:
    first = sign()
    with django_capture_on_commit_callbacks(execute=True):
        second = services.inventory_correct(
            by=officer, inventory_id=first.pk, reason="手机颜色记错"
        )
        services.inventory_sign(
            by=officer, inventory_id=second.pk, suspect_signature="signed",
            second_officer="officer_xq2",
        )  # fmt: skip
    second.refresh_from_db()
    flat = _flat(_pages(_stored(second))[0])
    assert "第2版" in flat
    assert "更正第1版" in flat
    assert "手机颜色记错" in flat
    assert first.sha256 in flat


def test_recorded_dispositions_are_ticked_with_the_receiver(
    sign: Sign, officer: AbstractBaseUser
) -> None:
    inventory = sign()
    wallet = inventory.items.get(name="钱包")
    services.item_dispose(
        by=officer, item_id=wallet.pk, disposition="family", receiver="张父",
        receiver_relation="父亲",
    )  # fmt: skip
    inventory.refresh_from_db()
    flat = _flat(_pages(printing.inventory_pdf_render(inventory=inventory))[0])
    assert "张父(父亲)" in flat
    # One tick more than the form printed at signing (the column note holds a "√" too).
    assert flat.count("√") == _flat(_pages(_stored(inventory))[0]).count("√") + 1
