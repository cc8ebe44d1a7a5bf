"""The inventory's web pages, driven as a browser would: forms posted, pages read back."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client
from django.utils import timezone
from PIL import Image

from casework.cases.models import Case, Party
from casework.inventory import services
from casework.inventory.forms import InventoryEntry
from casework.inventory.models import Inventory, ItemPhoto, PropertyItem
from tests.factories import client_for
from tests.inventory.conftest import FIVE_ITEMS

pytestmark = pytest.mark.django_db


# ---- helpers ------------------------------------------------------------------------------


class _Cells(HTMLParser):
    """The text inside each element carrying `data-field` (one cell of the item table)."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: dict[str, str] = {}
        self._open: list[tuple[str | None, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"input", "br", "img"}:
            return
        self._open.append((dict(attrs).get("data-field"), tag))

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            _name, opened = self._open.pop()
            if opened == tag:
                break

    def handle_data(self, data: str) -> None:
        for name, _tag in self._open:
            if name:
                self.cells[name] = self.cells.get(name, "") + data


def cell_text(html: str, name: str) -> str:
    parser = _Cells()
    parser.feed(html)
    return parser.cells.get(name, "")


def row_data(i: int, **values: Any) -> dict[str, Any]:
    return {f"items-{i}-{k}": v for k, v in values.items()}


def form_data(suspect: Party, rows: list[dict[str, Any]], total: int | None = None) -> dict:
    data = {
        "party": suspect.pk,
        "taken_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "place": "办案区人身检查室",
        "items-TOTAL_FORMS": total if total is not None else len(rows),
        "items-INITIAL_FORMS": 0,
    }
    for i, row in enumerate(rows):
        data |= row_data(i, **row)
    return data


PHONE = {"category": "phone", "name": "手机", "quantity": "1", "unit": "部", "marks": "黑色"}
WALLET = {"category": "wallet", "name": "钱包", "quantity": "1", "unit": "个", "is_empty": "on"}


def _open(officer: Any, case: Case, suspect: Party, items: list[dict[str, Any]] | None = None):
    return services.inventory_open(
        by=officer, case_id=case.pk, party_id=suspect.pk, items=items or FIVE_ITEMS
    )


def _signed(officer: Any, case: Case, suspect: Party, second_officer: Any) -> Inventory:
    inventory = _open(officer, case, suspect)
    return services.inventory_sign(
        by=officer,
        inventory_id=inventory.pk,
        suspect_signature="signed",
        second_officer=second_officer.username,
    )


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def _page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _messages(response: Any) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


# ---- the entry form -----------------------------------------------------------------------


def test_form_creates_the_inventory_with_an_empty_wallet(
    officer: AbstractBaseUser, case: Case, suspect: Party
) -> None:
    data = form_data(suspect, [PHONE, WALLET, {}], total=3)  # the third row left blank
    response = client_for(officer).post(f"/inventory/create/?case={case.pk}", data)
    inventory = Inventory.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/inventory/{inventory.pk}/"
    items = list(inventory.items.order_by("line"))
    assert [(i.line, i.name, i.is_empty) for i in items] == [(1, "手机", False), (2, "钱包", True)]
    assert inventory.place == "办案区人身检查室"
    assert inventory.status == Inventory.Status.DRAFT


def test_cash_counted_by_denomination_needs_no_quantity(
    officer: AbstractBaseUser, case: Case, suspect: Party
) -> None:
    cash = {"category": "cash", "name": "人民币现金", "d100": "3", "d0_5": "2", "d1": "0"}
    response = client_for(officer).post(
        f"/inventory/create/?case={case.pk}", form_data(suspect, [cash])
    )
    assert response.status_code == 302
    item = PropertyItem.objects.get()
    assert (item.quantity_text, item.unit, item.denominations) == (
        "301",
        "元",
        {"100": 3, "0.5": 2},
    )


def test_bad_rows_show_each_error_at_its_field_keep_the_typed_rows_and_store_nothing(
    officer: AbstractBaseUser, case: Case, suspect: Party
) -> None:
    zero = PHONE | {"quantity": "0", "marks": "IMEI 356789104512345"}
    nameless = WALLET | {"name": ""}
    response = client_for(officer).post(
        f"/inventory/create/?case={case.pk}", form_data(suspect, [zero, nameless])
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "数量必须大于 0" in cell_text(html, "items-0-quantity")
    assert "必填" in cell_text(html, "items-1-name")
    assert "必填" not in cell_text(html, "items-0-name")  # a good field carries no error
    assert 'value="IMEI 356789104512345"' in html  # what the officer typed is still there
    assert not Inventory.objects.exists()
    assert not PropertyItem.objects.exists()


def test_a_refusal_of_the_service_lands_on_the_head_field(
    officer: AbstractBaseUser, case: Case, suspect: Party
) -> None:
    data = form_data(suspect, [PHONE])
    data["taken_at"] = (timezone.localtime() + timezone.timedelta(days=1)).strftime(
        "%Y-%m-%dT%H:%M"
    )
    response = client_for(officer).post(f"/inventory/create/?case={case.pk}", data)
    assert response.status_code == 200
    assert "登记时间不能晚于当前时间" in response.content.decode()
    assert 'value="手机"' in response.content.decode()
    assert not Inventory.objects.exists()


def test_a_service_error_of_a_row_lands_on_the_row_it_came_from(case: Case, suspect: Party) -> None:
    # Blank rows are not sent, so the service's items[1] is the third row on the page.
    data = form_data(suspect, [PHONE, {}, WALLET])
    entry = InventoryEntry(data, case=case)
    assert entry.is_valid()
    assert "items[1].quantity" in entry.fields
    entry.add_error("items[1].quantity", "数量有误")
    entry.add_error("items[1].denominations", "面额有误")
    assert entry.items.forms[2].errors == {"quantity": ["数量有误"], "__all__": ["面额有误"]}
    assert not entry.items.forms[0].errors


def test_the_form_offers_only_the_suspects_of_the_case(
    officer: AbstractBaseUser, case: Case, suspect: Party
) -> None:
    from casework.workflow import services as workflow

    workflow.party_add(by=officer, case_id=case.pk, role="victim", name="李四", gender="M")
    html = _page(client_for(officer), f"/inventory/create/?case={case.pk}")
    assert "张三" in html
    assert "李四" not in html
    assert 'id="inv-row-template"' in html  # the row the 添加一行 button clones


# ---- the record ---------------------------------------------------------------------------


def test_signing_through_the_form_locks_the_inventory(
    officer: AbstractBaseUser, case: Case, suspect: Party, second_officer: AbstractBaseUser
) -> None:
    inventory = _open(officer, case, suspect)
    client = client_for(officer)
    html = _page(client, f"/inventory/{inventory.pk}/")
    assert 'value="officer_xq2"' in html
    assert 'value="officer_xq1"' not in html
    response = client.post(
        f"/inventory/{inventory.pk}/",
        {
            "action": "sign",
            "sign-suspect_signature": "signed",
            "sign-second_officer": "officer_xq2",
        },
    )
    assert response.status_code == 302
    inventory.refresh_from_db()
    assert inventory.status == Inventory.Status.SIGNED
    assert inventory.second_officer == second_officer
    html = _page(client, f"/inventory/{inventory.pk}/")
    assert inventory.sha256 in html
    assert f"/inventory/{inventory.pk}/pdf/" in html


def test_a_refusal_without_reason_is_shown_at_the_field(
    officer: AbstractBaseUser, case: Case, suspect: Party, second_officer: AbstractBaseUser
) -> None:
    inventory = _open(officer, case, suspect)
    response = client_for(officer).post(
        f"/inventory/{inventory.pk}/",
        {
            "action": "sign",
            "sign-suspect_signature": "refused",
            "sign-second_officer": "officer_xq2",
        },
    )
    assert response.status_code == 200
    assert "嫌疑人拒绝签名的,须注明原因" in response.content.decode()
    assert Inventory.objects.get().status == Inventory.Status.DRAFT


def test_draft_items_are_added_changed_and_removed_through_the_page(
    officer: AbstractBaseUser, case: Case, suspect: Party
) -> None:
    inventory = _open(officer, case, suspect, items=[PHONE | {"is_empty": False}])
    phone = inventory.items.get()
    client = client_for(officer)
    add = {"action": "add", **{f"add-{k}": v for k, v in WALLET.items()}}
    assert client.post(f"/inventory/{inventory.pk}/", add).status_code == 302
    edit = {f"update-{phone.pk}-{k}": v for k, v in (PHONE | {"quantity": "2"}).items()}
    client.post(f"/inventory/{inventory.pk}/", {"action": "update", "item": phone.pk, **edit})
    client.post(f"/inventory/{inventory.pk}/", {"action": "remove", "item": phone.pk})
    phone.refresh_from_db()
    assert (phone.quantity_text, phone.removed_at is not None) == ("2", True)
    assert [i.name for i in inventory.items.filter(removed_at__isnull=True)] == ["钱包"]


def test_a_bad_edit_is_shown_on_its_item_and_changes_nothing(
    officer: AbstractBaseUser, case: Case, suspect: Party
) -> None:
    inventory = _open(officer, case, suspect)
    keys = inventory.items.get(line=4)
    edit = {f"update-{keys.pk}-{k}": v for k, v in FIVE_ITEMS[3].items()}
    edit[f"update-{keys.pk}-quantity"] = "-1"
    response = client_for(officer).post(
        f"/inventory/{inventory.pk}/", {"action": "update", "item": keys.pk, **edit}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "数量必须大于 0" in cell_text(html, f"update-{keys.pk}-quantity")
    keys.refresh_from_db()
    assert keys.quantity_text == "3"


def test_photo_uploaded_on_the_page_is_served_only_through_the_access_check(
    officer: AbstractBaseUser,
    case: Case,
    suspect: Party,
    other_station_officer: AbstractBaseUser,
) -> None:
    inventory = _open(officer, case, suspect)
    phone = inventory.items.get(line=1)
    upload = io.BytesIO(_png())
    upload.name = "phone.png"
    client = client_for(officer)
    response = client.post(
        f"/inventory/{inventory.pk}/",
        {"action": "photo", "item": phone.pk, f"photo-{phone.pk}-photo": upload},
    )
    assert response.status_code == 302
    photo = ItemPhoto.objects.get()
    served = client.get(f"/inventory/photos/{photo.pk}/")
    assert (served.status_code, served["Content-Type"]) == (200, "image/png")
    assert b"".join(served.streaming_content) == _png()
    assert f"/inventory/photos/{photo.pk}/" in _page(client, f"/inventory/{inventory.pk}/")
    stranger = client_for(other_station_officer)
    assert stranger.get(f"/inventory/photos/{photo.pk}/").status_code == 404


def test_posts_that_change_items_of_a_signed_inventory_change_nothing(
    officer: AbstractBaseUser, case: Case, suspect: Party, second_officer: AbstractBaseUser
) -> None:
    inventory = _signed(officer, case, suspect, second_officer)
    phone = inventory.items.get(line=1)
    before = list(inventory.items.values_list("name", "quantity", "removed_at"))
    client = client_for(officer)
    edit = {f"update-{phone.pk}-{k}": v for k, v in (PHONE | {"name": "平板"}).items()}
    upload = io.BytesIO(_png())
    upload.name = "p.png"
    posts = [
        {"action": "add", **{f"add-{k}": v for k, v in WALLET.items()}},
        {"action": "update", "item": phone.pk, **edit},
        {"action": "remove", "item": phone.pk},
        {"action": "photo", "item": phone.pk, f"photo-{phone.pk}-photo": upload},
    ]
    for data in posts:
        response = client.post(f"/inventory/{inventory.pk}/", data)
        assert response.status_code == 302
        assert any("已签名锁定" in m for m in _messages(response)), data["action"]
    assert list(inventory.items.values_list("name", "quantity", "removed_at")) == before
    assert not ItemPhoto.objects.exists()
    html = _page(client, f"/inventory/{inventory.pk}/")
    assert 'data-testid="add-item"' not in html
    assert 'value="update"' not in html


def test_items_are_disposed_through_the_page_until_the_inventory_closes(
    officer: AbstractBaseUser,
    case: Case,
    suspect: Party,
    second_officer: AbstractBaseUser,
    custodian: AbstractBaseUser,
) -> None:
    inventory = _signed(officer, case, suspect, second_officer)
    client = client_for(officer)
    items = list(inventory.items.order_by("line"))
    url = f"/inventory/{inventory.pk}/"

    def dispose(item: PropertyItem, **values: str) -> Any:
        data = {f"dispose-{item.pk}-{k}": v for k, v in values.items()}
        return client.post(url, {"action": "dispose", "item": item.pk, **data})

    refused = dispose(items[0], disposition="custody", custodian="keeper_xq")
    assert refused.status_code == 200
    assert "代为保管的,须填写保管柜号" in refused.content.decode()
    assert dispose(items[0], disposition="custody", locker="A-07", custodian="keeper_xq")
    dispose(items[1], disposition="family", receiver="张父", receiver_relation="父子")
    for item in items[2:]:
        dispose(item, disposition="returned")
    inventory.refresh_from_db()
    assert inventory.status == Inventory.Status.CLOSED
    items[0].refresh_from_db()
    assert (items[0].locker, items[0].custodian) == ("A-07", custodian)
    html = _page(client, url)
    assert "张父" in html
    assert "已闭环" in html


def test_a_seized_item_is_handed_over_through_the_page(
    officer: AbstractBaseUser,
    case: Case,
    suspect: Party,
    second_officer: AbstractBaseUser,
    custodian: AbstractBaseUser,
) -> None:
    inventory = _signed(officer, case, suspect, second_officer)
    phone = inventory.items.get(line=1)
    client = client_for(officer)
    url = f"/inventory/{inventory.pk}/"
    client.post(
        url, {"action": "dispose", "item": phone.pk, f"dispose-{phone.pk}-disposition": "seized"}
    )
    assert 'data-testid="hand-over-1"' in _page(client, url)
    client.post(
        url,
        {"action": "hand_over", "item": phone.pk, f"hand_over-{phone.pk}-custodian": "keeper_xq"},
    )
    phone.seizure.refresh_from_db()
    assert phone.seizure.custodian == custodian
    assert "已移交" in _page(client, url)


def test_a_correction_opens_the_new_revision_linked_to_the_old(
    officer: AbstractBaseUser, case: Case, suspect: Party, second_officer: AbstractBaseUser
) -> None:
    old = _signed(officer, case, suspect, second_officer)
    client = client_for(officer)
    response = client.post(f"/inventory/{old.pk}/", {"action": "correct", "correct-reason": ""})
    assert response.status_code == 200
    assert "请填写更正原因" in response.content.decode()
    response = client.post(
        f"/inventory/{old.pk}/", {"action": "correct", "correct-reason": "钥匙数量登记错误"}
    )
    new = Inventory.objects.get(supersedes=old)
    assert response["Location"] == f"/inventory/{new.pk}/"
    assert f'href="/inventory/{old.pk}/"' in _page(client, f"/inventory/{new.pk}/")
    assert f'href="/inventory/{new.pk}/"' in _page(client, f"/inventory/{old.pk}/")


def test_the_pdf_is_downloaded_once_signed(
    officer: AbstractBaseUser, case: Case, suspect: Party, second_officer: AbstractBaseUser
) -> None:
    draft = _open(officer, case, suspect)
    client = client_for(officer)
    response = client.get(f"/inventory/{draft.pk}/pdf/")
    assert response.status_code == 302
    assert any("签名锁定后" in m for m in _messages(response))
    signed = services.inventory_sign(
        by=officer, inventory_id=draft.pk, suspect_signature="signed", second_officer="officer_xq2"
    )
    response = client.get(f"/inventory/{signed.pk}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_officer_of_another_station_gets_404_everywhere(
    officer: AbstractBaseUser,
    case: Case,
    suspect: Party,
    second_officer: AbstractBaseUser,
    other_station_officer: AbstractBaseUser,
) -> None:
    inventory = _signed(officer, case, suspect, second_officer)
    stranger = client_for(other_station_officer)
    for url in [
        f"/inventory/{inventory.pk}/",
        f"/inventory/{inventory.pk}/pdf/",
        f"/inventory/create/?case={case.pk}",
    ]:
        assert stranger.get(url).status_code == 404, url
    item = inventory.items.get(line=1)
    post = {"action": "dispose", "item": item.pk, f"dispose-{item.pk}-disposition": "returned"}
    assert stranger.post(f"/inventory/{inventory.pk}/", post).status_code == 404
    assert case.number not in _page(stranger, "/inventory/?state=all")
    item.refresh_from_db()
    assert item.disposition == ""


# ---- lists, the case page, escaping ---------------------------------------------------------


def test_html_typed_into_an_item_or_a_name_is_shown_escaped(
    officer: AbstractBaseUser, case: Case
) -> None:
    from casework.workflow import services as workflow

    script = "<script>alert(1)</script>"
    party = workflow.party_add(by=officer, case_id=case.pk, role="suspect", name=script, gender="M")
    item = {"category": "other", "name": script, "quantity": "1", "unit": "件", "marks": script}
    inventory = _open(officer, case, party, items=[item])
    client = client_for(officer)
    for url in [f"/inventory/{inventory.pk}/", "/inventory/", f"/cases/{case.pk}/"]:
        html = _page(client, url)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, url
        assert script not in html, url


def test_list_shows_open_inventories_with_their_counts(
    officer: AbstractBaseUser,
    case: Case,
    suspect: Party,
    second_officer: AbstractBaseUser,
    django_assert_max_num_queries: Any,
) -> None:
    inventory = _signed(officer, case, suspect, second_officer)
    item = inventory.items.get(line=1)
    services.item_dispose(by=officer, item_id=item.pk, disposition="returned")
    client = client_for(officer)
    client.get("/inventory/")  # warm the session and permission caches
    with django_assert_max_num_queries(12):
        html = _page(client, "/inventory/")
    row = re.search(r"<tr>\s*<td><a href=\"/cases/.*?</tr>", html, re.S)
    assert row is not None
    assert case.number in row[0]
    assert "张三" in row[0]
    assert re.search(r"<td>5</td>.*?<span class=\"cw-bad\">4</span>", row[0], re.S)


def test_list_filters_open_and_all(
    officer: AbstractBaseUser, case: Case, suspect: Party, second_officer: AbstractBaseUser
) -> None:
    inventory = _signed(officer, case, suspect, second_officer)
    for item in inventory.items.all():
        services.item_dispose(by=officer, item_id=item.pk, disposition="returned")
    client = client_for(officer)
    assert "张三" not in _page(client, "/inventory/")
    assert "张三" in _page(client, "/inventory/?state=all")


def test_list_query_count_does_not_grow_with_the_inventories(
    officer: AbstractBaseUser, case: Case, suspect: Party, django_assert_max_num_queries: Any
) -> None:
    client = client_for(officer)
    _open(officer, case, suspect)
    client.get("/inventory/")
    with django_assert_max_num_queries(12) as few:
        client.get("/inventory/")
    for _ in range(5):
        _open(officer, case, suspect)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/inventory/")


def test_case_page_lists_the_inventories_and_offers_the_form_to_its_handler(
    officer: AbstractBaseUser,
    case: Case,
    suspect: Party,
    legal_officer: AbstractBaseUser,
) -> None:
    html = _page(client_for(officer), f"/cases/{case.pk}/")
    assert 'data-testid="inventories"' in html
    assert f"/inventory/create/?case={case.pk}" in html
    inventory = _open(officer, case, suspect)
    html = _page(client_for(officer), f"/cases/{case.pk}/")
    assert f"/inventory/{inventory.pk}/" in html
    other = _page(client_for(legal_officer), f"/cases/{case.pk}/")
    assert f"/inventory/{inventory.pk}/" in other
    assert "/inventory/create/" not in other  # not a handler of the case


def test_case_page_without_a_suspect_offers_no_form(officer: AbstractBaseUser, case: Case) -> None:
    html = _page(client_for(officer), f"/cases/{case.pk}/")
    assert 'data-testid="inventories"' in html
    assert "/inventory/create/" not in html


def test_detail_query_count_does_not_grow_with_the_items(
    officer: AbstractBaseUser,
    case: Case,
    suspect: Party,
    second_officer: AbstractBaseUser,
    django_assert_max_num_queries: Any,
) -> None:
    small = _signed(officer, case, suspect, second_officer)
    large = services.inventory_open(
        by=officer, case_id=case.pk, party_id=suspect.pk, items=FIVE_ITEMS * 6
    )
    services.inventory_sign(
        by=officer, inventory_id=large.pk, suspect_signature="signed", second_officer="officer_xq2"
    )
    for inventory in (small, large):
        item = inventory.items.get(line=1)
        services.item_dispose(by=officer, item_id=item.pk, disposition="seized")
    client = client_for(officer)
    client.get(f"/inventory/{small.pk}/")
    with django_assert_max_num_queries(40) as few:
        _page(client, f"/inventory/{small.pk}/")
    with django_assert_max_num_queries(len(few.captured_queries)):
        _page(client, f"/inventory/{large.pk}/")
