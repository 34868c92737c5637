"""Fails when a route exists that the scope test does not cover."""

from django.urls import URLPattern, URLResolver, get_resolver

from chibo.api import api

from .scope_cases import ALL_CASES, PUBLIC_ROUTES


def _names(patterns, ns=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            inner = f"{ns}{p.namespace}:" if p.namespace else ns
            yield from _names(p.url_patterns, inner)
        elif isinstance(p, URLPattern):
            yield f"{ns}{p.name}" if p.name else "<root redirect>"


def test_it_covers_every_page_route():
    covered = {c.route.split("#")[0] for c in ALL_CASES} | PUBLIC_ROUTES
    pages = {n for n in _names(get_resolver().url_patterns) if not n.startswith("api:")}
    assert pages - covered == set()


def test_it_covers_every_api_operation():
    schema = api.get_openapi_schema()
    ops = {f"{m.upper()} {path}" for path, item in schema["paths"].items() for m in item}
    covered = {c.route for c in ALL_CASES}
    assert ops - covered == set()
    assert ops  # the schema is not empty


def test_it_covers_only_routes_that_exist():
    schema = api.get_openapi_schema()
    ops = {f"{m.upper()} {path}" for path, item in schema["paths"].items() for m in item}
    pages = set(_names(get_resolver().url_patterns))
    for c in ALL_CASES:
        assert c.route.split("#")[0] in pages | ops, c.route
