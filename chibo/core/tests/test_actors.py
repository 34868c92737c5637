import pytest

from chibo.core.actors import SYSTEM, MissingActor, is_system


def test_the_system_is_named_and_no_one_else_is():
    assert is_system(SYSTEM)
    assert not SYSTEM.is_authenticated and str(SYSTEM) == "Hệ thống"

    class Someone:
        is_authenticated = True

    assert not is_system(Someone())


def test_no_actor_is_refused():
    with pytest.raises(MissingActor):
        is_system(None)
