"""Scope cases of the review's routes: criteria (see tests/scope_cases.py)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from chibo.core.actors import SYSTEM
from tests.scope_case import Case
from tests.world import World


def _set(w: World):
    """Commune A's criteria set for organizations of this year (built through the service)."""
    if "criteria_set" not in w.extra:
        from chibo.reviews.services.criteria import create_from_framework

        w.extra["criteria_set"] = create_from_framework(
            actor=SYSTEM, owner=w.commune_a, year=timezone.localdate().year, subject="org"
        )
    return w.extra["criteria_set"]


def prime(w: World) -> None:
    _set(w)


def _rows(w: World) -> dict:
    body = {"name": "Tiêu chí tổ chức đảng (sửa)", "groups": "2"}
    for i, g in enumerate(_set(w).groups):
        body[f"g{i}-name"] = g["name"]
        body[f"g{i}-max"] = str(g["max_points"])
        body[f"g{i}-lines"] = "\n".join(f"{c['text']} | {c['max_points']}" for c in g["criteria"])
    return body


CASES: list[Case] = [
    Case(
        "reviews:criteria_list",
        lambda w: reverse("reviews:criteria_list", args=[w.commune_a.pk]) + f"?year={_set(w).year}",
    ),
    Case(
        "reviews:criteria_detail", lambda w: reverse("reviews:criteria_detail", args=[_set(w).pk])
    ),
    Case(
        "reviews:criteria_create",
        lambda w: reverse("reviews:criteria_create", args=[w.commune_a.pk]),
        write=True,
    ),
    Case(
        "reviews:criteria_create#post",
        lambda w: reverse("reviews:criteria_create", args=[w.commune_a.pk]),
        method="post",
        write=True,
        ok_status=302,
        body=lambda w: {
            "source": "framework",
            "year": str(timezone.localdate().year),
            "subject": "member",
            "org_type": "",
            "person_kind": "leader",
            "name": "",
            "created_on": timezone.localdate().isoformat(),
        },
    ),
    Case(
        "reviews:criteria_edit",
        lambda w: reverse("reviews:criteria_edit", args=[_set(w).pk]),
        write=True,
    ),
    Case(
        "reviews:criteria_edit#post",
        lambda w: reverse("reviews:criteria_edit", args=[_set(w).pk]),
        method="post",
        write=True,
        ok_status=302,
        body=_rows,
    ),
    Case(
        "reviews:criteria_delete",
        lambda w: reverse("reviews:criteria_delete", args=[_set(w).pk]),
        write=True,
    ),
    Case(
        "reviews:criteria_delete#post",
        lambda w: reverse("reviews:criteria_delete", args=[_set(w).pk]),
        method="post",
        write=True,
        ok_status=302,
        body=lambda w: {"confirm": "1"},
    ),
    Case(
        "GET /api/v1/reviews/criteria-sets/",
        lambda w: f"/api/v1/reviews/criteria-sets/?unit_id={w.commune_a.pk}&year={_set(w).year}",
    ),
    Case(
        "GET /api/v1/reviews/criteria-sets/{set_id}",
        lambda w: f"/api/v1/reviews/criteria-sets/{_set(w).pk}",
    ),
    Case(
        "POST /api/v1/reviews/criteria-sets/",
        lambda w: "/api/v1/reviews/criteria-sets/",
        method="post",
        write=True,
        ok_status=201,
        body=lambda w: {
            "owner_id": w.commune_a.pk,
            "year": timezone.localdate().year,
            "subject": "member",
            "person_kind": "committee",
        },
    ),
    Case(
        "POST /api/v1/reviews/criteria-sets/{set_id}",
        lambda w: f"/api/v1/reviews/criteria-sets/{_set(w).pk}",
        method="post",
        write=True,
        body=lambda w: {"name": "Tiêu chí tổ chức đảng (sửa)"},
    ),
]
