"""The meetings' sections of other apps' pages, registered in MeetingsConfig.ready()."""

from __future__ import annotations

import datetime as dt

from chibo.core.hooks import Panel
from chibo.org.models import Unit


def unit_links(request, unit: Unit, on: dt.date, version) -> Panel:
    return Panel("meetings/_unit_links.html", order=20, slot="aside")
