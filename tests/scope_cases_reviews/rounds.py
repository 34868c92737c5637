"""Scope cases of the review's routes: rounds (see tests/scope_cases.py)."""

from __future__ import annotations

from django.urls import reverse

from tests.scope_case import Case
from tests.world import World, make_member


def _round(w: World):
    """A 2025 round of commune A's first cell with one member (made once per world)."""
    if "review_round" not in w.extra:
        from chibo.core.actors import SYSTEM
        from chibo.reviews.services.rounds import open_round

        make_member(w.cells_a[0], "Lò Văn Đánh")
        w.extra["review_round"] = open_round(actor=SYSTEM, unit=w.cells_a[0], year=2025)
    return w.extra["review_round"]


CASES: list[Case] = [
    Case("reviews:round", lambda w: reverse("reviews:round", args=[_round(w).pk])),
]


def prime(w: World) -> None:
    _round(w)
