"""Uploaded files (member photos, import rolls) hold personal data: they are reachable only
through chibo's views, which read through the scope gate, never by a public URL. nginx serves
/static/ only (docs/deploy.md)."""

import sys
from pathlib import Path

from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.views.static import serve

from tests.world import PASSWORD


def _patterns(resolver, prefix=""):
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            yield from _patterns(p, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


def test_media_has_no_url():
    # Unset: Django's default is "" (read through `settings`, Django turns "" into the script
    # prefix "/", so the raw value is asked for).
    assert "MEDIA_URL" not in vars(sys.modules["chibo.settings"])
    assert settings._wrapped.MEDIA_URL == ""
    assert not getattr(settings, "WHITENOISE_ROOT", None)
    media, static = Path(settings.MEDIA_ROOT).resolve(), Path(settings.STATIC_ROOT).resolve()
    assert not media.is_relative_to(static) and not static.is_relative_to(media)


def test_no_url_pattern_serves_files_from_disk():
    served = [
        route
        for route, p in _patterns(get_resolver())
        if getattr(p.callback, "__wrapped__", p.callback) is serve
        or "document_root" in (p.default_args or {})
    ]
    assert served == []


def test_an_uploaded_file_is_not_fetched_by_its_path(world, client):
    media = Path(settings.MEDIA_ROOT)
    (media / "imports").mkdir(parents=True)
    (media / "imports" / "roll.xlsx").write_bytes(b"personal data")
    client.login(username=world.admin.username, password=PASSWORD)
    for path in ("/media/imports/roll.xlsx", "/imports/roll.xlsx", "/static/imports/roll.xlsx"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert not response.streaming and b"personal data" not in response.content
