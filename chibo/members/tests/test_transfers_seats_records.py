import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from chibo.accounts.choices import Role
from chibo.accounts.models import Grant
from chibo.audit.models import AuditLog
from chibo.core.actors import SYSTEM
from chibo.members import records, seats, transfers
from chibo.members.lifecycle import EventKind
from chibo.members.models import Member, Placement, Seat, Transfer
from chibo.members.selectors import counts_on
from chibo.members.services import add_member
from tests.world import make_user


def _member(world, unit=None, given="Pọm", admitted=dt.date(2010, 5, 19)):
    return add_member(
        actor=SYSTEM,
        unit=unit or world.cells_a[0],
        family_name="Lò",
        middle_name="Văn",
        given_name=given,
        gender="m",
        birth_year=1975,
        admitted_on=admitted,
        recognized_on=admitted.replace(year=admitted.year + 1),
        placed_on=admitted,
    )


def test_an_official_transfer_leaves_the_roll_then_arrives(world):
    m = _member(world)
    t = transfers.transfer_out(
        actor=world.official_a,
        member=m,
        kind=Transfer.Kind.OFFICIAL,
        to_unit=world.cell_b,
        departed_on=dt.date(2025, 3, 3),
        moved_on=dt.date(2025, 2, 20),
        fee_paid_until=dt.date(2025, 3, 1),
    )
    assert t.letter_no == 1 and t.issuer == world.commune_a
    assert t.report_deadline == dt.date(2025, 4, 2)
    m.refresh_from_db()
    assert m.home_unit is None
    assert counts_on(world.commune_a, dt.date(2025, 3, 10))["total"] == 0
    assert counts_on(world.commune_b, dt.date(2025, 3, 10))["total"] == 0
    # The receiving side sees the transfer awaiting arrival, not the member's record yet.
    assert list(transfers.awaiting_arrival(world.commune_b)) == [t]
    assert not Member.objects.restrict(world.official_b).filter(pk=m.pk).exists()
    # The sending side keeps seeing the member it had.
    assert Member.objects.restrict(world.official_a).filter(pk=m.pk).exists()
    with pytest.raises(PermissionDenied):
        transfers.confirm_arrival(
            actor=world.official_a, transfer=t, arrived_on=dt.date(2025, 3, 9)
        )
    with pytest.raises(ValidationError) as exc:
        transfers.confirm_arrival(
            actor=world.official_b, transfer=t, arrived_on=dt.date(2025, 4, 9)
        )
    assert "hãy ghi lý do" in str(exc.value)
    transfers.confirm_arrival(actor=world.official_b, transfer=t, arrived_on=dt.date(2025, 3, 9))
    m.refresh_from_db()
    assert m.home_unit == world.cell_b and m.commune == world.commune_b
    assert counts_on(world.commune_b, dt.date(2025, 3, 10))["total"] == 1
    assert counts_on(world.commune_a, dt.date(2025, 3, 1))["total"] == 1
    assert Member.objects.restrict(world.official_b).filter(pk=m.pk).exists()
    kinds = list(m.events.values_list("kind", flat=True))
    assert EventKind.TRANSFER_OUT in kinds and EventKind.TRANSFER_IN in kinds
    assert AuditLog.objects.filter(action="members.transfer.arrival").exists()


def test_letters_are_numbered_per_issuer_and_year(world):
    a, b = _member(world), _member(world, given="Ún")
    kw = dict(actor=world.official_a, kind=Transfer.Kind.ABROAD, destination="Đảng ủy ngoài nước")
    t1 = transfers.transfer_out(member=a, departed_on=dt.date(2025, 12, 30), **kw)
    t2 = transfers.transfer_out(member=b, departed_on=dt.date(2026, 1, 5), **kw)
    assert (t1.letter_year, t1.letter_no, t2.letter_year, t2.letter_no) == (2025, 1, 2026, 1)


def test_a_letter_number_taken_meanwhile_is_taken_again(world, monkeypatch):
    """What a concurrent letter does (test_concurrency.py shows it on PostgreSQL): the last
    number was read before the other letter took the next one. The collision is refused by the
    register's unique constraint and the letter takes the following number; after a few
    collisions in a row it is refused in words, with nothing written."""
    a, b, c = _member(world), _member(world, given="Ún"), _member(world, given="Ba")
    kw = dict(actor=world.official_a, kind=Transfer.Kind.ABROAD, destination="Đảng ủy ngoài nước")
    assert transfers.transfer_out(member=a, departed_on=dt.date(2026, 1, 5), **kw).letter_no == 1
    real = transfers._next_letter_no
    stale = iter([1])  # the number read before letter 1 was written

    monkeypatch.setattr(
        transfers, "_next_letter_no", lambda issuer, year: next(stale, None) or real(issuer, year)
    )
    t = transfers.transfer_out(member=b, departed_on=dt.date(2026, 1, 6), **kw)
    assert t.letter_no == 2
    assert Transfer.objects.filter(letter_year=2026).count() == 2

    monkeypatch.setattr(transfers, "_next_letter_no", lambda issuer, year: 1)
    with pytest.raises(ValidationError) as exc:
        transfers.transfer_out(member=c, departed_on=dt.date(2026, 1, 7), **kw)
    assert exc.value.messages == [
        "Sổ giấy giới thiệu đang được nhiều người cùng ghi; hãy thử lại sau ít phút."
    ]
    c.refresh_from_db()
    assert c.home_unit == world.cells_a[0]
    assert not Transfer.objects.filter(member=c).exists()


def test_internal_transfer_stays_in_the_grassroots_organization(world):
    m = _member(world)
    with pytest.raises(ValidationError) as exc:
        transfers.transfer_out(
            actor=world.official_a,
            member=m,
            kind=Transfer.Kind.INTERNAL,
            to_unit=world.cell_b,
            departed_on=dt.date(2025, 3, 3),
        )
    assert "cùng đảng bộ cơ sở" in str(exc.value)
    assert not Transfer.objects.exists()
    transfers.transfer_out(
        actor=world.official_a,
        member=m,
        kind=Transfer.Kind.INTERNAL,
        to_unit=world.cells_a[1],
        departed_on=dt.date(2025, 3, 3),
    )
    m.refresh_from_db()
    assert m.home_unit == world.cells_a[1]
    assert counts_on(world.commune_a, dt.date(2025, 3, 3))["total"] == 1


@pytest.mark.parametrize(
    ("reason", "end", "ok"),
    [
        ("residence_work", dt.date(2025, 4, 4), False),  # under 3 months
        ("residence_work", dt.date(2025, 12, 31), True),
        ("residence_work", dt.date(2026, 1, 5), False),  # a full year: official transfer
        ("study", dt.date(2027, 1, 5), True),
        ("study", dt.date(2027, 1, 6), False),
    ],
)
def test_temporary_transfer_durations(world, reason, end, ok):
    m = _member(world)
    kw = dict(
        actor=world.official_a,
        member=m,
        kind=Transfer.Kind.TEMPORARY,
        to_unit=world.cell_b,
        reason=reason,
        departed_on=dt.date(2025, 1, 5),
        expected_return=end,
    )
    if not ok:
        with pytest.raises(ValidationError):
            transfers.transfer_out(**kw)
        assert not Placement.objects.filter(kind=Placement.Kind.TEMPORARY).exists()
        return
    t = transfers.transfer_out(**kw)
    m.refresh_from_db()
    assert m.home_unit == world.cells_a[0]  # still on the home roll
    assert Placement.objects.filter(member=m, kind="temporary", unit=world.cell_b).exists()
    transfers.end_temporary(actor=world.official_a, transfer=t, on=dt.date(2025, 6, 1))
    assert Placement.objects.get(member=m, kind="temporary").valid_to == dt.date(2025, 6, 1)


def test_the_secretary_grant_follows_the_seat(world):
    old, new = _member(world), _member(world, given="Ún")
    old.user = make_user("bithu.cu")
    old.save()
    new.user = make_user("bithu.moi")
    new.save()
    cell = world.cells_a[0]
    seats.assign_seat(
        actor=world.official_a,
        unit=cell,
        member=old,
        role=Seat.Role.SECRETARY,
        valid_from=dt.date(2020, 10, 1),
    )
    assert Grant.objects.get(user=old.user, role=Role.SECRETARY).unit == cell
    seats.assign_seat(
        actor=world.official_a,
        unit=cell,
        member=new,
        role=Seat.Role.SECRETARY,
        valid_from=dt.date(2025, 9, 1),
    )
    g_old = Grant.objects.get(user=old.user)
    assert g_old.valid_to == dt.date(2025, 9, 1)
    assert Grant.objects.get(user=new.user).valid_from == dt.date(2025, 9, 1)
    assert [s.member for s in seats.seats_on(cell, dt.date(2025, 9, 2))] == [new]
    assert [s.member for s in seats.seats_on(cell, dt.date(2025, 8, 31))] == [old]
    with pytest.raises(PermissionDenied):
        seats.assign_seat(
            actor=world.viewer_a,
            unit=cell,
            member=old,
            role=Seat.Role.COMMITTEE,
            valid_from=dt.date(2025, 9, 1),
        )


def test_record_validation_is_in_vietnamese_and_changes_nothing(world):
    m = _member(world)
    with pytest.raises(ValidationError) as exc:
        records.update_record(
            actor=world.official_a,
            member=m,
            identity_type="cccd",
            identity_no="12345",
            ethnicity="03",
        )
    assert "phải gồm đúng 12 chữ số" in str(exc.value)
    assert Member.objects.get(pk=m.pk).ethnicity == ""
    records.update_record(
        actor=world.official_a,
        member=m,
        identity_type="cccd",
        identity_no="011075001234",
        ethnicity="03",
        education_system=10,
        education_grade=10,
    )
    other = _member(world, given="Ún")
    with pytest.raises(ValidationError) as exc:
        records.update_record(
            actor=world.official_a, member=other, identity_type="cccd", identity_no="011075001234"
        )
    assert "đã thuộc về" in str(exc.value)
    with pytest.raises(ValidationError):
        records.update_record(actor=world.official_a, member=other, stage="official")
    # The audit entry says the sensitive fields changed without their values.
    entry = AuditLog.objects.get(action="members.record")
    assert "011075001234" not in str(entry.after) and "identity_no" in entry.after


def test_sensitive_fields_are_for_roles_that_need_them(world):
    m = _member(world)
    secretary = make_user("bithu", world.cells_a[0], Role.SECRETARY)
    follower = make_user("theodoi", world.commune_a, Role.FOLLOWER)
    assert records.may_see_sensitive(world.official_a, m)
    assert records.may_see_sensitive(secretary, m)
    assert not records.may_see_sensitive(world.viewer_a, m)
    assert not records.may_see_sensitive(follower, m)
    m.user = follower
    m.save()
    assert records.may_see_sensitive(follower, m)  # their own record
    assert records.masked("03", False) == "•••" and records.masked("", False) == ""


def test_hometown_links_to_an_administrative_unit_of_its_era(world):
    from chibo.org import admin_units

    m = _member(world)
    old = admin_units.find("pre2025", "Na Cô Sa", level="commune")[0]
    with pytest.raises(ValidationError) as exc:
        records.update_record(
            actor=SYSTEM, member=m, hometown_era="pre2025", hometown_code="999999"
        )
    assert "Không có xã/phường mã 999999" in str(exc.value)
    records.update_record(
        actor=SYSTEM,
        member=m,
        hometown="Na Cô Sa, Nậm Pồ",
        hometown_era="pre2025",
        hometown_code=old.code,
    )
    label = records.place_label(m.hometown_era, m.hometown_code)
    assert label.startswith("Xã Na Cô Sa") and "nay Xã Quảng Lâm" in label


def test_a_transfer_file_made_after_60_working_days_is_marked_late(world):
    m = _member(world)
    transfers.transfer_out(
        actor=world.official_a,
        member=m,
        kind=Transfer.Kind.ABROAD,
        destination="Đảng ủy ngoài nước",
        moved_on=dt.date(2025, 1, 2),
        departed_on=dt.date(2025, 6, 2),
    )
    event = m.events.get(kind=EventKind.TRANSFER_OUT)
    assert (
        event.data["late"] is True and event.data["file_deadline"] == "2025-04-03"
    )  # Tết 25/1–2/2 skipped
