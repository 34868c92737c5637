"""The chair (chủ trì) and the clerk (thư ký) of a meeting are there (issue 10, finding 2): the
attendance refuses them as absent, and the preparation refuses an absent member as either, with
a Vietnamese message and nothing changed — the same service behind the page and the API."""

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from chibo.audit.models import AuditLog
from chibo.meetings import holding, preparation
from chibo.meetings.models import Attendance, Meeting
from tests.world import PASSWORD, make_member


@pytest.fixture
def meeting(world, today):
    cell = world.cells_a[0]
    people = [
        make_member(cell, n)
        for n in ("Lò Văn Pọm", "Quàng Văn Dung", "Lường Văn Xuân", "Cầm Văn Ón")
    ]
    m = Meeting.objects.create(
        unit=cell,
        kind="regular",
        planned_on=today - dt.timedelta(days=2),
        chair=people[0],
        clerk=people[1],
    )
    return m, people


def _unchanged(m: Meeting, version: int) -> None:
    m.refresh_from_db()
    assert m.version == version and m.held_on is None
    assert not Attendance.objects.filter(meeting=m).exclude(status="").exists()
    assert not AuditLog.objects.filter(action="meetings.attendance").exists()


@pytest.mark.parametrize(
    ("who", "status", "words"),
    [(0, "excused", "chủ trì"), (0, "unexcused", "chủ trì"), (1, "excused", "thư ký")],
)
def test_the_chair_or_the_clerk_marked_absent_is_refused(world, meeting, who, status, words):
    m, people = meeting
    marks = {p.pk: ("present", "") for p in people}
    marks[people[who].pk] = (status, "Đi họp huyện" if status == "excused" else "")
    with pytest.raises(ValidationError) as exc:
        holding.record_attendance(actor=world.official_a, meeting=m, marks=marks)
    assert people[who].full_name in exc.value.messages[0] and words in exc.value.messages[0]
    _unchanged(m, 1)


def test_the_page_and_the_api_refuse_it_too(client, world, meeting):
    m, people = meeting
    assert client.login(username=world.official_a.username, password=PASSWORD)
    body = {f"s{p.pk}": "present" for p in people}
    body[f"s{people[0].pk}"] = "unexcused"
    page = client.post(reverse("meetings:attendance", args=[m.pk]), body, follow=True)
    assert "Lò Văn Pọm là chủ trì cuộc họp" in page.content.decode()
    api = client.post(
        f"/api/v1/meetings/{m.pk}/attendance",
        data=json.dumps(
            {"marks": [{"member_id": people[1].pk, "status": "excused", "reason": "Ốm"}]}
        ),
        content_type="application/json",
    )
    assert api.status_code == 422 and "thư ký" in json.dumps(api.json(), ensure_ascii=False)
    _unchanged(m, 1)


def test_the_others_are_marked_and_an_absent_member_cannot_be_made_chair(world, meeting):
    m, people = meeting
    marks = {p.pk: ("present", "") for p in people[:3]}
    marks[people[3].pk] = ("excused", "Ốm")
    assert holding.record_attendance(actor=world.official_a, meeting=m, marks=marks) == 4
    m.refresh_from_db()
    version = m.version
    for role in ("chair", "clerk"):
        with pytest.raises(ValidationError) as exc:
            preparation.prepare(
                actor=world.official_a,
                meeting=m,
                chair=people[3] if role == "chair" else people[0],
                clerk=people[3] if role == "clerk" else people[1],
            )
        assert "Cầm Văn Ón" in exc.value.messages[0] and "vắng mặt" in exc.value.messages[0]
    m.refresh_from_db()
    assert (m.version, m.chair_id, m.clerk_id) == (version, people[0].pk, people[1].pk)
    assert not AuditLog.objects.filter(action="meetings.prepare").exists()
