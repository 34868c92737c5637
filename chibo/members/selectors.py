from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, Subquery
from django.utils.translation import gettext as _

from chibo.org.models import Unit, UnitAncestry, in_force

from .lifecycle import ENDING, EventKind
from .models import MemberEvent, Placement


def _members_on(on: dt.date):
    """Home placements in force on `on` of people who were members that day: a death, a
    strike-off, an expulsion or a resignation ends the membership until a restoration (the
    latest of those events up to `on`, corrected ones left out, decides)."""
    last = (
        MemberEvent.objects.filter(
            member_id=OuterRef("member_id"),
            kind__in=[*ENDING, EventKind.RESTORATION],
            effective_date__lte=on,
            corrected_by__isnull=True,
        )
        .order_by("-effective_date", "-id")
        .values("kind")[:1]
    )
    return (
        Placement.objects.filter(in_force(on), kind=Placement.Kind.HOME)
        .annotate(last_status=Subquery(last))
        .filter(Q(last_status__isnull=True) | ~Q(last_status__in=list(ENDING)))
    )


def counts_on(unit: Unit, on: dt.date) -> dict[str, int]:
    """Members (home placements) in `unit` directly and in its subtree on `on`, by stage.
    Stage on a date: official when recognized on or before it."""
    direct = _members_on(on).filter(unit=unit)
    subtree_units = UnitAncestry.objects.filter(in_force(on), ancestor=unit).values("unit_id")
    subtree = _members_on(on).filter(unit_id__in=subtree_units)
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


@dataclass(frozen=True)
class Due:
    member_id: int
    name: str
    unit: str
    probation_end: dt.date
    deadline: dt.date
    status: str  # upcoming | due | overdue

    @property
    def label(self) -> str:
        return {
            "upcoming": _("sắp hết dự bị"),
            "due": _("đến hạn xét công nhận"),
            "overdue": _("quá hạn xét công nhận"),
        }[self.status]


def recognitions_due(unit: Unit, on: dt.date, within_days: int = 60) -> list[Due]:
    """Probationary members under `unit` whose 12 months end within `within_days` of `on`, or
    have ended: the cell must consider them within 30 working days after (rules.py)."""
    from . import rules
    from .models import Member

    out = []
    members = Member.objects.filter(
        home_unit__path__startswith=unit.path, stage="probationary", ended=""
    ).select_related("home_unit")
    for m in members:
        end = rules.probation_end(m.admitted_on)
        if end > on + dt.timedelta(days=within_days):
            continue
        deadline = rules.recognition_deadline(m.admitted_on)
        status = "upcoming" if on < end else ("due" if on <= deadline else "overdue")
        out.append(Due(m.pk, m.full_name, m.home_unit.name, end, deadline, status))
    return sorted(out, key=lambda d: d.deadline)
