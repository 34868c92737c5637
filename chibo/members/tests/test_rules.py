import datetime as dt
from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chibo.core.workdays import is_working_day, working_days_between
from chibo.members.lifecycle import EventKind
from chibo.members.rules import (
    add_months,
    admission_age,
    age_in_months,
    badge_check,
    ceremony_deadline,
    next_badge,
    party_age_months,
    probation_end,
    recognition_deadline,
)
from chibo.org.models import Parameter

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


# --- party age and badges -------------------------------------------------------------------


@dataclass
class _Ev:
    id: int
    kind: str
    effective_date: dt.date
    corrects_id: int | None = None


_day = st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2030, 12, 31))


@given(_day, st.integers(0, 400), st.integers(0, 30000), st.integers(1, 30000))
def test_party_age_grows_with_the_date_and_never_exceeds_time_since_admission(start, rec, a, b):
    events = [
        _Ev(1, EventKind.ADMISSION, start),
        _Ev(2, EventKind.RECOGNITION, add_months(start, 12) + dt.timedelta(days=rec % 3)),
    ]
    d1 = start + dt.timedelta(days=a)
    d2 = d1 + dt.timedelta(days=b)
    m1, m2 = party_age_months(events, d1), party_age_months(events, d2)
    assert 0 <= m1 <= m2
    assert m2 <= age_in_months(start, d2)
    if d2 >= add_months(start, 13):
        assert m2 == age_in_months(start, d2)  # once official, counted from admission


@given(_day, st.integers(1, 200), st.integers(1, 3000))
def test_the_months_between_ending_and_restoration_are_left_out(start, gap, later):
    ended = add_months(start, 24)
    restored = add_months(ended, gap)
    on = restored + dt.timedelta(days=later)
    events = [
        _Ev(1, EventKind.ADMISSION, start),
        _Ev(2, EventKind.RECOGNITION, add_months(start, 12)),
        _Ev(3, EventKind.STRIKE_OFF, ended),
        _Ev(4, EventKind.RESTORATION, restored),
    ]
    assert party_age_months(events, on) == age_in_months(start, on) - gap
    assert party_age_months(events, restored - dt.timedelta(days=1)) == 24


@pytest.mark.django_db
@given(st.integers(0, 1200), st.sampled_from([30, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90]))
def test_badges_are_never_given_before_the_milestone_minus_the_allowance(months, years):
    on = dt.date(2026, 1, 1)
    ok = badge_check(months, years, on, serious_illness=False)
    ill = badge_check(months, years, on, serious_illness=True)
    assert ok.ok == (months >= years * 12)
    allowance = 12 if years <= 65 else 24
    assert ill.ok == (months >= years * 12 - allowance)
    if ok.ok:
        assert ill.ok  # illness never takes a badge away
    nxt = next_badge(months, on, set())
    assert nxt is None or nxt[0] * 12 >= months
