"""Open inventories reach the legal officer's workbench and the chief's clock screen."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AbstractBaseUser

from casework.cases.models import Case, Party
from casework.inventory import services
from tests.factories import client_for
from tests.inventory.conftest import FIVE_ITEMS

pytestmark = pytest.mark.django_db
SCREENS = {"legal": "/cases/workbench/", "chief": "/cases/clocks/"}


def _panel(user: AbstractBaseUser, url: str) -> str:
    response = client_for(user).get(url)
    assert response.status_code == 200
    html = response.content.decode()
    start = html.index('data-testid="open-inventories"')
    return html[start : html.index("</section>", start)]


def test_open_inventories_show_on_the_workbench_and_the_chiefs_screen_until_closed(
    officer: AbstractBaseUser,
    second_officer: AbstractBaseUser,
    legal_officer: AbstractBaseUser,
    chief: AbstractBaseUser,
    other_station_legal: AbstractBaseUser,
    case: Case,
    suspect: Party,
) -> None:
    inventory = services.inventory_open(
        by=officer, case_id=case.pk, party_id=suspect.pk, items=FIVE_ITEMS[:2]
    )
    services.inventory_sign(
        by=officer, inventory_id=inventory.pk, suspect_signature="signed", witness_name="王五"
    )
    for user, url in ((legal_officer, SCREENS["legal"]), (chief, SCREENS["chief"])):
        panel = _panel(user, url)
        assert f"/inventory/{inventory.pk}/" in panel
        assert "未处置 2 / 2 项" in panel
    assert f"/inventory/{inventory.pk}/" not in _panel(other_station_legal, SCREENS["legal"])
    for item in inventory.items.all():
        services.item_dispose(by=officer, item_id=item.pk, disposition="returned")
    assert "全部处置表均已闭环" in _panel(chief, SCREENS["chief"])
