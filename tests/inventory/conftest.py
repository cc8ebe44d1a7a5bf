"""An administrative case of officer_xq1 with a suspect, and the shipped rule library."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import AbstractBaseUser

from casework.cases.models import Case, Party
from casework.org.models import Station
from casework.rules.services import rules_load
from casework.workflow import services as workflow
from tests.factories import make_officer

LIBRARY = Path(__file__).resolve().parents[2] / "fixtures" / "rules.json"

FIVE_ITEMS: list[dict[str, Any]] = [
    {"category": "phone", "name": "手机", "quantity": "1", "unit": "部",
     "marks": "黑色 iPhone 13,IMEI 356789104512345", "condition": "屏幕有裂痕"},
    {"category": "wallet", "name": "钱包", "quantity": "1", "unit": "个",
     "size": "11×9 cm", "marks": "棕色皮质", "is_empty": True},
    {"category": "cash", "name": "人民币现金", "quantity": "0", "unit": "元",
     "denominations": {"100": 3, "50": 1, "0.5": 2}},
    {"category": "keys", "name": "钥匙", "quantity": "3", "unit": "把",
     "description": "带红色钥匙扣"},
    {"category": "clothing", "name": "腰带", "quantity": "1", "unit": "条", "marks": "黑色"},
]  # fmt: skip


@pytest.fixture
def rule_library(db: None) -> None:
    rules_load(data=json.loads(LIBRARY.read_text("utf-8")))


@pytest.fixture
def second_officer(xq: Station) -> AbstractBaseUser:
    return make_officer("officer_xq2", station=xq, roles=["officer"], display_name="孙浩").user


@pytest.fixture
def custodian(xq: Station) -> AbstractBaseUser:
    """The station's property custodian (涉案财物管理人员): never a handler of the case."""
    return make_officer("keeper_xq", station=xq, roles=["officer"], display_name="钱保管").user


@pytest.fixture
def case(officer: AbstractBaseUser, rule_library: None) -> Case:
    return workflow.case_start(
        by=officer, kind="administrative", title="张某殴打他人案",
        summary="11月20日晚在烧烤店内殴打他人",
    )  # fmt: skip


@pytest.fixture
def suspect(officer: AbstractBaseUser, case: Case) -> Party:
    return workflow.party_add(
        by=officer, case_id=case.pk, role="suspect", name="张三", gender="M",
        birth_date=None,
    )  # fmt: skip
