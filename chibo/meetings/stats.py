"""Meeting statistics of a unit's subtree for a year (issue 4, point 8), computed in the database
so that a province of 300k cells × 12 months stays one pass per figure: regular meetings held and
held on time, the attendance rate, members absent without reason from regular meetings in three
or more months (a strike-off ground), thematic coverage per quarter, quality levels, follow-up
compliance. Rows by child unit, months across, totals."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, DateField, F, Q
from django.db.models.functions import ExtractMonth, TruncMonth

from chibo.core import params
from chibo.members.models import Member
from chibo.org.choices import CELL_KINDS
from chibo.org.models import Unit, UnitAncestry, UnitLink, in_force

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
    cell_months: list[int] = field(default_factory=lambda: [0] * 12)  # cells on each 1st

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


def _month_up(d: dt.date) -> dt.date:
    """The first day of the first month that starts on or after `d`."""
    if d.day == 1:
        return d
    return dt.date(d.year + d.month // 12, d.month % 12 + 1, 1)


class _Tree:
    """The children `unit` had during the year and when. A month's meetings, their attendance
    and absences count under the child their cell lay under on the first day of that month —
    the day the month's cells are counted on, so a rate never mixes two trees: a cell that
    moves on 1/7 counts its January–June meetings for the old commune and the rest for the new
    one (one that moves on 15/3 counts March where it was on 1/3). A quarter's thematic
    meetings count where the cell lay on the first day of the quarter's last month, the day
    its cells are counted on. Only cells' meetings count: a committee's own meetings have no
    cell-months behind them."""

    def __init__(self, unit: Unit, year: int):
        self.unit, self.start, self.end = unit, dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
        self.links = list(
            UnitLink.objects.filter(parent=unit, valid_from__lt=self.end)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=self.start))
            .values_list("child_id", "valid_from", "valid_to")
        )

    def kids_on(self, d: dt.date) -> list[int]:
        return [c for c, f, t in self.links if f <= d and (t is None or t > d)]

    def placed(self, prefix: str = "", at: dt.date | None = None):
        """(Q: the rows whose cell lay under the unit on the first day of their meeting's month
        — or on the day `at` —, the expression of the child it lay under then), both on the
        same join of the cell's dated ancestry."""
        anc = f"{prefix}unit__ancestry__"
        day = at if at is not None else TruncMonth(f"{prefix}held_on", output_field=DateField())
        then = Q(**{f"{anc}valid_from__lte": day}) & (
            Q(**{f"{anc}valid_to__isnull": True}) | Q(**{f"{anc}valid_to__gt": day})
        )
        cells = Q(**{f"{prefix}unit__kind__in": list(CELL_KINDS)})
        if self.unit.kind in CELL_KINDS:
            own = Q(**{f"{anc}ancestor_id": self.unit.pk, f"{prefix}unit_id": self.unit.pk})
            return then & own & cells, F(f"{anc}ancestor_id")
        if at is not None:
            under = Q(**{f"{anc}ancestor_id__in": self.kids_on(at)})
            return then & under & cells, F(f"{anc}ancestor_id")
        whole = [c for c, f, t in self.links if f <= self.start and (t is None or t >= self.end)]
        under = Q(**{f"{anc}ancestor_id__in": whole})
        for c, f, t in self.links:
            if c not in whole:
                # The month's first day within [f, t) ⟺ the meeting on or after the first
                # month starting on or after f, and before the first one starting on or after t.
                part = {f"{anc}ancestor_id": c, f"{prefix}held_on__gte": _month_up(f)}
                if t is not None:
                    part[f"{prefix}held_on__lt"] = _month_up(t)
                under |= Q(**part)
        return then & under & cells, F(f"{anc}ancestor_id")

    def cell_months(self) -> dict[int, list[int]]:
        """{child: cells under it on the first day of each month} (the unit itself, key
        unit.pk, when it is a cell). Counted again only for a month the subtree changed in."""
        unit = self.unit
        changes = set()
        for f, t in UnitAncestry.objects.filter(
            Q(valid_from__gt=self.start, valid_from__lt=self.end)
            | Q(valid_to__gt=self.start, valid_to__lt=self.end),
            ancestor_id__in=[unit.pk, *{c for c, _f, _t in self.links}],
        ).values_list("valid_from", "valid_to"):
            changes |= {d for d in (f, t) if d}
        changes |= {d for _c, f, t in self.links for d in (f, t) if d}
        out: dict[int, list[int]] = {}
        last: dict[int, int] = {}
        prev = None
        for m in range(12):
            d = dt.date(self.start.year, m + 1, 1)
            if prev is None or any(prev < x <= d for x in changes):
                if unit.kind in CELL_KINDS:
                    alive = Unit.objects.filter(in_force(d), pk=unit.pk).exists()
                    last = {unit.pk: 1} if alive else {}
                else:
                    rows = (
                        UnitAncestry.objects.filter(
                            in_force(d),
                            in_force(d, "unit__"),
                            ancestor_id__in=self.kids_on(d),
                            unit__kind__in=list(CELL_KINDS),
                        )
                        .order_by()
                        .values("ancestor_id")
                        .annotate(n=Count("unit_id"))
                    )
                    last = {r["ancestor_id"]: r["n"] for r in rows}
                prev = d
            for k, n in last.items():
                out.setdefault(k, [0] * 12)[m] = n
        return out


def year_report(unit: Unit, year: int, today: dt.date, *, list_flagged: int = 300) -> Report:
    start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    months_ended = 12 if today >= end else max(0, today.month - 1 if today.year == year else 0)
    quarters_ended = months_ended // 3
    tree = _Tree(unit, year)
    names = dict(
        Unit.objects.filter(pk__in={c for c, _f, _t in tree.links}).values_list("pk", "name")
    )
    rows: dict[int, Row] = {}

    def row(key: int) -> Row:
        if key not in rows:
            # A child of the unit that year, or the unit itself (its own meetings; a cell).
            rows[key] = Row(key, names.get(key, unit.name))
        return rows[key]

    # Every grouped query clears the default ordering (a tree orders by path, which would
    # otherwise join the GROUP BY and make one group per cell).
    per_month_cells = tree.cell_months()
    now = max(months_ended, 1) - 1
    for k, months in per_month_cells.items():
        x = row(k)
        x.cell_months = months
        x.cells = months[now]
    placed, group = tree.placed()
    meetings = Meeting.objects.filter(placed).order_by()
    regular = meetings.filter(kind__in=list(COUNTS_AS_REGULAR), held_on__gte=start, held_on__lt=end)
    # Attendance of those meetings, joined (not "IN (subquery)"), as a hand-written query would.
    att_placed, att_group = tree.placed("meeting__")
    in_regular = Attendance.objects.order_by().filter(
        att_placed,
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
    # holding.attendance_count in SQL (one definition; test_count checks they agree): the
    # cell's own members summoned (rules.summoned) and marked, and those of them present.
    summoned = (Q(away=False) & Q(suspended=False) & Q(guest_member=False)) & (
        Q(status=Attendance.Status.PRESENT) | Q(exempt=False)
    )
    att = (
        in_regular.annotate(g=att_group)
        .values("g")
        .annotate(
            present=Count("id", filter=summoned & Q(status=Attendance.Status.PRESENT)),
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
    for q in range(4):
        at = dt.date(year, 3 * q + 3, 1)  # the day the quarter's cells are counted on
        q_placed, q_group = tree.placed(at=at)
        thematic = (
            Meeting.objects.filter(q_placed)
            .order_by()
            .filter(
                kind__in=list(COUNTS_AS_THEMATIC),
                held_on__gte=dt.date(year, 3 * q + 1, 1),
                held_on__lt=_month_up(dt.date(year, 3 * q + 3, 2)),
            )
            .annotate(g=q_group)
            .values("g", "unit")
            .annotate(n=Count("id"))
        )
        for r in thematic:
            if r["n"] >= required[q]:
                row(r["g"]).thematic[q] += 1
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
        .annotate(g=att_group)
        .values("member_id", "g")
        .annotate(months=Count(ExtractMonth("meeting__held_on"), distinct=True))
        .filter(months__gte=limit)
    )
    flagged = []
    for r in absent:
        row(r["g"]).flagged += 1
        if len(flagged) < list_flagged:
            flagged.append((r["member_id"], r["g"], r["months"]))

    people = Member.objects.in_bulk([f[0] for f in flagged])
    listed = [
        (pk, people[pk].full_name if pk in people else "", row(g).name, n) for pk, g, n in flagged
    ]
    ordered = sorted(rows.values(), key=lambda r: r.name)
    total = Row(unit.pk, unit.name)
    for r in ordered:
        total.cells += r.cells
        total.cell_months = [a + b for a, b in zip(total.cell_months, r.cell_months, strict=True)]
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
