"""Ratings recorded from old records keep their label verbatim, with the version of their year."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from chibo.accounts.choices import Role
from chibo.audit.models import AuditLog
from chibo.org.choices import UnitKind
from chibo.reviews.choices import Level
from chibo.reviews.models import Rating
from chibo.reviews.services.history import record_rating
from tests.world import World, make_unit, make_user

OLD = dt.date(2010, 1, 1)

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(world: World) -> World:
    world.cell_a = world.cells_a[0]
    return world


@pytest.fixture
def old(db):
    """A commune that has existed since 2010 and its staff since then."""
    p = make_unit(None, UnitKind.PROVINCE, "Đảng bộ tỉnh Cũ", on=OLD)
    c = make_unit(p, UnitKind.COMMUNE, "Đảng bộ xã Cũ", on=OLD)
    cell = make_unit(c, UnitKind.CELL, "Chi bộ bản Cũ", on=OLD)
    return cell, make_user("canbo.cu", c, Role.OFFICIAL, valid_from=OLD)


def test_it_refuses_a_year_before_the_unit_or_the_grant_existed(w):
    with pytest.raises(PermissionDenied):
        record_rating(
            actor=w.official_a,
            year=2016,
            unit=w.cell_a,
            label="Trong sạch, vững mạnh",
            decided_on=dt.date(2017, 1, 10),
        )


def test_it_records_an_old_label_verbatim_with_its_version(old):
    cell, staff = old
    r = record_rating(
        actor=staff,
        year=2016,
        unit=cell,
        label="trong sach vung manh tieu bieu",
        decided_on=dt.date(2017, 1, 10),
        decision_no="05-QĐ/ĐU",
    )
    assert (r.pack, r.label, r.level, r.as_of) == (
        "hd27",
        "Trong sạch, vững mạnh tiêu biểu",
        Level.EXCELLENT,
        dt.date(2016, 12, 31),
    )
    assert AuditLog.objects.filter(action="reviews.record_rating", object_id=str(r.pk)).exists()


def test_an_ambiguous_label_stays_visible_as_such(old):
    cell, staff = old
    r = record_rating(
        actor=staff,
        year=2016,
        unit=cell,
        label="Trong sạch, vững mạnh",
        decided_on=dt.date(2017, 1, 10),
    )
    assert r.level == "" and set(r.could_be.split()) == {"htxs", "htt"}


def test_it_refuses_a_label_of_another_era_and_a_second_rating(w):
    with pytest.raises(ValidationError):
        record_rating(
            actor=w.official_a,
            year=2024,
            unit=w.cell_a,
            label="Yếu kém",
            decided_on=dt.date(2025, 1, 5),
        )
    record_rating(
        actor=w.official_a, year=2024, unit=w.cell_a, label="htt", decided_on=dt.date(2025, 1, 5)
    )
    with pytest.raises(ValidationError):
        record_rating(
            actor=w.official_a, year=2024, unit=w.cell_a, label="ht", decided_on=dt.date(2025, 1, 5)
        )
    assert Rating.objects.filter(unit=w.cell_a, year=2024).count() == 1


def test_out_of_scope_and_read_only_are_refused(w):
    for actor in (w.official_b, w.viewer_a):
        with pytest.raises(PermissionDenied):
            record_rating(
                actor=actor, year=2024, unit=w.cell_a, label="htt", decided_on=dt.date(2025, 1, 5)
            )
    assert not Rating.objects.exists()
