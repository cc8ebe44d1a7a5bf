"""The property inventory over `/api/v1/` (API.md): real services, real database, no mocks."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import AbstractBaseUser
from PIL import Image

from casework.cases.models import Case, Party
from casework.core.models import AuditEvent
from casework.deadlines.models import Deadline
from casework.inventory.models import Inventory, ItemPhoto, PropertyItem
from casework.inventory.selectors import inventory_digest, inventory_is_intact
from casework.workflow import services as workflow
from tests.factories import api_for
from tests.inventory.conftest import FIVE_ITEMS

pytestmark = pytest.mark.django_db

SIGN = {"suspect_signature": "signed", "second_officer": "officer_xq2"}
PHONE = {"category": "phone", "name": "备用手机", "quantity": "1", "unit": "部", "marks": "白色"}


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    """Photos and stored PDFs go to a temporary folder, not var/media."""
    location = tmp_path / "media"
    default = {**settings.STORAGES["default"], "OPTIONS": {"location": location}}
    settings.STORAGES = {**settings.STORAGES, "default": default}
    return location


def _open(user: AbstractBaseUser, case: Case, party: Party, items: Any = FIVE_ITEMS) -> Any:
    body = {"party": party.pk, "items": items, "place": "候问室"}
    return api_for(user).post(f"/api/v1/cases/{case.pk}/inventories/", body, format="json")


def _post(user: AbstractBaseUser, url: str, body: Any = None) -> Any:
    return api_for(user).post(f"/api/v1/inventories/{url}", body or {}, format="json")


@pytest.fixture
def draft(officer: AbstractBaseUser, case: Case, suspect: Party) -> dict[str, Any]:
    response = _open(officer, case, suspect)
    assert response.status_code == 201, response.content
    return dict(response.json())


@pytest.fixture
def signed(
    officer: AbstractBaseUser, second_officer: AbstractBaseUser, draft: dict[str, Any]
) -> dict[str, Any]:
    response = _post(officer, f"{draft['id']}/sign/", SIGN)
    assert response.status_code == 200, response.content
    return {**draft, **response.json()}


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="PNG")
    return buffer.getvalue()


def _photo(user: AbstractBaseUser, inventory_id: int, item_id: int, data: bytes) -> Any:
    upload = io.BytesIO(data)
    upload.name = "photo.png"
    url = f"/api/v1/inventories/{inventory_id}/items/{item_id}/photos/"
    return api_for(user).post(url, {"photo": upload}, format="multipart")


def _snapshot(inventory_id: int) -> tuple[Any, ...]:
    """Everything an invalid or refused request must leave as it was."""
    inventory = Inventory.objects.get(pk=inventory_id)
    items = PropertyItem.objects.filter(inventory_id=inventory_id).order_by("pk")
    rows = list(
        items.values_list(
            "pk", "line", "category", "name", "quantity", "unit", "removed_at", "disposition",
            "receiver", "custodian_id",
        )
    )  # fmt: skip
    photos = ItemPhoto.objects.filter(item__inventory_id=inventory_id).count()
    return inventory.status, inventory.sha256, rows, photos


def _field_error(response: Any, field: str) -> str:
    assert response.status_code == 400, response.content
    body = response.json()
    assert field in body, body
    return str(body[field][0])


# ---- the draft and signing ------------------------------------------------------------------


def test_officer_lists_items_signs_and_gets_the_content_digest(
    officer: AbstractBaseUser, second_officer: AbstractBaseUser, draft: dict[str, Any]
) -> None:
    assert draft["status"] == "draft"
    assert draft["revision"] == 1
    assert [(i["line"], i["name"]) for i in draft["items"]] == [
        (1, "手机"), (2, "钱包"), (3, "人民币现金"), (4, "钥匙"), (5, "腰带"),
    ]  # fmt: skip
    cash = draft["items"][2]
    assert (cash["quantity"], cash["unit"], cash["denominations"]) == (
        "351",
        "元",
        {"100": 3, "50": 1, "0.5": 2},
    )
    added = _post(officer, f"{draft['id']}/items/", PHONE)
    assert added.status_code == 201, added.content
    assert (added.json()["line"], added.json()["name"]) == (6, "备用手机")

    response = _post(officer, f"{draft['id']}/sign/", SIGN)

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "signed"
    assert re.fullmatch(r"[0-9a-f]{64}", body["sha256"])
    inventory = Inventory.objects.get(pk=draft["id"])
    assert body["sha256"] == inventory.sha256 == inventory_digest(inventory)
    assert (body["signed_by"], body["second_officer"]) == ("officer_xq1", "officer_xq2")
    assert len(body["items"]) == 6
    assert body["pdf_url"].endswith(f"/api/v1/inventories/{draft['id']}/pdf/")


def test_every_change_to_a_signed_inventory_is_a_409_and_changes_nothing(
    officer: AbstractBaseUser, signed: dict[str, Any]
) -> None:
    before = _snapshot(signed["id"])
    item = signed["items"][0]["id"]
    client = api_for(officer)
    base = f"/api/v1/inventories/{signed['id']}/items/"
    refused = [
        client.post(base, PHONE, format="json"),
        client.patch(f"{base}{item}/", {"quantity": "2"}, format="json"),
        client.put(f"{base}{item}/", PHONE, format="json"),
        client.post(f"{base}{item}/remove/"),
        _photo(officer, signed["id"], item, _png()),
    ]
    for response in refused:
        assert response.status_code == 409, response.content
        assert "已签名" in response.json()["detail"]
    assert _snapshot(signed["id"]) == before
    inventory = Inventory.objects.get(pk=signed["id"])
    assert inventory.sha256 == signed["sha256"]
    assert inventory_is_intact(inventory)


def test_draft_items_are_changed_struck_and_photographed(
    officer: AbstractBaseUser, draft: dict[str, Any]
) -> None:
    phone, wallet = draft["items"][0]["id"], draft["items"][1]["id"]
    client = api_for(officer)
    base = f"/api/v1/inventories/{draft['id']}/items/"

    patched = client.patch(f"{base}{phone}/", {"condition": "完好"}, format="json")
    assert patched.status_code == 200, patched.content
    assert (patched.json()["condition"], patched.json()["marks"]) == (
        "完好",
        FIVE_ITEMS[0]["marks"],
    )
    put = client.put(f"{base}{phone}/", {"category": "phone", "name": "手机"}, format="json")
    _field_error(put, "quantity")  # PUT gives the whole row again
    removed = client.post(f"{base}{wallet}/remove/")
    assert removed.status_code == 200
    assert removed.json()["removed_at"] is not None
    photo = _photo(officer, draft["id"], phone, _png())
    assert photo.status_code == 201, photo.content
    assert photo.json()["content_type"] == "image/png"

    detail = client.get(f"/api/v1/inventories/{draft['id']}/").json()
    assert [i["name"] for i in detail["items"]] == ["手机", "人民币现金", "钥匙", "腰带"]
    assert [p["sha256"] for p in detail["items"][0]["photos"]] == [photo.json()["sha256"]]
    assert detail["pdf_url"] is None


def test_an_item_is_reached_only_through_its_own_inventory(
    officer: AbstractBaseUser, case: Case, suspect: Party, draft: dict[str, Any]
) -> None:
    other = _open(officer, case, suspect, [PHONE]).json()
    foreign = other["items"][0]["id"]
    before = _snapshot(other["id"])
    client = api_for(officer)
    url = f"/api/v1/inventories/{draft['id']}/items/{foreign}/"
    assert client.patch(url, {"name": "改名"}, format="json").status_code == 404
    assert client.post(f"{url}remove/").status_code == 404
    assert _snapshot(other["id"]) == before


# ---- bad input: 400 naming the field, nothing stored ----------------------------------------


@pytest.mark.parametrize("quantity", [0, "-1", "abc"])
def test_bad_quantity_on_open_names_the_item_and_stores_nothing(
    officer: AbstractBaseUser, case: Case, suspect: Party, quantity: Any
) -> None:
    response = _open(officer, case, suspect, [{**PHONE, "quantity": quantity}, FIVE_ITEMS[1]])
    assert "数量" in _field_error(response, "items[0].quantity")
    assert not Inventory.objects.exists()
    assert not PropertyItem.objects.exists()


@pytest.mark.parametrize("quantity", [0, -1, "abc"])
def test_bad_quantity_on_add_names_the_field_and_stores_nothing(
    officer: AbstractBaseUser, draft: dict[str, Any], quantity: Any
) -> None:
    before = _snapshot(draft["id"])
    response = _post(officer, f"{draft['id']}/items/", {**PHONE, "quantity": quantity})
    assert "数量" in _field_error(response, "quantity")
    assert _snapshot(draft["id"]) == before


def test_an_item_needs_a_name(
    officer: AbstractBaseUser, case: Case, suspect: Party, draft: dict[str, Any]
) -> None:
    before = _snapshot(draft["id"])
    _field_error(_open(officer, case, suspect, [{**PHONE, "name": "  "}]), "items[0].name")
    _field_error(_post(officer, f"{draft['id']}/items/", {**PHONE, "name": ""}), "name")
    assert Inventory.objects.count() == 1
    assert _snapshot(draft["id"]) == before


def test_an_inventory_without_items_cannot_be_signed(
    officer: AbstractBaseUser, second_officer: AbstractBaseUser, case: Case, suspect: Party
) -> None:
    empty = _open(officer, case, suspect, []).json()
    _field_error(_post(officer, f"{empty['id']}/sign/", SIGN), "items")
    assert Inventory.objects.get(pk=empty["id"]).status == "draft"


def test_a_refusal_to_sign_needs_its_reason(
    officer: AbstractBaseUser, second_officer: AbstractBaseUser, draft: dict[str, Any]
) -> None:
    before = _snapshot(draft["id"])
    response = _post(officer, f"{draft['id']}/sign/", {**SIGN, "suspect_signature": "refused"})
    _field_error(response, "refusal_reason")
    assert _snapshot(draft["id"]) == before
    assert Inventory.objects.get(pk=draft["id"]).suspect_signature == ""


def test_a_file_that_is_not_an_image_is_refused(
    officer: AbstractBaseUser, draft: dict[str, Any]
) -> None:
    before = _snapshot(draft["id"])
    response = _photo(officer, draft["id"], draft["items"][0]["id"], b"%PDF-1.7 not a photo")
    assert "图片" in _field_error(response, "photo")
    assert _snapshot(draft["id"]) == before


def test_an_item_is_disposed_once(officer: AbstractBaseUser, signed: dict[str, Any]) -> None:
    item = signed["items"][0]["id"]
    url = f"{signed['id']}/items/{item}/dispose/"
    first = _post(officer, url, {"disposition": "returned"})
    assert first.status_code == 200, first.content
    assert (first.json()["disposition"], first.json()["receiver"]) == ("returned", "张三")
    before = _snapshot(signed["id"])

    again = _post(officer, url, {"disposition": "family", "receiver": "李四"})

    assert "已处置" in _field_error(again, "disposition")
    assert _snapshot(signed["id"]) == before
    assert PropertyItem.objects.get(pk=item).disposition == "returned"


def test_custody_by_a_handler_of_the_case_is_refused(
    officer: AbstractBaseUser, signed: dict[str, Any]
) -> None:
    before = _snapshot(signed["id"])
    body = {"disposition": "custody", "locker": "A-03", "custodian": "officer_xq1"}
    response = _post(officer, f"{signed['id']}/items/{signed['items'][0]['id']}/dispose/", body)
    assert "办案民警" in _field_error(response, "custodian")
    assert _snapshot(signed["id"]) == before


def test_handing_to_family_needs_the_receiver(
    officer: AbstractBaseUser, signed: dict[str, Any]
) -> None:
    before = _snapshot(signed["id"])
    url = f"{signed['id']}/items/{signed['items'][0]['id']}/dispose/"
    _field_error(_post(officer, url, {"disposition": "family"}), "receiver")
    assert _snapshot(signed["id"]) == before


# ---- end states (闭环) ------------------------------------------------------------------------


def test_the_inventory_closes_when_every_item_has_an_end_state(
    officer: AbstractBaseUser, custodian: AbstractBaseUser, signed: dict[str, Any]
) -> None:
    ends = [
        {"disposition": "returned"},
        {"disposition": "family", "receiver": "张母", "receiver_relation": "母亲"},
        {"disposition": "custody", "locker": "A-03", "custodian": "keeper_xq"},
        {"disposition": "returned", "note": "当场返还"},
        {"disposition": "seized"},
    ]
    answers = []
    for item, end in zip(signed["items"], ends, strict=True):
        response = _post(officer, f"{signed['id']}/items/{item['id']}/dispose/", end)
        assert response.status_code == 200, response.content
        answers.append(response.json())

    assert [a["inventory_status"] for a in answers] == ["signed"] * 4 + ["closed"]
    assert answers[2]["custodian"] == "keeper_xq"
    assert answers[4]["seizure"]["handed_over_at"] is None
    detail = api_for(officer).get(f"/api/v1/inventories/{signed['id']}/").json()
    assert detail["status"] == "closed"
    assert detail["closed_at"] is not None
    assert inventory_is_intact(Inventory.objects.get(pk=signed["id"]))


def _clock(case: Case, rule: str) -> Deadline:
    return Deadline.objects.get(case=case, rule__slug=rule)


def test_a_seizure_runs_its_clocks_from_hand_over_to_return(
    officer: AbstractBaseUser, custodian: AbstractBaseUser, case: Case, signed: dict[str, Any]
) -> None:
    keys = signed["items"][3]["id"]
    base = f"{signed['id']}/items/{keys}/"
    assert _post(officer, f"{base}dispose/", {"disposition": "seized"}).status_code == 200
    handover = _clock(case, "property_handover_24h")
    assert handover.title.startswith("涉案财物提取后24小时内移交管理人员")
    assert handover.status == "open"

    by_handler = _post(officer, f"{base}hand-over/", {"custodian": "officer_xq1"})
    assert "办案民警" in _field_error(by_handler, "custodian")
    assert _clock(case, "property_handover_24h").status == "open"

    handed = _post(officer, f"{base}hand-over/", {"custodian": "keeper_xq"})
    assert handed.status_code == 200, handed.content
    assert handed.json()["seizure"]["custodian"] == "keeper_xq"
    assert _clock(case, "property_handover_24h").status == "met"

    released = _post(officer, f"{base}release/", {"note": "经查与案件无关"})
    assert released.status_code == 200, released.content
    assert _clock(case, "unrelated_property_release").status == "open"

    returned = _post(officer, f"{base}return/", {"returned_to": "张三"})
    assert returned.status_code == 200, returned.content
    assert returned.json()["seizure"]["returned_to"] == "张三"
    assert _clock(case, "unrelated_property_release").status == "met"


def test_returning_a_seizure_before_it_is_found_unrelated_is_a_conflict(
    officer: AbstractBaseUser, signed: dict[str, Any]
) -> None:
    base = f"{signed['id']}/items/{signed['items'][3]['id']}/"
    _post(officer, f"{base}dispose/", {"disposition": "seized"})
    response = _post(officer, f"{base}return/", {"returned_to": "张三"})
    assert response.status_code == 409
    assert "无关" in response.json()["detail"]


# ---- corrections ----------------------------------------------------------------------------


def test_a_correction_is_a_new_draft_revision_and_the_signed_one_stays(
    officer: AbstractBaseUser, signed: dict[str, Any]
) -> None:
    response = _post(officer, f"{signed['id']}/correct/", {"reason": "钥匙数量记错"})

    assert response.status_code == 201, response.content
    revision = response.json()
    assert (revision["status"], revision["revision"]) == ("draft", 2)
    assert revision["supersedes"] == signed["id"]
    assert [i["name"] for i in revision["items"]] == [i["name"] for i in signed["items"]]
    old = api_for(officer).get(f"/api/v1/inventories/{signed['id']}/").json()
    assert old["status"] == "superseded"
    assert old["superseded_by"] == revision["id"]
    assert old["sha256"] == signed["sha256"]
    assert inventory_is_intact(Inventory.objects.get(pk=signed["id"]))
    listed = api_for(officer).get("/api/v1/inventories/").json()["results"]
    assert {i["id"] for i in listed} == {signed["id"], revision["id"]}
    corrected = AuditEvent.objects.get(verb="inventory.corrected")
    assert corrected.payload["supersedes"] == signed["id"]


def test_a_correction_needs_a_reason(officer: AbstractBaseUser, signed: dict[str, Any]) -> None:
    _field_error(_post(officer, f"{signed['id']}/correct/", {"reason": " "}), "reason")
    assert Inventory.objects.get(pk=signed["id"]).status == "signed"


# ---- who may do what ------------------------------------------------------------------------


def test_an_officer_of_another_station_finds_nothing(
    officer: AbstractBaseUser,
    other_station_officer: AbstractBaseUser,
    case: Case,
    suspect: Party,
    signed: dict[str, Any],
) -> None:
    before = _snapshot(signed["id"])
    client = api_for(other_station_officer)
    base = f"/api/v1/inventories/{signed['id']}/"
    item = f"{base}items/{signed['items'][0]['id']}/"
    answers = [
        client.get(base),
        client.get(f"{base}pdf/"),
        client.post(f"{base}items/", PHONE, format="json"),
        client.patch(item, {"name": "改名"}, format="json"),
        client.post(f"{item}remove/"),
        client.post(f"{base}sign/", SIGN, format="json"),
        client.post(f"{item}dispose/", {"disposition": "returned"}, format="json"),
        client.post(f"{item}hand-over/", {"custodian": "officer_pl1"}, format="json"),
        client.post(f"{base}correct/", {"reason": "x"}, format="json"),
        client.get(f"/api/v1/cases/{case.pk}/inventories/"),
        client.post(f"/api/v1/cases/{case.pk}/inventories/", {"party": suspect.pk}, format="json"),
    ]
    assert [a.status_code for a in answers] == [404] * len(answers)
    assert client.get("/api/v1/inventories/").json()["results"] == []
    assert _snapshot(signed["id"]) == before
    assert Inventory.objects.count() == 1


def test_the_bureau_legal_team_reads_every_station(
    bureau_legal: AbstractBaseUser, signed: dict[str, Any]
) -> None:
    client = api_for(bureau_legal)
    assert [i["id"] for i in client.get("/api/v1/inventories/").json()["results"]] == [signed["id"]]
    assert client.get(f"/api/v1/inventories/{signed['id']}/").json()["sha256"] == signed["sha256"]


def test_an_auxiliary_lists_items_but_only_a_police_officer_signs(
    officer: AbstractBaseUser,
    auxiliary: AbstractBaseUser,
    second_officer: AbstractBaseUser,
    rule_library: None,
) -> None:
    case = workflow.case_start(
        by=officer, kind="administrative", title="李某盗窃案", summary="超市内盗窃",
        handlers=["officer_xq1", "aux_xq1"],
    )  # fmt: skip
    suspect = workflow.party_add(
        by=officer, case_id=case.pk, role="suspect", name="李四", gender="M", birth_date=None
    )
    opened = _open(auxiliary, case, suspect)
    assert opened.status_code == 201, opened.content

    refused = _post(auxiliary, f"{opened.json()['id']}/sign/", SIGN)

    assert refused.status_code == 403
    assert "辅警" in refused.json()["detail"]
    assert Inventory.objects.get(pk=opened.json()["id"]).status == "draft"
    assert _post(officer, f"{opened.json()['id']}/sign/", SIGN).status_code == 200


# ---- lists ----------------------------------------------------------------------------------


def test_lists_filter_by_case_and_open_within_a_query_budget(
    officer: AbstractBaseUser,
    custodian: AbstractBaseUser,
    case: Case,
    suspect: Party,
    signed: dict[str, Any],
    django_assert_max_num_queries: Any,
) -> None:
    for _ in range(3):
        _open(officer, case, suspect, [PHONE])
    for item in signed["items"]:
        _post(officer, f"{signed['id']}/items/{item['id']}/dispose/", {"disposition": "returned"})
    client = api_for(officer)
    with django_assert_max_num_queries(3):
        everything = client.get("/api/v1/inventories/").json()
    assert everything["count"] == 4
    assert {i["status"] for i in everything["results"]} == {"draft", "closed"}
    open_ones = client.get("/api/v1/inventories/?open=true").json()["results"]
    assert {i["status"] for i in open_ones} == {"draft"}
    assert all(i["item_count"] == 1 for i in open_ones)
    assert client.get(f"/api/v1/inventories/?case={case.pk + 1}").json()["count"] == 0
    with django_assert_max_num_queries(8):
        nested = client.get(f"/api/v1/cases/{case.pk}/inventories/").json()
    assert nested["count"] == 4


# ---- the printed form -----------------------------------------------------------------------


def _pdf(user: AbstractBaseUser, inventory_id: int) -> tuple[Any, bytes]:
    response = api_for(user).get(f"/api/v1/inventories/{inventory_id}/pdf/")
    if response.status_code != 200:
        return response, b""
    # Consuming the stream closes the response (the test client's wrapper); closing it again
    # would fire request_finished and drop the test's PostgreSQL connection.
    content = b"".join(response.streaming_content)
    return response, content


def test_the_signed_form_is_served_as_stored_by_the_worker(
    officer: AbstractBaseUser,
    second_officer: AbstractBaseUser,
    draft: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _post(officer, f"{draft['id']}/sign/", SIGN)
    stored = Inventory.objects.get(pk=draft["id"])
    assert stored.pdf

    response, content = _pdf(officer, draft["id"])

    assert response["Content-Type"] == "application/pdf"
    assert content.startswith(b"%PDF")
    with stored.pdf.open("rb") as f:
        assert content == f.read()
    disposition = response["Content-Disposition"]
    assert disposition.startswith("inline")
    assert disposition.isascii()
    assert "-v1.pdf" in disposition


def test_a_form_the_worker_has_not_stored_yet_is_rendered_on_request(
    officer: AbstractBaseUser, signed: dict[str, Any]
) -> None:
    assert not Inventory.objects.get(pk=signed["id"]).pdf  # on_commit never ran

    response, content = _pdf(officer, signed["id"])

    assert response.status_code == 200
    assert content.startswith(b"%PDF")
    assert Inventory.objects.get(pk=signed["id"]).pdf
    assert AuditEvent.objects.filter(verb="inventory.pdf_rendered").count() == 1


def test_a_draft_has_no_form_to_print(officer: AbstractBaseUser, draft: dict[str, Any]) -> None:
    response, _ = _pdf(officer, draft["id"])
    assert response.status_code == 409
    assert "尚未签名" in response.json()["detail"]


# ---- the audit trail ------------------------------------------------------------------------


def test_every_state_change_leaves_an_audit_row(
    officer: AbstractBaseUser,
    second_officer: AbstractBaseUser,
    custodian: AbstractBaseUser,
    case: Case,
    draft: dict[str, Any],
) -> None:
    first, cash = draft["items"][0]["id"], draft["items"][2]["id"]
    base = f"{draft['id']}/items/"
    _post(officer, base, PHONE)
    api_for(officer).patch(
        f"/api/v1/inventories/{base}{first}/", {"size": "6.1英寸"}, format="json"
    )
    _post(officer, f"{base}{draft['items'][1]['id']}/remove/")
    assert _photo(officer, draft["id"], first, _png()).status_code == 201
    _post(officer, f"{draft['id']}/sign/", SIGN)
    _post(officer, f"{base}{cash}/dispose/", {"disposition": "seized"})
    _post(officer, f"{base}{cash}/hand-over/", {"custodian": "keeper_xq"})
    _post(officer, f"{base}{cash}/release/")
    _post(officer, f"{base}{cash}/return/", {"returned_to": "张三"})
    inventory = Inventory.objects.get(pk=draft["id"])
    for item in inventory.items.filter(removed_at__isnull=True, disposition=""):
        _post(officer, f"{base}{item.pk}/dispose/", {"disposition": "returned"})

    verbs = set(
        AuditEvent.objects.filter(verb__startswith="inventory.").values_list("verb", flat=True)
    )
    assert verbs >= {
        "inventory.opened",
        "inventory.item_added",
        "inventory.item_changed",
        "inventory.item_removed",
        "inventory.photo_added",
        "inventory.signed",
        "inventory.item_disposed",
        "inventory.seizure_handed_over",
        "inventory.seizure_released",
        "inventory.seizure_returned",
        "inventory.closed",
    }
    assert Inventory.objects.get(pk=draft["id"]).status == "closed"
