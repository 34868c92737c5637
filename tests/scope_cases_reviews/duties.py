"""Scope cases of the review's routes: duties (see tests/scope_cases.py)."""

from __future__ import annotations

from tests.scope_case import Case

CASES: list[Case] = []
