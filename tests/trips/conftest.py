"""Trip fixtures: a small rule library whose rules are easy to tell apart."""

from __future__ import annotations

import pytest

from casework.rules.services import rule_save

BASIS = [{"law": "公安机关人民警察纪律条令", "article": "§23", "version": "2010"}]


@pytest.fixture
def library() -> None:
    common = {"legal_basis": BASIS, "verified": "VERIFIED", "enabled": True, "category": "trip"}
    rule_save(
        by=None,
        slug="no_alcohol",
        title="出差禁酒",
        conditions={},
        text="{姓名}同志:出差{出差地}期间严禁饮酒",
        **common,
    )
    rule_save(
        by=None,
        slug="coordination",
        title="异地协作",
        conditions={
            "all": [
                {"field": "out_of_area", "op": "is_true"},
                {"field": "purposes", "op": "contains", "value": "arrest"},
            ]
        },
        text="在外执法办案必须向当地公安机关依法提出协作请求",
        **common,
    )
    rule_save(
        by=None,
        slug="firearm",
        title="携枪审批",
        conditions={"field": "carries_firearm", "op": "is_true"},
        text="携枪须审批",
        **common,
    )
