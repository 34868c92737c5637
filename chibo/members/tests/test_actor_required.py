"""A write must say who makes it (issue 10): `actor=None` is refused before anything changes;
the system's own writes say SYSTEM and their audit rows name no person."""

import datetime as dt

import pytest

from chibo.audit.models import AuditLog
from chibo.core.actors import SYSTEM, MissingActor
from chibo.members.models import Member
from chibo.members.services import add_member
from chibo.org.models import Unit
from chibo.org.services import CreateUnit, UnitSpec
from tests.world import decision


def _add(world, actor):
    return add_member(
        actor=actor,
        unit=world.cells_a[0],
        family_name="Lò",
        middle_name="Văn",
        given_name="Ai",
        gender="m",
        birth_year=1980,
        admitted_on=dt.date(2010, 1, 1),
        recognized_on=dt.date(2011, 1, 1),
        placed_on=dt.date(2020, 1, 1),
    )


def test_a_member_service_refuses_no_actor(world):
    rows, members = AuditLog.objects.count(), Member.objects.count()
    with pytest.raises(MissingActor):
        _add(world, None)
    assert (AuditLog.objects.count(), Member.objects.count()) == (rows, members)


def test_an_org_action_refuses_no_actor(world):
    action = CreateUnit(
        decision(dt.date(2026, 1, 5)),
        parent=world.commune_a,
        spec=UnitSpec(kind="cell", name="Chi bộ không ai lập", cell_type="village"),
    )
    assert not action.check()
    with pytest.raises(MissingActor):
        action.execute(actor=None)
    assert not Unit.objects.filter(name="Chi bộ không ai lập").exists()


def test_the_system_writes_with_no_person_named(world):
    m = _add(world, SYSTEM)
    row = AuditLog.objects.filter(object_id=str(m.pk), object_type="members.member").first()
    assert row is not None and row.actor_id is None


def test_the_event_services_check_the_actor_too(world):
    # record_event and correct_event are called by the other services and by the import: each
    # checks the actor itself, so no caller can write past it (commune B's official here).
    from django.core.exceptions import PermissionDenied

    from chibo.members.services import correct_event, record_event

    m = _add(world, SYSTEM)
    events = m.events.count()
    with pytest.raises(PermissionDenied):
        _add(world, world.official_b)
    with pytest.raises(PermissionDenied):
        record_event(
            actor=world.official_b, member=m, kind="death", effective_date=dt.date(2026, 1, 2)
        )
    with pytest.raises(PermissionDenied):
        correct_event(actor=world.viewer_a, event=m.events.first(), note="sửa")
    assert m.events.count() == events
    record_event(actor=world.official_a, member=m, kind="death", effective_date=dt.date(2026, 1, 2))
    assert m.events.count() == events + 1
