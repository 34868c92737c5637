"""Demo meetings (seed 003: the cell meets on the 3rd of every month), placed around the demo's
today: Huổi Lụ 1's plan for last year, this year and next, with every regular meeting held so far
except the one three months ago (the plan page shows that gap), a thematic meeting in every ended
quarter but the last one (so the last ended quarter is short); the last meeting held with its
attendance, speakers and vote; the next one prepared and notified; a follower who came to the
March and June meetings only (behind the 4 a year of seed 002)."""

from __future__ import annotations

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile

from chibo.accounts.models import User
from chibo.core.actors import SYSTEM
from chibo.meetings import followup, holding, preparation, selectors, services
from chibo.meetings.models import Meeting, MeetingKind
from chibo.members.models import Seat
from chibo.members.seats import seats_on
from chibo.org.models import Unit

THEMATIC_TOPICS = (
    "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
    "Phát triển kinh tế đồi rừng gắn với bảo vệ rừng đầu nguồn",
    "Nâng cao chất lượng sinh hoạt chi bộ ở bản vùng cao",
    "Giữ gìn an ninh trật tự, phòng chống ma túy ở bản",
)


def months_back(today: dt.date, n: int) -> tuple[int, int]:
    """(year, month) of the month n months before today's."""
    k = today.year * 12 + today.month - 1 - n
    return k // 12, k % 12 + 1


def missed_month(today: dt.date) -> tuple[int, int]:
    """The month whose regular meeting the demo cell did not hold."""
    return months_back(today, 3)


def short_quarter(today: dt.date) -> tuple[int, int]:
    """(year, quarter) of the last ended quarter: no thematic meeting was held in it."""
    k = today.year * 4 + (today.month - 1) // 3 - 1
    return k // 4, k % 4 + 1


def build(U: dict[str, Unit], today: dt.date) -> None:
    cell = Unit.objects.get(pk=U["cell:Đảng bộ xã Quảng Lâm:Chi bộ bản Huổi Lụ 1"].pk)
    services.set_meeting_day(actor=SYSTEM, unit=cell, day=3, valid_from=dt.date(2025, 1, 1))
    missed = missed_month(today)
    for year in (today.year - 1, today.year):
        for m in services.plan_year(actor=SYSTEM, unit=cell, year=year):
            if m.planned_on < today and (m.planned_on.year, m.planned_on.month) != missed:
                services.mark_held(actor=SYSTEM, meeting=m, held_on=m.planned_on)
    short = short_quarter(today)
    n = 0
    for year in (today.year - 1, today.year):
        for quarter in range(1, 5):
            held = dt.date(year, 3 * quarter - 1, 17)  # mid-quarter
            if (year, quarter) >= short or held >= today:
                continue
            m = services.add_meeting(
                actor=SYSTEM,
                unit=cell,
                kind=MeetingKind.THEMATIC,
                planned_on=held,
                topic=THEMATIC_TOPICS[n % len(THEMATIC_TOPICS)],
            )
            services.mark_held(actor=SYSTEM, meeting=m, held_on=held)
            n += 1
    services.plan_year(actor=SYSTEM, unit=cell, year=today.year + 1)
    _last_held(cell, today)
    _next_prepared(cell, today)
    _follow_up(cell, today)


def _follow_up(cell: Unit, today: dt.date) -> None:
    """Seed 002: the commune's follower owes the cell 4 meetings a year; they came to the March
    and June meetings only (so the compliance page shows them behind). Seed 001: an opinion
    raised in the cell, routed to the commune committee and waiting for its answer."""
    follower = User.objects.get(username="theodoi.quanglam")
    followup.assign(
        actor=SYSTEM,
        user=follower,
        unit=cell,
        valid_from=dt.date(today.year - 1, 1, 1),
        role="upper",
        decision_no="15-QĐ/ĐU",
    )
    held = list(
        Meeting.objects.filter(
            unit=cell, kind=MeetingKind.REGULAR, held_on__year__gte=today.year - 1
        ).order_by("held_on")
    )
    for m in [x for x in held if x.held_on.month in (3, 6)]:
        followup.set_visit(
            actor=SYSTEM,
            meeting=m,
            user=follower,
            note="Chi bộ sinh hoạt đúng quy trình; cần nêu rõ việc của từng đảng viên.",
        )
    last = held[-1] if held else None
    if last is not None and last.held_on < today:
        followup.raise_matter(
            actor=SYSTEM,
            meeting=last,
            text="Đề nghị xã hỗ trợ sửa đoạn đường vào bản bị sạt lở sau mưa lũ.",
            raised_by="Nhân dân bản Huổi Lụ 1 (qua tổ đảng)",
            routed_to=_parent(cell),
        )


def _parent(cell: Unit) -> Unit:
    return Unit.objects.get_parent(cell)


def _chair_and_clerk(cell: Unit, on: dt.date, people: list):
    """The cell's secretary chairs (HD 42); the next member on the roster keeps the minutes."""
    head = next((s.member for s in seats_on(cell, on) if s.role == Seat.Role.SECRETARY), None)
    chair = head if head in people else (people[0] if people else None)
    clerk = next((p for p in people if p != chair), None)
    return chair, clerk


def _last_held(cell: Unit, today: dt.date) -> None:
    m = (
        Meeting.objects.filter(unit=cell, kind=MeetingKind.REGULAR, held_on__lt=today)
        .order_by("-held_on")
        .first()
    )
    if m is None:
        return
    rows = holding.attendance(m)
    chair, clerk = _chair_and_clerk(cell, m.planned_on, [a.member for a in rows])
    preparation.prepare(
        actor=SYSTEM,
        meeting=m,
        place="Nhà văn hóa bản Huổi Lụ 1",
        starts_at=dt.time(7, 30),
        chair=chair,
        clerk=clerk,
        agenda=preparation.agenda_template(m),
        draft_resolution=(
            "1. Tập trung thu hoạch lúa nương, bảo quản lương thực.\n"
            "2. Phối hợp tổ bảo vệ rừng tuần tra rừng đầu nguồn.\n"
            "3. Vận động con em trong bản đi học đầy đủ."
        ),
    )
    marks = {a.member_id: ("present", "") for a in rows if not a.away and not a.exempt}
    # Two of the others were away (the chair and the clerk are there: a meeting needs them).
    leading = {getattr(chair, "pk", None), getattr(clerk, "pk", None)}
    absent = [a for a in rows if a.member_id in marks and a.member_id not in leading][-2:]
    if len(absent) == 2:
        marks[absent[0].member_id] = ("excused", "Đi làm nương xa")
        marks[absent[1].member_id] = ("unexcused", "")
    holding.record_attendance(actor=SYSTEM, meeting=m, marks=marks)
    holding.record_holding(
        actor=SYSTEM,
        meeting=m,
        held_on=m.held_on,
        started_at=dt.time(7, 30),
        ended_at=dt.time(9, 15),
        guests="Đồng chí cấp ủy viên phụ trách bản (Đảng ủy xã Quảng Lâm)",
        conclusion="Chi bộ thống nhất tập trung thu hoạch lúa nương, bảo vệ rừng đầu nguồn.",
        quality="good",
    )
    present = [a.member for a in rows if marks.get(a.member_id, ("",))[0] == "present"]
    holding.add_speech(
        actor=SYSTEM,
        meeting=m,
        member=present[0],
        points="Báo cáo kết quả thực hiện nghị quyết tháng trước; bản đã hoàn thành làm đường.",
    )
    holding.add_speech(
        actor=SYSTEM,
        meeting=m,
        member=present[1],
        points="Đề nghị xã hỗ trợ giống lúa nương vụ tới.",
    )
    voters = sum(1 for a in rows if a.official and marks.get(a.member_id, ("",))[0] == "present")
    holding.record_vote(
        actor=SYSTEM,
        meeting=m,
        kind="ordinary",
        title=f"Nghị quyết tháng {m.held_on.month}/{m.held_on.year}",
        yes=voters,
    )


def _draft_docx() -> bytes:
    from docx import Document

    doc = Document()
    doc.add_heading("Dự thảo báo cáo kết quả tháng", level=1)
    doc.add_paragraph("Thu hoạch lúa nương đạt kế hoạch; bảo vệ rừng đầu nguồn; thu đảng phí đủ.")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _next_prepared(cell: Unit, today: dt.date) -> None:
    m = (
        Meeting.objects.filter(
            unit=cell, kind=MeetingKind.REGULAR, held_on__isnull=True, planned_on__gte=today
        )
        .order_by("planned_on")
        .first()
    )
    if m is None:
        return
    m.place = "Nhà văn hóa bản Huổi Lụ 1"
    m.starts_at = dt.time(7, 30)
    m.save(update_fields=["place", "starts_at"])
    people = [r.member for r in selectors.roster(cell, m.planned_on)]
    chair, clerk = _chair_and_clerk(cell, m.planned_on, people)
    preparation.prepare(
        actor=SYSTEM,
        meeting=m,
        place=m.place,
        starts_at=m.starts_at,
        chair=chair,
        clerk=clerk,
        agenda=preparation.agenda_template(m),
        draft_resolution=(
            "1. Hoàn thành thu hoạch lúa nương, chuẩn bị vụ đông.\n"
            "2. Tuyên truyền nhân dân không đốt nương làm rẫy trái phép.\n"
            "3. Thu đảng phí tháng đầy đủ, đúng hạn."
        ),
    )
    preparation.add_document(
        actor=SYSTEM,
        meeting=m,
        title="Dự thảo báo cáo kết quả tháng",
        upload=SimpleUploadedFile("bao-cao.docx", _draft_docx()),
    )
    preparation.send_notices(actor=SYSTEM, meeting=m)
