"""Factories that build through the services, so every persona has its real grants."""

from __future__ import annotations

import itertools
from typing import Any

import factory
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client
from rest_framework.test import APIClient

from casework.org.models import Profile, Station
from casework.org.services import officer_upsert

PASSWORD = "correct-horse-battery"
_numbers = itertools.count(100000)


class StationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Station
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"S{n:03d}")
    name = factory.Sequence(lambda n: f"测试派出所{n}")
    bureau = "东营市公安局东营分局"
    province = "山东省"
    city = "东营市"
    county = "东营区"


def make_officer(
    username: str,
    *,
    station: Station | None,
    roles: list[str],
    display_name: str = "",
    email: str = "",
) -> Profile:
    """An officer with a password of PASSWORD, created the way the product creates them."""
    return officer_upsert(
        by=None,
        username=username,
        display_name=display_name or username,
        police_number=str(next(_numbers)),
        station=station,
        roles=roles,
        email=email,
        password=PASSWORD,
    )


def login_data(username: str, password: str = PASSWORD) -> dict[str, Any]:
    return {"username": username, "password": password}


def client_for(user: AbstractBaseUser) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_for(user: AbstractBaseUser) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def ticks(case: Any, gate: str) -> dict[str, Any]:
    """Every checklist item of the gate ticked (or, for the evaluation, given full points)."""
    from casework.cases.models import ChecklistItem

    items = ChecklistItem.objects.filter(kind=case.kind, gate=gate, is_active=True)
    return {i.code: (i.points if gate == "evaluation" else True) for i in items}
