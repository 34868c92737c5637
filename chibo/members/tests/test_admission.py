import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from chibo.audit.models import AuditLog
from chibo.core.actors import SYSTEM
from chibo.members.admission import admit, recognize
from chibo.members.lifecycle import EventKind, Stage
from chibo.members.models import Member


def _admit(world, **over):
    kw = dict(
        actor=world.official_a,
        unit=world.cells_a[0],
        family_name="Giàng",
        middle_name="A",
        given_name="Páo",
        gender="m",
        birth_date=dt.date(2000, 5, 2),
        considered_on=dt.date(2025, 1, 6),
        decision_no="12-QĐ/ĐU",
        issuer="Đảng ủy xã Đồng Tâm",
        decision_received_on=dt.date(2025, 1, 13),
        ceremony_on=dt.date(2025, 2, 19),
    )
    kw.update(over)
    return admit(**kw)


def test_it_admits_and_starts_probation_at_the_ceremony(world):
    m = _admit(world)
    assert m.stage == Stage.PROBATIONARY and m.admitted_on == dt.date(2025, 2, 19)
    event = m.events.get(kind=EventKind.ADMISSION)
    assert event.data["ceremony_deadline"] == "2025-03-03"  # 30 working days, Tết skipped
    assert AuditLog.objects.filter(action="members.admit", unit=world.cells_a[0]).exists()


def test_it_refuses_a_late_ceremony_without_the_upper_committees_consent(world):
    with pytest.raises(ValidationError) as exc:
        _admit(world, ceremony_on=dt.date(2025, 3, 4))
    assert "chậm nhất ngày 03/03/2025" in str(exc.value)
    assert not Member.objects.filter(given_name="Páo").exists()
    m = _admit(
        world, ceremony_on=dt.date(2025, 3, 4), late_ceremony_consent="CV 45-CV/ĐU ngày 28/02/2025"
    )
    assert m.events.get().data["late_ceremony_consent"].startswith("CV 45")


def test_it_refuses_the_underage_and_routes_the_over_sixty(world):
    with pytest.raises(ValidationError) as exc:
        _admit(world, birth_date=dt.date(2007, 1, 7))
    assert "Chưa đủ 18 tuổi" in str(exc.value)
    with pytest.raises(ValidationError):
        _admit(world, birth_date=dt.date(1960, 1, 1))
    assert _admit(world, birth_date=dt.date(1960, 1, 1), decided_by_higher_committee=True)


def test_it_recognizes_at_exactly_twelve_months_even_when_decided_late(world):
    m = _admit(world)
    with pytest.raises(ValidationError):
        recognize(
            actor=world.official_a, member=m, decided_on=dt.date(2026, 1, 5), decision_no="3-QĐ/ĐU"
        )
    event = recognize(
        actor=world.official_a, member=m, decided_on=dt.date(2026, 5, 20), decision_no="40-QĐ/ĐU"
    )
    m.refresh_from_db()
    assert event.effective_date == dt.date(2026, 2, 19) and m.recognized_on == event.effective_date
    assert event.data["late"] is True and m.stage == Stage.OFFICIAL
    with pytest.raises(ValidationError):
        recognize(actor=SYSTEM, member=m, decided_on=dt.date(2026, 6, 1), decision_no="x")


def test_it_lists_recognitions_coming_due_and_overdue(world):
    from chibo.members.selectors import recognitions_due

    m = _admit(world)  # ceremony 19/2/2025: 12 months end 19/2/2026
    assert recognitions_due(world.commune_a, dt.date(2025, 10, 1)) == []
    soon = recognitions_due(world.commune_a, dt.date(2026, 1, 10))
    assert [(d.member_id, d.status) for d in soon] == [(m.pk, "upcoming")]
    # 30 working days after 19/2/2026, Fri 20/2 (mùng bốn Tết) not counted: Fri 3/4/2026.
    assert soon[0].deadline == dt.date(2026, 4, 3)
    assert recognitions_due(world.commune_a, dt.date(2026, 3, 1))[0].status == "due"
    assert recognitions_due(world.commune_a, dt.date(2026, 5, 1))[0].status == "overdue"
    assert recognitions_due(world.commune_b, dt.date(2026, 5, 1)) == []
