"""The review's papers in the Hướng dẫn 36-HD/VPTW layout (core.documents): the committee's
decision recognizing its members' ratings of a year, with the list of names as its annex.

The list is what was decided: the current ratings of the year of the members placed under the
committee on 31/12 of that year (its tree of that year), each with their cell and level in the
words of the year's version; those not rated for a recorded reason are listed apart."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.utils.translation import gettext as _

from chibo.core.documents import Doc, Signature, committee_name, date_line, place_name
from chibo.members.models import Seat
from chibo.members.seats import seats_on
from chibo.org.models import UnitAncestry, UnitVersion, in_force
from chibo.org.selectors import ancestors_on

from . import packs
from .choices import SHORT, Level, NotRated
from .models import Rating


def decided_ratings(user, unit, year: int):
    """The current member ratings of `year` under `unit` in the tree of that year's 31/12, as
    `user` may read them (the scope gate, dated)."""
    on = dt.date(year, 12, 31)
    under = UnitAncestry.objects.filter(in_force(on), ancestor=unit).values("unit_id")
    return (
        Rating.objects.restrict(user, "view")
        .filter(year=year, current=True, member__isnull=False, unit_id__in=under)
        .select_related("member")
        .order_by("unit_id", "member__sort_key", "member_id")
    )


def _signature(unit, on: dt.date, name: str) -> Signature:
    seats = list(seats_on(unit, on))
    head = next((s for s in seats if s.role == Seat.Role.SECRETARY), None)
    position = "BÍ THƯ"
    if head is None:
        head = next((s for s in seats if s.role == Seat.Role.DEPUTY_SECRETARY), None)
        position = "PHÓ BÍ THƯ" if head else position
    authority = "T/M ĐẢNG ỦY" if name.startswith("Đảng bộ") else "T/M CHI BỘ"
    return Signature(authority, position, head.member.full_name if head else "")


def _body_name(name: str) -> str:
    """ "Đảng bộ xã Cũ" → "Đảng ủy xã Cũ" (the body that decides), a cell as itself."""
    return "Đảng ủy" + name[len("Đảng bộ") :] if name.startswith("Đảng bộ") else name


def decision_doc(user, unit, year: int, *, number: str = "", decided_on: dt.date | None = None):
    """The decision and its list, or None when nothing of the year is decided under the unit."""
    rows = list(decided_ratings(user, unit, year))
    if not rows:
        return None
    pack = packs.for_year(year)
    decided_on = decided_on or max(r.decided_on for r in rows)
    numbers = {r.decision_no for r in rows if r.decision_no}
    number = number or (numbers.pop() if len(numbers) == 1 else "")
    on = dt.date(year, 12, 31)
    names = {
        v.unit_id: v.name
        for v in UnitVersion.objects.filter(in_force(on), unit_id__in={r.unit_id for r in rows})
    }
    parents = ancestors_on(unit.pk, on)
    # The direct superior (ancestors_on is root first and leaves the unit out).
    superior = parents[-1].name.upper() if parents else ""
    rated = [r for r in rows if not r.not_rated]
    apart = [r for r in rows if r.not_rated]
    by_level = Counter(r.level or "?" for r in rated)
    # The committee as it was on the year's 31/12 (renamed since, it issued under that name).
    then = unit.version_on(on)
    name, kind = (then.name, then.kind) if then is not None else (unit.name, unit.kind)
    issuer = committee_name(name, kind)
    counts = "; ".join(f"{SHORT[lv]}: {by_level[lv]}" for lv in Level.values if by_level.get(lv))
    body = [
        _("Căn cứ Điều lệ Đảng Cộng sản Việt Nam;"),
        _("Căn cứ %(pack)s về kiểm điểm, đánh giá, xếp loại chất lượng;") % {"pack": pack.title},
        _("Xét đề nghị của các chi bộ trực thuộc và kết quả thẩm định,"),
        _("%(issuer)s QUYẾT ĐỊNH:") % {"issuer": issuer},
        _(
            "Điều 1. Công nhận kết quả đánh giá, xếp loại chất lượng năm %(y)s của %(n)d đảng "
            "viên (có danh sách kèm theo), trong đó %(counts)s."
        )
        % {"y": year, "n": len(rated), "counts": counts or _("chưa có mức quy đổi")},
    ]
    if apart:
        body.append(
            _("%(n)d đảng viên không xếp loại theo quy định (ghi riêng trong danh sách).")
            % {"n": len(apart)}
        )
    body.append(
        _(
            "Điều 2. Các chi bộ trực thuộc và các đồng chí có tên tại Điều 1 thi hành quyết "
            "định này."
        )
    )
    table = []
    for i, r in enumerate([*rated, *apart], start=1):
        shown = (
            r.label
            if not r.not_rated
            else _("Không xếp loại: %(why)s") % {"why": str(NotRated(r.not_rated).label).lower()}
        )
        table.append([str(i), r.member.full_name, names.get(r.unit_id, ""), shown])
    return Doc(
        superior=superior,
        issuer=issuer,
        number=_("Số %(n)s") % {"n": number} if number else _("Số      -QĐ/ĐU"),
        place_date=date_line(place_name(name), decided_on),
        doc_type=_("QUYẾT ĐỊNH"),
        summary=_("công nhận kết quả đánh giá, xếp loại chất lượng đảng viên năm %(y)s")
        % {"y": year},
        body=body,
        signatures=[_signature(unit, decided_on, name)],
        recipients=[_("Như Điều 2"), _("Lưu văn phòng đảng ủy")],
        annex_title=[
            _("DANH SÁCH ĐẢNG VIÊN ĐƯỢC ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG NĂM %(y)s") % {"y": year},
            _("(Kèm theo Quyết định %(n)s ngày %(d)s của %(u)s)")
            % {
                "n": _("số %(n)s") % {"n": number} if number else "",
                "d": f"{decided_on:%d/%m/%Y}",
                "u": _body_name(name),
            },
        ],
        annex_header=[_("STT"), _("Họ và tên"), _("Chi bộ"), _("Mức xếp loại")],
        annex_rows=table,
    )
