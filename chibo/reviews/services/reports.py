"""Rating reports (issue 12 point 9): counts and percentages by level for members and for
organizations, per unit and subtree, per year and across years, in the unit's tree of each year.

Definitions (docs/decisions.md, "(issue 12) Rating reports"):
- the base of a percentage is those required to be rated: the current Rating rows of the year,
  less those not rated for a reason the pack's [M] parameter `report_outside_base` names
  (exempt, admitted under 6 months, new collectives by default); the others not rated (a
  recorded reason) stay in the base with their own row — so Mường Lay's 99,6 % and 0,28 % leave
  0,12 %;
- "trở lên" is cumulative: the share at HTNV or above includes HTTNV and HTXSNV;
- across years, "tổng hợp số liệu n năm" pools (sums over the years, then one share) and
  "bình quân" is the mean of the yearly shares;
- shares are exact fractions until printed, then rounded half-up to the decimals asked for and
  written with the Vietnamese decimal comma ("20,5%");
- an organization rated in old labels counts as "trong sạch, vững mạnh" by its label (TSVM or
  TSVM tiêu biểu); from 2018 when rated at the pack's [M] `tsvm_counts_from` or above.

Read-only: no write, no audit.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

from django.utils.translation import gettext as _

from chibo.org.choices import GRASSROOTS_KINDS, UnitKind
from chibo.org.models import Unit, UnitAncestry, UnitVersion, in_force

from .. import packs
from ..choices import Level, NotRated, at_least
from ..models import Rating
from .streaks import Run, runs

POOLED, MEAN = "pooled", "mean"
MEMBERS, ORGS = "members", "orgs"
CELLS, GRASSROOTS = "cells", "grassroots"

X, G, D, F = Level.EXCELLENT, Level.GOOD, Level.DONE, Level.FAILED

# Rows of a members' report, in print order: (code, label). "_up" rows are cumulative.
MEMBER_ROWS = (
    ("htxs", _("Hoàn thành xuất sắc nhiệm vụ")),
    ("htt_up", _("Hoàn thành tốt nhiệm vụ trở lên")),
    ("ht_up", _("Hoàn thành nhiệm vụ trở lên")),
    ("htt", _("Hoàn thành tốt nhiệm vụ")),
    ("ht", _("Hoàn thành nhiệm vụ")),
    ("khtnv", _("Không hoàn thành nhiệm vụ, vi phạm tư cách")),
    ("not_rated", _("Không xếp loại (lý do đã ghi nhận)")),
)
ORG_ROWS = (
    ("tsvm", _("Trong sạch, vững mạnh (HTTNV trở lên)")),
    ("tsvm_tb", _("Trong đó: trong sạch, vững mạnh tiêu biểu (HTXSNV)")),
    ("htxs", _("Hoàn thành xuất sắc nhiệm vụ")),
    ("htt_up", _("Hoàn thành tốt nhiệm vụ trở lên")),
    ("ht_up", _("Hoàn thành nhiệm vụ trở lên")),
    ("ambiguous", _("Nhãn cũ chưa quy đổi được (TSVM: HTXSNV hoặc HTTNV)")),
    ("weak", _("Yếu kém, không hoàn thành nhiệm vụ")),
    ("not_rated", _("Không xếp loại (lý do đã ghi nhận)")),
)


def year_end(year: int) -> dt.date:
    return dt.date(year, 12, 31)


def subtree_on(unit: Unit, on: dt.date) -> list[int]:
    """The unit and its descendants in the tree of `on` (the temporal closure)."""
    return list(
        UnitAncestry.objects.filter(in_force(on), ancestor=unit).values_list("unit_id", flat=True)
    )


def organizations_on(unit: Unit, on: dt.date, among: str = CELLS) -> list[int]:
    """The organizations below `unit` in the tree of `on` a report counts: its cells
    ("chi bộ", every UnitKind.CELL below) or its grassroots organizations ("tổ chức cơ sở
    đảng": đảng bộ cơ sở and chi bộ cơ sở), each by its kind that day."""
    kinds = [UnitKind.CELL] if among == CELLS else list(GRASSROOTS_KINDS)
    below = [pk for pk in subtree_on(unit, on) if pk != unit.pk]
    return list(
        UnitVersion.objects.filter(in_force(on), unit_id__in=below, kind__in=kinds).values_list(
            "unit_id", flat=True
        )
    )


def _outside(pack: packs.Pack, unit: Unit, year: int) -> set[str]:
    return set(str(pack.param("report_outside_base", unit, year) or "").split())


def _counts(ratings, pack: packs.Pack, subject: str, unit: Unit, year: int) -> Counter:
    """Counter of a year's current ratings: the base and every row's count."""
    outside = _outside(pack, unit, year)
    floor = pack.param("tsvm_counts_from", unit, year) if pack.rates else None
    c: Counter = Counter()
    for r in ratings:
        if r.not_rated:
            if r.not_rated in outside:
                c["outside"] += 1
                c[f"outside:{r.not_rated}"] += 1
                continue
            c["base"] += 1
            c["not_rated"] += 1
            c[f"not_rated:{r.not_rated}"] += 1
            continue
        c["base"] += 1
        level = r.level
        if level == X:
            c["htxs"] += 1
        elif level in (G, D):
            c[level] += 1
        elif level == F:
            c["khtnv" if subject == packs.MEMBER else "weak"] += 1
        else:
            c["ambiguous"] += 1
        for code, floor_level in (("htt_up", G), ("ht_up", D)):
            if level and at_least(level, floor_level):
                c[code] += 1
        if subject == packs.ORG:
            if packs.tsvm_counts(pack, r.label_code, level, floor):
                c["tsvm"] += 1
            if r.label_code == "tsvm_tb" or (pack.rates and level == X):
                c["tsvm_tb"] += 1
    return c


@dataclass
class Year:
    year: int
    pack: packs.Pack
    counts: Counter

    @property
    def base(self) -> int:
        return self.counts["base"]

    def share(self, code: str) -> Fraction | None:
        return Fraction(self.counts[code], self.base) if self.base else None


@dataclass
class Line:
    code: str
    label: str
    count: int  # summed over the years
    share: Fraction | None
    text: str  # the share as printed


@dataclass
class Report:
    unit: Unit
    subject: str
    years: list[Year]
    method: str
    decimals: int
    among: str = CELLS
    lines: list[Line] = field(default_factory=list)

    @property
    def base(self) -> int:
        return sum(y.base for y in self.years)

    def line(self, code: str) -> Line:
        return next(li for li in self.lines if li.code == code)

    def text(self, code: str) -> str:
        return self.line(code).text

    @property
    def first(self) -> int:
        return self.years[0].year

    @property
    def last(self) -> int:
        return self.years[-1].year


def combine(years: list[Year], code: str, method: str) -> Fraction | None:
    """Several years' share of a row: pooled (sum of counts over sum of bases) or the mean of
    the yearly shares (years without a base left out)."""
    if method == POOLED:
        base = sum(y.base for y in years)
        return Fraction(sum(y.counts[code] for y in years), base) if base else None
    shares = [s for s in (y.share(code) for y in years) if s is not None]
    return sum(shares, Fraction(0)) / len(shares) if shares else None


def percent(share: Fraction | None, decimals: int = 1) -> str:
    """100·share rounded half-up to `decimals`, with the decimal comma and the sign: "20,5%";
    "—" without a base."""
    if share is None:
        return "—"
    with localcontext() as ctx:
        ctx.prec = 40
        value = Decimal(share.numerator * 100) / Decimal(share.denominator)
        q = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return f"{q}".replace(".", ",") + "%"


def _ratings(unit: Unit, year: int, subject: str, among: str):
    on = year_end(year)
    qs = Rating.objects.filter(year=year, current=True)
    if subject == MEMBERS:
        return qs.filter(member__isnull=False, unit_id__in=subtree_on(unit, on))
    return qs.filter(member__isnull=True, unit_id__in=organizations_on(unit, on, among))


def yearly(unit: Unit, year: int, subject: str = MEMBERS, among: str = CELLS) -> Year:
    pack = packs.for_year(year)
    subj = packs.MEMBER if subject == MEMBERS else packs.ORG
    rows = _ratings(unit, year, subject, among).only("level", "label_code", "not_rated")
    return Year(year, pack, _counts(rows, pack, subj, unit, year))


def report(
    unit: Unit,
    years,
    subject: str = MEMBERS,
    method: str = POOLED,
    decimals: int = 1,
    among: str = CELLS,
) -> Report:
    """Counts and shares by level of `unit`'s members (subject MEMBERS: every member rated in
    a cell of its subtree of that year) or organizations (ORGS: its cells or its grassroots
    organizations, `among`) over `years`, pooled or as a mean of years."""
    years = sorted(set(years))
    if not years:
        raise ValueError("no year")
    if method not in (POOLED, MEAN):
        raise ValueError(method)
    per_year = [yearly(unit, y, subject, among) for y in years]
    rep = Report(unit, subject, per_year, method, decimals, among)
    for code, label in MEMBER_ROWS if subject == MEMBERS else ORG_ROWS:
        share = combine(per_year, code, method)
        rep.lines.append(
            Line(
                code,
                str(label),
                sum(y.counts[code] for y in per_year),
                share,
                percent(share, decimals),
            )
        )
    return rep


def _span(rep: Report) -> str:
    n = len(rep.years)
    if n == 1:
        return _("Năm %(y)s") % {"y": rep.first}
    years = f"{rep.first}–{rep.last}"
    if rep.method == POOLED:
        return _("Tổng hợp số liệu %(n)s năm (%(years)s)") % {"n": n, "years": years}
    return _("Bình quân %(n)s năm (%(years)s)") % {"n": n, "years": years}


def _whole(unit: Unit, on: dt.date) -> str:
    version = unit.version_on(on)
    kind = version.kind if version else unit.kind
    name = version.name if version else unit.name
    if kind in (UnitKind.CELL, UnitKind.GRASSROOTS_CELL):
        return _("toàn Chi bộ")
    return _("toàn Đảng bộ") if name.startswith("Đảng bộ") else name


def sentence(rep: Report) -> str:
    """The committee's sentence from the figures, in the seeds' style."""
    span = _span(rep)
    if rep.subject == MEMBERS:
        text = _(
            "%(span)s, %(whole)s có %(up)s đảng viên hoàn thành nhiệm vụ trở lên, trong đó "
            "%(x)s hoàn thành xuất sắc nhiệm vụ"
        ) % {
            "span": span,
            "whole": _whole(rep.unit, year_end(rep.last)),
            "up": rep.text("ht_up"),
            "x": rep.text("htxs"),
        }
        failed = rep.line("khtnv")
        if failed.count:
            text += _("; không hoàn thành nhiệm vụ, vi phạm tư cách chiếm %(f)s") % {
                "f": failed.text
            }
        nr = rep.line("not_rated")
        if nr.count:
            text += _("; không xếp loại (lý do đã ghi nhận) %(n)s") % {"n": nr.text}
        return text + "."
    what = _("chi bộ") if rep.among == CELLS else _("tổ chức cơ sở đảng")
    text = _("%(span)s, %(tsvm)s %(what)s đạt trong sạch, vững mạnh") % {
        "span": span,
        "tsvm": rep.text("tsvm"),
        "what": what,
    }
    if rep.line("tsvm_tb").count:
        text += _(", trong đó %(tb)s đạt trong sạch, vững mạnh tiêu biểu") % {
            "tb": rep.text("tsvm_tb")
        }
    weak = rep.line("weak")
    if weak.count:
        text += _("; %(w)s %(what)s yếu kém") % {"w": weak.text, "what": what}
    else:
        text += _(", không có %(what)s yếu kém") % {"what": what}
    return text + "."


# --- Streaks --------------------------------------------------------------------------------


def _matches(r: Rating, level: str, or_above: bool, label_code: str) -> bool:
    if r.not_rated:
        return False
    if label_code:
        return r.label_code == label_code or (
            packs.get(r.pack).rates and bool(r.level) and r.level == level
        )
    if not r.level:
        return False
    return at_least(r.level, level) if or_above else r.level == level


def streaks(
    *,
    unit: Unit | None = None,
    member=None,
    level: str = X,
    or_above: bool = False,
    label_code: str = "",
) -> list[Run]:
    """Runs of consecutive years a unit (its own rating) or a member was rated at `level` (or
    at least `level`), oldest first. `label_code` matches an era's label instead (e.g.
    "tsvm_tb": TSVM tiêu biểu in the old labels; HTXSNV, `level`, in the years of today's)."""
    qs = Rating.objects.filter(current=True)
    qs = qs.filter(member=member) if member is not None else qs.filter(unit=unit, member=None)
    return runs(r.year for r in qs if _matches(r, level, or_above, label_code))


def longest(runs: list[Run]) -> Run | None:
    return max(runs, key=lambda r: (r.years, r.last), default=None)


def not_rated_label(code: str) -> str:
    return str(NotRated(code).label)
