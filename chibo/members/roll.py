"""The member roll (Sổ danh sách đảng viên, 7-HSĐV, domain-rules §6.3): 14 columns, for a unit's
subtree as of a date. Like the paper book it keeps everyone who was registered there up to that
date, with the columns of departure, death and leaving filled in; it is built from the events
and placements, so a past date gives the book as it stood then."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

from django.db import transaction
from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl.styles import Alignment, Font

from chibo.audit.exports import Book, counted
from chibo.audit.services import record
from chibo.core.documents import html_to_pdf
from chibo.core.scope import FAR
from chibo.org.models import Unit, UnitAncestry

from . import choices as c
from .departures import shadows_under
from .lifecycle import ENDING, EventKind, effective_events
from .models import Member, MemberEvent, Placement, Transfer

HEADERS = [
    "STT",
    "Họ và tên / tên khai sinh",
    "Nam, nữ; dân tộc; tôn giáo",
    "Quê quán",
    "Văn hóa; lý luận chính trị; chuyên môn; ngoại ngữ",
    "Nghề nghiệp khi vào Đảng / hiện nay",
    "Ngày vào Đảng; ngày chính thức",
    "Số thẻ; số lý lịch; số Huy hiệu",
    "Bộ đội, công an, hưu trí",
    "Ngày chuyển đi, đến đâu",
    "Ngày chuyển đến, từ đâu",
    "Ngày từ trần",
    "Ngày ra khỏi Đảng, hình thức",
    "Ghi chú",
]
ENDING_LABEL = {
    EventKind.STRIKE_OFF: "Xóa tên",
    EventKind.EXPULSION: "Khai trừ",
    EventKind.RESIGNATION: "Xin ra khỏi Đảng",
}


def _d(d: dt.date | None) -> str:
    return f"{d:%d/%m/%Y}" if d else ""


def _join(*parts) -> str:
    return "; ".join(str(p) for p in parts if p not in ("", None))


@dataclass
class RollRow:
    member_id: int
    cells: list[str]


@dataclass
class Stay:
    """A stretch of a home placement while its cell lay in the unit's subtree (the tree of
    those days, not today's)."""

    placement: Placement
    start: dt.date
    end: dt.date | None  # None: still there


def stays(unit: Unit, on: dt.date, *, restate: bool = False) -> dict[int, list[Stay]]:
    """Per member, the stays that began on or before `on`, in order: a home placement overlapping
    a period in which its cell lay under `unit` (UnitAncestry). A cell that moved away takes its
    members out of the book on that day; one that moved in brings them in. With `restate`, the
    explicit other reading: the cells under the unit in today's tree, for all of their past."""
    periods: dict[int, list[tuple]] = {}
    if restate:
        cells = Unit.objects.filter(path__startswith=unit.path).values("pk")
        for cell in cells.values_list("pk", flat=True):
            periods[cell] = [(dt.date.min, None)]
    else:
        cells = UnitAncestry.objects.filter(ancestor=unit, valid_from__lte=on).values("unit_id")
        for cell, start, end in UnitAncestry.objects.filter(
            ancestor=unit, valid_from__lte=on
        ).values_list("unit_id", "valid_from", "valid_to"):
            periods.setdefault(cell, []).append((start, end))
    placements = (
        Placement.objects.filter(
            kind=Placement.Kind.HOME,
            valid_from__lte=on,
            unit_id__in=cells,
        )
        .select_related("unit", "transfer__from_unit")
        .order_by("valid_from", "id")
    )
    out: dict[int, list[Stay]] = {}
    for p in placements:
        for a_start, a_end in periods.get(p.unit_id, []):
            start = max(p.valid_from, a_start)
            end = min(p.valid_to or FAR, a_end or FAR)
            if start < end and start <= on:
                out.setdefault(p.member_id, []).append(Stay(p, start, None if end == FAR else end))
    for member_stays in out.values():
        member_stays.sort(key=lambda st: (st.start, st.placement.pk))
    return out


TODAY_TREE = _("theo cây tổ chức hiện nay")


def rows(unit: Unit, on: dt.date, *, sensitive: bool, restate: bool = False) -> list[RollRow]:
    """The book as it stood on `on`: everyone whose home placement lay in the unit's subtree
    (of those days) at some time up to `on`, with the columns of departure, death and leaving
    filled in from what happened by then. `restate`: restated in today's tree instead, an
    explicit choice that every output labels (TODAY_TREE)."""
    by_member = stays(unit, on, restate=restate)
    first = {pk: st[0] for pk, st in by_member.items()}
    last = {pk: st[-1] for pk, st in by_member.items()}
    members = {m.pk: m for m in Member.objects.in_bulk(list(first)).values()}
    # Those no longer in the book's subtree are shown as they were when they left it (their
    # departure's copy), never with what the next unit has recorded since.

    gone = [members[pk] for pk, st in by_member.items() if all(s.end is not None for s in st)]
    members.update(shadows_under(unit, gone))
    events: dict[int, list] = {}
    for e in MemberEvent.objects.filter(member_id__in=list(first), effective_date__lte=on):
        events.setdefault(e.member_id, []).append(e)
    outgoing = {
        (t.member_id, t.departed_on): t
        for t in Transfer.objects.filter(member_id__in=list(first), departed_on__lte=on).exclude(
            kind=Transfer.Kind.TEMPORARY
        )
    }
    out = []
    order = sorted(first, key=lambda pk: (first[pk].start, members[pk].sort_key, pk))
    for n, pk in enumerate(order, start=1):
        m = members[pk]
        live = effective_events(events.get(pk, []))
        admission = next((e for e in live if e.kind == EventKind.ADMISSION), None)
        recognition = next((e for e in live if e.kind == EventKind.RECOGNITION), None)
        badges = [
            e.data.get("badge_no") or f"{e.data.get('years')} năm"
            for e in live
            if e.kind == EventKind.BADGE
        ]
        death = next((e for e in live if e.kind == EventKind.DEATH), None)
        left = [e for e in live if e.kind in ENDING and e.kind != EventKind.DEATH]
        s_first, s_last = first[pk], last[pk]
        arrived = ""
        came = s_first.placement.transfer
        if s_first.start > s_first.placement.valid_from:  # the cell came into the subtree
            arrived = _join(_d(s_first.start), _("theo sắp xếp tổ chức"))
        elif came is not None and came.kind != Transfer.Kind.INTERNAL:
            arrived = _join(_d(s_first.start), came.from_unit.name)
        departed = ""
        if s_last.end is not None and s_last.end <= on and not (death or left):
            t = outgoing.get((pk, s_last.end))
            if t is not None:
                departed = _join(_d(t.departed_on), t.destination or (t.to_unit or ""))
            elif s_last.placement.valid_to is None or s_last.end < s_last.placement.valid_to:
                departed = _join(_d(s_last.end), _("theo sắp xếp tổ chức"))  # the cell moved
            else:
                departed = _d(s_last.end)
        gender = m.get_gender_display()
        eth = c.ETHNICITY_NAMES.get(m.ethnicity, "")
        rel = m.get_religion_display() if m.religion else ""
        if not sensitive:
            eth, rel = (c.MASK if eth else ""), (c.MASK if rel else "")
        education = (
            f"{m.education_grade}/{m.education_system}" if m.education_grade is not None else ""
        )
        cells = [
            str(n),
            _join(m.full_name, m.birth_name if m.birth_name != m.full_name else ""),
            _join(gender, eth, rel),
            m.hometown,
            _join(
                education,
                m.get_theory_level_display() if m.theory_level else "",
                m.get_qualification_display() if m.qualification else "",
                m.foreign_language,
            ),
            " / ".join(
                x for x in (m.get_occupation_before_display(), m.get_occupation_now_display()) if x
            ),
            _join(
                _d(admission.effective_date if admission else m.admitted_on),
                _d(recognition.effective_date if recognition else None),
            ),
            _join(m.card_no, m.biography_no, ", ".join(b for b in badges if b)),
            m.get_service_flag_display() if m.service_flag else "",
            departed,
            arrived,
            _d(death.effective_date) if death else "",
            _join(_d(left[-1].effective_date), ENDING_LABEL.get(left[-1].kind, "")) if left else "",
            _join(
                _("dự bị") if recognition is None and admission else "",
                _("miễn sinh hoạt")
                if any(e.kind == EventKind.EXEMPTION for e in live)
                and not any(e.kind == EventKind.RETURN_TO_ACTIVITY for e in live)
                else "",
            ),
        ]
        out.append(RollRow(pk, cells))
    return out


def count(unit: Unit, on: dt.date, *, restate: bool = False) -> int:
    """How many rows the book has on `on` (one per member with a stay there), without
    building them."""
    return len(stays(unit, on, restate=restate))


def workbook(
    file: IO[bytes],
    *,
    unit: Unit,
    on: dt.date,
    sensitive: bool,
    restate: bool = False,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Writes the roll as an A4 landscape workbook, ready to print; returns its rows. The
    caller logs the export (audit.jobs.Export: streamed or written by the worker)."""
    data = rows(unit, on, sensitive=sensitive, restate=restate)
    widths = [5, 26, 16, 20, 22, 22, 16, 18, 10, 20, 20, 11, 18, 16]
    wrap = Alignment(wrap_text=True, vertical="top")
    with Book() as book:
        # Printed on A4 landscape, one page wide, the header rows on every page.
        sheet = book.sheet("7-HSĐV", widths=widths, landscape=True, title_rows="4:5")
        sheet.append(["Mẫu 7-HSĐV"])
        sheet.append([f"SỔ DANH SÁCH ĐẢNG VIÊN — {unit.name}"], font=Font(bold=True, size=13))
        sheet.append([f"Tính đến ngày {on:%d/%m/%Y}" + (f" ({TODAY_TREE})" if restate else "")])
        sheet.append(HEADERS, font=Font(bold=True), alignment=wrap)
        sheet.append([f"({i})" for i in range(1, 15)], alignment=wrap)
        n = sheet.extend(counted((r.cells for r in data), progress), alignment=wrap)
        book.save(file)
    return n


def pdf(*, actor, unit: Unit, on: dt.date, sensitive: bool, restate=False) -> HttpResponse:
    """The roll as a PDF on A4 landscape (WeasyPrint, from the same rows); logged."""
    from django.template.loader import render_to_string

    data = rows(unit, on, sensitive=sensitive, restate=restate)
    html = render_to_string(
        "members/roll_pdf.html",
        {"unit": unit, "on": on, "headers": HEADERS, "rows": data, "restate": restate},
    )
    content = html_to_pdf(html)
    with transaction.atomic():
        record(
            actor=actor,
            action="export.roll",
            unit=unit,
            after={"rows": len(data), "on": on.isoformat(), "format": "pdf", "restated": restate},
        )
    resp = HttpResponse(content, content_type="application/pdf")
    resp["Content-Disposition"] = f'attachment; filename="so-danh-sach-dang-vien-{on:%Y%m%d}.pdf"'
    return resp
