import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from chibo.audit.models import AuditLog
from chibo.core.actors import SYSTEM
from chibo.meetings import holding, papers
from chibo.meetings.models import Meeting, Paper
from chibo.members.models import Seat
from chibo.members.seats import assign_seat
from chibo.org.models import Term
from tests.world import PASSWORD, make_member

DAY = dt.date(2026, 11, 3)


@pytest.fixture
def held(world):
    """A held regular meeting of a 5-member cell: 4 present, 1 excused; a passed vote."""
    cell = world.cells_a[0]
    people = [
        make_member(cell, n)
        for n in ("Lò Văn Pọm", "Quàng Văn Dung", "Lường Văn Xuân", "Cầm Văn Ón", "Vì Văn Sáng")
    ]
    assign_seat(
        actor=SYSTEM,
        unit=cell,
        member=people[0],
        role=Seat.Role.SECRETARY,
        valid_from=dt.date(2025, 1, 1),
    )
    m = Meeting.objects.create(
        unit=cell,
        kind="regular",
        planned_on=DAY,
        place="Nhà văn hóa thôn Đông",
        chair=people[0],
        clerk=people[1],
        agenda=["Khai mạc", "Đánh giá tháng 10", "Nhiệm vụ tháng 11"],
        draft_resolution="1. Thu hoạch lúa mùa.\n2. Thu đảng phí đủ.",
    )
    holding.record_holding(
        actor=SYSTEM,
        meeting=m,
        held_on=DAY,
        started_at=dt.time(7, 30),
        ended_at=dt.time(9, 15),
        quality="good",
    )
    marks = {p.pk: ("present", "") for p in people[:4]}
    marks[people[4].pk] = ("excused", "Đi viện")
    holding.record_attendance(actor=SYSTEM, meeting=m, marks=marks)
    holding.add_speech(actor=SYSTEM, meeting=m, member=people[2], points="Đề nghị làm đường.")
    holding.record_vote(
        actor=SYSTEM, meeting=m, kind="ordinary", title="Nghị quyết tháng 11", yes=4
    )
    return m, people


def _docx_text(content: bytes) -> str:
    from docx import Document

    d = Document(io.BytesIO(content))
    parts = [p.text for p in d.paragraphs]
    for t in d.tables:
        for row in t.rows:
            for c in row.cells:
                parts += [p.text for p in c.paragraphs]
    return "\n".join(parts)


def _pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)


def test_minutes_and_resolution_open_in_word_and_pdf_with_header_number_and_signatures(
    client, held, world
):
    m, people = held
    Term.objects.create(unit=m.unit, label="2025–2030", start=dt.date(2025, 8, 1))
    minutes = papers.draft(actor=world.official_a, meeting=m, kind="minutes")
    assert "Có mặt: 4/5 đồng chí." in minutes.body
    assert "Vắng mặt: 1 đồng chí: Vì Văn Sáng (có lý do: Đi viện)." in minutes.body
    assert "tán thành 4/5" in minutes.body and "Lường Văn Xuân: Đề nghị làm đường." in minutes.body
    papers.issue(actor=world.official_a, paper=minutes)
    resolution = papers.draft(actor=world.official_a, meeting=m, kind="resolution")
    papers.issue(actor=world.official_a, paper=resolution)
    assert client.login(username=world.official_a.username, password=PASSWORD)
    for p, number, signature in (
        (minutes, "Số 01-BB/CB", ("THƯ KÝ", "CHỦ TRÌ", "Quàng Văn Dung", "Lò Văn Pọm")),
        (resolution, "Số 01-NQ/CB", ("T/M CHI BỘ", "BÍ THƯ", "Lò Văn Pọm")),
    ):
        for fmt, read in (("docx", _docx_text), ("pdf", _pdf_text)):
            resp = client.get(reverse("meetings:paper_file", args=[p.pk, fmt]))
            assert resp.status_code == 200
            text = read(resp.content)
            assert "ĐẢNG CỘNG SẢN VIỆT NAM" in text
            assert "CHI BỘ THÔN ĐÔNG" in text and "ĐẢNG BỘ XÃ ĐỒNG TÂM" in text
            assert number in text and "Đồng Tâm, ngày 03 tháng 11 năm 2026" in text
            assert all(s in text for s in signature), (fmt, p.kind)
            assert "DỰ THẢO" not in text
    assert "Có mặt: 4/5" in _pdf_text(
        client.get(reverse("meetings:paper_file", args=[minutes.pk, "pdf"])).content
    )
    assert "CHI BỘ QUYẾT NGHỊ:" in resolution.body and "Thu đảng phí đủ." in resolution.body
    assert "Đảng ủy xã Đồng Tâm (để báo cáo)" in resolution.recipients
    assert AuditLog.objects.filter(action="export.meeting_paper").count() == 5


def test_numbers_run_per_type_and_term_and_restart_with_a_new_term(held, world, today):
    m, people = held
    Term.objects.create(
        unit=m.unit, label="2020–2025", start=dt.date(2020, 8, 1), end=dt.date(2025, 8, 1)
    )
    Term.objects.create(unit=m.unit, label="2025–2030", start=dt.date(2025, 8, 1))
    r1 = papers.issue(actor=SYSTEM, paper=papers.draft(actor=SYSTEM, meeting=m, kind="resolution"))
    assert papers.number_label(r1) == "Số 01-NQ/CB"
    later = Meeting.objects.create(unit=m.unit, kind="regular", planned_on=today)
    # Back in the old term (a 2024 meeting recorded late): its own series, starting at 01.
    old = Meeting.objects.create(unit=m.unit, kind="regular", planned_on=dt.date(2024, 5, 3))
    holding.record_holding(actor=SYSTEM, meeting=old, held_on=old.planned_on)
    holding.record_attendance(
        actor=SYSTEM, meeting=old, marks={p.pk: ("present", "") for p in people}
    )
    holding.record_vote(actor=SYSTEM, meeting=old, kind="ordinary", title="NQ tháng 5", yes=5)
    r_old = papers.issue(
        actor=SYSTEM, paper=papers.draft(actor=SYSTEM, meeting=old, kind="resolution")
    )
    assert r_old.number == 1 and r_old.series != r1.series
    # The next resolution of the current term is 02; minutes have their own series.
    holding.record_holding(actor=SYSTEM, meeting=later, held_on=today)
    holding.record_attendance(
        actor=SYSTEM, meeting=later, marks={p.pk: ("present", "") for p in people}
    )
    holding.record_vote(actor=SYSTEM, meeting=later, kind="ordinary", title="NQ", yes=5)
    r2 = papers.issue(
        actor=SYSTEM, paper=papers.draft(actor=SYSTEM, meeting=later, kind="resolution")
    )
    b1 = papers.issue(actor=SYSTEM, paper=papers.draft(actor=SYSTEM, meeting=later, kind="minutes"))
    assert (r2.number, b1.number) == (2, 1)


def test_an_issued_paper_is_locked_and_corrected_by_an_addendum(held, world, today):
    m, people = held
    r = papers.draft(actor=world.official_a, meeting=m, kind="resolution")
    body = "CHI BỘ QUYẾT NGHỊ:\nNội dung A"
    papers.edit(actor=world.official_a, paper=r, summary="về nhiệm vụ tháng 11", body=body)
    papers.issue(actor=world.official_a, paper=r)
    with pytest.raises(ValidationError):
        papers.edit(actor=world.official_a, paper=r, summary="x", body="Nội dung B")
    r.refresh_from_db()
    assert r.body == body
    a = papers.addendum(actor=world.official_a, paper=r)
    assert a.corrects == r and not a.issued and "Số 01-NQ/CB" in a.summary
    assert papers.addendum(actor=world.official_a, paper=r) == a  # one open addendum at a time
    papers.edit(actor=world.official_a, paper=a, summary=a.summary, body="Sửa mục 2: …")
    a = papers.issue(actor=world.official_a, paper=a)
    # The cell has no recorded term, so numbers run per calendar year; the addendum is issued
    # today: the next number after the original in the meeting's year, else 01 of a new year.
    assert a.number == (2 if today.year == DAY.year else 1)
    assert Paper.objects.get(pk=r.pk).body == body


def test_drafts_need_a_held_meeting_and_a_resolution_a_passed_vote(world):
    cell = world.cells_a[0]
    make_member(cell, "Lò Văn Pọm")
    m = Meeting.objects.create(unit=cell, kind="regular", planned_on=DAY)
    with pytest.raises(ValidationError):
        papers.draft(actor=SYSTEM, meeting=m, kind="minutes")
    holding.record_holding(actor=SYSTEM, meeting=m, held_on=DAY)
    r = papers.draft(actor=SYSTEM, meeting=m, kind="resolution")
    with pytest.raises(ValidationError):
        papers.issue(actor=SYSTEM, paper=r)
    b = papers.draft(actor=SYSTEM, meeting=m, kind="minutes")
    with pytest.raises(ValidationError):  # nobody marked yet
        papers.issue(actor=SYSTEM, paper=b)
    assert not Paper.objects.filter(number__isnull=False).exists()


def test_the_draft_is_edited_in_the_browser_then_issued(client, held, world):
    m, people = held
    assert client.login(username=world.official_a.username, password=PASSWORD)
    resp = client.post(reverse("meetings:paper_start", args=[m.pk, "resolution"]))
    p = Paper.objects.get()
    assert resp["Location"] == reverse("meetings:paper", args=[p.pk])
    page = client.get(resp["Location"]).content.decode()
    assert "DỰ THẢO" not in page and "Số      -NQ/CB" in page
    client.post(
        reverse("meetings:paper_edit", args=[p.pk]),
        {
            "summary": "về nhiệm vụ tháng 11/2026",
            "body": "CHI BỘ QUYẾT NGHỊ:\nĐoạn 1\nĐoạn 2",
            "recipients": "Lưu",
        },
    )
    # "Ban hành" asks first (test_issue_confirm), then the confirmation issues.
    assert (
        "số 01-NQ/CB?" in client.post(reverse("meetings:paper_issue", args=[p.pk])).content.decode()
    )
    p.refresh_from_db()
    client.post(
        reverse("meetings:paper_issue", args=[p.pk]),
        {"confirm": "1", "number": "1", "seen": p.updated_at.isoformat()},
    )
    page = client.get(reverse("meetings:paper", args=[p.pk])).content.decode()
    assert "Số 01-NQ/CB" in page and "Đoạn 2" in page and "Đã ban hành" in page
