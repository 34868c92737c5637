"""Scope cases of the review's routes: rounds (see tests/scope_cases.py)."""

from __future__ import annotations

from django.urls import reverse

from tests.scope_case import Case
from tests.world import World, make_member, make_unit


def _round(w: World):
    """A 2025 round of a cell of commune A with one member proposed HTTNV (made once)."""
    if "review_round" not in w.extra:
        from chibo.core.actors import SYSTEM
        from chibo.org.choices import CellType, UnitKind
        from chibo.reviews.services.rounds import open_round, propose

        # A cell of its own: the other cases' members sit in commune A's first cell.
        cell = make_unit(w.commune_a, UnitKind.CELL, "Chi bộ thôn Xét", cell_type=CellType.VILLAGE)
        m = make_member(cell, "Lò Văn Đánh")
        rnd = open_round(actor=SYSTEM, unit=cell, year=2025)
        propose(actor=SYSTEM, round=rnd, member=m, level="htt", votes_for=1, votes_base=1)
        # official_a is this member too: the self-assessment is a self-service page.
        m.user = w.official_a
        m.save(update_fields=["user"])
        w.extra["review_round"] = rnd
        w.extra["review_member"] = m
    return w.extra["review_round"]


def _today():
    from django.utils import timezone

    return timezone.localdate()


CASES: list[Case] = [
    Case("reviews:round", lambda w: reverse("reviews:round", args=[_round(w).pk])),
    Case(
        "reviews:round_decide",
        lambda w: reverse("reviews:round_decide", args=[_round(w).pk]),
        method="post",
        write=True,
        body=lambda w: {
            f"level_{w.extra['review_member'].pk}": "htt",
            "decision_no": "15-QĐ/ĐU",
            "decided_on": _today().isoformat(),
            "confirm": "1",
        },
        ok_status=302,
    ),
    Case(
        "reviews:round_quota_exception",
        lambda w: reverse("reviews:round_quota_exception", args=[_round(w).pk]),
        method="post",
        write=True,
        body=lambda w: {
            "extra": "1",
            "exception_no": "12-CV/HU",
            "exception_on": _today().isoformat(),
            "issuer": "Ban Thường vụ Đảng ủy",
        },
        ok_status=302,
    ),
    Case(
        "reviews:round_propose",
        lambda w: reverse(
            "reviews:round_propose", args=[_round(w).pk, w.extra["review_member"].pk]
        ),
        method="post",
        write=True,
        body=lambda w: {"level": "htxs", "votes_for": "3", "votes_base": "4", "comment": "Tốt"},
        ok_status=302,
    ),
    Case(
        "reviews:round_self",
        lambda w: reverse("reviews:round_self", args=[_round(w).pk]),
        method="post",
        body=lambda w: {"score_1.1": "9", "level": "htt"},
        self_service=True,
        ok_status=302,
    ),
    Case(
        "reviews:rating_rerate",
        lambda w: reverse("reviews:rating_rerate", args=[_rating(w).pk]),
        method="post",
        write=True,
        body=lambda w: {
            "level": "ht",
            "reason": "Xét lại theo khiếu nại",
            "decided_on": _today().isoformat(),
            "confirm": "1",
        },
        ok_status=302,
    ),
    Case(
        "reviews:rating_complain",
        lambda w: reverse("reviews:rating_complain", args=[_rating(w).pk]),
        method="post",
        write=True,
        body=lambda w: {"text": "Chưa xét đủ kết quả"},
        ok_status=302,
    ),
    Case(
        "reviews:round_open",
        lambda w: reverse("reviews:round_open", args=[w.cells_a[1].pk]),
        method="post",
        write=True,
        body=lambda w: {"year": "2025"},
        ok_status=302,
    ),
]


def _rating(w: World):
    """A decided HTTNV of 2025 in another cell of commune A (made once per world)."""
    if "review_rating" not in w.extra:
        from chibo.core.actors import SYSTEM
        from chibo.org.choices import CellType, UnitKind
        from chibo.reviews.services.rounds import decide, open_round, propose

        cell = make_unit(w.commune_a, UnitKind.CELL, "Chi bộ thôn Lại", cell_type=CellType.VILLAGE)
        m = make_member(cell, "Lò Văn Lại")
        rnd = open_round(actor=SYSTEM, unit=cell, year=2025)
        propose(actor=SYSTEM, round=rnd, member=m, level="htt", votes_for=1, votes_base=1)
        (w.extra["review_rating"],) = decide(
            actor=SYSTEM,
            round=rnd,
            decisions={m.pk: "htt"},
            decision_no="15-QĐ/ĐU",
            decided_on=_today(),
        )
    return w.extra["review_rating"]


def prime(w: World) -> None:
    _round(w)
    _rating(w)
