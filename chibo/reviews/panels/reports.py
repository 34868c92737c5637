"""What the review adds to other apps' pages through core.hooks: reports (a link from the unit
page to its rating report, for the year before the page's date)."""

from __future__ import annotations

import datetime as dt

from chibo.core import hooks
from chibo.core.hooks import Panel
from chibo.org.models import Unit


def unit_report_link(request, unit: Unit, on: dt.date, version) -> Panel:
    return Panel("reviews/_unit_report_link.html", {"year": on.year - 1}, order=40, slot="aside")


def register() -> None:
    """Called from ReviewsConfig.ready()."""
    hooks.register(hooks.UNIT_PAGE_PANELS, unit_report_link, order=40)
