"""Agenda numbering is not doubled (issue 10, finding 2): a line the user numbered comes out
numbered once, the same on the meeting page, the printed notice, the notice's text, the
minutes and their Word file."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from hypothesis import assume, given
from hypothesis import strategies as st

from chibo.core.actors import SYSTEM
from chibo.meetings import agenda, holding, papers, preparation
from chibo.meetings.models import Meeting
from tests.world import PASSWORD, make_member

TYPED = (
    "1. Khai mạc\n2) Kiểm điểm\nII. Nhiệm vụ tháng tới\n a) Thu đảng phí 1.5 triệu đồng\n- Bế mạc"
)
ITEMS = ["Khai mạc", "Kiểm điểm", "Nhiệm vụ tháng tới", "Thu đảng phí 1.5 triệu đồng", "Bế mạc"]


@pytest.fixture
def meeting(world, today):
    cell = world.cells_a[0]
    pom = make_member(cell, "Lò Văn Pọm")
    m = Meeting.objects.create(
        unit=cell,
        kind="regular",
        planned_on=today - dt.timedelta(days=1),
        place="Nhà văn hóa",
        starts_at=dt.time(7, 30),
    )
    return m, pom


def _docx_text(content: bytes) -> str:
    from docx import Document

    return "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)


def test_numbered_lines_come_out_numbered_once_everywhere(client, world, meeting):
    m, pom = meeting
    preparation.prepare(actor=world.official_a, meeting=m, place=m.place, agenda=TYPED)
    m.refresh_from_db()
    assert m.agenda == ITEMS
    _subject, notice = preparation.notice_text(m)
    assert "\n".join(f"{i}. {t}" for i, t in enumerate(ITEMS, start=1)) in notice
    holding.record_attendance(actor=SYSTEM, meeting=m, marks={pom.pk: ("present", "")})
    minutes = papers.draft(actor=SYSTEM, meeting=m, kind="minutes")
    assert "2. Kiểm điểm\n3. Nhiệm vụ tháng tới" in minutes.body
    assert client.login(username=world.official_a.username, password=PASSWORD)
    docx = client.get(reverse("meetings:paper_file", args=[minutes.pk, "docx"])).content
    text = _docx_text(docx)
    assert "2. Kiểm điểm" in text and "5. Bế mạc" in text
    for shown in (
        client.get(reverse("meetings:detail", args=[m.pk])).content.decode(),
        client.get(reverse("meetings:print_notice", args=[m.pk])).content.decode(),
    ):
        assert "<li>Kiểm điểm</li>" in shown and "<li>Nhiệm vụ tháng tới</li>" in shown
    for doubled in ("1. 1.", "2. 2)", "3. II.", "4. a)", "5. -"):
        assert doubled not in notice + minutes.body + text


def test_an_agenda_saved_numbered_before_is_numbered_once_too(client, world, meeting):
    m, pom = meeting
    Meeting.objects.filter(pk=m.pk).update(agenda=["1. Khai mạc", "2. Kiểm điểm"])
    m.refresh_from_db()
    _subject, notice = preparation.notice_text(m)
    assert "1. Khai mạc\n2. Kiểm điểm" in notice and "1. 1." not in notice
    holding.record_attendance(actor=SYSTEM, meeting=m, marks={pom.pk: ("present", "")})
    assert "2. Kiểm điểm" in papers.minutes_text(m) and "2. 2." not in papers.minutes_text(m)
    assert client.login(username=world.official_a.username, password=PASSWORD)
    page = client.get(reverse("meetings:detail", args=[m.pk])).content.decode()
    assert "<li>Kiểm điểm</li>" in page


TEXT = st.text(
    alphabet=st.sampled_from("abcdđêơưKĐỆ xyz0123456789.,;:()-"), min_size=1, max_size=30
).map(agenda.item)
MARKER = st.one_of(
    st.integers(1, 40).map(lambda n: f"{n}. "),
    st.integers(1, 40).map(lambda n: f"{n}) "),
    st.integers(1, 40).map(lambda n: f"{n}."),
    st.integers(1, 9).map(lambda n: f"({n}) "),
    st.sampled_from(["I. ", "II. ", "IV) ", "ix. ", "a) ", "b. ", "đ) ", "A. ", "- ", "• ", "+ "]),
    st.integers(1, 9).map(lambda n: f"1.{n}. "),
)


@given(MARKER, TEXT)
def test_a_numbering_mark_is_taken_off_and_only_that(marker, text):
    # "1." glued to a digit is a decimal ("1.5 triệu"), not a mark.
    assume(marker.endswith(" ") or not text[:1].isdigit())
    assert agenda.item(marker + text) == agenda.item(text)
    assert agenda.item(agenda.item(marker + text)) == agenda.item(marker + text)  # idempotent


@given(st.text(max_size=60))
def test_unnumbering_any_line_is_idempotent_and_never_renumbers(line):
    once = agenda.item(line)
    assert agenda.item(once) == once
    assert agenda.numbered([line]) == ([f"1. {once}"] if once else [])


@pytest.mark.parametrize(
    "line", ["3 đảng viên dự bị", "1.5 triệu đồng", "2026: tổng kết", "C.Mác", "Bế mạc"]
)
def test_lines_that_only_start_like_a_number_keep_their_words(line):
    assert agenda.item(line) == line
