import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chibo.core.models import Parameter
from chibo.core.workdays import is_working_day, working_days_between
from chibo.members.rules import (
    add_months,
    admission_age,
    age_in_months,
    ceremony_deadline,
    probation_end,
    recognition_deadline,
)

pytestmark = pytest.mark.django_db  # parameters are read from the database

dates = st.dates(min_value=dt.date(1940, 1, 1), max_value=dt.date(2030, 12, 31))


@given(dates, st.integers(min_value=1, max_value=1200))
def test_it_counts_age_in_full_months(birth, months):
    # A month is complete on the same day of a later month, or on that month's last day when it
    # has no such day (born 31/1: one month on 28 or 29/2) — the convention of probation_end too.
    on = add_months(birth, months)
    assert age_in_months(birth, on) == months
    assert age_in_months(birth, on - dt.timedelta(days=1)) == months - 1


def test_it_turns_eighteen_on_the_birthday_not_the_day_before(db):
    birth = dt.date(2008, 3, 15)
    assert not admission_age(birth, dt.date(2026, 3, 14)).ok
    assert "17 tuổi 11 tháng" in admission_age(birth, dt.date(2026, 3, 14)).message
    assert admission_age(birth, dt.date(2026, 3, 15)).ok


def test_it_routes_over_sixty_upward_instead_of_refusing(db):
    check = admission_age(dt.date(1960, 1, 1), dt.date(2026, 11, 23))
    assert check.ok and check.route_to_higher and "Trên 60 tuổi" in check.message


def test_it_reads_the_age_limits_in_force_on_the_consideration_date(db):
    Parameter.objects.create(
        key="admission_max_age_years", value=65, valid_from=dt.date(2030, 1, 1)
    )
    birth = dt.date(1966, 1, 1)
    assert admission_age(birth, dt.date(2029, 6, 1)).route_to_higher
    assert not admission_age(birth, dt.date(2030, 6, 1)).route_to_higher


@given(dates)
def test_it_ends_probation_twelve_months_after_the_ceremony(ceremony):
    end = probation_end(ceremony)
    assert (end.year - ceremony.year) * 12 + end.month - ceremony.month == 12
    assert end.day == ceremony.day or (end + dt.timedelta(days=1)).day == 1  # or month's end


def test_it_handles_a_ceremony_on_29_february():
    assert probation_end(dt.date(2024, 2, 29)) == dt.date(2025, 2, 28)


@given(st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2029, 12, 31)))
def test_it_gives_30_working_days_for_the_ceremony_and_the_recognition(d):
    deadline = ceremony_deadline(d)
    assert is_working_day(deadline) and working_days_between(d, deadline) == 30
    rec = recognition_deadline(d)
    assert working_days_between(probation_end(d), rec) == 30


def test_it_counts_the_ceremony_deadline_across_tet():
    # Decision received Mon 13/1/2025: 30 working days, Tết 27/1–2/2 not counted → 3/3/2025.
    assert ceremony_deadline(dt.date(2025, 1, 13)) == dt.date(2025, 3, 3)
