"""No typed work lost on the papers (issue 10, finding 3): "Ban hành" saves what is on the
screen, then asks with the number the paper will take; a resolution with nothing under
"CHI BỘ QUYẾT NGHỊ:" is refused; a vote that passed is written into the draft's decisions."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from chibo.audit.models import AuditLog
from chibo.core.actors import SYSTEM
from chibo.meetings import decisions, holding, papers
from chibo.meetings.models import Meeting, Paper
from tests.world import PASSWORD, make_member

TYPED = (
    "CHI BỘ QUYẾT NGHỊ:\n1. Làm xong đường vào bản trước Tết.\n2. Mỗi đảng viên trồng 50 cây keo."
)


@pytest.fixture
def people(world):
    cell = world.cells_a[0]
    return [
        make_member(cell, n)
        for n in ("Lò Văn Pọm", "Quàng Văn Dung", "Lường Văn Xuân", "Cầm Văn Ón", "Vì Văn Sáng")
    ]


def _meeting(world, people, day, draft=""):
    m = Meeting.objects.create(
        unit=world.cells_a[0], kind="regular", planned_on=day, draft_resolution=draft
    )
    holding.record_holding(actor=SYSTEM, meeting=m, held_on=day)
    holding.record_attendance(
        actor=SYSTEM, meeting=m, marks={p.pk: ("present", "") for p in people}
    )
    return m


@pytest.fixture
def voted(world, people, today):
    """Held with nothing drafted beforehand; the resolution passed 4/5."""
    m = _meeting(world, people, today - dt.timedelta(days=3))
    holding.record_vote(
        actor=SYSTEM, meeting=m, kind="ordinary", title="Tập trung làm đường vào bản", yes=4
    )
    return m


def _seen(paper) -> str:
    """The mark the confirmation carries: the draft as it stood when asked."""
    paper.refresh_from_db()
    return paper.updated_at.isoformat()


def _docx_text(content: bytes) -> str:
    from docx import Document

    d = Document(io.BytesIO(content))
    cells = [p.text for t in d.tables for row in t.rows for c in row.cells for p in c.paragraphs]
    return "\n".join([p.text for p in d.paragraphs] + cells)


def test_issuing_saves_the_typed_text_then_asks_with_the_number(client, world, voted):
    r = papers.draft(actor=world.official_a, meeting=voted, kind="resolution")
    assert client.login(username=world.official_a.username, password=PASSWORD)
    url = reverse("meetings:paper_issue", args=[r.pk])
    # Typed into "Nội dung", then "Ban hành" without "Lưu dự thảo".
    typed = {"summary": "về làm đường vào bản", "body": TYPED, "recipients": "Lưu chi bộ"}
    ask = client.post(url, typed)
    assert ask.status_code == 200
    page = ask.content.decode()
    assert "Ban hành Nghị quyết số 01-NQ/CB?" in page
    assert "Sau khi ban hành không sửa được nữa" in page
    r.refresh_from_db()
    assert not r.issued and r.body == TYPED and r.summary == "về làm đường vào bản"
    assert not AuditLog.objects.filter(action="meetings.paper_issue").exists()
    # The confirmation posts the number it showed (and the text it showed).
    done = client.post(url, {**typed, "confirm": "1", "number": "1", "seen": ask.context["seen"]})
    assert done.status_code == 302
    r.refresh_from_db()
    assert r.issued and papers.number_label(r) == "Số 01-NQ/CB" and r.body == TYPED
    text = _docx_text(client.get(reverse("meetings:paper_file", args=[r.pk, "docx"])).content)
    assert "Mỗi đảng viên trồng 50 cây keo." in text and "Số 01-NQ/CB" in text


def test_a_number_taken_meanwhile_is_asked_again(client, world, people, voted):
    first = papers.draft(actor=world.official_a, meeting=voted, kind="resolution")
    other = _meeting(world, people, voted.held_on)  # same year, same numbering series
    holding.record_vote(actor=SYSTEM, meeting=other, kind="ordinary", title="Nghị quyết", yes=5)
    second = papers.draft(actor=world.official_a, meeting=other, kind="resolution")
    assert client.login(username=world.official_a.username, password=PASSWORD)
    url = reverse("meetings:paper_issue", args=[first.pk])
    assert "số 01-NQ/CB?" in client.post(url).content.decode()
    papers.issue(actor=world.official_a, paper=second)  # another office takes 01 meanwhile
    first.refresh_from_db()
    again = client.post(url, {"confirm": "1", "number": "1", "seen": _seen(first)})
    assert again.status_code == 200
    page = again.content.decode()
    assert "Ban hành Nghị quyết số 02-NQ/CB?" in page and "01-NQ/CB vừa được dùng" in page
    first.refresh_from_db()
    assert not first.issued
    client.post(url, {"confirm": "1", "number": "2", "seen": _seen(first)})
    first.refresh_from_db()
    assert first.number == 2


def test_a_resolution_with_no_decision_is_refused_and_keeps_what_was_typed(client, world, voted):
    r = papers.draft(actor=world.official_a, meeting=voted, kind="resolution")
    empty = "Căn cứ Điều lệ Đảng;\nCHI BỘ QUYẾT NGHỊ:\n\nNghị quyết được 4/5 đảng viên chính thức."
    assert client.login(username=world.official_a.username, password=PASSWORD)
    for confirm in ({}, {"confirm": "1", "number": "1"}):
        if confirm:
            confirm["seen"] = _seen(r)
        resp = client.post(
            reverse("meetings:paper_issue", args=[r.pk]),
            {"summary": "về nhiệm vụ", "body": empty + "\nGhi chú của thư ký", **confirm},
        )
        assert resp.status_code == 400
        page = resp.content.decode()
        assert "chưa có nội dung" in page and "Ghi chú của thư ký" in page  # typed text kept
    r.refresh_from_db()
    assert not r.issued
    with pytest.raises(ValidationError):
        papers.issue(actor=world.official_a, paper=r)
    papers.edit(actor=SYSTEM, paper=r, summary="về nhiệm vụ", body="Không có mục quyết nghị")
    with pytest.raises(ValidationError):  # no heading at all: no decision either
        papers.issue(actor=world.official_a, paper=r)
    assert not Paper.objects.filter(number__isnull=False).exists()


def test_a_refused_save_shows_the_typed_text_back(client, world, voted):
    r = papers.draft(actor=world.official_a, meeting=voted, kind="resolution")
    before = r.body
    assert client.login(username=world.official_a.username, password=PASSWORD)
    resp = client.post(
        reverse("meetings:paper_edit", args=[r.pk]), {"summary": "", "body": "Đoạn mới gõ"}
    )
    assert resp.status_code == 400
    page = resp.content.decode()
    assert "Trích yếu và nội dung không được để trống." in page and "Đoạn mới gõ" in page
    r.refresh_from_db()
    assert r.body == before
    # Saving the same text twice writes nothing the second time.
    papers.edit(actor=SYSTEM, paper=r, summary="về nhiệm vụ", body="CHI BỘ QUYẾT NGHỊ:\nA.")
    papers.edit(actor=SYSTEM, paper=r, summary="về nhiệm vụ", body="CHI BỘ QUYẾT NGHỊ:\nA.")
    assert AuditLog.objects.filter(action="meetings.paper_edit").count() == 1


def test_the_passed_vote_is_the_decision_of_a_resolution_drafted_after_it(voted):
    body = papers.draft(actor=SYSTEM, meeting=voted, kind="resolution").body
    assert decisions.of(body)[0] == "Tập trung làm đường vào bản."
    assert "Nghị quyết được 4/5 đảng viên chính thức được tính tán thành." in body


def test_a_vote_passed_after_the_draft_is_written_into_it(world, people, today):
    m = _meeting(world, people, today - dt.timedelta(days=3))
    r = papers.draft(actor=SYSTEM, meeting=m, kind="resolution")
    assert decisions.of(r.body) == []  # drafted before any vote: nothing decided yet
    holding.record_vote(actor=SYSTEM, meeting=m, kind="ordinary", title="Nghị quyết", yes=2)
    r.refresh_from_db()
    assert decisions.of(r.body) == []  # 2/5 did not pass: nothing written
    holding.record_vote(actor=SYSTEM, meeting=m, kind="ordinary", title="Làm đường vào bản", yes=4)
    r.refresh_from_db()
    assert decisions.of(r.body) == ["Làm đường vào bản."]
    lines = r.body.splitlines()
    assert lines.index("CHI BỘ QUYẾT NGHỊ:") < lines.index("Làm đường vào bản.")
    assert lines.index("Làm đường vào bản.") < lines.index(
        "Nghị quyết được 4/5 đảng viên chính thức được tính tán thành."
    )
    assert lines[-1].endswith("có trách nhiệm thực hiện nghị quyết này.")
    holding.record_vote(
        actor=SYSTEM,
        meeting=m,
        kind="admission",
        title="Xét kết nạp",
        subject_name="Lò Văn Thành",
        yes=4,
    )
    r.refresh_from_db()
    assert decisions.of(r.body)[-1] == (
        "Đề nghị cấp ủy cấp trên xem xét kết nạp vào Đảng đối với Lò Văn Thành."
    )
    assert r.body.count("Nghị quyết được") == 1
    assert AuditLog.objects.filter(action="meetings.paper_edit").count() == 2
    papers.issue(actor=SYSTEM, paper=r)
    body = r.body
    holding.record_vote(actor=SYSTEM, meeting=m, kind="ordinary", title="Việc khác", yes=4)
    r.refresh_from_db()
    assert r.body == body  # issued: locked, an addendum corrects it


def test_drafted_decisions_are_kept_and_numbered_on(world, people, today):
    m = _meeting(
        world, people, today - dt.timedelta(days=3), draft="1. Thu hoạch lúa.\n2. Thu phí."
    )
    r = papers.draft(actor=SYSTEM, meeting=m, kind="resolution")
    holding.record_vote(actor=SYSTEM, meeting=m, kind="ordinary", title="Nghị quyết tháng", yes=4)
    holding.record_vote(actor=SYSTEM, meeting=m, kind="ordinary", title="Sửa nhà văn hóa", yes=5)
    r.refresh_from_db()
    # The first resolution adopts the drafted decisions; the second adds its own, numbered on.
    assert decisions.of(r.body) == ["1. Thu hoạch lúa.", "2. Thu phí.", "3. Sửa nhà văn hóa."]
    assert "Nghị quyết được 4/5" in r.body


def test_a_draft_changed_after_the_confirmation_was_drawn_is_asked_again(client, world, voted):
    # The question shows the draft as saved; if it changes before the answer (another editor,
    # a vote's decision written in), the answer must not overwrite it with the older text.
    r = papers.draft(actor=world.official_a, meeting=voted, kind="resolution")
    assert client.login(username=world.official_a.username, password=PASSWORD)
    url = reverse("meetings:paper_issue", args=[r.pk])
    typed = {"summary": "về làm đường vào bản", "body": TYPED, "recipients": "Lưu chi bộ"}
    ask = client.post(url, typed)
    seen = ask.context["seen"]
    assert f'name="seen" value="{seen}"' in ask.content.decode()
    newer = TYPED + "\n3. Sửa lại máng nước đầu bản."
    r.refresh_from_db()
    papers.edit(actor=world.official_a, paper=r, summary=r.summary, body=newer, recipients="")
    again = client.post(url, {**typed, "confirm": "1", "number": "1", "seen": seen})
    assert again.status_code == 200
    assert "Dự thảo đã thay đổi sau khi bạn xem" in again.content.decode()
    r.refresh_from_db()
    assert not r.issued and r.body == newer  # nothing overwritten, nothing issued
    done = client.post(url, {"confirm": "1", "number": "1", "seen": again.context["seen"]})
    assert done.status_code == 302
    r.refresh_from_db()
    assert r.issued and r.body == newer


def test_an_answer_without_the_questions_mark_issues_nothing(client, world, voted):
    # A hand-made POST of confirm=1 with new text and no "seen" (found by a probe): it is asked
    # again, and neither the text nor the number is taken.
    r = papers.draft(actor=world.official_a, meeting=voted, kind="resolution")
    before = _seen(r)
    assert client.login(username=world.official_a.username, password=PASSWORD)
    url = reverse("meetings:paper_issue", args=[r.pk])
    resp = client.post(url, {"confirm": "1", "number": "1", "summary": "chưa ai xem"})
    assert resp.status_code == 200 and "Ban hành Nghị quyết số 01-NQ/CB?" in resp.content.decode()
    r.refresh_from_db()
    assert not r.issued and r.summary != "chưa ai xem" and _seen(r) == before
    # With the mark, the posted text is not what is issued either: the draft as it was shown.
    client.post(url, {"confirm": "1", "number": "1", "seen": before, "summary": "chưa ai xem"})
    r.refresh_from_db()
    assert r.issued and r.summary != "chưa ai xem"
