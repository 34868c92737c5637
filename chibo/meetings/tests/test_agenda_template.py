""" "Lập chương trình theo mẫu" never silently replaces a saved agenda (issue 10, finding 3):
it fills an empty one; a saved one is replaced only after a confirmation that shows both and
says that the notices already sent carry the old agenda."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from chibo.audit.models import AuditLog
from chibo.meetings import preparation
from chibo.meetings.models import Meeting
from tests.world import PASSWORD, make_member

CUSTOM = ["Khai mạc", "Kiểm điểm việc làm đường", "Bế mạc"]


@pytest.fixture
def meeting(world, today):
    cell = world.cells_a[0]
    make_member(cell, "Lò Văn Pọm")
    return Meeting.objects.create(
        unit=cell,
        kind="regular",
        planned_on=today + dt.timedelta(days=5),
        place="Nhà văn hóa",
        starts_at=dt.time(7, 30),
    )


def test_an_empty_agenda_is_filled_at_once(client, world, meeting):
    assert client.login(username=world.official_a.username, password=PASSWORD)
    resp = client.post(reverse("meetings:agenda_template", args=[meeting.pk]))
    assert resp.status_code == 302
    meeting.refresh_from_db()
    assert meeting.agenda == preparation.agenda_template(meeting)


def test_a_saved_agenda_is_replaced_only_when_confirmed(client, world, meeting):
    preparation.prepare(
        actor=world.official_a,
        meeting=meeting,
        place="Nhà văn hóa",
        starts_at=dt.time(7, 30),
        agenda=CUSTOM,
    )
    preparation.send_notices(actor=world.official_a, meeting=meeting)
    meeting.refresh_from_db()
    version = meeting.version
    assert client.login(username=world.official_a.username, password=PASSWORD)
    url = reverse("meetings:agenda_template", args=[meeting.pk])
    ask = client.post(url)
    assert ask.status_code == 200
    page = ask.content.decode()
    assert "Thay chương trình đã có (3 mục) bằng chương trình theo mẫu?" in page
    assert "<li>Kiểm điểm việc làm đường</li>" in page and "<li>Bế mạc</li>" in page
    assert "mang chương trình cũ" in page and "cho 1 người" in page
    meeting.refresh_from_db()
    assert (meeting.agenda, meeting.version) == (CUSTOM, version)  # nothing changed yet
    done = client.post(url, {"replace": "1"}, follow=True)
    meeting.refresh_from_db()
    assert meeting.agenda == preparation.agenda_template(meeting)
    assert "Thông báo đã gửi lúc" in done.content.decode()
    assert "mang chương trình cũ: hãy báo lại chương trình mới" in done.content.decode()


def test_the_service_refuses_to_replace_without_being_told(world, meeting):
    preparation.prepare(
        actor=world.official_a,
        meeting=meeting,
        place="Nhà văn hóa",
        starts_at=dt.time(7, 30),
        agenda=CUSTOM,
    )
    audits = AuditLog.objects.count()
    with pytest.raises(ValidationError) as exc:
        preparation.apply_agenda_template(actor=world.official_a, meeting=meeting)
    assert "đã có chương trình (3 mục)" in exc.value.messages[0]
    meeting.refresh_from_db()
    assert meeting.agenda == CUSTOM and AuditLog.objects.count() == audits
    preparation.apply_agenda_template(actor=world.official_a, meeting=meeting, replace=True)
    meeting.refresh_from_db()
    assert meeting.agenda == preparation.agenda_template(meeting)
