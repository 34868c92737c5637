"""Meeting statistics of a unit's subtree for a year (issue 4, point 8), computed in the database
so that a province of 300k cells × 12 months stays one pass per figure: regular meetings held and
held on time, the attendance rate, members absent without reason from regular meetings in three
or more months (a strike-off ground), thematic coverage per quarter, quality levels, follow-up
compliance. Rows by child unit, months across, totals."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, F, Q
from django.db.models.functions import ExtractMonth, ExtractQuarter, Substr

from chibo.core import params
from chibo.org.choices import CELL_KINDS
from chibo.org.models import Unit

from .models import COUNTS_AS_REGULAR, COUNTS_AS_THEMATIC, Attendance, Meeting, Quality


@dataclass
class Row:
    unit_id: int | None
    name: str
    cells: int = 0
    held: int = 0  # cell-months with a held regular meeting
    meetings: int = 0  # regular meetings held
    on_time: int = 0  # of which held in the month they were planned for
    months: list[int] = field(default_factory=lambda: [0] * 12)
    present: int = 0
    expected: int = 0
    thematic: list[int] = field(default_factory=lambda: [0] * 4)  # cells meeting the quarter
    quality: dict[str, int] = field(default_factory=dict)
    flagged: int = 0

    def rate(self, part: int, whole: int) -> float | None:
        return round(100 * part / whole, 1) if whole else None

    @property
    def attendance_rate(self) -> float | None:
        return self.rate(self.present, self.expected)


@dataclass
class Report:
    year: int
    months_ended: int
    quarters_ended: int
    thematic_required: list[int]
    rows: list[Row]
    total: Row
    flagged: list[tuple[int, str, str, int]]  # member id, name, cell, months


def _cells(unit: Unit, year: int):
    start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    return Unit.objects.filter(
        path__startswith=unit.path, kind__in=list(CELL_KINDS), valid_from__lt=end
    ).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=start))


def year_report(unit: Unit, year: int, today: dt.date, *, list_flagged: int = 300) -> Report:
    start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    months_ended = 12 if today >= end else max(0, today.month - 1 if today.year == year else 0)
    quarters_ended = months_ended // 3
    depth = len(unit.path) + unit.steplen
    group = Substr("unit__path", 1, depth)
    children = {
        u.path: u
        for u in Unit.objects.filter(path__startswith=unit.path, depth=unit.depth + 1).only(
            "pk", "name", "path"
        )
    }
    rows: dict[str, Row] = {}

    def row(key: str) -> Row:
        if key not in rows:
            child = children.get(key)
            rows[key] = (
                Row(child.pk, child.name) if child else Row(unit.pk, unit.name)
            )  # a cell directly under the unit, or the unit itself when it is a cell
        return rows[key]

    # Every grouped query clears the default ordering (a tree orders by path, which would
    # otherwise join the GROUP BY and make one group per cell).
    cells = _cells(unit, year).order_by().annotate(g=Substr("path", 1, depth))
    for r in cells.values("g").annotate(n=Count("id")):
        row(r["g"]).cells += r["n"]
    meetings = Meeting.objects.filter(unit__path__startswith=unit.path).order_by()
    regular = meetings.filter(kind__in=list(COUNTS_AS_REGULAR), held_on__gte=start, held_on__lt=end)
    # Attendance of those meetings, joined (not "IN (subquery)"), as a hand-written query would.
    in_regular = Attendance.objects.order_by().filter(
        meeting__unit__path__startswith=unit.path,
        meeting__kind__in=list(COUNTS_AS_REGULAR),
        meeting__held_on__gte=start,
        meeting__held_on__lt=end,
    )
    per_month = (
        regular.annotate(g=group, m=ExtractMonth("held_on"), pm=ExtractMonth("planned_on"))
        .values("g", "m")
        .annotate(
            cells=Count("unit", distinct=True),
            meetings=Count("id"),
            on_time=Count("id", filter=Q(pm=F("m"), planned_on__year=year)),
        )
    )
    for r in per_month:
        x = row(r["g"])
        x.months[r["m"] - 1] += r["cells"]
        x.held += r["cells"]
        x.meetings += r["meetings"]
        x.on_time += r["on_time"]
    summoned = (Q(away=False) & Q(suspended=False) & Q(guest_member=False)) & (
        Q(status=Attendance.Status.PRESENT) | Q(exempt=False)
    )
    att = (
        in_regular.annotate(g=Substr("meeting__unit__path", 1, depth))
        .values("g")
        .annotate(
            present=Count("id", filter=Q(status=Attendance.Status.PRESENT, guest_member=False)),
            expected=Count("id", filter=summoned & ~Q(status="")),
        )
    )
    for r in att:
        x = row(r["g"])
        x.present += r["present"]
        x.expected += r["expected"]
    required = [
        params.get("thematic_min_per_quarter", dt.date(year, 3 * q, 28), unit) for q in range(1, 5)
    ]
    thematic = (
        meetings.filter(kind__in=list(COUNTS_AS_THEMATIC), held_on__gte=start, held_on__lt=end)
        .annotate(g=group, q=ExtractQuarter("held_on"))
        .values("g", "q", "unit")
        .annotate(n=Count("id"))
    )
    for r in thematic:
        if r["n"] >= required[r["q"] - 1]:
            row(r["g"]).thematic[r["q"] - 1] += 1
    for r in (
        meetings.filter(held_on__gte=start, held_on__lt=end)
        .exclude(quality="")
        .annotate(g=group)
        .values("g", "quality")
        .annotate(n=Count("id"))
    ):
        q = row(r["g"]).quality
        q[r["quality"]] = q.get(r["quality"], 0) + r["n"]
    limit = params.get("unexcused_months_flag", end - dt.timedelta(days=1), unit)
    absent = (
        in_regular.filter(status=Attendance.Status.UNEXCUSED)
        .values("member_id", "meeting__unit__path")
        .annotate(months=Count(ExtractMonth("meeting__held_on"), distinct=True))
        .filter(months__gte=limit)
    )
    flagged = []
    for r in absent:
        row(r["meeting__unit__path"][:depth]).flagged += 1
        if len(flagged) < list_flagged:
            flagged.append((r["member_id"], r["meeting__unit__path"], r["months"]))
    from chibo.members.models import Member

    names = Member.objects.in_bulk([f[0] for f in flagged])
    units = {u.path: u.name for u in Unit.objects.filter(path__in=[f[1] for f in flagged])}
    listed = [
        (pk, names[pk].full_name if pk in names else "", units.get(path, ""), n)
        for pk, path, n in flagged
    ]
    ordered = sorted(rows.values(), key=lambda r: r.name)
    total = Row(unit.pk, unit.name)
    for r in ordered:
        total.cells += r.cells
        total.held += r.held
        total.on_time += r.on_time
        total.meetings += r.meetings
        total.present += r.present
        total.expected += r.expected
        total.flagged += r.flagged
        total.months = [a + b for a, b in zip(total.months, r.months, strict=True)]
        total.thematic = [a + b for a, b in zip(total.thematic, r.thematic, strict=True)]
        for k, v in r.quality.items():
            total.quality[k] = total.quality.get(k, 0) + v
    return Report(year, months_ended, quarters_ended, required, ordered, total, listed)


QUALITY_ORDER = [q for q, _label in Quality.choices]
