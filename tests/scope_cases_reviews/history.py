"""Scope cases of the review's routes: history (see tests/scope_cases.py)."""

from __future__ import annotations

from django.urls import reverse

from tests.scope_case import Case

CASES: list[Case] = [
    Case(
        "reviews:import",
        lambda w: reverse("reviews:import") + f"?unit={w.commune_a.pk}",
        method="post",
        write=True,
        body=lambda w: {},
    ),
    Case(
        "GET /api/v1/reviews/ratings",
        lambda w: f"/api/v1/reviews/ratings?unit_id={w.cells_a[0].pk}&year=2025",
    ),
]
