import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from chibo.audit.models import AuditLog
from chibo.core.actors import SYSTEM
from chibo.meetings import holding, preparation
from chibo.meetings.models import Attendance, Meeting, MeetingDocument, Vote
from chibo.members.services import exempt
from chibo.members.transfers import transfer_out
from tests.world import PASSWORD, make_member

DAY = dt.date(2026, 11, 3)
JPEG = b"\xff\xd8\xff\xe0" + b"0" * 64


@pytest.fixture
def cell(world):
    """Huổi Lụ-like cell: 7 official members (one exempt, one away on a temporary transfer),
    2 probationary, and one member of a neighbouring cell attached here temporarily."""
    c = world.cells_a[0]
    names = [
        "Lò Văn Pọm",
        "Quàng Thị Dung",
        "Lường Văn Xuân",
        "Cầm Văn Ón",
        "Tòng Thị Phương",
        "Điêu Chính Tươi",
        "Vì Văn Sáng",
    ]
    official = [
        make_member(c, n, gender="f" if "Thị" in n else "m", birth_year=1950) for n in names
    ]
    exempt(
        actor=SYSTEM,
        member=official[5],
        effective_date=dt.date(2026, 1, 5),
        ground="age",
        resolution_no="01-NQ/CB",
    )
    transfer_out(
        actor=SYSTEM,
        member=official[6],
        kind="temporary",
        reason="residence_work",
        departed_on=dt.date(2026, 9, 1),
        expected_return=dt.date(2027, 3, 1),
        to_unit=world.cells_a[1],
    )
    prob = [
        make_member(c, "Lò Thị Hoa", gender="f", admitted=dt.date(2026, 2, 3), recognized=None),
        make_member(c, "Sùng A Chứ", admitted=dt.date(2026, 4, 3), recognized=None),
    ]
    guest = make_member(world.cells_a[2], "Hà Văn Khánh")
    transfer_out(
        actor=SYSTEM,
        member=guest,
        kind="temporary",
        reason="residence_work",
        departed_on=dt.date(2026, 8, 1),
        expected_return=dt.date(2027, 2, 1),
        to_unit=c,
    )
    return c, official, prob, guest


def test_the_roster_of_the_day_is_frozen_with_each_standing(cell, world):
    c, official, prob, guest = cell
    m = Meeting.objects.create(unit=c, kind="regular", planned_on=DAY)
    rows = {a.member.full_name: a for a in holding.attendance(m)}
    assert len(rows) == 10
    assert rows["Điêu Chính Tươi"].exempt and rows["Vì Văn Sáng"].away
    assert not rows["Lò Thị Hoa"].official and rows["Hà Văn Khánh"].guest_member
    # Later events do not change who was expected that day.
    exempt(
        actor=SYSTEM,
        member=official[0],
        effective_date=dt.date(2026, 11, 10),
        ground="age",
        resolution_no="02-NQ/CB",
    )
    assert not {a.member.full_name: a for a in holding.attendance(m)}["Lò Văn Pọm"].exempt


def test_attendance_needs_a_reason_for_an_excused_absence_and_is_audited(cell, world):
    c, official, prob, guest = cell
    m = Meeting.objects.create(unit=c, kind="regular", planned_on=DAY)
    with pytest.raises(ValidationError):
        holding.record_attendance(
            actor=world.official_a, meeting=m, marks={official[1].pk: ("excused", "")}
        )
    with pytest.raises(PermissionDenied):
        holding.record_attendance(
            actor=world.viewer_a, meeting=m, marks={official[1].pk: ("present", "")}
        )
    outsider = make_member(world.cell_b, "Nông Văn Dền")
    with pytest.raises(ValidationError):
        holding.record_attendance(
            actor=world.official_a, meeting=m, marks={outsider.pk: ("present", "")}
        )
    assert not Attendance.objects.exclude(status="").exists()
    n = holding.record_attendance(
        actor=world.official_a,
        meeting=m,
        marks={
            official[0].pk: ("present", "ignored"),
            official[1].pk: ("excused", "Đi viện"),
            official[2].pk: ("unexcused", ""),
        },
    )
    assert n == 3
    a = Attendance.objects.get(meeting=m, member=official[0])
    assert a.status == "present" and a.reason == ""
    assert AuditLog.objects.filter(action="meetings.attendance").count() == 1
    future = Meeting.objects.create(unit=c, kind="regular", planned_on=dt.date(2099, 1, 3))
    with pytest.raises(ValidationError):
        holding.record_attendance(
            actor=world.official_a, meeting=future, marks={official[0].pk: ("present", "")}
        )
    assert not future.attendance.exists()  # the future roster is not frozen


def _held(cell, world, present):
    c, official, prob, guest = cell
    m = Meeting.objects.create(unit=c, kind="regular", planned_on=DAY)
    holding.record_holding(
        actor=world.official_a,
        meeting=m,
        held_on=DAY,
        started_at=dt.time(7, 30),
        ended_at=dt.time(9, 0),
        quality="good",
    )
    marks = {a.member_id: ("unexcused", "") for a in holding.attendance(m)}
    marks.update({p.pk: ("present", "") for p in present})
    holding.record_attendance(actor=world.official_a, meeting=m, marks=marks)
    return m


def test_votes_use_the_counted_base_and_the_rule_of_their_kind(cell, world):
    c, official, prob, guest = cell
    # Present: 4 official (not the exempt one), both probationary, the guest member.
    m = _held(cell, world, official[:4] + prob + [guest])
    # Base: 7 official − 1 away − 1 exempt absent = 5; voters: the 4 present.
    v = holding.record_vote(
        actor=world.official_a, meeting=m, kind="ordinary", title="Nghị quyết tháng 11", yes=3
    )
    assert (v.base, v.required, v.passed, v.abstain) == (5, 3, True, 1)
    assert "1 sinh hoạt tạm thời nơi khác" in v.rule["explanation"]
    assert "1 miễn sinh hoạt vắng mặt" in v.rule["explanation"]
    assert "2 đảng viên dự bị" in v.rule["explanation"]
    with pytest.raises(ValidationError):  # 5 hands, 4 voters: probationary members do not vote
        holding.record_vote(actor=world.official_a, meeting=m, kind="ordinary", title="x", yes=5)
    for attempt in (1, 2, 3):
        v = holding.record_vote(
            actor=world.official_a,
            meeting=m,
            kind="recognition",
            title="Xét công nhận đảng viên chính thức",
            subject_member=prob[0],
            yes=3,
            no=1,
        )
        assert v.required == 4 and not v.passed and v.attempt == attempt
    assert v.escalated and "cấp ủy cấp trên" in v.rule["explanation"]
    ok = holding.record_vote(
        actor=world.official_a,
        meeting=m,
        kind="admission",
        title="Xét kết nạp",
        subject_name="Lò  Văn Thành",
        yes=4,
    )
    assert ok.passed and ok.subject_name == "Lò Văn Thành" and ok.attempt == 1
    with pytest.raises(ValidationError):
        holding.record_vote(
            actor=world.official_a, meeting=m, kind="admission", title="Xét kết nạp", yes=4
        )
    assert Vote.objects.filter(meeting=m).count() == 5
    assert AuditLog.objects.filter(action="meetings.vote").count() == 5


def test_times_guests_speakers_and_the_minimum_length(cell, world):
    c, official, prob, guest = cell
    m = _held(cell, world, official[:5])
    assert holding.length(m).minutes == 90 and not holding.length(m).short
    with pytest.raises(ValidationError):
        holding.record_holding(
            actor=world.official_a,
            meeting=m,
            held_on=DAY,
            started_at=dt.time(9, 0),
            ended_at=dt.time(8, 0),
        )
    m.kind = "combined"
    m.save()
    assert holding.length(m).short  # 90 < 120 for a combined meeting
    with pytest.raises(ValidationError):
        holding.add_speech(actor=world.official_a, meeting=m, points="", member=official[0])
    s = holding.add_speech(
        actor=world.official_a, meeting=m, points="Đề nghị sửa đường", member=official[0]
    )
    assert s.name == "Lò Văn Pọm"
    g = holding.add_speech(
        actor=world.official_a, meeting=m, points="Ý kiến của đảng ủy xã", name="Đ/c Vàng A Dơ"
    )
    assert g.member is None
    scan = preparation.add_document(
        actor=world.official_a,
        meeting=m,
        title="Biên bản đã ký",
        upload=SimpleUploadedFile("bb.jpg", JPEG),
        kind=MeetingDocument.Kind.SCAN,
    )
    assert scan.content_type == "image/jpeg"


def test_the_holding_page_on_a_phone_records_attendance_and_a_vote(client, cell, world):
    c, official, prob, guest = cell
    m = Meeting.objects.create(unit=c, kind="regular", planned_on=DAY)
    assert client.login(username=world.official_a.username, password=PASSWORD)
    page = client.get(reverse("meetings:hold", args=[m.pk])).content.decode()
    # The cell's own nine (the member attached here is not one of them: issue 10).
    assert "Tổng số 9 đảng viên của chi bộ (7 chính thức, 2 dự bị), 1 miễn sinh hoạt." in page
    assert "1 sinh hoạt tạm thời nơi khác." in page
    body = {f"s{p.pk}": "present" for p in official[:5]}
    body[f"s{official[5].pk}"] = "excused"
    body[f"r{official[5].pk}"] = "Ốm"
    client.post(reverse("meetings:attendance", args=[m.pk]), body)
    client.post(
        reverse("meetings:holding", args=[m.pk]),
        {"held_on": "2026-11-03", "started_at": "07:30", "ended_at": "08:40", "quality": "fair"},
    )
    client.post(
        reverse("meetings:vote", args=[m.pk]),
        {"kind": "ordinary", "title": "Nghị quyết tháng 11", "yes": "4", "no": "1"},
    )
    page = client.get(reverse("meetings:hold", args=[m.pk])).content.decode()
    # The exempt member who sent word is not expected (rules.summoned): 5 of 5 marked, the
    # two probationary members not marked yet.
    assert "Có mặt 5/5 đồng chí; vắng có lý do 0; vắng không lý do 0. Chưa điểm danh 2." in page
    assert "Thời lượng 70 phút." in page and "Chưa đạt tối thiểu 90 phút" in page
    assert "Tán thành 4/5 (80,0%); cần hơn 1/2, tức ít nhất 3." in page
    assert Meeting.objects.get(pk=m.pk).quality == "fair"


def test_the_roster_is_that_of_the_day_held_and_follows_a_corrected_date(world):
    c = world.cells_a[0]
    first = make_member(c, "Lò Văn Pọm")
    m = Meeting.objects.create(unit=c, kind="regular", planned_on=dt.date(2026, 6, 3))
    assert not holding.attendance(m)[0].pk  # not held yet: the planned day's roster, unsaved
    late = make_member(c, "Quàng Văn Mới", placed=dt.date(2026, 6, 5))
    holding.record_holding(actor=SYSTEM, meeting=m, held_on=dt.date(2026, 6, 4))
    holding.record_attendance(actor=SYSTEM, meeting=m, marks={first.pk: ("present", "")})
    assert {a.member_id for a in m.attendance.all()} == {first.pk}
    # Postponed to the 10th: the newcomer is on the roster, Pọm's mark is kept.
    holding.record_holding(actor=SYSTEM, meeting=m, held_on=dt.date(2026, 6, 10))
    rows = {a.member_id: a.status for a in m.attendance.all()}
    assert rows == {first.pk: "present", late.pk: ""}
    holding.record_vote(actor=SYSTEM, meeting=m, kind="ordinary", title="NQ", yes=1)
    with pytest.raises(ValidationError):  # voted: the day is fixed
        holding.record_holding(actor=SYSTEM, meeting=m, held_on=dt.date(2026, 6, 11))


def test_failed_votes_count_since_the_last_pass_in_date_order(cell, world):
    c, official, prob, guest = cell
    meetings = []
    for day in (dt.date(2026, 8, 3), dt.date(2026, 9, 3), dt.date(2026, 10, 3)):
        m = Meeting.objects.create(unit=c, kind="regular", planned_on=day)
        holding.record_holding(actor=SYSTEM, meeting=m, held_on=day)
        holding.record_attendance(
            actor=SYSTEM, meeting=m, marks={p.pk: ("present", "") for p in official[:5]}
        )
        meetings.append(m)

    def vote(m, yes):
        return holding.record_vote(
            actor=SYSTEM,
            meeting=m,
            kind="recognition",
            title="Xét",
            subject_member=prob[0],
            yes=yes,
        )

    assert vote(meetings[2], 1).attempt == 1  # October, recorded first
    assert vote(meetings[0], 1).attempt == 1  # August, recorded late: nothing before it
    assert vote(meetings[1], 5).passed  # September passed
    assert vote(meetings[2], 1).attempt == 2  # October had one failure after the pass
    with pytest.raises(ValidationError):  # an official member cannot be "recognized"
        holding.record_vote(
            actor=SYSTEM,
            meeting=meetings[2],
            kind="recognition",
            title="Xét",
            subject_member=official[0],
            yes=5,
        )
