"""One count of who was present and out of whom (issue 10, finding 2): the cell's own members
summoned on the meeting's day, with members attached here temporarily and guests listed
apart; the page, the minutes, the resolution, the API and the statistics all say the same."""

import datetime as dt

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chibo.core.actors import SYSTEM
from chibo.meetings import holding, papers, rules, stats
from chibo.meetings.models import Attendance, Meeting
from chibo.members.transfers import transfer_out
from tests.world import PASSWORD, make_member

OWN = [
    "Lò Văn Pọm",
    "Quàng Văn Dung",
    "Lường Văn Xuân",
    "Cầm Văn Ón",
    "Tòng Văn Phương",
    "Điêu Chính Tươi",
    "Vì Văn Sáng",
    "Hoàng Văn Tiến",
    "Lò Văn Hặc",
    "Quàng Văn Inh",
    "Lường Văn Khiêm",
    "Cầm Văn Lả",
]


@pytest.fixture
def day(today):
    return today - dt.timedelta(days=10)


@pytest.fixture
def cell(world, day):
    """Thirteen members of the cell's own (one of them attached to another cell for now) and
    one member of a neighbouring cell attached here."""
    c = world.cells_a[0]
    own = [make_member(c, n) for n in OWN]
    away = make_member(c, "Sùng A Chứ")
    transfer_out(
        actor=SYSTEM,
        member=away,
        kind="temporary",
        reason="residence_work",
        departed_on=day - dt.timedelta(days=60),
        expected_return=day + dt.timedelta(days=120),
        to_unit=world.cells_a[1],
    )
    guest = make_member(world.cells_a[2], "Hà Văn Khánh")
    transfer_out(
        actor=SYSTEM,
        member=guest,
        kind="temporary",
        reason="residence_work",
        departed_on=day - dt.timedelta(days=60),
        expected_return=day + dt.timedelta(days=120),
        to_unit=c,
    )
    return c, own, away, guest


@pytest.fixture
def held(cell, day):
    """Ten of the twelve present, one excused, one absent without reason, the attached member
    present, a guest from the commune."""
    c, own, away, guest = cell
    m = Meeting.objects.create(unit=c, kind="regular", planned_on=day, chair=own[0], clerk=own[1])
    holding.record_holding(
        actor=SYSTEM, meeting=m, held_on=day, guests="Đồng chí Vàng A Dơ, Đảng ủy xã"
    )
    marks = {p.pk: ("present", "") for p in own[:10]}
    marks[own[10].pk] = ("excused", "Ốm")
    marks[own[11].pk] = ("unexcused", "")
    marks[guest.pk] = ("present", "")
    holding.record_attendance(actor=SYSTEM, meeting=m, marks=marks)
    holding.record_vote(actor=SYSTEM, meeting=m, kind="ordinary", title="Nghị quyết tháng", yes=9)
    return m


def test_the_count_is_the_cells_own_roster_with_the_attached_and_guests_apart(cell, held):
    c, own, away, guest = cell
    n = holding.attendance_count(held)
    assert (len(n.present), n.of) == (10, 12)
    assert [a.member.full_name for a in n.excused] == ["Lường Văn Khiêm"]
    assert [a.reason for a in n.excused] == ["Ốm"]
    assert [a.member.full_name for a in n.unexcused] == ["Cầm Văn Lả"]
    assert [a.member.full_name for a in n.attached] == ["Hà Văn Khánh"]
    assert [a.member.full_name for a in n.away] == ["Sùng A Chứ"]
    assert n.guests == ["Đồng chí Vàng A Dơ, Đảng ủy xã"]
    assert (n.roll, n.official) == (13, 13)


def test_the_minutes_and_the_resolution_say_ten_of_twelve_not_eleven_of_thirteen(held):
    minutes = papers.draft(actor=SYSTEM, meeting=held, kind="minutes").body
    assert "11/13" not in minutes
    assert "- Có mặt: 10/12 đồng chí." in minutes
    assert (
        "- Vắng mặt: 2 đồng chí: Lường Văn Khiêm (có lý do: Ốm); Cầm Văn Lả (không lý do)."
        in minutes
    )
    assert "- Dự sinh hoạt tạm thời: 1 đồng chí: Hà Văn Khánh." in minutes
    assert "- Khách mời: Đồng chí Vàng A Dơ, Đảng ủy xã." in minutes
    assert "sinh hoạt tạm thời nơi khác: 1 đồng chí" in minutes
    resolution = papers.draft(actor=SYSTEM, meeting=held, kind="resolution").body
    assert "có 10/12 đồng chí đảng viên dự họp" in resolution
    assert "11/13" not in resolution


def test_minutes_drafted_before_the_attendance_say_so(cell, day):
    c, own, away, guest = cell
    m = Meeting.objects.create(unit=c, kind="regular", planned_on=day)
    holding.record_holding(actor=SYSTEM, meeting=m, held_on=day)
    body = papers.minutes_text(m)
    assert "- Có mặt: chưa điểm danh." in body and "0/0" not in body
    assert "- Chưa điểm danh: 12 đồng chí:" in body


def test_the_page_and_the_api_give_the_same_count(client, world, held):
    assert client.login(username=world.official_a.username, password=PASSWORD)
    page = client.get(reverse("meetings:hold", args=[held.pk])).content.decode()
    assert "Có mặt 10/12 đồng chí; vắng có lý do 1; vắng không lý do 1." in page
    assert "Dự sinh hoạt tạm thời: 1 đồng chí." in page
    body = client.get(f"/api/v1/meetings/{held.pk}").json()
    count = body["count"]
    assert (count["present"], count["of"]) == (10, 12)
    assert [p["name"] for p in count["excused"]] == ["Lường Văn Khiêm"]
    assert count["excused"][0]["reason"] == "Ốm"
    assert [p["name"] for p in count["unexcused"]] == ["Cầm Văn Lả"]
    assert [p["name"] for p in count["attached"]] == ["Hà Văn Khánh"]
    assert [p["name"] for p in count["away"]] == ["Sùng A Chứ"]
    assert count["guests"] == ["Đồng chí Vàng A Dơ, Đảng ủy xã"]


def test_the_statistics_of_one_meeting_are_the_count(cell, held, day, today):
    """Even when the member attached elsewhere came home that day (present, but not summoned
    here: the statistics counted them among the present and not among the expected)."""
    c, own, away, guest = cell
    holding.record_attendance(actor=SYSTEM, meeting=held, marks={away.pk: ("present", "")})
    n = holding.attendance_count(held)
    row = next(r for r in stats.year_report(c, day.year, today).rows if r.unit_id == c.pk)
    assert (row.present, row.expected) == (len(n.present), n.of) == (10, 12)


# The flags a roster row can carry, and the marks; a row attached here is never also away.
SEAT = st.fixed_dictionaries(
    {
        "official": st.booleans(),
        "exempt": st.booleans(),
        "suspended": st.booleans(),
        "where": st.sampled_from(["home", "away", "attached"]),
        "status": st.sampled_from(["", "present", "excused", "unexcused"]),
    }
)


@pytest.fixture
def eight(world):
    return [make_member(world.cells_a[0], f"Lò Văn Thử{i}") for i in range(8)]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(SEAT, min_size=1, max_size=8))
def test_for_any_attendance_the_statistics_count_as_the_function(world, eight, today, seats):
    cell = world.cells_a[0]
    Meeting.objects.filter(unit=cell).delete()
    m = Meeting.objects.create(
        unit=cell, kind="regular", planned_on=today, held_on=today - dt.timedelta(days=1)
    )
    Attendance.objects.bulk_create(
        Attendance(
            meeting=m,
            member=member,
            status=s["status"],
            reason="Ốm" if s["status"] == "excused" else "",
            official=s["official"],
            exempt=s["exempt"],
            suspended=s["suspended"],
            away=s["where"] == "away",
            guest_member=s["where"] == "attached",
        )
        for member, s in zip(eight, seats, strict=False)
    )
    n = holding.attendance_count(m)
    row = next(
        (r for r in stats.year_report(cell, m.held_on.year, today).rows if r.unit_id == cell.pk),
        None,
    )
    present, expected = (row.present, row.expected) if row else (0, 0)
    assert (present, expected) == (len(n.present), n.of)
    # The quorum on the page counts the same people (the unmarked are still expected).
    quorum = rules.quorum(holding.seats(holding.attendance(m)), m.held_on)
    assert (quorum.present, quorum.summoned) == (len(n.present), n.of + len(n.unmarked))
    # The count itself: the present are among those counted, the rest are accounted for.
    assert n.of == len(n.present) + len(n.excused) + len(n.unexcused)
    listed = (
        n.present
        + n.excused
        + n.unexcused
        + n.unmarked
        + n.attached_absent
        + n.attached
        + n.away
        + n.suspended
        + n.exempt_absent
    )
    assert sorted(a.member_id for a in listed) == sorted(
        m.attendance.values_list("member_id", flat=True)
    )
