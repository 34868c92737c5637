"""Meeting rules as pure functions of the roster and the rules in force on the day: who forms
the counted base of a vote, how many approvals a vote of each kind needs, the quorum and the
minimum length. Each threshold is a dated parameter (chibo.core.params), so a 2019 meeting is
judged by the rules of 2019."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from chibo.core import params

from .models import COUNTS_AS_REGULAR, COUNTS_AS_THEMATIC, MeetingKind, VoteKind

PRESENT = "present"


@dataclass(frozen=True)
class Seat:
    """A person on the day's roster, as the rules see them."""

    official: bool
    exempt: bool = False
    suspended: bool = False
    away: bool = False  # attached temporarily to another cell
    guest_member: bool = False  # attached to this cell temporarily
    status: str = ""  # present | excused | unexcused | "" (not recorded yet)

    @property
    def present(self) -> bool:
        return self.status == PRESENT


def in_base(s: Seat) -> bool:
    """Counted in the base of a vote (QĐ 24 §9.3): the cell's official members, except those
    attached temporarily elsewhere, the suspended, and exempt members who are absent (an exempt
    member who comes and votes counts). Probationary members and members attached here
    temporarily attend but neither vote nor count."""
    if not s.official or s.away or s.suspended or s.guest_member:
        return False
    return s.present or not s.exempt


def may_vote(s: Seat) -> bool:
    return in_base(s) and s.present


def summoned(s: Seat) -> bool:
    """Expected at the meeting: everyone on the roster except those attached elsewhere, the
    suspended and exempt members who did not come (their attendance is optional)."""
    if s.away or s.suspended:
        return False
    return s.present or not s.exempt


@dataclass(frozen=True)
class Rule:
    numerator: int
    denominator: int
    strict: bool  # True: more than the fraction; False: at least the fraction

    @classmethod
    def of(cls, kind: str, on: dt.date) -> Rule:
        value = params.get(f"vote_{kind}", on)
        n, d = value["fraction"]
        return cls(int(n), int(d), bool(value["strict"]))

    def required(self, base: int) -> int:
        """The least number of approvals that passes, out of `base` (at least one)."""
        if self.strict:
            need = base * self.numerator // self.denominator + 1
        else:
            need = -(-base * self.numerator // self.denominator)
        return max(1, need)

    def passes(self, yes: int, base: int) -> bool:
        return base > 0 and yes >= self.required(base)

    def label(self) -> str:
        frac = f"{self.numerator}/{self.denominator}"
        return _("hơn %(f)s") % {"f": frac} if self.strict else _("ít nhất %(f)s") % {"f": frac}


@dataclass(frozen=True)
class Outcome:
    base: int
    voters: int
    required: int
    passed: bool
    escalated: bool
    explanation: str


def judge(
    kind: str,
    seats: list[Seat],
    yes: int,
    no: int,
    on: dt.date,
    *,
    failed_before: int = 0,
) -> Outcome:
    """The outcome of a vote of `kind` with `yes` approvals and `no` refusals, and the reason
    in words. Raises ValueError when the counts cannot be (more hands than voters)."""
    rule = Rule.of(kind, on)
    base = sum(1 for s in seats if in_base(s))
    voters = sum(1 for s in seats if may_vote(s))
    if yes < 0 or no < 0 or yes + no > voters:
        raise ValueError(
            _(
                "Số tán thành và không tán thành (%(t)d) vượt số đảng viên chính thức có mặt "
                "được biểu quyết (%(v)d)."
            )
            % {"t": yes + no, "v": voters}
        )
    required = rule.required(base)
    passed = rule.passes(yes, base)
    excluded = []
    n_away = sum(1 for s in seats if s.official and s.away)
    n_susp = sum(1 for s in seats if s.official and s.suspended and not s.away)
    n_exempt = sum(
        1
        for s in seats
        if s.official and s.exempt and not s.present and not (s.away or s.suspended)
    )
    n_prob = sum(1 for s in seats if not s.official and not s.guest_member)
    if n_away:
        excluded.append(_("%(n)d sinh hoạt tạm thời nơi khác") % {"n": n_away})
    if n_susp:
        excluded.append(_("%(n)d đình chỉ sinh hoạt") % {"n": n_susp})
    if n_exempt:
        excluded.append(_("%(n)d miễn sinh hoạt vắng mặt") % {"n": n_exempt})
    parts = [
        _("Cơ sở tính: %(b)d đảng viên chính thức") % {"b": base}
        + (" (" + _("không tính") + " " + ", ".join(excluded) + ")" if excluded else "")
        + "."
    ]
    if n_prob:
        parts.append(_("%(n)d đảng viên dự bị dự họp nhưng không biểu quyết.") % {"n": n_prob})
    pct = f"{100 * yes / base:.1f}".replace(".", ",") if base else "0"
    parts.append(
        _("Tán thành %(y)d/%(b)d (%(p)s%%); cần %(rule)s, tức ít nhất %(r)d.")
        % {"y": yes, "b": base, "p": pct, "rule": rule.label(), "r": required}
    )
    parts.append(_("Hợp lệ: thông qua.") if passed else _("Không đạt."))
    escalated = False
    if not passed and kind in (VoteKind.ADMISSION, VoteKind.RECOGNITION):
        attempts = failed_before + 1
        limit = params.get("vote_failures_to_higher", on)
        if attempts >= limit:
            escalated = True
            parts.append(
                _(
                    "Đã %(n)d lần biểu quyết không đạt: chi bộ báo cáo cấp ủy cấp trên xem xét, "
                    "quyết định."
                )
                % {"n": attempts}
            )
        else:
            parts.append(_("Lần biểu quyết thứ %(n)d/%(m)d.") % {"n": attempts, "m": limit})
    return Outcome(base, voters, required, passed, escalated, " ".join(parts))


@dataclass(frozen=True)
class Quorum:
    summoned: int
    present: int
    needed: int

    @property
    def met(self) -> bool:
        return self.present >= self.needed


def quorum(seats: list[Seat], on: dt.date) -> Quorum:
    n, d = params.get("meeting_quorum", on)
    expected = sum(1 for s in seats if summoned(s) and not s.guest_member)
    present = sum(1 for s in seats if summoned(s) and s.present and not s.guest_member)
    return Quorum(expected, present, -(-expected * int(n) // int(d)))


def min_minutes(kind: str, on: dt.date, unit=None) -> int | None:
    """The minimum length of a cell meeting on `on` (HD 42 of 28/10/2025: 90 minutes, 120 when
    regular and thematic are combined; a committee may set its own for a very small cell),
    None when no rule applied then or the kind is not a cell meeting."""
    if kind == MeetingKind.COMBINED:
        return params.get("meeting_min_minutes_combined", on, unit)
    if kind in COUNTS_AS_REGULAR | COUNTS_AS_THEMATIC:
        return params.get("meeting_min_minutes", on, unit)
    return None


def minutes_between(start: dt.time, end: dt.time) -> int:
    """Length in minutes (the services refuse an end before the start)."""
    return (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
