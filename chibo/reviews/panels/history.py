"""What the review adds to other apps' pages through core.hooks: history — the ratings by year
on the unit page (with the historical import for those who may write them) and on the member
page (the member sees their own), read through the scope gate as of each year's 31/12."""

from __future__ import annotations

import datetime as dt

from chibo.core import hooks
from chibo.core.hooks import Panel
from chibo.core.scope import can
from chibo.org.choices import CELL_KINDS
from chibo.org.models import UnitAncestry, in_force

from ..models import Rating
from ..services import streaks

SHOWN_YEARS = 10


def _rows(request, **subject):
    return list(
        Rating.objects.restrict(request.user, "view")
        .filter(current=True, **subject)
        .order_by("-year")[:SHOWN_YEARS]
    )


def _decided_years(request, unit, on: dt.date) -> list[int]:
    """The last five years with members' ratings under a committee (its decision papers),
    in its tree of `on`."""
    if unit.kind in CELL_KINDS:
        return []
    under = UnitAncestry.objects.filter(in_force(on), ancestor=unit).values("unit_id")
    years = (
        Rating.objects.restrict(request.user, "view")
        .filter(current=True, member__isnull=False, unit_id__in=under)
        .values_list("year", flat=True)
        .distinct()
    )
    return sorted(set(years), reverse=True)[:5]


def unit_ratings(request, unit, on: dt.date, version) -> Panel | None:
    rows = _rows(request, unit=unit, member=None)
    may_import = unit.is_alive and can(request.user, "change", unit)
    years = _decided_years(request, unit, on)
    if not rows and not may_import and not years:
        return None
    return Panel(
        "reviews/_unit_ratings.html",
        {"ratings": rows, "may_import": may_import, "decided_years": years},
        order=40,
        slot="aside",
    )


def member_ratings(request, member, on: dt.date) -> Panel | None:
    rows = _rows(request, member=member)
    if not rows:
        return None
    return Panel("reviews/_member_ratings.html", {"ratings": rows}, order=40)


def register() -> None:
    """Called from ReviewsConfig.ready()."""
    hooks.register(hooks.UNIT_PAGE_PANELS, unit_ratings, order=40)
    hooks.register(hooks.MEMBER_PAGE_PANELS, member_ratings, order=40)
    hooks.register(hooks.DEADLINE_ITEMS, streaks.consequences, order=40)
