"""Named personas with their real roles and stations (STYLE.md: tests)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AbstractBaseUser

from casework.org.models import Station
from tests.factories import StationFactory, make_officer


@pytest.fixture
def xq(db: None) -> Station:
    return StationFactory(
        code="XQ", name="新区派出所", province="山东省", city="东营市", county="东营区"
    )


@pytest.fixture
def pl(db: None) -> Station:
    return StationFactory(
        code="PL",
        name="彭李派出所",
        bureau="滨州市公安局滨城分局",
        city="滨州市",
        county="滨城区",
    )


@pytest.fixture
def officer(xq: Station) -> AbstractBaseUser:
    """A frontline officer (民警) of XQ."""
    return make_officer("officer_xq1", station=xq, roles=["officer"], display_name="李瑞旸").user


@pytest.fixture
def legal_officer(xq: Station) -> AbstractBaseUser:
    return make_officer("legal_xq", station=xq, roles=["legal_officer"], display_name="陈静").user


@pytest.fixture
def chief(xq: Station) -> AbstractBaseUser:
    return make_officer("chief_xq", station=xq, roles=["chief"], display_name="王建国").user


@pytest.fixture
def other_station_officer(pl: Station) -> AbstractBaseUser:
    """An officer of PL: everything of XQ must look missing to them."""
    return make_officer("officer_pl1", station=pl, roles=["officer"], display_name="周强").user


@pytest.fixture
def bureau_legal(db: None) -> AbstractBaseUser:
    return make_officer("bureau_legal", station=None, roles=["bureau_legal"]).user


@pytest.fixture
def auditor(db: None) -> AbstractBaseUser:
    return make_officer("auditor", station=None, roles=["auditor"]).user


@pytest.fixture
def auxiliary(xq: Station) -> AbstractBaseUser:
    return make_officer("aux_xq1", station=xq, roles=["auxiliary"], display_name="赵磊").user


@pytest.fixture
def instructor(xq: Station) -> AbstractBaseUser:
    return make_officer("instructor_xq", station=xq, roles=["instructor"]).user


@pytest.fixture
def other_station_legal(pl: Station) -> AbstractBaseUser:
    return make_officer("legal_pl", station=pl, roles=["legal_officer"], display_name="孙丽").user
