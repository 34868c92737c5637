"""The review's scope cases, one module per area (each owns its routes' cases)."""

from . import criteria, duties, history, orgs, reports, rounds

REVIEW_CASES = [
    *duties.CASES,
    *criteria.CASES,
    *rounds.CASES,
    *orgs.CASES,
    *reports.CASES,
    *history.CASES,
]
