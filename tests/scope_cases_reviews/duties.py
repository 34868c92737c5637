"""Scope cases of the review's routes: duties (see tests/scope_cases.py).

They act on commune A's first cell and its member "Lò Văn Đôi" (the same record as the member
cases'), with one duty of this year. The duty is a bare row (no audit row), so that building it
inside a case does not count as a change the case made. Dates follow the test's today."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from chibo.reviews.models import Duty
from tests.scope_case import Case
from tests.world import World, make_member


def _today() -> dt.date:
    return timezone.localdate()


def _member(w: World):
    # As tests/scope_cases._member (primed there): commune A's first cell's member.
    if "member" not in w.extra:
        w.extra["member"] = make_member(w.cells_a[0], "Lò Văn Đôi")
    return w.extra["member"]


def _duty(w: World) -> Duty:
    if "duty" not in w.extra:
        today = _today()
        w.extra["duty"] = Duty.objects.create(
            member=_member(w),
            unit=w.cells_a[0],
            year=today.year,
            text="Vận động các hộ xóm Đông đóng góp làm đường",
            area="Xóm Đông",
            due_on=dt.date(today.year, 12, 31),
            assigned_on=today,
        )
    return w.extra["duty"]


def _year_end() -> str:
    return dt.date(_today().year, 12, 31).isoformat()


def _page(w: World) -> str:
    _duty(w)  # something on the list
    return reverse("reviews:duties", args=[w.cells_a[0].pk]) + f"?year={_today().year}"


CASES: list[Case] = [
    Case("reviews:duties", _page),
    Case("reviews:duties#xlsx", lambda w: _page(w) + "&format=xlsx"),
    Case(
        "reviews:duty_add",
        lambda w: reverse("reviews:duty_add", args=[w.cells_a[0].pk]),
        method="post",
        write=True,
        ok_status=302,
        body=lambda w: {
            "year": str(_today().year),
            "member": _member(w).pk,
            "text": "Theo dõi 10 hộ",
            "due_on": _year_end(),
        },
    ),
    Case(
        "reviews:duty_outcome",
        lambda w: reverse("reviews:duty_outcome", args=[_duty(w).pk]),
        method="post",
        write=True,
        ok_status=302,
        body=lambda w: {"outcome": "done", "outcome_on": _today().isoformat()},
    ),
    Case(
        "reviews:duty_edit",
        lambda w: reverse("reviews:duty_edit", args=[_duty(w).pk]),
        method="post",
        write=True,
        ok_status=302,
        body=lambda w: {"text": "Vận động 12 hộ", "due_on": _year_end()},
    ),
    Case(
        "reviews:duty_remove",
        lambda w: reverse("reviews:duty_remove", args=[_duty(w).pk]),
        method="post",
        write=True,
        ok_status=302,
        body=lambda w: {"confirm": "1"},
    ),
    Case(
        "reviews:pledge",
        lambda w: reverse("reviews:pledge", args=[w.cells_a[0].pk]),
        method="post",
        write=True,
        ok_status=302,
        body=lambda w: {"year": str(_today().year), "member": _member(w).pk, "level": "htt"},
    ),
    Case(
        "reviews:unit_pledge",
        lambda w: reverse("reviews:unit_pledge", args=[w.cells_a[0].pk]),
        method="post",
        write=True,
        ok_status=302,
        body=lambda w: {"year": str(_today().year), "level": "htxs"},
    ),
    Case(
        "GET /api/v1/reviews/duties",
        lambda w: f"/api/v1/reviews/duties?unit_id={w.cells_a[0].pk}&year={_duty(w).year}",
    ),
    Case(
        "POST /api/v1/reviews/duties",
        lambda w: "/api/v1/reviews/duties",
        method="post",
        write=True,
        # The body names commune A's cell: out of scope it is not found (404).
        ok_status=201,
        body=lambda w: {
            "unit_id": w.cells_a[0].pk,
            "member_id": _member(w).pk,
            "year": _today().year,
            "text": "Theo dõi 10 hộ",
            "due_on": _year_end(),
        },
    ),
    Case(
        "POST /api/v1/reviews/duties/{duty_id}/outcome",
        lambda w: f"/api/v1/reviews/duties/{_duty(w).pk}/outcome",
        method="post",
        write=True,
        body=lambda w: {"outcome": "done", "outcome_on": _today().isoformat()},
    ),
    Case(
        "POST /api/v1/reviews/pledges",
        lambda w: "/api/v1/reviews/pledges",
        method="post",
        write=True,
        body=lambda w: {"unit_id": w.cells_a[0].pk, "year": _today().year, "level": "htt"},
    ),
]
