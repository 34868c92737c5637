"""What the review adds to other apps' pages through core.hooks: rounds (a cell's page lists its
rounds and, for those who may, opens this year's or last year's)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from chibo.core import hooks
from chibo.core.hooks import Panel
from chibo.core.scope import can
from chibo.org.choices import CELL_KINDS

from ..models import Round


def unit_rounds(request, unit, on: dt.date, version) -> Panel | None:
    kind = version.kind if version is not None else unit.kind
    if kind not in CELL_KINDS or not can(request.user, "view", unit):
        return None
    # Through the gate: a round opened while the cell lay in another commune is not this
    # reader's (its page is a 404), so it is not listed either.
    have = list(Round.objects.restrict(request.user).filter(unit=unit).order_by("-year")[:6])
    today = timezone.localdate()
    # One round per cell and year, whoever opened it: no button for a year that has one.
    years = set(
        Round.objects.filter(unit=unit, year__in=(today.year - 1, today.year)).values_list(
            "year", flat=True
        )
    )
    may_open = can(request.user, "members", unit)
    can_open = [y for y in (today.year - 1, today.year) if y not in years] if may_open else []
    return Panel(
        "reviews/_unit_rounds.html",
        {"review_rounds": have, "review_open_years": can_open},
        order=40,
    )


def register() -> None:
    """Called from ReviewsConfig.ready()."""
    hooks.register(hooks.UNIT_PAGE_PANELS, unit_rounds, order=40)
