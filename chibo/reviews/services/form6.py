"""The rating rows of Biểu 6-BTCTW (domain-rules-2 §1.2): a year's organizations and members
under a unit by result, in the tree of that year's 31/12, from the report engine's counts.

The exact rows of the sub-forms 6A–6E were not retrieved (domain-rules-2 §9.1): the rows here
follow Biểu 6F's categories [C] — required, rated (by level), not rated and why (new
collectives; members admitted less than 6 months before, exempt or suspended; another
recorded reason) — and the four levels of the year's version; the layout is [M]."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from django.utils.translation import gettext_lazy as _

from ..choices import NotRated
from . import reports as rep


@dataclass(frozen=True)
class Row:
    code: str
    label: str
    indent: int = 0
    share_of: str = ""  # the row whose count is this row's 100 %


ROWS = (
    Row("all", _("1. Tổng số")),
    Row("rated", _("2. Đã đánh giá, xếp loại"), 0, "all"),
    Row("htxs", _("2.1. Hoàn thành xuất sắc nhiệm vụ"), 1, "rated"),
    Row("htt", _("2.2. Hoàn thành tốt nhiệm vụ"), 1, "rated"),
    Row("ht", _("2.3. Hoàn thành nhiệm vụ"), 1, "rated"),
    Row("failed", _("2.4. Không hoàn thành nhiệm vụ"), 1, "rated"),
    Row("ambiguous", _("2.5. Nhãn cũ chưa quy đổi được (TSVM)"), 1, "rated"),
    Row("not_rated", _("3. Không đánh giá, xếp loại"), 0, "all"),
    Row("new_collective", _("3.1. Tổ chức mới thành lập"), 1, "not_rated"),
    Row(
        "new_exempt_suspended",
        _("3.2. Đảng viên mới kết nạp dưới 6 tháng, được miễn, bị đình chỉ sinh hoạt"),
        1,
        "not_rated",
    ),
    Row("other", _("3.3. Lý do khác đã ghi nhận"), 1, "not_rated"),
)
COLUMNS = (
    (rep.ORGS, rep.GRASSROOTS, _("Tổ chức cơ sở đảng")),
    (rep.ORGS, rep.CELLS, _("Chi bộ trực thuộc")),
    (rep.MEMBERS, rep.CELLS, _("Đảng viên")),
)
APART = (NotRated.NEW_MEMBER, NotRated.EXEMPT, NotRated.SUSPENDED)


def _column(c) -> dict[str, int]:
    """A column's counts by row from the engine's Counter of the year."""
    not_rated = {
        reason: c[f"outside:{reason}"] + c[f"not_rated:{reason}"] for reason in NotRated.values
    }
    out = {
        "htxs": c["htxs"],
        "htt": c["htt"],
        "ht": c["ht"],
        "failed": c["khtnv"] + c["weak"],
        "ambiguous": c["ambiguous"],
        "new_collective": not_rated[NotRated.NEW_COLLECTIVE],
        "new_exempt_suspended": sum(not_rated[r] for r in APART),
        "other": not_rated[NotRated.OTHER],
    }
    out["rated"] = out["htxs"] + out["htt"] + out["ht"] + out["failed"] + out["ambiguous"]
    out["not_rated"] = sum(not_rated.values())
    out["all"] = out["rated"] + out["not_rated"]
    return out


@dataclass
class Form6:
    unit: object
    year: int
    pack_title: str
    columns: list[str]
    # (row, [(count, share text) per column])
    rows: list[tuple[Row, list[tuple[int, str]]]]


def form6(unit, year: int) -> Form6:
    cols = [
        _column(rep.yearly(unit, year, subject, among).counts) for subject, among, _l in COLUMNS
    ]
    rows = []
    for row in ROWS:
        cells = []
        for col in cols:
            n = col[row.code]
            base = col[row.share_of] if row.share_of else 0
            cells.append((n, rep.percent(Fraction(n, base), 2) if base else ""))
        if row.code == "ambiguous" and not any(n for n, _t in cells):
            continue  # only years of the old labels have it
        rows.append((row, cells))
    return Form6(
        unit=unit,
        year=year,
        pack_title=rep.packs.for_year(year).title,
        columns=[str(label) for _s, _a, label in COLUMNS],
        rows=rows,
    )
