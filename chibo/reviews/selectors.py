"""Reads of the review that feed the engine and the pages (no writes here)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from chibo.members.models import Member, Placement
from chibo.org.models import Unit, in_force

from .choices import Outcome
from .engine import Tasks
from .models import Duty


def tasks_of(duties: QuerySet) -> Tasks:
    """The duties counted by outcome (no outcome yet = open), as the engine reads them."""
    counts = Counter(dict(duties.order_by().values_list("outcome").annotate(n=Count("id"))))
    return Tasks(
        done=counts.get(Outcome.DONE, 0),
        late=counts.get(Outcome.LATE, 0),
        exceeded=counts.get(Outcome.EXCEEDED, 0),
        not_done=counts.get(Outcome.NOT_DONE, 0),
        open=counts.get("", 0),
    )


def tasks_from(duties) -> Tasks:
    """The same count of duties already read (a page that lists them)."""
    counts = Counter(d.outcome for d in duties)
    return Tasks(
        done=counts[Outcome.DONE],
        late=counts[Outcome.LATE],
        exceeded=counts[Outcome.EXCEEDED],
        not_done=counts[Outcome.NOT_DONE],
        open=counts[""],
    )


def percent(n: int, total: int) -> str:
    """n of total as Vietnamese print has it, one decimal rounded half up: "66,7 %"."""
    if not total:
        return "—"
    q = (Decimal(n) * 100 / Decimal(total)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{q}".replace(".", ",") + " %"


def outcome_rows(tasks: Tasks) -> list[tuple[str, int, str]]:
    """(outcome, count, share) for each outcome and the open ones, for the pages."""
    rows = [
        (Outcome.DONE.label, tasks.done),
        (Outcome.LATE.label, tasks.late),
        (Outcome.EXCEEDED.label, tasks.exceeded),
        (Outcome.NOT_DONE.label, tasks.not_done),
        (_("Chưa có kết quả"), tasks.open),
    ]
    return [(str(label), n, percent(n, tasks.total)) for label, n in rows]


def outcome_text(tasks: Tasks) -> str:
    """ "Hoàn thành: 2 (66,7 %) · Chưa có kết quả: 1 (33,3 %)" — the outcomes present."""
    return " · ".join(f"{label}: {n} ({share})" for label, n, share in outcome_rows(tasks) if n)


def task_shares(member: Member, year: int) -> Tasks:
    """The member's duties of `year` by outcome, in every cell they were in that year (a member
    who moved mid-year is judged on all of them). `Tasks.share(n)` gives the shares."""
    return tasks_of(Duty.objects.filter(member=member, year=year))


def members_of(unit: Unit, year: int) -> list[Member]:
    """The members whose home placement lay in `unit` during some day of `year`, by name."""
    start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    placed = Placement.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=start),
        unit=unit,
        kind=Placement.Kind.HOME,
        valid_from__lt=end,
    )
    return list(Member.objects.filter(pk__in=placed.values("member_id")).order_by("sort_key", "id"))


def in_cell_on(unit: Unit, on: dt.date) -> QuerySet:
    """Member ids placed at home in `unit` on `on`."""
    return Placement.objects.filter(in_force(on), unit=unit, kind=Placement.Kind.HOME).values(
        "member_id"
    )


@dataclass(frozen=True)
class MonthDuties:
    month: int
    year: int
    due: int  # duties falling due in the month
    unfinished: int  # of those: no outcome yet, or not done
    overdue_before: int  # due in an earlier month of the year, still without an outcome


def month_duties(unit: Unit, year: int, month: int, on: dt.date) -> MonthDuties:
    """The cell's duties due in a month, for the monthly meeting's review: those of members
    still in the cell on `on` (the meeting's day)."""
    first = dt.date(year, month, 1)
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    qs = Duty.objects.filter(unit=unit, year=year, member_id__in=in_cell_on(unit, on))
    unfinished = Q(outcome="") | Q(outcome=Outcome.NOT_DONE)
    row = qs.aggregate(
        due=Count("id", filter=Q(due_on__gte=first, due_on__lt=nxt)),
        unfinished=Count("id", filter=Q(due_on__gte=first, due_on__lt=nxt) & unfinished),
        overdue=Count("id", filter=Q(due_on__lt=first, outcome="")),
    )
    return MonthDuties(month, year, row["due"], row["unfinished"], row["overdue"])
