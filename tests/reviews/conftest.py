"""A case of officer_xq1 in the workflow, and a second legal officer of XQ."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AbstractBaseUser

from casework.cases.models import Case
from casework.org.models import Station
from casework.workflow import services as workflow
from tests.factories import make_officer


@pytest.fixture
def case(officer: AbstractBaseUser) -> Case:
    return workflow.case_start(
        by=officer, kind="administrative", title="张某殴打他人案", summary="烧烤店内殴打他人"
    )


@pytest.fixture
def second_legal(xq: Station) -> AbstractBaseUser:
    return make_officer("legal_xq2", station=xq, roles=["legal_officer"], display_name="吴敏").user
