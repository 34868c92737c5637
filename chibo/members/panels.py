"""The members' sections of other apps' pages, registered in MembersConfig.ready()."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from chibo.core.hooks import Panel
from chibo.core.scope import can
from chibo.org.models import Unit
from chibo.org.selectors import warnings_for

from .seats import seats_on
from .selectors import counts_on, recognitions_due


def unit_counts(request, unit: Unit, on: dt.date, version) -> Panel:
    """The unit's members on the page's date, the recognitions due, and the structural warnings
    that depend on them (a cell below the minimum of official members, by the rules of `on`)."""
    members = counts_on(unit, on)
    # Counts are the cell's life (a follower reads them); the names of those due are records.
    people = can(request.user, "view", unit, on)
    due = recognitions_due(unit, timezone.localdate()) if unit.is_alive and people else []
    warnings = (
        warnings_for(
            unit,
            member_count=members["total"],
            official_count=members["direct_official"],
            on=on,
            kind=version.kind,
        )
        if version
        else []
    )
    return Panel(
        "members/_unit_counts.html",
        {"members": members, "due": due},
        order=10,
        warnings=tuple(warnings),
    )


def unit_links(request, unit: Unit, on: dt.date, version) -> Panel | None:
    if not can(request.user, "view", unit, on):
        return None  # the member lists, the roll and the seats' names are records
    return Panel(
        "members/_unit_links.html",
        {
            "seats": list(seats_on(unit, on)),
            "can_members": unit.is_alive and can(request.user, "members", unit),
        },
        order=10,
        slot="aside",
    )
