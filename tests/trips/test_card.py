"""The printable reminder card: one PDF per officer, in Chinese, scoped like the trip."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import AbstractBaseUser
from pypdf import PdfReader

from casework.trips.models import Reminder
from tests.factories import api_for, client_for, make_officer
from tests.trips.test_trips import _register

pytestmark = pytest.mark.django_db


def _text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def trip_id(library: None, officer: AbstractBaseUser, xq: Any) -> int:
    make_officer("officer_xq2", station=xq, roles=["officer"], display_name="张伟")
    response = _register(officer, carries_firearm=True)
    assert response.status_code == 201, response.content
    return int(response.json()["id"])


def test_officer_prints_own_card_with_every_reminder_in_chinese_fonts(
    trip_id: int, officer: AbstractBaseUser, tmp_path: Path
) -> None:
    response = client_for(officer).get(f"/trips/{trip_id}/card/")
    assert response["Content-Type"] == "application/pdf"
    text = _text(response.content)
    for expected in ("执法安全提醒卡", "李瑞旸", "广东省深圳市南山区", "携带枪支", "携枪须审批"):
        assert expected in text
    assert "严禁饮酒" in text
    assert "尚未在系统中确认" in text
    (tmp_path / "card.pdf").write_bytes(response.content)
    fonts = subprocess.run(
        ["pdffonts", str(tmp_path / "card.pdf")], capture_output=True, text=True, check=True
    )
    assert "CJK" in fonts.stdout


def test_card_shows_the_acknowledgement_once_given(trip_id: int, officer: AbstractBaseUser) -> None:
    for reminder in Reminder.objects.filter(officer=officer):
        api_for(officer).post(f"/api/v1/reminders/{reminder.pk}/acknowledge/")
    text = _text(client_for(officer).get(f"/trips/{trip_id}/card/").content)
    assert "在系统中确认" in text
    assert "尚未" not in text


def test_legal_officer_prints_any_officers_card_and_the_api_serves_it_too(
    trip_id: int, legal_officer: AbstractBaseUser
) -> None:
    web = client_for(legal_officer).get(f"/trips/{trip_id}/card/?officer=officer_xq2")
    assert "张伟" in _text(web.content)
    api = api_for(legal_officer).get(f"/api/v1/trips/{trip_id}/card/?officer=officer_xq2")
    assert api.status_code == 200
    assert api["Content-Type"] == "application/pdf"
    assert "张伟" in _text(api.content)


def test_an_officer_not_on_the_trip_is_named_and_another_station_gets_404(
    trip_id: int, legal_officer: AbstractBaseUser, other_station_legal: AbstractBaseUser
) -> None:
    bad = api_for(legal_officer).get(f"/api/v1/trips/{trip_id}/card/?officer=nobody")
    assert bad.status_code == 400
    assert "officer" in bad.json()
    # The legal officer is not on the trip, so has no card of their own.
    assert client_for(legal_officer).get(f"/trips/{trip_id}/card/").status_code == 400
    assert client_for(other_station_legal).get(f"/trips/{trip_id}/card/").status_code == 404
    foreign = api_for(other_station_legal).get(f"/api/v1/trips/{trip_id}/card/")
    assert foreign.status_code == 404
