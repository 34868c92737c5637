"""The member parts of the statistical forms (HD 11-HD/BTCTW; domain-rules-2 §1.3) as pure
functions of (unit subtree, period) over the events and placements.

- Biểu 1, movement: A (on the roll the day before the period) + B (admitted, transferred in,
  restored) − C (died, expelled, struck off, resigned, transferred out) = D (on the roll at the
  end), over the unit as constituted at the period's end and the units merged into it (one set
  of units for the whole period, see Constituency; decisions §33). A member is on the roll on
  day d when their home placement of d is on a unit of that set and the membership has not
  ended. B and C are read at the points where that fact changes, so the identity holds by
  construction, and a restructuring (a merger, a cell moved) is never an arrival or a
  departure: the note on A says what the set includes.
- Biểu 2, admissions in the period with their breakdowns; Biểu 3, the stock at the end with its
  breakdowns; Biểu 7, badges, cards and transfer letters in the period.

Each form is computed for the period and for the same period a year earlier.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace

from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from chibo.core import params
from chibo.org.choices import RestructureKind
from chibo.org.models import Lineage, Unit, UnitAncestry, UnitLink, UnitVersion, in_force
from chibo.org.selectors import unit_as_of

from . import choices as c
from .lifecycle import ENDING, EventKind, effective_events, state_on
from .models import Member, MemberEvent, Placement, Transfer
from .rules import add_months, age_in_months

DAY = dt.timedelta(days=1)


@dataclass
class Row:
    code: str
    label: str
    value: int | float | None  # None: not tracked (shown as "—", never as 0)
    indent: int = 0
    mark: str = ""  # "(*)": a footnote is about this row


@dataclass
class Form:
    number: int
    title: str
    rows: list[Row] = field(default_factory=list)
    # Footnotes under the table: (the code of the row each is about, its text).
    notes: list[tuple[str, str]] = field(default_factory=list)
    # Biểu 1: (unit, name, date) of the units merged in whose members A includes.
    merged_in: list[tuple[int, str, dt.date]] = field(default_factory=list)

    def get(self, code: str):
        return next(r.value for r in self.rows if r.code == code)


class _Scope:
    """Which units lay in the subtree of `root`, on any day of a window."""

    def __init__(self, root: Unit, start: dt.date, end: dt.date):
        self.root = root
        self.periods: dict[int, list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
        rows = UnitAncestry.objects.filter(ancestor=root, valid_from__lte=end).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=start)
        )
        for unit_id, f, t in rows.values_list("unit_id", "valid_from", "valid_to"):
            self.periods[unit_id].append((f, t))

    def contains(self, unit_id: int, d: dt.date) -> bool:
        return any(f <= d and (t is None or d < t) for f, t in self.periods.get(unit_id, ()))


@dataclass
class _Person:
    member: Member
    placements: list[Placement]
    events: list  # effective events, ordered

    def home_on(self, d: dt.date) -> Placement | None:
        for p in self.placements:
            if p.valid_from <= d and (p.valid_to is None or d < p.valid_to):
                return p
        return None


def _people(scope: _Scope, start: dt.date, end: dt.date) -> list[_Person]:
    """Members with a home placement on a unit of the scope overlapping [start, end]."""
    return _people_of(set(scope.periods), start, end)


def _on_roll(person: _Person, scope: _Scope, d: dt.date) -> bool:
    p = person.home_on(d)
    if p is None or not scope.contains(p.unit_id, d):
        return False
    return state_on(person.events, d).is_member


def _was_in(person: _Person, scope: _Scope, d: dt.date) -> bool:
    """Whether the member's home on `d` (or their last one before it: a posthumous badge)
    lay in the scope."""
    p = person.home_on(d)
    if p is None:
        earlier = [x for x in person.placements if x.valid_from <= d]
        if not earlier:
            return False
        p = earlier[-1]
        d = p.valid_to - DAY if p.valid_to else d
    return scope.contains(p.unit_id, d)


def _province_of(root: Unit) -> int | None:
    return root.pk if root.kind == "province" else root.province_id


def _day(d: dt.date) -> str:
    return f"{d:%d/%m/%Y}"


@dataclass
class Constituency:
    """The units a Biểu 1 of `root` counts, for a period whose A is counted on `first` (the
    day before the period) and D on `last`: the unit as constituted on `last` (its subtree
    that day), the units merged into any of them (transitively, by the lineage of merges up to
    `last`), and the units dissolved during the period while they lay under one of those. One
    fixed set for the whole period: a member moving between two of its units (the merger itself
    moving the old communes' members into the new one) neither arrives nor leaves, and a cell
    changing parent never changes the count.

    What A includes that the unit's own roll of `first` did not, and what it leaves out, for the
    footnote, each as (unit, its name, the day): `merged_in`, the units merged in after `first`
    that lay outside the set the day before (the old communes, not their cells); `moved_in`,
    the units that came under it after `first` without a merger, and `moved_out`, those under it
    on `first` that belong elsewhere on `last`, each with the name of its parent on the other
    side (where it came from, where it went; "" if none)."""

    units: set[int]
    merged_in: list[tuple[int, str, dt.date]] = field(default_factory=list)
    moved_in: list[tuple[int, str, dt.date, str]] = field(default_factory=list)
    moved_out: list[tuple[int, str, dt.date, str]] = field(default_factory=list)


def _name_on(unit_id: int, d: dt.date) -> str:
    version = UnitVersion.objects.filter(in_force(d), unit_id=unit_id).first()
    return version.name if version else Unit.objects.get(pk=unit_id).name


def _parent_on(unit_id: int, d: dt.date) -> int | None:
    return (
        UnitLink.objects.filter(in_force(d), child_id=unit_id)
        .values_list("parent_id", flat=True)
        .first()
    )


def constituency(root: Unit, first: dt.date, last: dt.date) -> Constituency:
    subtree = UnitAncestry.objects.filter(in_force(last), ancestor=root).values("unit_id")
    units = set(subtree.values_list("unit_id", flat=True))
    merges: dict[int, dt.date] = {}
    dissolved: set[int] = set()
    frontier = subtree  # a subquery the first time (a province's subtree is thousands of units)
    while True:
        grown: set[int] = set()
        for pred, d in Lineage.objects.filter(
            successor_id__in=frontier, date__lte=last, event__kind=RestructureKind.MERGE
        ).values_list("predecessor_id", "date"):
            merges.setdefault(pred, d)
            grown.add(pred)
        # Units dissolved within the period while they lay under one of the set (their last
        # day's ancestry reaches it): their members left them for the set's other cells or
        # left the set, both counted. A unit with a successor belongs to its successor's set.
        ended = set(
            UnitAncestry.objects.filter(
                ancestor_id__in=frontier,
                unit__valid_to__lte=last,
                unit__valid_to__gt=first,
                valid_from__lt=F("unit__valid_to"),
            )
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=F("unit__valid_to")))
            .exclude(unit_id__in=Lineage.objects.values("predecessor_id"))
            .values_list("unit_id", flat=True)
        )
        dissolved |= ended
        grown |= ended
        if not grown - units:
            break
        frontier = sorted(grown - units)
        units |= grown
    out = Constituency(units)
    for pred, d in sorted(merges.items(), key=lambda x: (x[1], x[0])):
        if d <= first:
            continue  # merged before A's day: A counts it inside its successor already
        if _parent_on(pred, d - DAY) in units:
            continue  # one of the set's own units (an old commune's cell): named with it
        out.merged_in.append((pred, _name_on(pred, d - DAY), d))
    # Which units lay, on `first`, under the unit or under one merged into it (or dissolved in
    # it): the tree A would have been counted in without the restatement.
    tops = sorted({root.pk} | set(merges) | dissolved)
    then: dict[int, dt.date | None] = {}
    for unit_id, until in UnitAncestry.objects.filter(
        in_force(first), ancestor_id__in=tops
    ).values_list("unit_id", "valid_to"):
        then[unit_id] = min(d for d in (then.get(unit_id), until) if d) if until else None
    came = set(
        Unit.objects.filter(in_force(first), pk__in=sorted(units - set(then))).values_list(
            "pk", flat=True
        )
    )
    for unit_id in sorted(came):
        if _parent_on(unit_id, last) in came:
            continue  # moved with its parent: named with it
        day = (
            UnitAncestry.objects.filter(unit_id=unit_id, ancestor_id__in=tops, valid_from__gt=first)
            .order_by("valid_from")
            .values_list("valid_from", flat=True)
            .first()
        )
        source = _parent_on(unit_id, first)
        via = _name_on(source, first) if source else ""
        out.moved_in.append((unit_id, _name_on(unit_id, last), day or last, via))
    went = set(then) - units
    for unit_id in sorted(went):
        if _parent_on(unit_id, first) in went:
            continue
        dest = _parent_on(unit_id, last)
        via = _name_on(dest, last) if dest else ""
        out.moved_out.append((unit_id, _name_on(unit_id, first), then[unit_id] or last, via))
    out.moved_in.sort(key=lambda x: (x[2], x[1]))
    out.moved_out.sort(key=lambda x: (x[2], x[1]))
    return out


def _a_notes(own: Constituency) -> list[str]:
    """The footnote on A: the units whose members it includes though they were not under the
    unit on the day before the period, and those it leaves out."""
    parts = []
    by_day: dict[dt.date, list[str]] = defaultdict(list)
    for _pk, name, d in own.merged_in:
        by_day[d].append(name)
    parts += [
        (d, _("%(units)s (hợp nhất ngày %(d)s)") % {"units": ", ".join(names), "d": _day(d)})
        for d, names in by_day.items()
    ]
    parts += _moved(
        own.moved_in,
        _("%(unit)s (chuyển về ngày %(d)s)"),
        _("%(n)d tổ chức đảng trước trực thuộc %(via)s (chuyển về ngày %(d)s)"),
    )
    notes = []
    if parts:
        listed = "; ".join(text for _d, text in sorted(parts, key=lambda x: x[0]))
        notes.append(_("Số đầu kỳ gồm cả đảng viên của %(list)s.") % {"list": listed})
    if own.moved_out:
        gone = _moved(
            own.moved_out,
            _("%(unit)s (chuyển đi ngày %(d)s)"),
            _("%(n)d tổ chức đảng nay trực thuộc %(via)s (chuyển đi ngày %(d)s)"),
        )
        listed = "; ".join(text for _d, text in gone)
        notes.append(_("Số đầu kỳ không gồm đảng viên của %(list)s.") % {"list": listed})
    return notes


def _moved(entries, one, many) -> list[tuple[dt.date, str]]:
    """Each unit by name, or, for more than three that moved on one day from (or to) one
    parent, their number and that parent (the 2025 reform moved a town's twenty cells)."""
    groups: dict[tuple[dt.date, str], list[str]] = defaultdict(list)
    for _pk, name, d, via in entries:
        groups[(d, via)].append(name)
    out = []
    for (d, via), names in sorted(groups.items()):
        if len(names) > 3 and via:
            out.append((d, many % {"n": len(names), "via": via, "d": _day(d)}))
        else:
            out += [(d, one % {"unit": name, "d": _day(d)}) for name in names]
    return out


def _people_of(units: set[int], start: dt.date, end: dt.date) -> list[_Person]:
    """Members with a home placement on one of `units` overlapping [start, end]."""
    ids = set(
        Placement.objects.filter(
            kind=Placement.Kind.HOME, unit_id__in=sorted(units), valid_from__lte=end
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=start))
        .values_list("member_id", flat=True)
    )
    placements: dict[int, list[Placement]] = defaultdict(list)
    for p in (
        Placement.objects.filter(member_id__in=ids, kind=Placement.Kind.HOME)
        .select_related("unit", "transfer__from_unit")
        .order_by("valid_from", "id")
    ):
        placements[p.member_id].append(p)
    events: dict[int, list] = defaultdict(list)
    for e in MemberEvent.objects.filter(member_id__in=ids, effective_date__lte=end):
        events[e.member_id].append(e)
    return [
        _Person(m, placements[m.pk], effective_events(events[m.pk]))
        for m in Member.objects.filter(pk__in=ids)
    ]


def movement(root: Unit, start: dt.date, end: dt.date) -> Form:
    """Biểu 1 for `root` over [start, end], counted over its constituency (see Constituency):
    A on the day before the period, D on its last day (the unit's last day, if it ended
    within the period), B and C at the days a member enters or leaves the set."""
    before = start - DAY
    notes: list[tuple[str, str]] = []
    last = end
    if root.valid_to is not None and root.valid_to <= end:
        last = root.valid_to - DAY
        ended = (
            _("%(u)s chấm dứt hoạt động từ ngày %(d)s: số cuối kỳ tính đến ngày %(l)s.")
            % {"u": root.name, "d": _day(root.valid_to), "l": _day(last)}
            if last >= start
            else _("%(u)s chấm dứt hoạt động từ ngày %(d)s, trước kỳ báo cáo.")
            % {"u": root.name, "d": _day(root.valid_to)}
        )
        notes.append(("D", ended))
    n = Counter()
    merged_in: list[tuple[int, str, dt.date]] = []
    if last >= start:
        own = constituency(root, before, last)
        merged_in = own.merged_in
        _count_movement(n, root, own.units, before, last)
        notes[:0] = [("A", text) for text in _a_notes(own)]
    b = n["B1"] + n["B2a"] + n["B2b"] + n["B3"]
    c_ = n["C1"] + n["C2"] + n["C3"] + n["C4"] + n["C5a"] + n["C5b"]
    rows = [
        Row("A", _("A. Đảng viên đầu kỳ"), n["A"]),
        Row("B", _("B. Tăng trong kỳ"), b),
        Row("B1", _("1. Kết nạp"), n["B1"], 1),
        Row("B2", _("2. Chuyển đến"), n["B2a"] + n["B2b"], 1),
        Row("B2a", _("a) Từ tỉnh khác"), n["B2a"], 2),
        Row("B2b", _("b) Từ đơn vị khác trong tỉnh"), n["B2b"], 2),
        Row("B3", _("3. Phục hồi đảng tịch"), n["B3"], 1),
        Row("C", _("C. Giảm trong kỳ"), c_),
        Row("C1", _("1. Từ trần"), n["C1"], 1),
        Row("C2", _("2. Khai trừ"), n["C2"], 1),
        Row("C3", _("3. Xóa tên"), n["C3"], 1),
        Row("C3p", _("trong đó: dự bị"), n["C3p"], 2),
        Row("C4", _("4. Xin ra khỏi Đảng"), n["C4"], 1),
        Row("C5", _("5. Chuyển đi"), n["C5a"] + n["C5b"], 1),
        Row("C5a", _("a) Đi tỉnh khác"), n["C5a"], 2),
        Row("C5b", _("b) Đi đơn vị khác trong tỉnh"), n["C5b"], 2),
    ]
    if n["ADJ"]:
        # Only a member whose first placement in the system starts after their admission (a
        # roll loaded later) enters without a movement; restructuring never does any more.
        rows.append(Row("ADJ", _("Điều chỉnh: đảng viên bắt đầu được theo dõi trong kỳ"), n["ADJ"]))
    rows.append(Row("D", _("D. Đảng viên cuối kỳ (D = A + B − C)"), n["D"]))
    return Form(1, _("Biểu 1: Tăng, giảm đảng viên"), rows, notes, merged_in)


def _count_movement(n: Counter, root: Unit, units: set[int], before: dt.date, end: dt.date):
    province = _province_of(root)
    people = _people_of(units, before, end)
    transfers = {
        t.member_id: t
        for t in Transfer.objects.filter(
            member_id__in=[p.member.pk for p in people],
            departed_on__lte=end,
            departed_on__gte=before,
        )
        .exclude(kind=Transfer.Kind.TEMPORARY)
        .order_by("departed_on", "id")
        .select_related("to_unit")
    }

    def on_roll(person: _Person, d: dt.date) -> bool:
        p = person.home_on(d)
        return p is not None and p.unit_id in units and state_on(person.events, d).is_member

    for person in people:
        was = on_roll(person, before)
        n["A"] += was
        n["D"] += on_roll(person, end)
        # The days on which "on the roll" may change: events and placement boundaries.
        days = {e.effective_date for e in person.events if before < e.effective_date <= end}
        for p in person.placements:
            days.update(d for d in (p.valid_from, p.valid_to) if d and before < d <= end)
        for d in sorted(days):
            now = on_roll(person, d)
            if now == was:
                continue
            kinds = {e.kind for e in person.events if e.effective_date == d}
            if now:  # entered the set on d
                if kinds & {EventKind.ADMISSION, EventKind.READMISSION}:
                    n["B1"] += 1
                elif EventKind.RESTORATION in kinds:
                    n["B3"] += 1
                else:
                    p = person.home_on(d)
                    prev = person.home_on(d - DAY)
                    if p.transfer_id or (prev is not None and prev.unit_id != p.unit_id):
                        if p.transfer_id:
                            other = p.transfer.from_unit.province_id
                        else:
                            other = prev.unit.province_id
                        n["B2a" if other != province else "B2b"] += 1
                    else:
                        n["ADJ"] += 1  # first placed in the system after their admission
            else:  # left the set on d
                ending = kinds & set(ENDING)
                if EventKind.DEATH in ending:
                    n["C1"] += 1
                elif EventKind.EXPULSION in ending:
                    n["C2"] += 1
                elif EventKind.STRIKE_OFF in ending:
                    n["C3"] += 1
                    if state_on(person.events, d - DAY).stage == "probationary":
                        n["C3p"] += 1
                elif EventKind.RESIGNATION in ending:
                    n["C4"] += 1
                else:
                    nxt = person.home_on(d)
                    if nxt is not None:
                        other = nxt.unit.province_id
                    else:
                        t = transfers.get(person.member.pk)
                        other = t.to_unit.province_id if t and t.to_unit else None
                    n["C5a" if other != province else "C5b"] += 1
            was = now


AGE_BANDS = [(18, 30), (31, 35), (36, 40), (41, 45), (46, 50), (51, 55), (56, 60), (61, 200)]


def _age_rows(ages: list[int]) -> list[Row]:
    rows = []
    for lo, hi in AGE_BANDS:
        label = f"{lo}–{hi}" if hi < 200 else _("trên 60")
        rows.append(Row(f"age{lo}", label, sum(lo <= a <= hi for a in ages), 2))
    avg = round(sum(ages) / len(ages), 1) if ages else None
    rows.append(Row("age_avg", _("Tuổi bình quân"), avg, 2))
    return rows


def _profile_rows(members: list[Member], ages: list[int], *, occupation: str) -> list[Row]:
    rows = [Row("occ", _("Nghề nghiệp"), None, 1)]
    occ = Counter(getattr(m, occupation) for m in members)
    for value, label in c.Occupation.choices:
        rows.append(Row(f"occ_{value}", label, occ.get(value, 0), 2))
    rows.append(Row("occ_unknown", _("Chưa ghi nghề nghiệp"), occ.get("", 0), 2))
    rows.append(Row("age", _("Tuổi"), None, 1))
    rows += _age_rows(ages)
    rows.append(Row("edu", _("Giáo dục phổ thông"), None, 1))
    bands = Counter(c.education_band(m.education_system, m.education_grade) for m in members)
    for value, label in c.EducationBand.choices:
        rows.append(Row(f"edu_{value}", label, bands.get(value, 0), 2))
    rows.append(Row("qual", _("Chuyên môn nghiệp vụ"), None, 1))
    quals = Counter(m.qualification for m in members)
    for value, label in c.Qualification.choices:
        if value:
            rows.append(Row(f"qual_{value}", label, quals.get(value, 0), 2))
    rows.append(Row("title", _("Học hàm"), None, 1))
    titles = Counter(m.academic_title for m in members)
    for value, label in c.AcademicTitle.choices:
        if value:
            rows.append(Row(f"title_{value}", label, titles.get(value, 0), 2))
    return rows


def _age_on(m: Member, d: dt.date) -> int:
    if m.birth_date:
        return age_in_months(m.birth_date, d) // 12
    return d.year - m.birth_year


def _of_which(members: list[Member]) -> list[Row]:
    return [
        Row("women", _("Nữ"), sum(m.gender == "f" for m in members), 1),
        Row(
            "minority",
            _("Dân tộc thiểu số"),
            sum(m.ethnicity not in ("", c.KINH) for m in members),
            1,
        ),
        Row("religion", _("Người có đạo"), sum(m.religion not in ("", "none") for m in members), 1),
        Row("youth", _("Đoàn viên"), sum(m.youth_union_at_admission for m in members), 1),
        Row(
            "business",
            _("Chủ doanh nghiệp tư nhân"),
            sum(m.private_business_owner for m in members),
            1,
        ),
        Row(
            "foreign",
            _("Có quan hệ hôn nhân với người nước ngoài"),
            sum(m.married_to_foreigner for m in members),
            1,
        ),
    ]


def admissions(root: Unit, start: dt.date, end: dt.date) -> Form:
    """Biểu 2: members admitted (or re-admitted) into the subtree during the period."""
    scope = _Scope(root, start, end)
    admitted: list[Member] = []
    ages: list[int] = []
    readmitted = 0
    for person in _people(scope, start, end):
        for e in person.events:
            if e.kind not in (EventKind.ADMISSION, EventKind.READMISSION):
                continue
            if start <= e.effective_date <= end and _on_roll(person, scope, e.effective_date):
                admitted.append(person.member)
                ages.append(_age_on(person.member, e.effective_date))
                readmitted += e.kind == EventKind.READMISSION
    rows = [Row("total", _("I. Tổng số đảng viên mới kết nạp"), len(admitted))]
    rows += _of_which(admitted)
    rows.append(Row("readmitted", _("Kết nạp lại"), readmitted, 1))
    rows.append(Row("analysis", _("II. Phân tích"), None))
    rows += _profile_rows(admitted, ages, occupation="occupation_before")
    return Form(2, _("Biểu 2: Đảng viên mới kết nạp"), rows)


ADMISSION_ERAS = [
    ("era1", _("Trước 19/8/1945"), None, dt.date(1945, 8, 18)),
    ("era2", _("19/8/1945 – 20/7/1954"), dt.date(1945, 8, 19), dt.date(1954, 7, 20)),
    ("era3", _("21/7/1954 – 30/4/1975"), dt.date(1954, 7, 21), dt.date(1975, 4, 30)),
    ("era4", _("Từ 01/5/1975"), dt.date(1975, 5, 1), None),
]


def stock(root: Unit, end: dt.date) -> Form:
    """Biểu 3: the members on the roll at the end of the period, with their breakdowns."""
    scope = _Scope(root, end, end)
    on_roll = [p for p in _people(scope, end, end) if _on_roll(p, scope, end)]
    members = [p.member for p in on_roll]
    states = {p.member.pk: state_on(p.events, end) for p in on_roll}
    ages = [_age_on(m, end) for m in members]
    rows = [Row("total", _("I. Tổng số đảng viên"), len(members))]
    rows += _of_which(members)
    rows.insert(
        2,
        Row("probationary", _("Dự bị"), sum(s.stage == "probationary" for s in states.values()), 1),
    )
    rows.append(Row("analysis", _("II. Phân tích"), None))
    profile = _profile_rows(members, ages, occupation="occupation_now")
    exempt = sum(
        states[m.pk].activity == "exempt" for m in members if m.occupation_now == "retired"
    )
    at = next(i for i, r in enumerate(profile) if r.code == "occ_retired") + 1
    profile.insert(at, Row("exempt", _("trong đó: miễn công tác và sinh hoạt đảng"), exempt, 3))
    rows += profile
    rows.append(Row("era", _("Thời kỳ vào Đảng"), None, 1))
    firsts = {}
    for p in on_roll:
        adm = [e for e in p.events if e.kind in (EventKind.ADMISSION, EventKind.READMISSION)]
        firsts[p.member.pk] = adm[0].effective_date if adm else p.member.admitted_on
    for code, label, lo, hi in ADMISSION_ERAS:
        n = sum((lo is None or d >= lo) and (hi is None or d <= hi) for d in firsts.values() if d)
        rows.append(Row(code, label, n, 2))
    rows.append(Row("theory", _("Lý luận chính trị"), None, 1))
    theory = Counter(m.theory_level for m in members)
    for value, label in c.TheoryLevel.choices:
        if value:
            rows.append(Row(f"theory_{value}", label, theory.get(value, 0), 2))
    return Form(3, _("Biểu 3: Đội ngũ đảng viên"), rows)


def services_form(root: Unit, start: dt.date, end: dt.date) -> Form:
    """Biểu 7, the member services part: badges, cards, transfer letters. Awards (part I) are
    not kept by this system yet and show as "—"."""
    scope = _Scope(root, start, end)
    badges: Counter = Counter()
    cards: Counter = Counter()
    for person in _people(scope, start, end):
        for e in person.events:
            if not start <= e.effective_date <= end:
                continue
            if not _was_in(person, scope, e.effective_date):
                continue
            if e.kind == EventKind.BADGE:
                badges[e.data.get("years")] += 1
            elif e.kind == EventKind.CARD:
                cards[e.data.get("reason", "new")] += 1
    rows = [Row("awards", _("I. Khen thưởng (chưa theo dõi trong hệ thống)"), None)]
    rows.append(Row("badges", _("II. Huy hiệu Đảng"), sum(badges.values())))

    for years in params.get("badge_milestones_years", end):
        rows.append(
            Row(f"badge{years}", _("Huy hiệu %(y)d năm") % {"y": years}, badges.get(years, 0), 1)
        )
    rows.append(Row("cards", _("III. Thẻ đảng viên"), sum(cards.values())))
    rows.append(Row("card_new", _("Phát cho đảng viên mới"), cards.get("new", 0), 1))
    rows.append(Row("card_lost", _("Cấp lại do mất"), cards.get("lost", 0), 1))
    rows.append(Row("card_damaged", _("Đổi do hỏng"), cards.get("damaged", 0), 1))
    units = list(scope.periods)
    period = Q(departed_on__gte=start, departed_on__lte=end)
    out = Transfer.objects.filter(period, from_unit_id__in=units).exclude(to_unit_id__in=units)
    inn = Transfer.objects.filter(period, to_unit_id__in=units).exclude(from_unit_id__in=units)
    rows += [
        Row("letters", _("IV. Giới thiệu sinh hoạt đảng"), None),
        Row("temp_out", _("Tạm thời: chuyển đi"), out.filter(kind="temporary").count(), 1),
        Row("temp_in", _("Tạm thời: tiếp nhận"), inn.filter(kind="temporary").count(), 1),
        Row(
            "official_out",
            _("Chính thức: chuyển đi"),
            out.filter(kind__in=["official", "abroad"]).count(),
            1,
        ),
        Row(
            "official_in",
            _("Chính thức: tiếp nhận"),
            inn.filter(kind="official", arrived_on__isnull=False).count(),
            1,
        ),
        Row("irregular", _("Chuyển không đúng quy định, giấy giả (chưa theo dõi)"), None, 1),
    ]
    return Form(7, _("Biểu 7: Nghiệp vụ công tác đảng viên"), rows)


FORMS = {1: "movement", 2: "admissions", 3: "stock", 7: "services"}


def unit_for_period(user, unit_id: int, end: dt.date) -> Unit:
    """The unit a period's forms are asked for, if it lay in the reader's scope at the period's
    end (today, if that is sooner): a cell that moved away gives its old commune the forms of
    its time there only. 404 else."""
    from django.utils import timezone

    return unit_as_of(user, unit_id, min(end, timezone.localdate()))


def compute(number: int, root: Unit, start: dt.date, end: dt.date) -> Form:
    if number == 1:
        return movement(root, start, end)
    if number == 2:
        return admissions(root, start, end)
    if number == 3:
        return stock(root, end)
    if number == 7:
        return services_form(root, start, end)
    raise ValueError(number)


def with_last_year(number: int, root: Unit, start: dt.date, end: dt.date):
    """(the form, [(row, this period's value, the same period last year's value)]). A row
    that only one column has (Biểu 1's adjustment) is shown in both, 0 in the other, so that
    each column adds up; the form's notes are those of both columns (each column's own, when
    they differ)."""
    now = compute(number, root, start, end)
    before = compute(number, root, add_months(start, -12), add_months(end, -12))
    rows = list(now.rows)
    for r in before.rows:
        if all(x.code != r.code for x in rows):  # Biểu 1's adjustment: above the last row, D
            rows.insert(len(rows) - 1, r)
    values = {r.code: r.value for r in now.rows}
    previous = {r.code: r.value for r in before.rows}

    def cell(r: Row, column: dict):
        if r.code in column:
            return column[r.code]
        return None if r.value is None else 0

    if now.notes == before.notes:
        notes = list(now.notes)
    else:
        notes = [(code, _("Kỳ này: %(n)s") % {"n": n}) for code, n in now.notes]
        notes += [(code, _("Cùng kỳ năm trước: %(n)s") % {"n": n}) for code, n in before.notes]
    noted = {code for code, _n in notes}
    rows = [replace(r, mark=MARKS[r.code]) if r.code in noted else r for r in rows]
    form = replace(now, rows=rows, notes=notes)
    return form, [(r, cell(r, values), cell(r, previous)) for r in rows]


MARKS = {"A": "(*)", "D": "(**)"}  # the rows a note can be about


def footnotes(form: Form) -> list[str]:
    """The notes each after the mark of its row, as the page and the Excel file show them."""
    return [f"{MARKS[code]} {text}" for code, text in form.notes]
