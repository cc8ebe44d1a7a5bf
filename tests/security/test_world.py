"""The world the sweeps stand on is what they assume, and each test gets it as built."""

from __future__ import annotations

import pytest

from casework.cases.models import Incident
from tests.security.world import EXPECTED_STATES, World


@pytest.mark.parametrize("turn", ["first", "second"])
def test_each_test_starts_from_the_world_as_built(world: World, turn: str) -> None:
    for key, (model, fields) in EXPECTED_STATES.items():
        row = model.objects.get(pk=world[key])
        for name, value in fields.items():
            assert getattr(row, name) == value, (key, name)
    # The first turn changes a row; the second must find it as built (a savepoint per test).
    Incident.objects.filter(pk=world["incident"]).service_update(status="closed")
