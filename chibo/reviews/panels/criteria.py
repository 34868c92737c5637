"""What the review adds to other apps' pages through core.hooks: criteria sets (a link on the
page of a committee that issues them)."""

from __future__ import annotations

import datetime as dt

from chibo.core import hooks
from chibo.core.hooks import Panel

from ..services.criteria import OWNER_KINDS


def unit_link(request, unit, on: dt.date, version) -> Panel | None:
    if version is None or version.kind not in OWNER_KINDS:
        return None
    return Panel("reviews/_criteria_unit_link.html", {"year": on.year}, order=40, slot="aside")


def register() -> None:
    """Called from ReviewsConfig.ready()."""
    hooks.register(hooks.UNIT_PAGE_PANELS, unit_link, order=40)
