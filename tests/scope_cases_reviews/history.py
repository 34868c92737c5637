"""Scope cases of the review's routes: history (see tests/scope_cases.py)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from tests.scope_case import Case
from tests.world import World, make_member


def _rated(w: World):
    """A member of commune A's first cell rated for 2025 (as the old records have it)."""
    if "rated" not in w.extra:
        from chibo.core.actors import SYSTEM
        from chibo.reviews.services.history import record_rating

        m = make_member(w.cells_a[0], "Lò Văn Hạng")
        w.extra["rated"] = record_rating(
            actor=SYSTEM,
            year=2025,
            unit=w.cells_a[0],
            member=m,
            label="Hoàn thành tốt nhiệm vụ",
            decided_on=dt.date(2025, 12, 20),
            decision_no="40-QĐ/ĐU",
        )
    return w.extra["rated"]


def prime(w: World) -> None:
    _rated(w)


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
    Case(
        "reviews:decision_paper",
        lambda w: reverse("reviews:decision_paper", args=[w.commune_a.pk, 2025, "pdf"]),
    ),
]
