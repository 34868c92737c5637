"""Restructuring keeps the record consistent (issue 9, finding 6): a decision is required, a
change dated before a later change of an affected unit is refused and names it, later member
events and meetings do not block but are listed, grants follow a merge or end with the unit,
and check() and execute() run in one transaction with the rows locked."""

import datetime as dt
import json
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from chibo.accounts.choices import Role
from chibo.accounts.models import Grant
from chibo.core.actors import SYSTEM
from chibo.meetings.models import Meeting
from chibo.members.services import record_event
from chibo.org.models import RestructureEvent, Unit
from chibo.org.services import Decision, DissolveUnit, MergeUnits, unit_absorbed
from tests.world import PASSWORD, build_world, decision, make_member, make_user

SEPT = dt.date(2026, 9, 1)


def fresh(u: Unit) -> Unit:
    return Unit.objects.get(pk=u.pk)


def test_it_refuses_a_restructuring_without_its_decision(world):
    for d in (Decision(SEPT), Decision(SEPT, "  ", "Ban Thường vụ"), Decision(SEPT, "9-QĐ/TU")):
        errors = MergeUnits(d, sources=[world.commune_a, world.commune_b], into=world.commune_a)
        with pytest.raises(ValidationError) as exc:
            errors.execute(actor=world.admin)
        assert any("số quyết định" in m or "cơ quan ban hành" in m for m in exc.value.messages)
    assert fresh(world.commune_b).is_alive
    assert not RestructureEvent.objects.filter(kind="merge").exists()


def test_the_api_and_the_form_refuse_an_empty_decision_number(world, client):
    assert client.login(username=world.admin.username, password=PASSWORD)
    body = {
        "kind": "merge",
        "unit_id": world.commune_a.pk,
        "others": [world.commune_b.pk],
        "effective_date": "2026-09-01",
        "decision_no": "",
        "issuer": "Ban Thường vụ Tỉnh ủy",
    }
    resp = client.post(
        "/api/v1/units/restructure/apply", json.dumps(body), content_type="application/json"
    )
    assert resp.status_code == 400
    assert "Hãy nhập số quyết định" in resp.json()["errors"][0]
    del body["decision_no"]
    resp = client.post(
        "/api/v1/units/restructure/apply", json.dumps(body), content_type="application/json"
    )
    assert resp.status_code == 422
    form = client.post(
        f"/org/unit/{world.commune_a.pk}/restructure/rename/",
        {"effective_date": "2026-09-01", "name": "Tên mới", "issuer": "BTV", "apply": "1"},
    )
    assert form.status_code == 200 and "Trường này là bắt buộc" in form.content.decode()
    assert fresh(world.commune_b).is_alive and fresh(world.commune_a).name != "Tên mới"


def test_a_merge_dated_before_a_later_merge_into_the_same_unit_is_refused(world):
    province = world.province
    c = make_unit_in(province, "Đảng bộ xã Thứ Ba")
    MergeUnits(decision(SEPT, "20-QĐ/TU"), sources=[world.commune_b], into=world.commune_a).execute(
        actor=world.admin
    )
    early = MergeUnits(
        decision(dt.date(2026, 8, 22), "21-QĐ/TU"), sources=[c], into=fresh(world.commune_a)
    )
    errors = early.check()
    assert len(errors) == 1
    # The message names the later change and its date.
    assert "20-QĐ/TU" in errors[0] and "01/09/2026" in errors[0] and "22/08/2026" in errors[0]
    with pytest.raises(ValidationError):
        early.execute(actor=world.admin)
    assert fresh(c).is_alive
    # On or after that date it goes through.
    MergeUnits(decision(SEPT, "22-QĐ/TU"), sources=[fresh(c)], into=fresh(world.commune_a)).execute(
        actor=world.admin
    )
    assert not fresh(c).is_alive


def make_unit_in(parent: Unit, name: str) -> Unit:
    from tests.world import make_unit

    return make_unit(parent, "commune", name, grassroots_type="commune")


def test_later_member_events_and_meetings_do_not_block_but_are_listed(world):
    cell_b = world.cell_b
    m = make_member(cell_b, "Lò Văn Sau")
    record_event(actor=SYSTEM, member=m, kind="card", effective_date=dt.date(2026, 10, 2))
    Meeting.objects.create(unit=cell_b, kind="regular", planned_on=dt.date(2026, 10, 3))
    Meeting.objects.create(unit=cell_b, kind="regular", planned_on=dt.date(2026, 8, 3))
    action = MergeUnits(decision(SEPT), sources=[world.commune_b], into=world.commune_a)
    assert action.check() == []
    lines = action.preview()
    later = [line for line in lines if "trở đi sẽ thuộc về" in line]
    assert later == [
        "1 sự kiện đảng viên và 1 cuộc họp của Đảng bộ phường Bắc Sơn từ ngày 01/09/2026 "
        "trở đi sẽ thuộc về Đảng bộ xã Đồng Tâm."
    ]
    action.execute(actor=world.admin)
    assert not fresh(world.commune_b).is_alive


def test_grants_on_a_merged_unit_move_even_those_that_start_later(world):
    later = make_user(
        "canbo.moi.b", world.commune_b, Role.OFFICIAL, valid_from=dt.date(2026, 10, 1)
    )
    ended = make_user("canbo.cu.b", world.commune_b, Role.VIEWER, valid_to=dt.date(2026, 3, 1))
    action = MergeUnits(decision(SEPT), sources=[world.commune_b], into=world.commune_a)
    holders = [line for line in action.preview() if line.startswith("Quyền trên")]
    assert len(holders) == 1
    assert "canbo.b" in holders[0] and "canbo.moi.b" in holders[0]
    assert "canbo.cu.b" not in holders[0]
    action.execute(actor=world.admin)
    g = Grant.objects.get(user=later)
    assert (g.unit_id, g.valid_from, g.valid_to) == (world.commune_a.pk, dt.date(2026, 10, 1), None)
    old, new = Grant.objects.filter(user=world.official_b).order_by("valid_from")
    assert old.unit_id == world.commune_b.pk and old.valid_to == SEPT
    assert new.unit_id == world.commune_a.pk and new.valid_from == SEPT
    assert Grant.objects.get(user=ended).unit_id == world.commune_b.pk  # history untouched


def test_grants_on_a_dissolved_unit_end_that_day_and_the_preview_names_them(world):
    cell = world.cell_b
    sec = make_user("bithu.tdp1", cell, Role.SECRETARY)
    future = make_user("bithu.sau", cell, Role.SECRETARY, valid_from=dt.date(2026, 12, 1))
    action = DissolveUnit(decision(SEPT), unit=cell)
    (line,) = [x for x in action.preview() if x.startswith("Quyền trên")]
    assert "chấm dứt từ 01/09/2026" in line and "bithu.tdp1" in line and "bithu.sau" in line
    action.execute(actor=world.admin)
    assert Grant.objects.get(user=sec).valid_to == SEPT
    g = Grant.objects.get(user=future)
    assert not Grant.objects.filter(pk=g.pk).active(dt.date(2026, 12, 1)).exists()
    assert not Grant.objects.filter(user__in=[sec, future]).active(dt.date(2027, 1, 1)).exists()


@pytest.mark.django_db(transaction=True)
def test_two_merges_of_the_same_unit_at_once_apply_only_one(request):
    """Two real transactions absorb commune B into A and into C at the same moment. The first
    holds B's row until it commits; the second then judges B as ended and is refused (without
    the lock both would pass check() and B would be absorbed twice)."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (SQLite writes one transaction at a time)")
    w = build_world()
    c = make_unit_in(w.province, "Đảng bộ xã Thứ Ba")
    inside = threading.Event()
    go = threading.Barrier(2)

    def slow(sender, **kwargs):
        inside.set()
        threading.Event().wait(1.0)  # keep the lock while the other one tries

    unit_absorbed.connect(slow, weak=False, dispatch_uid="test.slow")
    request.addfinalizer(lambda: unit_absorbed.disconnect(dispatch_uid="test.slow"))
    results: dict[str, str] = {}

    def merge(name: str, into: Unit, no: str) -> None:
        from django.db import connections

        try:
            go.wait()
            if name == "second":
                inside.wait(5)
            MergeUnits(
                decision(SEPT, no), sources=[Unit.objects.get(pk=w.commune_b.pk)], into=into
            ).execute(actor=SYSTEM)
            results[name] = "applied"
        except ValidationError as exc:
            results[name] = " ".join(exc.messages)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=merge, args=("first", Unit.objects.get(pk=w.commune_a.pk), "1")),
        threading.Thread(target=merge, args=("second", Unit.objects.get(pk=c.pk), "2")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert results["first"] == "applied"
    assert "đã chấm dứt hoạt động" in results["second"]
    assert RestructureEvent.objects.filter(kind="merge").count() == 1


def test_a_unit_cannot_join_a_parent_before_the_parent_itself_moved(world):
    from chibo.org.services import CreateUnit, MoveUnit, UnitSpec

    # Commune B's cell moves under commune A on 1/9; a cell created under it dated 22/8 would
    # record the wrong ancestors for the days between (its ancestry is read from the parent's).
    MoveUnit(decision(SEPT), unit=world.cell_b, new_parent=world.commune_a).execute(actor=SYSTEM)
    early = CreateUnit(
        decision(dt.date(2026, 8, 22)),
        parent=fresh(world.cell_b),
        spec=UnitSpec(kind="party_group", name="Tổ đảng 1"),
    )
    (error,) = early.check()
    assert "Chi bộ tổ dân phố 1" in error and "01/09/2026" in error


def test_a_restructuring_dated_after_today_is_refused(world, today):
    from chibo.org.services import RenameUnit

    for later in (today + dt.timedelta(days=1), dt.date(9999, 12, 31)):
        action = RenameUnit(decision(later), unit=world.commune_a, name="Tên tương lai")
        assert any("ở tương lai" in e for e in action.check())
    assert fresh(world.commune_a).name == "Đảng bộ xã Đồng Tâm"


def test_a_unit_named_twice_among_merge_sources_is_merged_once(world, client):
    assert client.login(username=world.admin.username, password=PASSWORD)
    body = {
        "kind": "merge",
        "unit_id": world.commune_a.pk,
        "others": [world.commune_b.pk, world.commune_b.pk],
        "effective_date": "2026-09-01",
        "decision_no": "9-QĐ/TU",
        "issuer": "Ban Thường vụ Tỉnh ủy",
    }
    resp = client.post(
        "/api/v1/units/restructure/apply", json.dumps(body), content_type="application/json"
    )
    assert resp.status_code == 201, resp.content
    assert not fresh(world.commune_b).is_alive


def test_overlong_decision_fields_are_refused_with_a_reason(world, client):
    assert client.login(username=world.admin.username, password=PASSWORD)
    body = {
        "kind": "rename",
        "unit_id": world.commune_a.pk,
        "name": "Tên mới",
        "effective_date": "2026-09-01",
        "decision_no": "9" * 81,
        "issuer": "Ban Thường vụ Tỉnh ủy",
    }
    resp = client.post(
        "/api/v1/units/restructure/apply", json.dumps(body), content_type="application/json"
    )
    assert resp.status_code == 422
    errors = MergeUnits(
        Decision(SEPT, "9" * 81, "BTV"), sources=[world.commune_b], into=world.commune_a
    ).check()
    assert "Số quyết định dài quá 80 ký tự." in errors


def test_no_grant_is_given_on_a_dissolved_unit(world, today):
    from chibo.accounts import services as accounts

    DissolveUnit(decision(SEPT), unit=world.cell_b).execute(actor=world.admin)
    with pytest.raises(ValidationError):
        accounts.add_grant(
            actor=world.admin,
            user=world.viewer_a,
            unit=fresh(world.cell_b),
            role=Role.VIEWER,
            valid_from=today,
        )
    assert not Grant.objects.filter(user=world.viewer_a, unit=world.cell_b).exists()


def test_a_cell_with_living_members_cannot_be_dissolved(world):
    """Its members would belong to no organization (found by a probe: they fell out of every
    count); the message names them, and a cell whose last member has died can be dissolved."""
    from chibo.members.services import record_death

    south = world.cells_a[2]
    m = make_member(south, "Lò Văn Còn")
    action = DissolveUnit(decision(SEPT, "40"), unit=south)
    (message,) = action.check()
    assert "còn 1 đảng viên sinh hoạt ngày 01/09/2026 (Lò Văn Còn)" in message
    with pytest.raises(ValidationError):
        action.execute(actor=world.admin)
    assert fresh(south).is_alive
    record_death(actor=SYSTEM, member=m, died_on=dt.date(2026, 8, 1))
    DissolveUnit(decision(SEPT, "41"), unit=fresh(south)).execute(actor=world.admin)
    assert not fresh(south).is_alive
