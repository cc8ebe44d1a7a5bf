"""Django admin: a superuser may look at inventories; nobody adds, changes or deletes there."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from PIL import Image

from casework.cases.models import Case, Party
from casework.inventory import services
from casework.inventory.models import Inventory, ItemPhoto, PropertyItem, Seizure
from tests.factories import PASSWORD, client_for
from tests.inventory.conftest import FIVE_ITEMS

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> None:
    default = {**settings.STORAGES["default"], "OPTIONS": {"location": tmp_path / "media"}}
    settings.STORAGES = {**settings.STORAGES, "default": default}


@pytest.fixture
def superuser(db: None) -> AbstractBaseUser:
    return get_user_model().objects.create_superuser("root", "root@example.cn", PASSWORD)


@pytest.fixture
def signed(
    officer: AbstractBaseUser, second_officer: AbstractBaseUser, case: Case, suspect: Party
) -> Inventory:
    """A signed inventory with a photographed phone and seized keys."""
    inventory = services.inventory_open(
        by=officer, case_id=case.pk, party_id=suspect.pk, items=FIVE_ITEMS, place="候问室"
    )
    phone, keys = inventory.items.get(line=1), inventory.items.get(line=4)
    png = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(png, format="PNG")
    services.photo_add(by=officer, item_id=phone.pk, data=png.getvalue())
    services.inventory_sign(
        by=officer, inventory_id=inventory.pk, suspect_signature="signed",
        second_officer="officer_xq2",
    )  # fmt: skip
    services.item_dispose(by=officer, item_id=keys.pk, disposition="seized")
    inventory.refresh_from_db()
    return inventory


def _state(inventory: Inventory) -> tuple[Any, ...]:
    row = Inventory.objects.filter(pk=inventory.pk).values().get()
    items = list(PropertyItem.objects.filter(inventory=inventory).order_by("pk").values())
    photos = list(ItemPhoto.objects.filter(item__inventory=inventory).values())
    seizures = list(Seizure.objects.filter(item__inventory=inventory).values())
    return row, items, photos, seizures


def _pages(inventory: Inventory) -> dict[str, int]:
    """The admin change page of each kind of row."""
    return {
        "inventory": inventory.pk,
        "itemphoto": ItemPhoto.objects.get(item__inventory=inventory).pk,
        "seizure": Seizure.objects.get(item__inventory=inventory).pk,
    }


def test_superuser_sees_a_signed_inventory_read_only(
    superuser: AbstractBaseUser, signed: Inventory
) -> None:
    client = client_for(superuser)
    for model, pk in _pages(signed).items():
        page = client.get(f"/admin/inventory/{model}/{pk}/change/")
        assert page.status_code == 200, model
        html = page.content.decode()
        assert 'name="_save"' not in html
        assert "deletelink" not in html
    inventory_page = client.get(f"/admin/inventory/inventory/{signed.pk}/change/").content
    assert "人民币现金".encode() in inventory_page
    assert signed.sha256.encode() in inventory_page
    assert client.get("/admin/inventory/inventory/").status_code == 200


def test_changing_a_signed_inventory_through_admin_is_refused(
    superuser: AbstractBaseUser, signed: Inventory
) -> None:
    before = _state(signed)
    client = client_for(superuser)
    change = {"status": "draft", "place": "改过的地点", "sha256": "0" * 64}
    for model, pk in _pages(signed).items():
        response = client.post(f"/admin/inventory/{model}/{pk}/change/", change)
        assert response.status_code == 403, model
    assert _state(signed) == before


def test_nothing_is_deleted_or_added_through_admin(
    superuser: AbstractBaseUser, signed: Inventory
) -> None:
    before = _state(signed)
    client = client_for(superuser)
    for model, pk in _pages(signed).items():
        assert (
            client.post(f"/admin/inventory/{model}/{pk}/delete/", {"post": "yes"}).status_code
            == 403
        )
        assert client.get(f"/admin/inventory/{model}/add/").status_code == 403
    bulk = {"action": "delete_selected", "_selected_action": [signed.pk], "post": "yes"}
    client.post("/admin/inventory/inventory/", bulk)
    assert _state(signed) == before


def test_staff_who_are_not_superusers_do_not_see_inventories_in_admin(
    officer: AbstractBaseUser, signed: Inventory
) -> None:
    officer.is_staff = True  # type: ignore[attr-defined]
    officer.save()
    client = client_for(officer)
    assert client.get(f"/admin/inventory/inventory/{signed.pk}/change/").status_code == 403
    assert "inventory" not in client.get("/admin/").content.decode()
