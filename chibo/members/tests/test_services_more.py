"""Lifecycle services beyond admission: exemption, discipline, strike-off, readmission, card,
badge; each checks its rule and writes nothing when refused."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from chibo.audit.models import AuditLog
from chibo.core.actors import SYSTEM
from chibo.members import services as s
from chibo.members.lifecycle import Activity, Ended, EventKind, Stage
from chibo.members.models import Member


def _member(world, birth=dt.date(1950, 3, 1), admitted=dt.date(1980, 5, 19), official=True, **kw):
    m = s.add_member(
        actor=SYSTEM,
        unit=world.cells_a[0],
        family_name=kw.get("family", "Lò"),
        middle_name="Văn",
        given_name=kw.get("given", "Pọm"),
        gender=kw.get("gender", "m"),
        birth_year=birth.year,
        admitted_on=admitted,
        recognized_on=(admitted.replace(year=admitted.year + 1) if official else None),
        placed_on=admitted,
    )
    m.birth_date = birth
    m.save()
    return m


def test_exemption_for_age_needs_the_age_and_a_resolution(world):
    young = _member(world, birth=dt.date(1980, 1, 1), admitted=dt.date(2005, 1, 1))
    with pytest.raises(ValidationError) as exc:
        s.exempt(
            actor=world.official_a,
            member=young,
            effective_date=dt.date(2025, 1, 1),
            resolution_no="05-NQ/CB",
            ground="age",
        )
    assert "chưa quá tuổi lao động" in str(exc.value)
    assert not young.events.filter(kind=EventKind.EXEMPTION).exists()
    old = _member(world, given="Ún")
    s.exempt(
        actor=world.official_a,
        member=old,
        effective_date=dt.date(2025, 1, 1),
        resolution_no="05-NQ/CB",
        ground="age",
    )
    old.refresh_from_db()
    assert old.activity == Activity.EXEMPT
    s.return_to_activity(actor=world.official_a, member=old, effective_date=dt.date(2025, 6, 1))
    old.refresh_from_db()
    assert old.activity == Activity.ACTIVE


def test_a_viewer_cannot_record_events(world):
    m = _member(world)
    with pytest.raises(PermissionDenied):
        s.exempt(
            actor=world.viewer_a,
            member=m,
            effective_date=dt.date(2025, 1, 1),
            resolution_no="1",
            ground="age",
        )
    with pytest.raises(PermissionDenied):
        s.record_death(actor=world.official_b, member=m, died_on=dt.date(2025, 1, 1))


@pytest.mark.parametrize(
    ("form", "by", "official", "post", "message"),
    [
        ("removal", "cell", True, "Trưởng thôn", "Chi bộ chỉ được khiển trách hoặc cảnh cáo"),
        ("removal", "committee", True, "", "Cách chức chỉ áp dụng"),
        ("expulsion", "committee", False, "", "dự bị chỉ có thể bị khiển trách"),
        ("dismissal", "committee", True, "", "không hợp lệ"),
    ],
)
def test_discipline_forms_follow_the_charter(world, form, by, official, post, message):
    m = _member(world, official=official, admitted=dt.date(2020 if official else 2025, 1, 10))
    m.position = post
    m.save()
    with pytest.raises(ValidationError) as exc:
        s.discipline(
            actor=world.official_a,
            member=m,
            form=form,
            decided_by=by,
            effective_date=dt.date(2025, 6, 1),
            decision_no="3-QĐ/ĐU",
            issuer="Đảng ủy xã",
        )
    assert message in str(exc.value)
    assert not m.events.filter(kind__in=[EventKind.DISCIPLINE, EventKind.EXPULSION]).exists()


def test_a_cell_warning_keeps_the_member_and_expulsion_ends_membership(world):
    m = _member(world)
    s.discipline(
        actor=world.official_a,
        member=m,
        form="warning",
        decided_by="cell",
        effective_date=dt.date(2025, 3, 5),
        decision_no="02-NQ/CB",
        issuer="Chi bộ thôn Đông",
    )
    m.refresh_from_db()
    assert m.ended == "" and m.stage == Stage.OFFICIAL
    s.discipline(
        actor=world.official_a,
        member=m,
        form="expulsion",
        decided_by="committee",
        effective_date=dt.date(2025, 9, 5),
        decision_no="09-QĐ/ĐU",
        issuer="Đảng ủy xã",
    )
    m.refresh_from_db()
    assert m.ended == Ended.EXPELLED


def test_strike_off_needs_a_listed_ground_and_not_recognized_only_for_probationary(world):
    m = _member(world)
    kw = dict(
        actor=world.official_a,
        member=m,
        effective_date=dt.date(2025, 4, 1),
        decision_no="7-QĐ/ĐU",
        issuer="Đảng ủy xã",
    )
    with pytest.raises(ValidationError):
        s.strike_off(ground="lazy", **kw)
    with pytest.raises(ValidationError) as exc:
        s.strike_off(ground="not_recognized", **kw)
    assert "dự bị" in str(exc.value)
    s.strike_off(ground="quit_or_fee", **kw)
    m.refresh_from_db()
    assert m.ended == Ended.STRUCK_OFF
    # Restoration brings them back; a re-admission needs them out first.
    with pytest.raises(ValidationError):
        s.resign(
            actor=world.official_a,
            member=m,
            effective_date=dt.date(2025, 5, 1),
            decision_no="x",
            issuer="y",
        )
    s.restore(
        actor=world.official_a,
        member=m,
        effective_date=dt.date(2026, 1, 5),
        decision_no="1-QĐ/TU",
        issuer="Tỉnh ủy",
    )
    m.refresh_from_db()
    assert m.ended == "" and m.activity == Activity.ACTIVE


def test_readmission_starts_a_new_probation(world):
    m = _member(world)
    s.resign(
        actor=world.official_a,
        member=m,
        effective_date=dt.date(2020, 5, 1),
        decision_no="5-QĐ/ĐU",
        issuer="Đảng ủy",
    )
    s.readmit(
        actor=world.official_a,
        member=m,
        ceremony_on=dt.date(2025, 8, 19),
        decision_no="9-QĐ/ĐU",
        issuer="Đảng ủy",
    )
    m.refresh_from_db()
    assert m.stage == Stage.PROBATIONARY
    assert m.admitted_on == dt.date(2025, 8, 19) and m.recognized_on is None


def test_a_card_goes_to_official_members_and_its_number_is_unique(world):
    m = _member(world)
    p = _member(world, admitted=dt.date(2026, 1, 10), official=False, given="Páo")
    s.issue_card(
        actor=world.official_a, member=m, card_no="51012345", issued_on=dt.date(2025, 1, 2)
    )
    m.refresh_from_db()
    assert m.card_no == "51012345"
    with pytest.raises(ValidationError) as exc:
        s.issue_card(
            actor=world.official_a, member=p, card_no="51099999", issued_on=dt.date(2026, 2, 2)
        )
    assert "chính thức" in str(exc.value)
    q = _member(world, given="Xuân")
    with pytest.raises(ValidationError) as exc:
        s.issue_card(
            actor=world.official_a, member=q, card_no="51012345", issued_on=dt.date(2025, 1, 2)
        )
    assert "đã thuộc về" in str(exc.value)


def test_badge_at_the_milestone_early_for_illness_and_posthumously(world):
    m = _member(world, admitted=dt.date(1985, 6, 1))  # 40 years on 1/6/2025
    with pytest.raises(ValidationError) as exc:
        s.award_badge(actor=world.official_a, member=m, years=40, awarded_on=dt.date(2025, 2, 3))
    assert "chưa đủ 40 năm" in str(exc.value)
    e = s.award_badge(
        actor=world.official_a,
        member=m,
        years=40,
        awarded_on=dt.date(2025, 2, 3),
        serious_illness=True,
    )
    assert e.data["early_months"] == 4
    with pytest.raises(ValidationError):
        s.award_badge(actor=world.official_a, member=m, years=40, awarded_on=dt.date(2025, 9, 2))
    with pytest.raises(ValidationError) as exc:
        s.award_badge(actor=world.official_a, member=m, years=35, awarded_on=dt.date(2025, 9, 2))
    assert "Không có mốc" in str(exc.value)
    old = _member(world, admitted=dt.date(1975, 3, 1), given="Sinh")
    s.record_death(actor=world.official_a, member=old, died_on=dt.date(2025, 4, 1))
    e = s.award_badge(actor=world.official_a, member=old, years=50, awarded_on=dt.date(2025, 5, 19))
    assert e.data["posthumous"] is True
    assert AuditLog.objects.filter(action="members.event.badge").count() == 2


def test_refused_events_leave_nothing(world):
    m = _member(world)
    n = m.events.count()
    with pytest.raises(ValidationError):
        s.suspend(
            actor=world.official_a,
            member=m,
            effective_date=dt.date(2025, 1, 1),
            decision_no="",
            issuer="",
        )
    assert m.events.count() == n and Member.objects.get(pk=m.pk).activity == Activity.ACTIVE
