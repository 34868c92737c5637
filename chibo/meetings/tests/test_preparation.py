import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from chibo.accounts.choices import Role
from chibo.audit.models import AuditLog
from chibo.core.actors import SYSTEM
from chibo.meetings import preparation
from chibo.meetings.models import Meeting, MeetingDocument, Notice
from chibo.members.services import exempt
from tests.world import PASSWORD, make_member, make_user

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _cell(world):
    cell = world.cells_a[0]
    people = [
        make_member(cell, "Lò Văn Pọm"),
        make_member(cell, "Quàng Thị Dung", gender="f"),
        make_member(cell, "Lường Văn Xuân", recognized=None, admitted=dt.date(2026, 3, 2)),
    ]
    return cell, people


def _meeting(cell, on=dt.date(2026, 12, 3)):
    return Meeting.objects.create(unit=cell, kind="regular", planned_on=on)


def test_the_agenda_template_follows_the_kind_and_lists_party_work(world):
    cell, _people = _cell(world)
    m = _meeting(cell)
    items = preparation.agenda_template(m)
    assert items[0].startswith("Khai mạc")
    assert any("nghị quyết tháng 11/2026" in a for a in items)
    assert any("tháng 12/2026" in a and "Phương hướng" in a for a in items)
    assert any(a.startswith("Thu đảng phí tháng 12/2026") for a in items)
    assert items[-1] == "Bế mạc"
    m.kind, m.topic = "thematic", "Chuyển đổi số"
    items = preparation.agenda_template(m)
    assert "Sinh hoạt chuyên đề: Chuyển đổi số" in items
    assert not any("đảng phí" in a for a in items)


def test_preparation_checks_the_roster_and_is_audited(world):
    cell, people = _cell(world)
    m = _meeting(cell)
    outsider = make_member(world.cells_a[1], "Cầm Văn Ón")
    with pytest.raises(ValidationError):
        preparation.prepare(actor=world.official_a, meeting=m, chair=outsider)
    with pytest.raises(PermissionDenied):
        preparation.prepare(actor=world.viewer_a, meeting=m, place="Nhà văn hóa")
    v = m.version
    preparation.prepare(
        actor=world.official_a,
        meeting=m,
        place="Nhà văn hóa  bản",
        starts_at=dt.time(7, 30),
        chair=people[0],
        clerk=people[1],
        agenda="Khai mạc\n\n  Bế mạc  ",
        draft_resolution="Nghị quyết tháng 12",
    )
    m.refresh_from_db()
    assert m.place == "Nhà văn hóa bản" and m.agenda == ["Khai mạc", "Bế mạc"]
    assert m.version == v + 1 and m.draft_posted_at is not None
    assert AuditLog.objects.filter(action="meetings.prepare").count() == 1


def test_documents_are_checked_and_the_day_before_rule_is_shown(world):
    cell, _people = _cell(world)
    m = _meeting(cell)
    m.starts_at = dt.time(7, 30)
    m.save()
    with pytest.raises(ValidationError):
        preparation.add_document(
            actor=world.official_a,
            meeting=m,
            title="x",
            upload=SimpleUploadedFile("a.exe", b"MZ\x90\x00rest"),
        )
    assert not MeetingDocument.objects.exists()
    early = preparation.add_document(
        actor=world.official_a,
        meeting=m,
        title="Dự thảo báo cáo",
        upload=SimpleUploadedFile("bc.pdf", PDF),
    )
    late = preparation.add_document(
        actor=world.official_a,
        meeting=m,
        title="Tài liệu bổ sung",
        upload=SimpleUploadedFile("bs.pdf", PDF),
    )
    tz = timezone.get_current_timezone()
    MeetingDocument.objects.filter(pk=early.pk).update(
        posted_at=dt.datetime(2026, 12, 1, 20, 0, tzinfo=tz)
    )
    MeetingDocument.objects.filter(pk=late.pk).update(
        posted_at=dt.datetime(2026, 12, 2, 21, 0, tzinfo=tz)
    )
    r = preparation.readiness(m)
    assert r.deadline == dt.datetime(2026, 12, 2, 7, 30, tzinfo=tz)
    assert r.on_time == ["Dự thảo báo cáo"] and r.late == ["Tài liệu bổ sung"]
    assert not r.ok  # a late document, and no notice sent yet
    # Before HD 42 (28/10/2025) there was no such rule: nothing is late.
    old = _meeting(cell, dt.date(2019, 5, 3))
    assert preparation.readiness(old).lead_days is None


def test_notices_reach_members_by_app_email_or_paper_and_the_follower(
    world, django_capture_on_commit_callbacks
):
    cell, people = _cell(world)
    exempt_one = make_member(cell, "Điêu Chính Tươi", birth_year=1940)
    exempt(
        actor=SYSTEM,
        member=exempt_one,
        effective_date=dt.date(2026, 1, 5),
        ground="age",
        resolution_no="01-NQ/CB",
    )
    user = make_user("dv.pom", cell, Role.MEMBER)
    user.email = "pom@example.vn"
    user.save()
    people[0].user = user
    people[0].save()
    app_only = make_user("dv.dung", cell, Role.MEMBER)
    people[1].user = app_only
    people[1].save()
    follower = make_user("theodoi.a", world.commune_a, Role.FOLLOWER)
    follower.email = "theodoi@example.vn"
    follower.save()
    m = _meeting(cell)
    with pytest.raises(ValidationError):  # time and place first
        preparation.send_notices(actor=world.official_a, meeting=m)
    m.starts_at, m.place = dt.time(7, 30), "Nhà văn hóa bản"
    m.save()
    with pytest.raises(PermissionDenied):
        preparation.send_notices(actor=world.viewer_a, meeting=m)
    with django_capture_on_commit_callbacks(execute=True):
        sent = preparation.send_notices(actor=world.official_a, meeting=m)
    assert (sent.in_app, sent.email, sent.paper) == (3, 2, 2)
    by = {n.name: n for n in Notice.objects.filter(meeting=m)}
    assert by["Lò Văn Pọm"].in_app and by["Lò Văn Pọm"].email == "pom@example.vn"
    assert by["Quàng Thị Dung"].in_app and not by["Quàng Thị Dung"].email
    assert by["Lường Văn Xuân"].paper and by["Điêu Chính Tươi"].paper
    assert by["theodoi.a"].follower
    assert sorted(x.to[0] for x in mail.outbox) == ["pom@example.vn", "theodoi@example.vn"]
    assert "Nhà văn hóa bản" in mail.outbox[0].body
    again = preparation.send_notices(actor=world.official_a, meeting=m)
    assert (again.in_app, again.email, again.paper) == (0, 0, 0)
    assert Notice.objects.filter(meeting=m).count() == 5


def test_the_member_sees_the_meeting_and_downloads_its_documents(client, world):
    cell, people = _cell(world)
    user = make_user("dv.pom", None)
    people[0].user = user
    people[0].save()
    m = _meeting(cell, timezone.localdate() + dt.timedelta(days=10))
    m.starts_at, m.place = dt.time(7, 30), "Nhà văn hóa"
    m.save()
    doc = preparation.add_document(
        actor=SYSTEM, meeting=m, title="Dự thảo nghị quyết", upload=SimpleUploadedFile("d.pdf", PDF)
    )
    preparation.send_notices(actor=SYSTEM, meeting=m)
    assert client.login(username="dv.pom", password=PASSWORD)
    page = client.get(reverse("meetings:mine")).content.decode()
    assert "Dự thảo nghị quyết" in page and "Nhà văn hóa" in page
    # No grant on the cell: the notice alone opens the document, and the read is logged.
    resp = client.get(reverse("meetings:document", args=[doc.pk]))
    assert resp.status_code == 200 and b"".join(resp.streaming_content) == PDF
    assert AuditLog.objects.filter(action="export.meeting_document", actor=user).exists()
    other = Meeting.objects.create(unit=world.cells_a[1], kind="regular", planned_on=m.planned_on)
    odoc = preparation.add_document(
        actor=SYSTEM, meeting=other, title="x", upload=SimpleUploadedFile("x.pdf", PDF)
    )
    assert client.get(reverse("meetings:document", args=[odoc.pk])).status_code == 404


def test_the_meeting_page_prints_notices_and_the_attendance_sheet(client, world):
    cell, people = _cell(world)
    m = _meeting(cell)
    m.starts_at, m.place = dt.time(7, 30), "Nhà văn hóa bản"
    m.save()
    assert client.login(username=world.official_a.username, password=PASSWORD)
    client.post(reverse("meetings:agenda_template", args=[m.pk]))
    client.post(reverse("meetings:notices", args=[m.pk]))
    page = client.get(reverse("meetings:detail", args=[m.pk])).content.decode()
    assert "Khai mạc" in page and "giấy mời" in page
    notice = client.get(reverse("meetings:print_notice", args=[m.pk])).content.decode()
    assert notice.count('data-testid="notice-sheet"') == 3  # nobody has an account
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in notice and "Lường Văn Xuân" in notice
    sheet = client.get(reverse("meetings:print_sheet", args=[m.pk])).content.decode()
    assert sheet.count("<td>Dự bị</td>") == 1 and "Quàng Thị Dung" in sheet
    assert (
        AuditLog.objects.filter(
            action__in=["export.meeting_notice", "export.meeting_sheet"]
        ).count()
        == 2
    )


def test_the_member_sees_their_own_attendance_record(client, world):
    from chibo.meetings import holding

    cell, people = _cell(world)
    user = make_user("dv.dung", None)
    people[1].user = user
    people[1].save()
    today = timezone.localdate()
    first, second = dt.date(today.year, 1, 1), today  # this year, both already held
    for day, status in ((first, "present"), (second, "excused")):
        m = _meeting(cell, day)
        holding.record_holding(actor=SYSTEM, meeting=m, held_on=day)
        holding.record_attendance(
            actor=SYSTEM,
            meeting=m,
            marks={people[1].pk: (status, "Ốm" if status == "excused" else "")},
        )
    assert client.login(username="dv.dung", password=PASSWORD)
    page = client.get(reverse("meetings:mine")).content.decode()
    assert f"{second:%d/%m/%Y}" in page and "Vắng có lý do" in page and "Ốm" in page
    assert f"{first:%d/%m/%Y}" in page and "Có mặt" in page


def test_a_notice_opens_only_the_material_and_only_while_the_member_is_there(client, world):
    from chibo.members.transfers import transfer_out

    cell, people = _cell(world)
    user = make_user("dv.pom", None)
    people[0].user = user
    people[0].save()
    m = _meeting(cell, dt.date(2026, 10, 3))
    m.starts_at, m.place = dt.time(7, 30), "Nhà văn hóa"
    m.save()
    doc = preparation.add_document(
        actor=SYSTEM, meeting=m, title="Dự thảo", upload=SimpleUploadedFile("d.pdf", PDF)
    )
    preparation.send_notices(actor=SYSTEM, meeting=m)
    m.held_on = dt.date(2026, 10, 3)
    m.save()
    scan = preparation.add_document(
        actor=SYSTEM,
        meeting=m,
        title="Biên bản đã ký",
        upload=SimpleUploadedFile("s.pdf", PDF),
        kind=MeetingDocument.Kind.SCAN,
    )
    assert client.login(username="dv.pom", password=PASSWORD)
    assert client.get(reverse("meetings:document", args=[doc.pk])).status_code == 200
    assert client.get(reverse("meetings:document", args=[scan.pk])).status_code == 404
    transfer_out(
        actor=SYSTEM,
        member=people[0],
        kind="internal",
        to_unit=world.cells_a[1],
        departed_on=dt.date(2026, 11, 1),
    )
    assert client.get(reverse("meetings:document", args=[doc.pk])).status_code == 404
