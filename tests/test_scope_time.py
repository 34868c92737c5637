"""The read gate over time (issue 9): a grant counts only while it is active today; while
active it covers what lay under its unit (or a lineage predecessor, in that predecessor's own
period) on each date, whatever the grant's own dates; a member only for the overlap of their
placements with those periods."""

import datetime as dt

import pytest
from django.test import RequestFactory

from chibo.accounts.choices import Role
from chibo.accounts.models import User
from chibo.audit.models import AuditLog
from chibo.audit.services import record
from chibo.core import scope
from chibo.core.actors import SYSTEM
from chibo.meetings.models import Meeting, MeetingDocument, Paper
from chibo.members.models import Member, Transfer
from chibo.members.transfers import transfer_out
from chibo.org.choices import UnitKind
from chibo.org.models import Unit
from chibo.org.services import DissolveUnit, MergeUnits, MoveUnit, UnitSpec
from tests.world import decision, make_member, make_unit, make_user

D = dt.date(2024, 3, 1)  # the day a cell moves from commune A to commune B
BEFORE, AFTER = dt.date(2023, 6, 1), dt.date(2025, 6, 1)


def visible(model, user, **kw) -> set[int]:
    return set(model.objects.restrict(user, **kw).values_list("pk", flat=True))


@pytest.fixture
def moved(world):
    """Commune A's first cell moves to commune B on D; a member placed there before D, one
    after; a meeting before D and one after."""
    cell = world.cells_a[0]
    early = make_member(cell, "Lò Văn Sớm", placed=dt.date(2020, 1, 1))
    MoveUnit(decision(D), unit=cell, new_parent=world.commune_b).execute(actor=SYSTEM)
    late = make_member(Unit.objects.get(pk=cell.pk), "Lò Văn Muộn", placed=dt.date(2024, 5, 1))
    m_before = Meeting.objects.create(unit=cell, kind="regular", planned_on=BEFORE, held_on=BEFORE)
    m_after = Meeting.objects.create(unit=cell, kind="regular", planned_on=AFTER, held_on=AFTER)
    world.extra.update(cell=cell, early=early, late=late, m_before=m_before, m_after=m_after)
    return world


def test_a_cell_that_moved_out_is_visible_to_the_old_commune_up_to_the_move_only(moved):
    w, a = moved, moved.official_a
    cell = w.extra["cell"]
    assert cell.pk in visible(Unit, a, on=D - dt.timedelta(days=1))
    assert cell.pk not in visible(Unit, a, on=D)
    assert cell.pk in visible(Unit, a)  # its history (names, the old link) stays reachable
    assert visible(Meeting, a) == {w.extra["m_before"].pk}
    # The member placed before the move: visible (for that period); the one placed after: not.
    assert w.extra["early"].pk in visible(Member, a)
    assert w.extra["late"].pk not in visible(Member, a)
    assert w.extra["early"].pk in visible(Member, a, on=D - dt.timedelta(days=1))
    assert w.extra["early"].pk not in visible(Member, a, on=D)


def test_a_cell_that_moved_in_is_visible_to_the_new_commune_from_the_move_only(moved):
    w, b = moved, moved.official_b
    cell = w.extra["cell"]
    assert cell.pk not in visible(Unit, b, on=D - dt.timedelta(days=1))
    assert cell.pk in visible(Unit, b, on=D)
    assert visible(Meeting, b) == {w.extra["m_after"].pk}
    assert {w.extra["early"].pk, w.extra["late"].pk} <= visible(Member, b)
    # Documents and papers follow their meeting.
    doc = MeetingDocument.objects.create(
        meeting=w.extra["m_before"], title="x", file="x.pdf", content_type="application/pdf", size=1
    )
    paper = Paper.objects.create(
        meeting=w.extra["m_after"], kind="minutes", issuer=cell, summary="s", body="b"
    )
    assert visible(MeetingDocument, b) == set() and visible(MeetingDocument, w.official_a) == {
        doc.pk
    }
    assert visible(Paper, b) == {paper.pk} and visible(Paper, w.official_a) == set()


def test_the_member_visible_periods_are_the_overlap_with_the_scope(moved):
    w = moved
    early = w.extra["early"]
    cell = w.extra["cell"].pk
    assert scope.visible_periods(w.official_a, early) == [(cell, dt.date(2020, 1, 1), D)]
    assert scope.visible_periods(w.official_b, early) == [(cell, D, None)]
    assert scope.visible_periods(w.admin, early) is None


def test_an_ended_grant_shows_nothing_and_a_grant_from_tomorrow_nothing_yet(world, today):
    cell = world.cells_a[0]
    m = make_member(cell, "Quàng Văn Hết")
    meeting = Meeting.objects.create(unit=cell, kind="regular", planned_on=dt.date(2025, 3, 3))
    ended = make_user("het.han", world.commune_a, Role.OFFICIAL, valid_to=today)
    tomorrow = make_user(
        "ngay.mai", world.commune_a, Role.OFFICIAL, valid_from=today + dt.timedelta(days=1)
    )
    for u in (ended, tomorrow):
        assert visible(Unit, u) == set()
        assert visible(Member, u) == set()
        assert visible(Meeting, u) == set()
        assert not scope.can(u, "view", cell) and not scope.can(u, "view", m)
        assert not scope.can(u, "view", meeting)
        assert visible(User, u) == {u.pk}  # their own account only


def test_a_new_grant_shows_history_before_its_own_start(world, today):
    """The grant's dates never narrow the history: a secretary appointed today reads 2020."""
    m = make_member(world.cells_a[0], "Lò Thị Cũ", gender="f", placed=dt.date(2020, 1, 1))
    newcomer = make_user("moi.nhan", world.commune_a, Role.VIEWER, valid_from=today)
    assert m.pk in visible(Member, newcomer, on=dt.date(2021, 1, 1))
    assert world.cells_a[0].pk in visible(Unit, newcomer, on=dt.date(2020, 6, 1))


def test_the_other_communes_of_a_dissolved_district_stay_hidden_from_a_successor(db):
    p = make_unit(None, UnitKind.PROVINCE, "Tỉnh Thử")
    district = make_unit(p, UnitKind.DISTRICT, "Huyện Cũ")
    a = make_unit(district, UnitKind.GRASSROOTS_COMMITTEE, "Đảng bộ xã A")
    b = make_unit(district, UnitKind.GRASSROOTS_COMMITTEE, "Đảng bộ xã B")
    c = make_unit(district, UnitKind.GRASSROOTS_COMMITTEE, "Đảng bộ xã C")
    cell_b = make_unit(b, UnitKind.CELL, "Chi bộ bản B1")
    make_member(cell_b, "Giàng A Bê")
    reform = dt.date(2025, 7, 1)
    merged = MergeUnits(
        decision(reform),
        sources=[a, c],
        new_spec=UnitSpec(kind=UnitKind.COMMUNE, name="Xã Mới", grassroots_type="commune"),
        new_parent=p,
    )
    merged.execute(actor=SYSTEM)
    MoveUnit(decision(reform), unit=Unit.objects.get(pk=b.pk), new_parent=p).execute(actor=SYSTEM)
    DissolveUnit(decision(reform), unit=Unit.objects.get(pk=district.pk)).execute(actor=SYSTEM)
    official = make_user("xa.moi", merged.target, Role.OFFICIAL, valid_from=reform)
    seen = visible(Unit, official)
    assert {a.pk, c.pk, merged.target.pk} <= seen
    assert b.pk not in seen and cell_b.pk not in seen and district.pk not in seen
    assert visible(Member, official) == set()


def test_transfers_by_side_and_date(world):
    m = make_member(world.cells_a[0], "Lường Văn Đi")
    t = transfer_out(
        actor=SYSTEM,
        member=m,
        kind=Transfer.Kind.OFFICIAL,
        to_unit=world.cell_b,
        departed_on=dt.date(2025, 6, 2),
    )
    assert visible(Transfer, world.official_a, via="sending") == {t.pk}
    assert visible(Transfer, world.official_a, via="receiving") == set()
    assert visible(Transfer, world.official_b, via="receiving") == {t.pk}
    assert visible(Transfer, world.official_b, via="sending") == set()


def test_audit_rows_by_the_unit_they_are_filed_under_on_their_day(moved):
    w = moved
    cell = Unit.objects.get(pk=w.extra["cell"].pk)
    row = record(actor=w.admin, action="test.row", obj=cell, unit=cell)
    viewer_b = make_user("xem.b", w.commune_b, Role.VIEWER)
    assert row.pk in visible(AuditLog, viewer_b)  # filed today: the cell is B's now
    assert row.pk not in visible(AuditLog, w.viewer_a)


def test_can_costs_one_query_once_the_coverage_is_known(world, django_assert_num_queries):
    cell = world.cells_a[0]
    request = RequestFactory().get("/")

    def view(_request):
        assert scope.can(world.official_a, "view", cell)  # coverage (1) + the check (1)
        with django_assert_num_queries(1):
            assert scope.can(world.official_a, "view", world.cells_a[1])
        with django_assert_num_queries(1):
            assert not scope.can(world.official_a, "view", world.cell_b)
        with django_assert_num_queries(0):
            scope.coverage(world.official_a, "view")
        from django.http import HttpResponse

        return HttpResponse()

    scope.ScopeCacheMiddleware(view)(request)


def test_the_old_commune_cannot_open_today_or_change_a_cell_that_moved_away(moved, client):
    """Found by a probe: a moved-away cell's page, roll and list answered the old commune with
    today's members, and its writes (a rename, an event, an account on it) went through."""
    import json

    from tests.world import PASSWORD

    w = moved
    cell, early = w.extra["cell"], w.extra["early"]
    assert client.login(username=w.official_a.username, password=PASSWORD)
    before = (D - dt.timedelta(days=1)).isoformat()
    assert client.get(f"/org/unit/{cell.pk}/").status_code == 404
    assert client.get(f"/org/unit/{cell.pk}/?on={before}").status_code == 200
    assert client.get(f"/members/roll/{cell.pk}/").status_code == 404
    assert client.get(f"/members/roll/{cell.pk}/?on={before}").status_code == 200
    assert client.get(f"/api/v1/members/?unit_id={cell.pk}").status_code == 404
    rename = {
        "kind": "rename",
        "unit_id": cell.pk,
        "name": "Đổi tên",
        "effective_date": dt.date.today().isoformat(),
        "decision_no": "1-QĐ",
        "issuer": "Đảng ủy xã",
    }
    resp = client.post(
        "/api/v1/units/restructure/apply", json.dumps(rename), content_type="application/json"
    )
    assert resp.status_code in (403, 404)
    event = {"kind": "card", "effective_date": dt.date.today().isoformat(), "card_no": "7"}
    resp = client.post(
        f"/api/v1/members/{early.pk}/events", json.dumps(event), content_type="application/json"
    )
    assert resp.status_code in (403, 404)
    account = {
        "username": "lot.vao",
        "full_name": "Lọt Vào",
        "unit_id": cell.pk,
        "role": "official",
    }
    resp = client.post("/api/v1/accounts/", json.dumps(account), content_type="application/json")
    assert resp.status_code in (403, 404) and not User.objects.filter(username="lot.vao").exists()
    assert Unit.objects.get(pk=cell.pk).name == cell.name


def test_a_cell_acquired_later_shows_no_earlier_book_to_the_new_commune(moved, client):
    from tests.world import PASSWORD

    w = moved
    cell = w.extra["cell"]
    assert client.login(username=w.official_b.username, password=PASSWORD)
    before = (D - dt.timedelta(days=1)).isoformat()
    assert client.get(f"/members/roll/{cell.pk}/?on={before}").status_code == 404
    assert client.get(f"/api/v1/members/units/{cell.pk}/roll?on={before}").status_code == 404
    assert client.get(f"/org/unit/{cell.pk}/?on={before}").status_code == 404
    assert client.get(f"/members/roll/{cell.pk}/?on={D.isoformat()}").status_code == 200
