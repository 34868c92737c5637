import datetime as dt
import io
import zoneinfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from chibo.accounts.choices import Role
from chibo.audit.models import AuditLog
from chibo.core.actors import SYSTEM
from chibo.meetings import followup, holding
from chibo.meetings.models import FollowUp, Meeting, RaisedMatter, Visit
from chibo.members.models import Seat
from chibo.members.seats import assign_seat
from chibo.org.models import Parameter
from tests.world import PASSWORD, make_member, make_user

TODAY = dt.date(2026, 11, 23)
VN = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def _held(cell, day):
    m = Meeting.objects.create(unit=cell, kind="regular", planned_on=day)
    holding.record_holding(actor=SYSTEM, meeting=m, held_on=day)
    return m


def test_the_role_comes_from_the_committee_seat_and_targets_from_parameters(world):
    cell = world.cells_a[0]
    staff = make_user("uv.xa", world.commune_a, Role.FOLLOWER)
    cadre = make_user("cb.tinh", world.province, Role.FOLLOWER)
    for user, unit, name in (
        (staff, world.commune_a, "Lò Văn Hặc"),
        (cadre, world.province, "Quàng Văn Inh"),
    ):
        m = make_member(world.cells_a[1], name)
        m.user = user
        m.save()
        assign_seat(
            actor=SYSTEM,
            unit=unit,
            member=m,
            role=Seat.Role.COMMITTEE,
            valid_from=dt.date(2025, 8, 1),
        )
    a = followup.assign(
        actor=world.official_a, user=staff, unit=cell, valid_from=dt.date(2026, 1, 1)
    )
    b = followup.assign(
        actor=world.official_a, user=cadre, unit=cell, valid_from=dt.date(2026, 1, 1)
    )
    assert (a.role, b.role) == ("grassroots", "upper")
    nobody = make_user("khong.ghe", world.commune_a, Role.FOLLOWER)
    with pytest.raises(ValidationError):  # no seat: the role must be chosen
        followup.assign(actor=world.official_a, user=nobody, unit=cell, valid_from=TODAY)
    with pytest.raises(ValidationError):  # twice
        followup.assign(actor=world.official_a, user=staff, unit=cell, valid_from=TODAY)
    with pytest.raises(PermissionDenied):
        followup.assign(
            actor=world.viewer_a, user=nobody, unit=cell, valid_from=TODAY, role="upper"
        )
    for day in (dt.date(2026, 2, 3), dt.date(2026, 5, 3), dt.date(2026, 8, 3)):
        m = _held(cell, day)
        followup.set_visit(actor=world.official_a, meeting=m, user=staff)
    followup.set_visit(actor=cadre, meeting=m, user=cadre, note="Chi bộ cần rà soát hộ nghèo")
    rows = {r.follow_up.user.username: r for r in followup.compliance(world.commune_a, 2026, TODAY)}
    assert (rows["uv.xa"].target, rows["uv.xa"].attended) == (6, 3)
    assert rows["uv.xa"].behind  # 10 months gone: at least 5 by now
    assert (rows["cb.tinh"].target, rows["cb.tinh"].attended) == (4, 1)
    assert Visit.objects.get(user=cadre).note == "Chi bộ cần rà soát hộ nghèo"
    # A commune sets its own target for the grassroots role.
    Parameter.objects.create(
        key="follow_up_target_grassroots",
        value=3,
        valid_from=dt.date(2026, 1, 1),
        unit=world.commune_a,
    )
    rows = {r.follow_up.user.username: r for r in followup.compliance(world.commune_a, 2026, TODAY)}
    assert rows["uv.xa"].met and not rows["uv.xa"].behind


def test_visits_need_an_assignment_and_a_held_meeting(world):
    cell = world.cells_a[0]
    f = make_user("theodoi", world.commune_a, Role.FOLLOWER)
    m = _held(cell, dt.date(2026, 3, 3))
    with pytest.raises(ValidationError):
        followup.set_visit(actor=world.official_a, meeting=m, user=f)
    followup.assign(
        actor=SYSTEM, user=f, unit=world.commune_a, valid_from=dt.date(2026, 1, 1), role="upper"
    )
    planned = Meeting.objects.create(unit=cell, kind="regular", planned_on=dt.date(2026, 12, 3))
    with pytest.raises(ValidationError):
        followup.set_visit(actor=f, meeting=planned, user=f)
    other = make_user("nguoi.khac", world.commune_a, Role.FOLLOWER)
    with pytest.raises(PermissionDenied):  # a follower records only their own visit
        followup.set_visit(actor=other, meeting=m, user=f)
    followup.set_visit(actor=f, meeting=m, user=f)
    followup.set_visit(actor=f, meeting=m, user=f)  # twice: one visit
    assert Visit.objects.count() == 1
    followup.set_visit(actor=world.official_a, meeting=m, user=f, present=False)
    assert not Visit.objects.exists()


def test_matters_are_routed_up_and_answered_by_that_level(client, world):
    cell = world.cells_a[0]
    m = _held(cell, dt.date(2026, 10, 3))
    with pytest.raises(ValidationError):  # not above the cell
        followup.raise_matter(
            actor=world.official_a, meeting=m, text="x", routed_to=world.commune_b
        )
    rm = followup.raise_matter(
        actor=world.official_a,
        meeting=m,
        text="Đề nghị xã sửa đường vào bản",
        raised_by="Lò Văn Pọm",
        routed_to=world.commune_a,
    )
    secretary = make_user("bithu", cell, Role.SECRETARY)
    with pytest.raises(PermissionDenied):  # the cell cannot answer for the commune
        followup.answer_matter(actor=secretary, matter=rm, answer="Đã sửa")
    assert client.login(username=world.official_a.username, password=PASSWORD)
    page = client.get(reverse("meetings:matters", args=[world.commune_a.pk])).content.decode()
    assert "Đề nghị xã sửa đường vào bản" in page and "1 ý kiến chưa được trả lời" in page
    client.post(
        reverse("meetings:matter_answer", args=[rm.pk]), {"answer": "Đã đưa vào kế hoạch 2027"}
    )
    rm.refresh_from_db()
    assert rm.answer == "Đã đưa vào kế hoạch 2027" and rm.answered_on is not None
    with pytest.raises(ValidationError):
        followup.answer_matter(actor=world.official_a, matter=rm, answer="lần hai")
    assert AuditLog.objects.filter(action="meetings.matter_answer").count() == 1
    assert RaisedMatter.objects.count() == 1


def test_the_compliance_page_and_its_export(client, world):
    f = make_user("theodoi", world.commune_a, Role.FOLLOWER)
    FollowUp.objects.create(
        user=f, unit=world.cells_a[0], role="upper", valid_from=dt.date(2026, 1, 1)
    )
    assert client.login(username=world.official_a.username, password=PASSWORD)
    url = reverse("meetings:follow_up", args=[world.commune_a.pk])
    page = client.get(url, {"year": "2026"}).content.decode()
    assert "theodoi" in page and "0</strong> / 4" in page
    xl = client.get(url, {"year": "2026", "format": "xlsx"})
    assert xl.status_code == 200
    rows = list(load_workbook(io.BytesIO(xl.getvalue())).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("Người theo dõi", "Vai trò", "Tổ chức được theo dõi")
    assert rows[1][2:5] == ("Chi bộ thôn Đông", 4, 0) and len(rows) == 2
    (log,) = AuditLog.objects.filter(action="export.follow_up")
    assert log.after == {"rows": 1, "filters": {"year": 2026}}


def test_only_the_cells_followers_can_be_named_for_a_visit(client, world):
    cell = world.cells_a[0]
    m = _held(cell, dt.date(2026, 3, 3))
    stranger = make_user("nguoi.ngoai", world.commune_b, Role.FOLLOWER)
    assert client.login(username=world.official_a.username, password=PASSWORD)
    url = reverse("meetings:visit", args=[m.pk])
    assert client.post(url, {"user": stranger.pk}).status_code == 404
    assert client.post(url, {"user": 999999}).status_code == 404
    assert not Visit.objects.exists()


def test_the_matters_page_reads_through_the_gate_in_the_tree_of_the_meetings_day(
    client, world, clock, today
):
    """A cell moves from commune A to commune B: the matter raised at its meeting while it was
    A's stays on A's page (A's history, as it was then) and never shows on B's, although the
    cell lies under B today; an assignment that ended while it was A's is not B's to rewrite."""
    from chibo.org.services import MoveUnit
    from tests.world import decision

    south = world.cells_a[2]
    day = today - dt.timedelta(days=180)
    m = _held(south, day)
    clock.move_to(dt.datetime.combine(day, dt.time(10, 0), tzinfo=VN))  # written at the meeting
    followup.raise_matter(
        actor=SYSTEM, meeting=m, text="Đề nghị làm cầu treo qua suối", routed_to=south
    )
    clock.move_to(dt.datetime.combine(today, dt.time(9, 0), tzinfo=VN))
    f = FollowUp.objects.create(
        user=make_user("theodoi", world.commune_a, Role.FOLLOWER),
        unit=south,
        role="upper",
        valid_from=day - dt.timedelta(days=100),
        valid_to=day + dt.timedelta(days=30),
    )
    moved = today - dt.timedelta(days=120)
    MoveUnit(decision(moved, "21"), unit=south, new_parent=world.commune_b).execute(actor=SYSTEM)
    assert client.login(username=world.official_b.username, password=PASSWORD)
    page = client.get(reverse("meetings:matters", args=[world.commune_b.pk])).content.decode()
    assert "Đề nghị làm cầu treo qua suối" not in page
    on = (day - dt.timedelta(days=50)).isoformat()
    end = client.post(reverse("meetings:follow_up_end", args=[f.pk]), {"on": on})
    assert end.status_code == 404
    f.refresh_from_db()
    assert f.valid_to == day + dt.timedelta(days=30)
    client.logout()
    assert client.login(username=world.official_a.username, password=PASSWORD)
    page = client.get(reverse("meetings:matters", args=[world.commune_a.pk])).content.decode()
    assert "Đề nghị làm cầu treo qua suối" in page and "1 ý kiến chưa được trả lời" in page
