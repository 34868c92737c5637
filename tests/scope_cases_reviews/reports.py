"""Scope cases of the review's routes: reports (see tests/scope_cases.py)."""

from __future__ import annotations

from django.urls import reverse

from tests.scope_case import Case

CASES: list[Case] = [
    Case(
        "reviews:report",
        lambda w: reverse("reviews:report", args=[w.commune_a.pk]) + "?from=2020&to=2021",
    ),
    Case("reviews:form6", lambda w: reverse("reviews:form6", args=[w.commune_a.pk, 2025])),
    Case(
        "reviews:form6#xlsx",
        lambda w: reverse("reviews:form6", args=[w.commune_a.pk, 2025]) + "?format=xlsx",
    ),
]
