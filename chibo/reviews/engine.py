"""The rating engine: pure functions of the facts of a year and the pack in force that year.

No database: the services gather the facts from chibo's own records (events, duties, seats,
state ratings, conclusions, the members' and subordinate units' decided results) and store the
result with its explanation. Caps are applied here and only here, so no path can skip them;
a Hypothesis test moves the facts around and checks they always hold.

Order of the judgement, as the references have it: who is not rated; the band of the points
(or the level chosen where the era has no points); the era's conditions for each level; then
every cap that lowers it, each a line of the explanation citing the fact behind it.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

from django.utils.translation import gettext as _

from .choices import RANK, SHORT, Level, NotRated, at_least
from .packs import MEMBER, ORG, Pack, Rules

X, G, D, F = Level.EXCELLENT, Level.GOOD, Level.DONE, Level.FAILED


@dataclass(frozen=True)
class Tasks:
    """Duties or targets of the year by outcome (the shares feed the conditions)."""

    done: int = 0
    late: int = 0
    exceeded: int = 0
    not_done: int = 0
    open: int = 0  # no outcome recorded yet

    @property
    def total(self) -> int:
        return self.done + self.late + self.exceeded + self.not_done + self.open

    @property
    def completed(self) -> int:
        return self.done + self.late + self.exceeded

    def share(self, n: int) -> float:
        return n / self.total if self.total else 0.0


@dataclass(frozen=True)
class Fact:
    """A recorded fact a cap cites: what it is (public words), and its detail (decision,
    form, reason) that only readers of sensitive data and the person see."""

    code: str
    detail: str = ""
    ref: str = ""  # "members.memberevent:12"


@dataclass(frozen=True)
class MemberFacts:
    year: int
    official: bool = True
    exempt: bool = False
    suspended: bool = False
    admitted_on: dt.date | None = None
    reviewed_on: dt.date | None = None  # the day the round reviews (default 31/12)
    points: float | None = None
    groups: dict[str, float] = field(default_factory=dict)
    chosen: str = ""  # the level proposed where the era has no points (or to go lower)
    tasks: Tasks = Tasks()
    disciplined: tuple[Fact, ...] = ()  # decided in the year (one violation counts once)
    state_failed: tuple[Fact, ...] = ()  # a KHTNV in the state rating of the year
    conclusions: tuple[Fact, ...] = ()  # degradation, "must not", not exemplary
    not_rated_other: str = ""  # a recorded reason (e.g. long illness) — sensitive
    # Leaders: their unit's decided level this year (the collective conditions apply).
    leads_unit_level: str = ""


@dataclass(frozen=True)
class OrgFacts:
    year: int
    is_cell: bool = True
    new_collective: bool = False
    points: float | None = None
    groups: dict[str, float] = field(default_factory=dict)
    chosen: str = ""
    tasks: Tasks = Tasks()
    member_levels: tuple[str, ...] = ()  # decided levels of the rated members
    members_disciplined: tuple[Fact, ...] = ()
    members_count: int = 0
    child_levels: tuple[str, ...] = ()  # decided levels of the directly subordinate units
    children_disciplined: tuple[Fact, ...] = ()
    children_count: int = 0
    leadership_disciplined: tuple[Fact, ...] = ()
    conclusions: tuple[Fact, ...] = ()  # disunity; a member's degradation
    peer_levels: tuple[tuple[str, str], ...] = ()  # (body name, level) of same-level bodies


@dataclass
class Line:
    code: str
    text: str  # what anyone who may read the rating reads
    detail: str = ""  # the cited fact, for readers of sensitive data and the person
    ref: str = ""
    lowered_to: str = ""


@dataclass
class Result:
    pack: str
    citation: str
    level: str = ""
    not_rated: str = ""
    points: float | None = None
    band: str = ""
    groups: dict[str, float] = field(default_factory=dict)
    lines: list[Line] = field(default_factory=list)

    def cap(self, to: str, line: Line) -> None:
        """Lower the level to `to` (never raise it) and say why."""
        if self.level and RANK[to] < RANK[self.level]:
            self.level = to
            line.lowered_to = to
            self.lines.append(line)

    def to_json(self) -> dict:
        return asdict(self)


def band_text(level: str) -> str:
    return SHORT.get(level, "")


def _start(pack: Pack) -> Result:
    return Result(pack=pack.code, citation=_("theo %(title)s") % {"title": pack.title})


def rate_member(facts: MemberFacts, rules: Rules) -> Result:
    pack = rules.pack
    res = _start(pack)
    reviewed = facts.reviewed_on or dt.date(facts.year, 12, 31)
    # Who is not rated (listed apart, not counted among those rated).
    if facts.exempt:
        return _not_rated(
            res, NotRated.EXEMPT, _("Miễn công tác và sinh hoạt đảng: không xếp loại.")
        )
    if facts.suspended and "suspended" in pack.not_rated:
        return _not_rated(res, NotRated.SUSPENDED, _("Đình chỉ sinh hoạt đảng: không xếp loại."))
    months = rules["new_member_months"]
    if facts.admitted_on and months and _months_between(facts.admitted_on, reviewed) < months:
        return _not_rated(
            res,
            NotRated.NEW_MEMBER,
            _("Kết nạp chưa đủ %(n)s tháng: không phải kiểm điểm, liệt kê riêng.") % {"n": months},
        )
    if facts.not_rated_other:
        res.not_rated = NotRated.OTHER
        res.lines.append(
            Line("not_rated_other", _("Không xếp loại: lý do đã ghi nhận."), facts.not_rated_other)
        )
        return res
    _base(res, pack, MEMBER, facts.points, facts.chosen, facts.groups)
    if not res.level:
        return res
    _task_conditions(res, rules, facts.tasks, MEMBER)
    if pack.rates:
        _tasks_floor(res, rules, facts.tasks)
    for fact in facts.disciplined:
        res.cap(
            F, Line("disciplined", _("Xếp KHTNV: bị kỷ luật trong năm."), fact.detail, fact.ref)
        )
    for fact in facts.state_failed:
        res.cap(
            F,
            Line(
                "state_failed",
                _("Xếp KHTNV: là cán bộ, công chức được xếp loại KHTNV ở cơ quan nhà nước."),
                fact.detail,
                fact.ref,
            ),
        )
    for fact in facts.conclusions:
        res.cap(
            F,
            Line(
                "conclusion",
                _("Xếp KHTNV: có kết luận của cấp có thẩm quyền."),
                fact.detail,
                fact.ref,
            ),
        )
    if facts.leads_unit_level and not at_least(facts.leads_unit_level, res.level):
        res.cap(
            facts.leads_unit_level,
            Line(
                "leader_unit",
                _("Không cao hơn mức của đơn vị mình lãnh đạo (%(level)s).")
                % {"level": band_text(facts.leads_unit_level)},
            ),
        )
    if not facts.official and not rules["probationary_may_excel"]:
        res.cap(G, Line("probationary", _("Đảng viên dự bị: không xếp HTXSNV.")))
    return res


def rate_org(facts: OrgFacts, rules: Rules) -> Result:
    pack = rules.pack
    res = _start(pack)
    if facts.new_collective:
        return _not_rated(res, NotRated.NEW_COLLECTIVE, _("Tổ chức mới thành lập: không xếp loại."))
    _base(res, pack, ORG, facts.points, facts.chosen, facts.groups)
    if not res.level:
        return res
    _task_conditions(res, rules, facts.tasks, ORG)
    if pack.rates:
        _member_conditions(res, rules, facts)
        _tasks_floor(res, rules, facts.tasks)
        for fact in facts.leadership_disciplined:
            res.cap(
                F,
                Line(
                    "leadership_disciplined",
                    _("Xếp KHTNV: tập thể lãnh đạo hoặc thành viên bị kỷ luật trong năm."),
                    fact.detail,
                    fact.ref,
                ),
            )
        ceiling = rules["disciplined_units_ceiling"]
        if (
            facts.children_count
            and len(facts.children_disciplined) / facts.children_count > ceiling
        ):
            res.cap(
                F,
                Line(
                    "children_disciplined",
                    _("Xếp KHTNV: quá %(p)s tổ chức trực thuộc bị kỷ luật trong năm (%(n)s/%(t)s).")
                    % {
                        "p": _pct(ceiling),
                        "n": len(facts.children_disciplined),
                        "t": facts.children_count,
                    },
                ),
            )
        ceiling = rules["disciplined_members_ceiling"]
        if (
            facts.is_cell
            and facts.members_count
            and len(facts.members_disciplined) / facts.members_count > ceiling
        ):
            res.cap(
                F,
                Line(
                    "members_disciplined",
                    _("Xếp KHTNV: quá %(p)s đảng viên bị kỷ luật trong năm (%(n)s/%(t)s).")
                    % {
                        "p": _pct(ceiling),
                        "n": len(facts.members_disciplined),
                        "t": facts.members_count,
                    },
                ),
            )
        for fact in facts.conclusions:
            res.cap(
                F,
                Line(
                    "conclusion",
                    _("Xếp KHTNV: có kết luận của cấp có thẩm quyền."),
                    fact.detail,
                    fact.ref,
                ),
            )
    elif pack.code == "hd27":
        _weak_hd27(res, rules, facts)
    return res


# --- the quota ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Quota:
    """HTXS within a unit against its version's quota: `allowed` is None where none applies."""

    excellent: int
    base: int
    share: float | None
    allowed: int | None
    extra: int = 0

    @property
    def broken(self) -> bool:
        return self.allowed is not None and self.excellent > self.allowed + self.extra

    @property
    def left(self) -> int | None:
        return None if self.allowed is None else self.allowed + self.extra - self.excellent

    def text(self) -> str:
        if self.allowed is None:
            return _("Quy định năm này không giới hạn số HTXSNV.")
        return _(
            "HTXSNV: %(x)s; tối đa %(a)s (%(p)s của %(b)s được xếp HTTNV trở lên)%(extra)s."
        ) % {
            "x": self.excellent,
            "a": self.allowed + self.extra,
            "p": _pct(self.share),
            "b": self.base,
            "extra": (_(", có văn bản cho vượt %(n)s") % {"n": self.extra}) if self.extra else "",
        }


def quota(levels: Iterable[str], rules: Rules, extra: int = 0) -> Quota:
    levels = [lv for lv in levels if lv]
    excellent = sum(1 for lv in levels if lv == X)
    base = sum(1 for lv in levels if lv in (X, G))
    share = rules["excellent_quota"] if "excellent_quota" in rules else None
    if share is None:
        return Quota(excellent, base, None, None, extra)
    # Rounded down: "không vượt quá" (a count never exceeds the share).
    allowed = math.floor(base * float(share) + 1e-9)
    return Quota(excellent, base, float(share), allowed, extra)


def state_share_broken(party: Iterable[str], state: Iterable[str]) -> bool:
    """The state HTXS share may not exceed the party's among the same people (ND 335 [C])."""
    party, state = [p for p in party if p], [s for s in state if s]
    if not party or not state:
        return False
    return sum(s == X for s in state) / len(state) > sum(p == X for p in party) / len(party)


# --- helpers ------------------------------------------------------------------------------


def _not_rated(res: Result, reason: str, text: str) -> Result:
    res.not_rated = reason
    res.lines.append(Line(f"not_rated_{reason}", text))
    return res


def _base(res: Result, pack: Pack, subject: str, points, chosen: str, groups) -> None:
    res.groups = dict(groups)
    bands = pack.org_bands if subject == ORG else pack.member_bands
    if bands and points is not None:
        res.points = float(points)
        res.band = pack.band(subject, float(points)) or F
        res.level = res.band
        res.lines.append(
            Line(
                "band",
                _("%(p)s điểm: khung %(level)s.")
                % {"p": _num(points), "level": band_text(res.band)},
            )
        )
        if chosen and chosen in RANK and RANK[chosen] < RANK[res.level]:
            res.cap(chosen, Line("chosen", _("Cấp đánh giá xếp thấp hơn khung điểm.")))
    elif chosen in RANK:
        res.level = chosen
        res.lines.append(
            Line("chosen", _("Mức được đề xuất: %(level)s.") % {"level": band_text(chosen)})
        )


def _task_conditions(res: Result, rules: Rules, tasks: Tasks, subject: str) -> None:
    """QĐ 366: HTXS needs every task on time and a share exceeded; HTT every task on time;
    HTNV every task completed with few late. Without recorded tasks the conditions cannot be
    read, and the explanation says so."""
    if rules.pack.code != "q366_hd43":
        return
    if not tasks.total:
        res.lines.append(
            Line("no_tasks", _("Chưa ghi nhiệm vụ đầu năm: không xét điều kiện nhiệm vụ."))
        )
        return
    who = "org" if subject == ORG else "member"
    exceeded_min = rules[f"{who}_excellent_exceeded_share"]
    late_max = rules[f"{who}_done_late_ceiling"]
    on_time = tasks.late == 0 and tasks.not_done == 0 and tasks.open == 0
    if res.level == X and not (on_time and tasks.share(tasks.exceeded) >= exceeded_min):
        res.cap(
            G,
            Line(
                "exceeded",
                _(
                    "Không xếp HTXSNV: chưa đủ 100%% nhiệm vụ đúng hạn và %(p)s vượt mức "
                    "(vượt %(n)s/%(t)s)."
                )
                % {"p": _pct(exceeded_min), "n": tasks.exceeded, "t": tasks.total},
            ),
        )
    if res.level == G and not on_time:
        res.cap(D, Line("on_time", _("Không xếp HTTNV: còn nhiệm vụ chậm hoặc chưa hoàn thành.")))
    if res.level == D and (tasks.not_done or tasks.open or tasks.share(tasks.late) > late_max):
        res.cap(
            F,
            Line(
                "late",
                _(
                    "Không đạt HTNV: chưa hoàn thành 100%% nhiệm vụ hoặc quá %(p)s chậm "
                    "(chậm %(n)s/%(t)s)."
                )
                % {"p": _pct(late_max), "n": tasks.late, "t": tasks.total},
            ),
        )


def _tasks_floor(res: Result, rules: Rules, tasks: Tasks) -> None:
    """Fewer than the floor's share of the assigned tasks done: KHTNV (QĐ 124, HD 21)."""
    floor = rules["tasks_done_floor"]
    if tasks.total and tasks.share(tasks.completed) < floor:
        res.cap(
            F,
            Line(
                "tasks_floor",
                _("Xếp KHTNV: hoàn thành dưới %(p)s nhiệm vụ được giao (%(n)s/%(t)s).")
                % {"p": _pct(floor), "n": tasks.completed, "t": tasks.total},
            ),
        )


def _member_conditions(res: Result, rules: Rules, facts: OrgFacts) -> None:
    """A collective HTTNV or above needs its members (a cell) or its subordinate units (a
    đảng bộ) all at HTNV or above and half at HTTNV or above [P]; the same-level bodies at
    HTNV or above [P]; an HTXS collective no disciplined subordinate unit."""
    levels = facts.member_levels if facts.is_cell else facts.child_levels
    whose = _("đảng viên") if facts.is_cell else _("tổ chức trực thuộc")
    if levels and res.level in (X, G):
        all_done = rules["cell_good_all_done"]
        half_good = rules["cell_good_share_good"]
        done = sum(at_least(lv, D) for lv in levels) / len(levels)
        good = sum(at_least(lv, G) for lv in levels) / len(levels)
        if done < all_done or good < half_good:
            res.cap(
                D,
                Line(
                    "members",
                    _(
                        "Không xếp HTTNV: cần %(a)s %(who)s đạt HTNV trở lên (có %(d)s) "
                        "và %(h)s đạt HTTNV trở lên (có %(g)s)."
                    )
                    % {
                        "a": _pct(all_done),
                        "who": whose,
                        "d": _pct(done),
                        "h": _pct(half_good),
                        "g": _pct(good),
                    },
                ),
            )
    for name, level in facts.peer_levels:
        if res.level in (X, G) and not at_least(level, D):
            res.cap(D, Line("peer", _("Không xếp HTTNV: %(name)s xếp KHTNV.") % {"name": name}))
    if res.level == X and facts.children_disciplined:
        res.cap(
            G, Line("child_disciplined", _("Không xếp HTXSNV: có tổ chức trực thuộc bị kỷ luật."))
        )


def _weak_hd27(res: Result, rules: Rules, facts: OrgFacts) -> None:
    """HD 27 (2014): Yếu kém below 50 points, or with one of its conditions [C]."""
    for fact in facts.conclusions:
        res.cap(
            F,
            Line(
                "weak_disunity",
                _("Yếu kém: có kết luận mất đoàn kết hoặc suy thoái."),
                fact.detail,
                fact.ref,
            ),
        )
    lowest = sum(1 for _n, lv in facts.peer_levels if lv == F)
    if lowest >= 2:
        res.cap(F, Line("weak_peers", _("Yếu kém: từ 2 đoàn thể cùng cấp xếp loại thấp nhất.")))
    share = rules["weak_member_failed_share"]
    if facts.is_cell and facts.member_levels:
        failed = sum(1 for lv in facts.member_levels if lv == F) / len(facts.member_levels)
        if failed > share:
            res.cap(
                F,
                Line(
                    "weak_members", _("Yếu kém: quá một nửa đảng viên không hoàn thành nhiệm vụ.")
                ),
            )
    share = rules["weak_children_share"]
    if not facts.is_cell and facts.child_levels:
        weak = sum(1 for lv in facts.child_levels if lv == F) / len(facts.child_levels)
        if weak > share:
            res.cap(F, Line("weak_children", _("Yếu kém: quá 1/3 tổ chức trực thuộc yếu kém.")))


def _months_between(a: dt.date, b: dt.date) -> int:
    months = (b.year - a.year) * 12 + b.month - a.month
    return months - (1 if b.day < a.day else 0)


def _pct(x) -> str:
    if x is None:
        return ""
    v = round(float(x) * 100, 1)
    return (f"{v:.0f}" if v == int(v) else f"{v:.1f}".replace(".", ",")) + "%"


def _num(x) -> str:
    v = float(x)
    return f"{v:.0f}" if v == int(v) else f"{v:.1f}".replace(".", ",")
