"""What the review adds to other apps' pages through core.hooks: rounds (a cell's page lists its
rounds and, for those who may, opens this year's or last year's)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from chibo.core import hooks
from chibo.core.hooks import Panel
from chibo.core.scope import can
from chibo.members.models import Placement
from chibo.org.choices import CELL_KINDS

from ..models import Round
from ..services import facts


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


def my_rounds(request, member, on: dt.date) -> Panel | None:
    """On the member's own page: the rounds of this year and last that have them on the roll,
    each a link to their self-assessment (where the decided result is explained too)."""
    if member.user_id is None or member.user_id != request.user.pk:
        return None
    today = timezone.localdate()
    cells = Placement.objects.filter(member=member, kind=Placement.Kind.HOME).values("unit_id")
    mine = [
        r
        for r in Round.objects.filter(unit_id__in=cells, year__gte=today.year - 1)
        .select_related("unit")
        .order_by("-year")
        if any(m.pk == member.pk for m in facts.roll(r))
    ]
    if not mine:
        return None
    return Panel("reviews/_my_rounds.html", {"my_rounds": mine}, order=35)


def register() -> None:
    """Called from ReviewsConfig.ready()."""
    hooks.register(hooks.UNIT_PAGE_PANELS, unit_rounds, order=40)
    hooks.register(hooks.MEMBER_PAGE_PANELS, my_rounds, order=35)
