"""The facts of a member's year, read from chibo's own records and never typed (issue 12, point
5): who the cell must rate, their stage and activity on the round's day (members' events),
discipline decided in the year, the year's duties by outcome, a KHTNV in the state rating and
the competent level's conclusions. The engine (`engine.rate_member`) judges them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chibo.members import lifecycle
from chibo.members.lifecycle import Activity, EventKind, Stage
from chibo.members.models import Member, MemberEvent
from chibo.members.selectors import members_on

from ..choices import Finding, Level
from ..engine import Fact, MemberFacts, Tasks
from ..models import Conclusion, Duty, Round, StateRating, year_end

FORMS = {
    "reprimand": gettext_lazy("Khiển trách"),
    "warning": gettext_lazy("Cảnh cáo"),
    "removal": gettext_lazy("Cách chức"),
    "expulsion": gettext_lazy("Khai trừ"),
}
# The findings that cap a member (disunity is a collective's).
MEMBER_FINDINGS = (Finding.DEGRADATION, Finding.MUST_NOT, Finding.NOT_EXEMPLARY)


def as_of(rnd: Round) -> dt.date:
    """The day the round reads the roll and the state on: 31/12 of its year, or the day it
    opened when it opened within the year."""
    end = year_end(rnd.year)
    return min(end, rnd.opened_on)


def roll(rnd: Round) -> list[Member]:
    """The members the cell must rate: home placement in the cell and a membership in force on
    the round's day (members.selectors.members_on), in Vietnamese name order."""
    ids = members_on(as_of(rnd)).filter(unit_id=rnd.unit_id).values("member_id")
    return list(Member.objects.filter(id__in=ids).order_by("sort_key", "id"))


def _ref(obj) -> str:
    return f"{obj._meta.label_lower}:{obj.pk}"


def _day(d: dt.date) -> str:
    return f"{d:%d/%m/%Y}"


def discipline_fact(e: MemberEvent) -> Fact:
    data = e.data or {}
    parts = [str(FORMS.get(data.get("form", ""), _("Kỷ luật")))]
    if e.decision_no:
        parts.append(_("số %(no)s") % {"no": e.decision_no})
    parts.append(_("ngày %(d)s") % {"d": _day(e.effective_date)})
    if e.issuer:
        parts.append(f"({e.issuer})")
    detail = " ".join(parts)
    if data.get("reason"):
        detail += ": " + data["reason"]
    return Fact("disciplined", detail, _ref(e))


def member_facts(rnd: Round, member: Member, *, on: dt.date | None = None) -> MemberFacts:
    """The facts of `member`'s year in the round's cell."""
    year = rnd.year
    day = on or as_of(rnd)
    start, end = dt.date(year, 1, 1), year_end(year)
    events = lifecycle.effective_events(member.events.all())
    state = lifecycle.state_on(events, day)
    admissions = [
        e.effective_date
        for e in events
        if e.kind in (EventKind.ADMISSION, EventKind.READMISSION) and e.effective_date <= day
    ]
    admitted = max(admissions) if admissions else member.admitted_on
    # Discipline decided (effective) in the year: each decision counts in its own year only.
    disciplined = tuple(
        discipline_fact(e)
        for e in events
        if e.kind == EventKind.DISCIPLINE and start <= e.effective_date <= end
    )
    counts = {"done": 0, "late": 0, "exceeded": 0, "not_done": 0, "open": 0}
    for outcome in Duty.objects.filter(member=member, year=year).values_list("outcome", flat=True):
        counts[outcome or "open"] += 1
    state_failed = tuple(
        Fact(
            "state_failed",
            _("Xếp loại KHTNV năm %(y)s%(agency)s")
            % {"y": year, "agency": f" ({s.agency})" if s.agency else ""},
            _ref(s),
        )
        for s in StateRating.objects.filter(member=member, year=year, level=Level.FAILED)
    )
    conclusions = tuple(
        Fact(
            "conclusion",
            _("%(kind)s, văn bản số %(no)s ngày %(d)s (%(issuer)s)")
            % {
                "kind": c.get_kind_display(),
                "no": c.decision_no,
                "d": _day(c.concluded_on),
                "issuer": c.issuer,
            },
            _ref(c),
        )
        for c in Conclusion.objects.filter(
            member=member, kind__in=MEMBER_FINDINGS, concluded_on__range=(start, end)
        ).order_by("concluded_on", "id")
    )
    return MemberFacts(
        year=year,
        official=state.stage == Stage.OFFICIAL,
        exempt=state.activity == Activity.EXEMPT,
        suspended=state.activity == Activity.SUSPENDED,
        admitted_on=admitted,
        reviewed_on=end,
        tasks=Tasks(**counts),
        disciplined=disciplined,
        state_failed=state_failed,
        conclusions=conclusions,
    )


@dataclass(frozen=True)
class Row:
    member: Member
    facts: MemberFacts


def round_facts(rnd: Round) -> list[Row]:
    """The facts of every member the round must rate."""
    return [Row(m, member_facts(rnd, m)) for m in roll(rnd)]


def with_choice(facts: MemberFacts, level: str, points=None, groups=None) -> MemberFacts:
    """The facts with the level chosen by the deciding body (and the proposal's points)."""
    return replace(
        facts,
        chosen=level,
        points=None if points is None else float(points),
        groups=dict(groups or {}),
    )
