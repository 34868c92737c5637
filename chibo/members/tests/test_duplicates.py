import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from chibo.audit.models import AuditLog
from chibo.core.actors import SYSTEM
from chibo.members import duplicates, records
from chibo.members.lifecycle import EventKind
from chibo.members.models import Member
from chibo.members.services import add_member, award_badge


def _m(world, unit, admitted, recognized, **rec):
    m = add_member(
        actor=SYSTEM,
        unit=unit,
        family_name="Lò",
        middle_name="Văn",
        given_name="Pọm",
        gender="m",
        birth_year=1960,
        admitted_on=admitted,
        recognized_on=recognized,
        placed_on=admitted,
    )
    records.update_record(actor=SYSTEM, member=m, birth_date=dt.date(1960, 4, 5), **rec)
    return Member.objects.get(pk=m.pk)


def test_duplicates_are_found_and_merged_with_every_choice_made(world):
    a = _m(world, world.cells_a[0], dt.date(1985, 3, 2), dt.date(1986, 3, 2), ethnicity="03")
    b = _m(
        world,
        world.cells_a[1],
        dt.date(1985, 3, 12),
        dt.date(1986, 3, 12),
        ethnicity="29",
        identity_type="cccd",
        identity_no="011060001234",
    )
    award_badge(actor=SYSTEM, member=b, years=40, awarded_on=dt.date(2025, 6, 1))
    pairs = duplicates.find(world.commune_a)
    assert [(p.a.pk, p.b.pk) for p in pairs] == [(a.pk, b.pk)]
    with pytest.raises(ValidationError) as exc:
        duplicates.merge(actor=world.official_a, keep=a, drop=b, choices={})
    assert "admission" in str(exc.value) and "ethnicity" in str(exc.value)
    assert Member.objects.count() == 2
    kept = duplicates.merge(
        actor=world.official_a,
        keep=a,
        drop=b,
        choices={"ethnicity": "drop", "admission": "drop", "recognition": "keep"},
    )
    assert Member.objects.count() == 1
    assert kept.ethnicity == "29" and kept.identity_no == "011060001234"  # filled in
    assert kept.admitted_on == dt.date(1985, 3, 12)
    assert kept.recognized_on == dt.date(1986, 3, 2)
    # Nothing deleted: the annulled events are still there with their corrections.
    assert kept.events.filter(kind=EventKind.VOID).count() == 2
    assert kept.events.filter(kind=EventKind.BADGE).exists()
    log = AuditLog.objects.get(action="members.merge")
    assert log.before["merged"]["name"] == "Lò Văn Pọm"
    assert log.before["merged"]["identity_no"] == "(có)"  # sensitive: masked in the log
    assert duplicates.find(world.commune_a) == []
