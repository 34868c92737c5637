import os

import pytest

os.environ.setdefault("CHIBO_TESTING", "1")


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    # Argon2 in production; MD5 in tests keeps the suite fast (Healthchecks does the same).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db):
    from chibo.core.testing import build_world

    return build_world()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    # Uploaded files (member photos, import files) go to a temporary folder, never var/.
    settings.MEDIA_ROOT = tmp_path / "media"
