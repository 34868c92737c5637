from django.utils import translation

from chibo.org.services import DissolveUnit
from tests.world import decision


def test_it_translates_service_messages_too(world):
    with translation.override("en"):
        errors = DissolveUnit(decision(world.commune_a.valid_from), unit=world.commune_a).check()
    assert errors and "còn" not in errors[0]
