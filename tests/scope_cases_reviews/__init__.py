"""The review's scope cases, one module per area (each owns its routes' cases; an area that
needs objects before the test counts changes defines `prime(world)`)."""

from . import criteria, duties, history, orgs, reports, rounds

AREAS = (duties, criteria, rounds, orgs, reports, history)

REVIEW_CASES = [case for area in AREAS for case in area.CASES]


def prime(w) -> None:
    """Make the objects the review's cases act on (through the services)."""
    for area in AREAS:
        if hasattr(area, "prime"):
            area.prime(w)
