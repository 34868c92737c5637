import datetime as dt
import os
import zoneinfo

import pytest

os.environ.setdefault("CHIBO_TESTING", "1")

_VN = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def _test_today() -> dt.date:
    # The day every test runs on unless it asks for another (scripts/test-on-date.sh moves it):
    # nothing in the suite may depend on the real calendar.
    from chibo.core.testing import suite_today

    return suite_today()


def pytest_configure(config):
    # Hypothesis's per-example deadline is a timed assertion in disguise: on a loaded CI machine
    # (or PostgreSQL's first connection) it fails correct code. Speed lives in bench/.
    # In CI (CI=true) the examples are the same on every run: a red build is one anyone can
    # repeat; locally each run explores new ones (one found the agenda's bare "I." mark).
    import os

    from hypothesis import settings as hypothesis_settings

    ci = os.environ.get("CI", "").lower() in ("1", "true", "yes")
    # On PostgreSQL the same properties run with a quarter of the examples (a test's own
    # max_examples stands): the SQLite run explores the rules in full; the PostgreSQL run is
    # there for what the database does (locks, collation, ordering), and at 100 examples each
    # it doubled CI's time (decisions §43).
    on_pg = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
    hypothesis_settings.register_profile(
        "chibo", deadline=None, derandomize=ci, **({"max_examples": 25} if on_pg else {})
    )
    hypothesis_settings.load_profile("chibo")
    config.addinivalue_line(
        "markers", "today(day): run the test on that day (a date or 'YYYY-MM-DD') instead"
    )
    config.addinivalue_line(
        "markers",
        "real_second_factor: client.login/force_login give a password-only session, as a real "
        "sign-in does before its code step (the two-factor tests)",
    )


def _travel(day: dt.date):
    import time_machine

    return time_machine.travel(dt.datetime.combine(day, dt.time(9, 0), tzinfo=_VN))


@pytest.fixture(scope="session", autouse=True)
def _session_clock():
    # Session- and module-scoped fixtures (the demo province) are built on the test day too.
    with _travel(_test_today()):
        yield


@pytest.fixture(autouse=True)
def _clock(request, _session_clock):
    """Travel to the test's day, 09:00 in Việt Nam, with the clock ticking from there (a frozen
    clock would stop timeouts and threads); `clock.move_to(...)` moves it on."""
    marker = request.node.get_closest_marker("today")
    day = marker.args[0] if marker else _test_today()
    if isinstance(day, str):
        day = dt.date.fromisoformat(day)
    with _travel(day) as traveller:
        yield traveller


@pytest.fixture
def today(_clock) -> dt.date:
    """The test's today (its `today` marker's day, else CHIBO_TEST_TODAY)."""
    from django.utils import timezone

    return timezone.localdate()


@pytest.fixture
def clock(_clock):
    """The running clock, for tests that move it forward."""
    return _clock


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    # Argon2 in production; MD5 in tests keeps the suite fast (Healthchecks does the same).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db):
    from tests.world import build_world

    return build_world()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    # Uploaded files (member photos, import files) go to a temporary folder, never var/.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _second_factor_passed(request, monkeypatch):
    """A test client's login stands for a whole sign-in: password and, as the account would
    have done it, the second factor (tests.twofactor.pass_second_factor). The middleware and
    the views run unchanged in every test; only the test client's shortcut login is completed.
    Tests of the sign-in itself mark themselves `real_second_factor` and get the raw state."""
    if request.node.get_closest_marker("real_second_factor"):
        yield
        return
    from django.test.client import ClientMixin

    from tests.twofactor import pass_second_factor

    original = ClientMixin._login

    def _login(self, user, backend=None):
        original(self, user, backend)
        pass_second_factor(self, user)

    monkeypatch.setattr(ClientMixin, "_login", _login)
    yield
