"""Demo ratings of the seeds' years, recorded through the review's services (issue 12 point 10).

The seeds give shares; the demo gives people. For each year the members who really sat in the
cells on 31/12 (their placements and events: admissions, the death, the strike-off, the
exemptions, the move to Mường Lay) are rated, and the number at each level is allocated from
the seed's share of the real base by largest remainder across the years, so that the report
engine (chibo.reviews.services.reports), reading only these individual ratings, prints the
seeds' figures:

- seed 000, Đảng bộ xã Quảng Lâm 2015–2017, pooled ("tổng hợp số liệu 3 năm"): every cell
  TSVM, about one in five TSVM tiêu biểu — no whole count of 13 cells is 20 %, so 8 of the 39
  cell-years, printed at one decimal 20,5 % —, none weak; 97,1 % of members at HTNV or above,
  15 % HTXS; the member disciplined in 2016 (and struck off in 2017) rated "vi phạm tư cách";
  the đảng bộ TSVM tiêu biểu each year;
- seed 002, Thị xã Mường Lay 2016–2018, a mean of years ("bình quân"): grassroots
  organizations TSVM above 90 %, none weak; 99,6 % of members HTNV or above, 0,28 % KHTNV or
  violating, 0,12 % not rated for a recorded reason; 2018 in QĐ 132's labels.

Members exempted (miễn sinh hoạt) are recorded as not rated and stand outside the base
(`report_outside_base`, an [M] parameter). Deterministic: the same ratings on every run.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from chibo.core.actors import SYSTEM
from chibo.members.lifecycle import EventKind, state_on
from chibo.members.models import Member, MemberEvent
from chibo.members.selectors import members_on
from chibo.org.models import Unit
from chibo.reviews import packs
from chibo.reviews.choices import Level, NotRated
from chibo.reviews.services.history import record_ratings
from chibo.reviews.services.reports import GRASSROOTS, organizations_on, subtree_on

X, G, D, F = Level.EXCELLENT, Level.GOOD, Level.DONE, Level.FAILED

QL_YEARS = (2015, 2016, 2017)
ML_YEARS = (2016, 2017, 2018)

# The seeds' shares: targets the allocation starts from (the report prints what comes out).
QL_EXEMPLARY_CELLS = Fraction(20, 100)  # "20% số chi bộ đạt trong sạch, vững mạnh tiêu biểu"
QL_AT_LEAST_DONE = Fraction(971, 1000)  # "97,1% đảng viên … hoàn thành nhiệm vụ"
QL_EXCELLENT = Fraction(15, 100)  # "trong đó 15% hoàn thành xuất sắc nhiệm vụ"
QL_GOOD = Fraction(60, 100)  # not in the seed: the split of the rest between HTT and HT
ML_TSVM = Fraction(92, 100)  # "bình quân … trên 90%"
ML_EXEMPLARY = Fraction(15, 100)  # not in the seed
ML_FAILED = Fraction(28, 10000)  # "vi phạm tư cách, không hoàn thành nhiệm vụ chiếm 0,28%"
ML_NOT_RATED = Fraction(12, 10000)  # what 99,6 % and 0,28 % leave
ML_EXCELLENT = Fraction(14, 100)  # not in the seed
ML_GOOD = Fraction(66, 100)  # not in the seed
ML_NOT_RATED_NOTE = "Điều trị bệnh dài ngày trong kỳ kiểm điểm, không xếp loại (minh họa)."


def round_half_up(x: Fraction) -> int:
    return int((Decimal(x.numerator) / Decimal(x.denominator)).quantize(0, ROUND_HALF_UP))


def allocate(share: Fraction, bases: list[int]) -> list[int]:
    """Counts per year adding up to `share` of all the bases (rounded half-up), each year's
    count the floor of its quota plus one for the largest remainders (ties: earlier years)."""
    total = round_half_up(share * sum(bases))
    quotas = [share * b for b in bases]
    counts = [int(q) for q in quotas]
    order = sorted(range(len(bases)), key=lambda i: (-(quotas[i] - counts[i]), i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _roster(unit: Unit, year: int) -> list[tuple[Member, Unit, bool]]:
    """(member, their cell, exempt?) for everyone who was a member in `unit`'s subtree of
    31/12/`year`, by their home placement and their events that day."""
    on = dt.date(year, 12, 31)
    cells = subtree_on(unit, on)
    placements = (
        members_on(on)
        .filter(unit_id__in=cells)
        .select_related("unit", "member")
        .prefetch_related("member__events")
        .order_by("member_id")
    )
    out = []
    for p in placements:
        state = state_on(p.member.events.all(), on)
        out.append((p.member, p.unit, state.activity == "exempt"))
    return out


def _disciplined(year: int) -> set[int]:
    return set(
        MemberEvent.objects.filter(
            kind__in=[EventKind.DISCIPLINE, EventKind.EXPULSION],
            effective_date__year=year,
            corrected_by__isnull=True,
        ).values_list("member_id", flat=True)
    )


def _member_label(year: int, level: str, disciplined: bool) -> str:
    pack = packs.for_year(year)
    if not pack.rates and level == F:
        return pack.label(packs.MEMBER, "vptc" if disciplined else "chua_ht").text
    return pack.label_for_level(packs.MEMBER, level).text


def _members(
    unit: Unit,
    years: tuple[int, ...],
    *,
    failed: Fraction | None = None,
    at_least_done: Fraction | None = None,
    not_rated: Fraction = Fraction(0),
    excellent: Fraction,
    good: Fraction,
    issuer: str,
    seed: int,
) -> list[dict]:
    rosters = {y: _roster(unit, y) for y in years}
    bases = [sum(1 for _m, _c, ex in rosters[y] if not ex) for y in years]
    n_not_rated = allocate(not_rated, bases)
    if at_least_done is not None:
        n_up = allocate(at_least_done, bases)
        n_failed = [b - u - n for b, u, n in zip(bases, n_up, n_not_rated, strict=True)]
    else:
        n_failed = allocate(failed, bases)
    n_excellent = allocate(excellent, bases)
    n_good = allocate(good, bases)
    rows = []
    for i, year in enumerate(years):
        rng = random.Random(seed + year)
        rated = [(m, c) for m, c, ex in rosters[year] if not ex]
        for m, c, ex in rosters[year]:
            if ex:
                rows.append(_row(year, c, m, issuer, not_rated=NotRated.EXEMPT))
        punished = _disciplined(year)
        rng.shuffle(rated)
        # The disciplined first among the failed (a violation counts in its year).
        rated.sort(key=lambda mc: mc[0].pk not in punished)
        fail, rest = rated[: n_failed[i]], rated[n_failed[i] :]
        unrated, rest = rest[: n_not_rated[i]], rest[n_not_rated[i] :]
        exc, rest = rest[: n_excellent[i]], rest[n_excellent[i] :]
        good_, done = rest[: n_good[i]], rest[n_good[i] :]
        for group, level in ((fail, F), (exc, X), (good_, G), (done, D)):
            for m, c in group:
                label = _member_label(year, level, m.pk in punished)
                rows.append(_row(year, c, m, issuer, label=label))
        for m, c in unrated:
            rows.append(_row(year, c, m, issuer, not_rated=NotRated.OTHER, note=ML_NOT_RATED_NOTE))
    return rows


def _row(year, unit, member, issuer, label="", not_rated="", note="", decided=None) -> dict:
    return {
        "year": year,
        "unit": unit,
        "member": member,
        "label": label,
        "not_rated": not_rated,
        "note": note,
        "decided_on": decided or dt.date(year, 12, 22),
        "decision_no": f"{year % 100:02d}-QĐ/ĐU (minh họa)",
        "issuer": issuer,
    }


def _org_label(year: int, code: str) -> str:
    return packs.for_year(year).label(packs.ORG, code).text


def quang_lam(U: dict[str, Unit]) -> list[dict]:
    ql = Unit.objects.get(pk=U["commune:Quảng Lâm"].pk)
    rows = _members(
        ql,
        QL_YEARS,
        at_least_done=QL_AT_LEAST_DONE,
        excellent=QL_EXCELLENT,
        good=QL_GOOD,
        issuer="Đảng ủy xã Quảng Lâm",
        seed=2015,
    )
    cells = {y: sorted(organizations_on(ql, dt.date(y, 12, 31))) for y in QL_YEARS}
    exemplary = allocate(QL_EXEMPLARY_CELLS, [len(cells[y]) for y in QL_YEARS])
    turn = 0
    upper = "Ban Thường vụ Huyện ủy Mường Nhé"
    for year, n in zip(QL_YEARS, exemplary, strict=True):
        # A different few each year, in turn.
        chosen = {cells[year][(turn + k) % len(cells[year])] for k in range(n)}
        turn += n
        for pk in cells[year]:
            code = "tsvm_tb" if pk in chosen else "tsvm"
            rows.append(
                _row(
                    year,
                    Unit.objects.get(pk=pk),
                    None,
                    "Đảng ủy xã Quảng Lâm",
                    label=_org_label(year, code),
                    decided=dt.date(year, 12, 28),
                )
            )
        rows.append(
            _row(
                year,
                ql,
                None,
                upper,
                label=_org_label(year, "tsvm_tb"),
                decided=dt.date(year + 1, 1, 20),
            )
        )
    return rows


def muong_lay(U: dict[str, Unit]) -> list[dict]:
    ml = Unit.objects.get(pk=U["district:Mường Lay"].pk)
    rows = _members(
        ml,
        ML_YEARS,
        failed=ML_FAILED,
        not_rated=ML_NOT_RATED,
        excellent=ML_EXCELLENT,
        good=ML_GOOD,
        issuer="Đảng ủy cơ sở (minh họa)",
        seed=2016,
    )
    orgs = {y: sorted(organizations_on(ml, dt.date(y, 12, 31), GRASSROOTS)) for y in ML_YEARS}
    bases = [len(orgs[y]) for y in ML_YEARS]
    tsvm = allocate(ML_TSVM, bases)
    exemplary = allocate(ML_EXEMPLARY, bases)
    upper = "Ban Thường vụ Thị ủy Mường Lay"
    for i, year in enumerate(ML_YEARS):
        pack = packs.for_year(year)
        rng = random.Random(35 + year)
        units = list(orgs[year])
        rng.shuffle(units)
        for k, pk in enumerate(units):
            if pack.rates:  # 2018, QĐ 132: TSVM counts from HTTNV up [M]
                code = "htxs" if k < exemplary[i] else ("htt" if k < tsvm[i] else "ht")
            else:
                code = "tsvm_tb" if k < exemplary[i] else ("tsvm" if k < tsvm[i] else "httnv")
            rows.append(
                _row(
                    year,
                    Unit.objects.get(pk=pk),
                    None,
                    upper,
                    label=_org_label(year, code),
                    decided=dt.date(year + 1, 1, 15),
                )
            )
    return rows


def build(U: dict[str, Unit]) -> None:
    record_ratings(actor=SYSTEM, rows=quang_lam(U) + muong_lay(U))


def round_in_progress(U: dict[str, Unit], today: dt.date) -> None:
    """The review round of the year before the demo's today, open in every cell of the new
    Xã Quảng Lâm under the version in force that year, so a new user sees each step: in Chi bộ
    bản Huổi Lụ 1 the demo member (dangvien.huoilu1) has assessed themself and the secretary
    (bithu.huoilu1) has proposed a level for half of the members after the review meeting;
    nothing is decided yet (the commune office decides)."""
    from chibo.accounts.models import User
    from chibo.org.choices import CELL_KINDS
    from chibo.org.services.primitives import live_children
    from chibo.reviews.services import facts, rounds

    year = today.year - 1
    commune = Unit.objects.get(pk=U["new:Xã Quảng Lâm"].pk)
    lu1 = Unit.objects.get(pk=U["cell:Đảng bộ xã Quảng Lâm:Chi bộ bản Huổi Lụ 1"].pk)
    opened = {}
    for cell in live_children(commune):
        if cell.kind in CELL_KINDS and cell.valid_from <= dt.date(year, 12, 31):
            opened[cell.pk] = rounds.open_round(actor=SYSTEM, unit=cell, year=year)
    rnd = opened.get(lu1.pk)
    if rnd is None:
        return
    secretary = User.objects.get(username="bithu.huoilu1")
    member_user = User.objects.get(username="dangvien.huoilu1")
    pack = packs.get(rnd.pack)
    groups = pack.framework.get(packs.MEMBER, ())
    people = facts.roll(rnd)
    me = next((m for m in people if m.user_id == member_user.pk), None)
    if me is not None and groups:
        # Nearly full marks, one point short in each group's first criterion.
        scores = {}
        for g in groups:
            for i, c in enumerate(g["criteria"]):
                scores[c["code"]] = c["max_points"] - (1 if i == 0 else 0)
        rounds.self_assess(actor=member_user, round=rnd, member=me, scores=scores, level=Level.GOOD)
    rng = random.Random(year)
    voters = len(people)
    for m in people[: len(people) // 2]:
        level = rng.choice([Level.GOOD, Level.GOOD, Level.DONE, Level.EXCELLENT])
        rounds.propose(
            actor=secretary,
            round=rnd,
            member=m,
            level=level,
            votes_for=voters - rng.randint(0, 2),
            votes_base=voters,
        )
