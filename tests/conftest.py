"""Fixtures shared by the cross-app route tests."""

import pytest

from chibo.org.services import RenameUnit
from tests.world import decision

from .scope_cases import prime


@pytest.fixture
def seeded(world):
    # Something in commune A's audit log for the list cases to find (or not).
    RenameUnit(
        decision(world.commune_a.valid_from),
        unit=world.cells_a[0],
        name="Chi bộ thôn Đông (Đồng Tâm)",
    ).execute(actor=world.official_a)
    prime(world)
    return world
