from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q

from chibo.org.models import Unit, UnitAncestry, in_force

from .models import Placement


def counts_on(unit: Unit, on: dt.date) -> dict[str, int]:
    """Members (home placements) in `unit` directly and in its subtree on `on`, by stage.
    Stage on a date: official when recognized on or before it."""
    direct = Placement.objects.filter(in_force(on), unit=unit, kind=Placement.Kind.HOME)
    subtree_units = UnitAncestry.objects.filter(in_force(on), ancestor=unit).values("unit_id")
    subtree = Placement.objects.filter(
        in_force(on), unit_id__in=subtree_units, kind=Placement.Kind.HOME
    )
    official = Q(member__recognized_on__lte=on)
    d = direct.aggregate(n=Count("id"), official=Count("id", filter=official))
    s = subtree.aggregate(n=Count("id"), official=Count("id", filter=official))
    return {
        "direct": d["n"],
        "direct_official": d["official"],
        "total": s["n"],
        "total_official": s["official"],
    }


def keyset_page(qs, after: tuple[str, int] | None, size: int = 50) -> list:
    """One page of members in Vietnamese order, after the cursor (sort_key, id) of the last row
    of the previous page: O(page) at any depth, the same on SQLite and PostgreSQL because the
    stored key is compared byte by byte."""
    qs = qs.order_by("sort_key", "id")
    if after is not None:
        key, pk = after
        qs = qs.filter(Q(sort_key__gt=key) | Q(sort_key=key, id__gt=pk))
    return list(qs[:size])
