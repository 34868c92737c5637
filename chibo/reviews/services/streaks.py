"""Streaks and their consequences (issue 12, point 8): consecutive years at a level for members
and organizations, read from the current ratings; two years in a row "không hoàn thành nhiệm
vụ" puts "xem xét xóa tên" on the deadlines page, five years in a row "hoàn thành xuất sắc"
a commendation proposal. Both numbers are parameters: the first is domain-rules §3.8's
modern reading of "vi phạm tư cách 2 năm liền" [P], the second seed 003's "Bằng khen hoàn
thành xuất sắc nhiệm vụ 5 năm liền" [P]."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from chibo.core import params
from chibo.core.params import Default
from chibo.members.models import Member
from chibo.members.selectors import members_on
from chibo.org.models import Unit, UnitAncestry, in_force

from ..choices import Level, at_least
from ..models import Rating

params.DEFAULTS.setdefault(
    "rating_strike_off_failed_years",
    Default(
        2,
        "Số năm liền không hoàn thành nhiệm vụ thì chi bộ xem xét, đề nghị xóa tên",
        "QĐ 29 §8.1 / QĐ 24 Điều 8 (vi phạm tư cách 2 năm liền), domain-rules §3.8",
        "P",
    ),
)
params.DEFAULTS.setdefault(
    "rating_commendation_excellent_years",
    Default(
        5,
        "Số năm liền hoàn thành xuất sắc nhiệm vụ thì đề nghị khen thưởng",
        "Bài 003 (Tỉnh ủy tặng Bằng khen HTXSNV 5 năm liền)",
        "P",
    ),
)


@dataclass(frozen=True)
class Run:
    """Consecutive years first…last."""

    first: int
    last: int

    @property
    def years(self) -> int:
        return self.last - self.first + 1

    def __str__(self) -> str:
        return _("%(n)s năm liền (%(a)s–%(b)s)") % {
            "n": self.years,
            "a": self.first,
            "b": self.last,
        }


def runs(years: Iterable[int]) -> list[Run]:
    """The runs of consecutive years among `years`, oldest first."""
    out: list[Run] = []
    for y in sorted(set(years)):
        if out and out[-1].last == y - 1:
            out[-1] = Run(out[-1].first, y)
        else:
            out.append(Run(y, y))
    return out


def run(levels: dict[int, str], year: int, level: str, *, or_above: bool = False) -> int:
    """How many consecutive years up to `year` the subject was at `level` (or above it)."""
    matching = [
        y for y, got in levels.items() if (at_least(got, level) if or_above else got == level)
    ]
    ending = [r for r in runs(matching) if r.last == year]
    return ending[0].years if ending else 0


@dataclass
class Due:
    """An item of the unit's deadlines page (core.hooks.DEADLINE_ITEMS)."""

    status: str
    date: dt.date
    text: str
    url: str
    kind: str = "rating"


def _levels(rows) -> dict[tuple[str, int], dict[int, str]]:
    out: dict[tuple[str, int], dict[int, str]] = defaultdict(dict)
    for member_id, unit_id, year, level in rows:
        key = ("member", member_id) if member_id else ("unit", unit_id)
        out[key][year] = level
    return out


def consequences(user, unit, on: dt.date) -> list[Due]:
    """What the ratings up to `on` ask of the unit's committee: members still under the unit on
    `on` rated KHTNV the last N years in a row (xem xét xóa tên), members and organizations
    under it rated HTXS the last M years in a row (đề nghị khen thưởng). Read through the
    scope gate; a year counts once decided."""
    failed_years = params.get("rating_strike_off_failed_years", on, unit)
    excellent_years = params.get("rating_commendation_excellent_years", on, unit)
    under = UnitAncestry.objects.filter(in_force(on), ancestor=unit).values("unit_id")
    members = members_on(on).filter(unit_id__in=under).values("member_id")
    # The last year decided by `on` is this year (decided in December) or the one before.
    first = on.year - max(failed_years, excellent_years)
    rows = (
        Rating.objects.restrict(user, "view")
        .filter(current=True, year__gte=first, year__lte=on.year, decided_on__lte=on)
        .exclude(level="")
        .filter(Q(member_id__in=members) | Q(member__isnull=True, unit_id__in=under))
        .values_list("member_id", "unit_id", "year", "level")
    )
    by_subject = _levels(rows)
    if not by_subject:
        return []
    names = {
        **{
            ("member", m.pk): m.full_name
            for m in Member.objects.filter(pk__in=[k[1] for k in by_subject if k[0] == "member"])
        },
        **{
            ("unit", u.pk): u.name
            for u in Unit.objects.filter(pk__in=[k[1] for k in by_subject if k[0] == "unit"])
        },
    }
    out = []
    for key, levels in sorted(by_subject.items(), key=lambda kv: names.get(kv[0], "")):
        kind, pk = key
        url = (
            reverse("members:detail", args=[pk])
            if kind == "member"
            else reverse("org:unit", args=[pk])
        )
        last = max(levels)
        if last < on.year - 1:
            continue  # no recent result: nothing to act on now
        failed = run(levels, last, Level.FAILED)
        if kind == "member" and failed >= failed_years:
            out.append(
                Due(
                    "due",
                    on,
                    _("Xem xét, đề nghị xóa tên: %(n)s %(s)s %(run)s.")
                    % {
                        "n": names[key],
                        "s": _("không hoàn thành nhiệm vụ"),
                        "run": Run(last - failed + 1, last),
                    },
                    url,
                )
            )
        excellent = run(levels, last, Level.EXCELLENT)
        if excellent >= excellent_years:
            out.append(
                Due(
                    "upcoming",
                    on,
                    _("Đề nghị khen thưởng: %(n)s %(s)s %(run)s.")
                    % {
                        "n": names[key],
                        "s": _("hoàn thành xuất sắc nhiệm vụ"),
                        "run": Run(last - excellent + 1, last),
                    },
                    url,
                )
            )
    return out
