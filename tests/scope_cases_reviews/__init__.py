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


def prime_reviews(w) -> None:
    """Make the objects the review's cases act on (each area's `prime`, where it has one)
    before the route tests count changes."""
    for area in (duties, criteria, rounds, orgs, reports, history):
        made = getattr(area, "prime", None)
        if made is not None:
            made(w)
