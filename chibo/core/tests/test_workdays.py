import datetime as dt

import holidays
from hypothesis import given
from hypothesis import strategies as st

from chibo.core.workdays import (
    add_working_days,
    first_working_day_after_tet,
    holiday_name,
    is_working_day,
    working_days_between,
)

days = st.dates(min_value=dt.date(2010, 1, 1), max_value=dt.date(2030, 12, 31))
D = dt.date


def test_it_knows_the_national_holidays_and_weekends():
    assert not is_working_day(D(2025, 9, 2))  # Quốc khánh
    assert not is_working_day(D(2025, 9, 1))  # the day next to it (since 2021)
    assert not is_working_day(D(2025, 4, 30)) and not is_working_day(D(2025, 5, 1))
    assert not is_working_day(D(2026, 2, 17))  # Tết Bính Ngọ (lunar)
    assert not is_working_day(D(2025, 11, 22))  # a Saturday
    assert not is_working_day(D(2025, 11, 23))  # a Sunday
    assert is_working_day(D(2025, 11, 24))  # a Monday
    assert holiday_name(D(2025, 9, 2)) == "Quốc khánh"
    assert holiday_name(D(2025, 11, 24)) is None


def test_it_keeps_tet_2025_off():
    # Tết Ất Tỵ: mùng 1 is Wed 29/1/2025; the public sector was off Mon 27/1 – Fri 31/1.
    for day in range(27, 32):
        assert not is_working_day(D(2025, 1, day)), day
    assert is_working_day(D(2025, 1, 24)) and is_working_day(D(2025, 2, 3))


def test_it_has_substitute_days_and_worked_saturdays():
    assert not is_working_day(D(2026, 4, 27))  # nghỉ bù: Giỗ Tổ fell on Sunday 26/4/2026
    assert not is_working_day(D(2025, 5, 2))  # a Friday off in a swap …
    assert is_working_day(D(2025, 4, 26))  # … for Saturday 26/4/2025, worked
    assert not is_working_day(D(2015, 1, 2))  # a swap across New Year …
    assert is_working_day(D(2014, 12, 27))  # … for Saturday 27/12/2014


def test_it_finds_the_first_working_day_after_tet():
    # Tết Ất Tỵ 2025: off Mon 27/1 – Fri 31/1, weekend 1–2/2: offices open Mon 3/2/2025.
    assert first_working_day_after_tet(2025) == D(2025, 2, 3)
    # Tết Đinh Mùi 2027: mùng 1 is Sat 6/2; 29 Tết (Thu 4/2) to mùng 5 (Wed 10/2) are off.
    assert first_working_day_after_tet(2027) == D(2027, 2, 11)
    assert not is_working_day(D(2027, 2, 10))


def test_it_counts_a_deadline_across_tet():
    # Mon 20/1/2025 + 5: Tue 21 – Fri 24/1 are four; Sat 25 – Sun 26 weekend; Mon 27 – Fri 31/1
    # Tết; Sat 1/2 (mùng 4, falls on the weekend) – Sun 2/2 weekend; the fifth is Mon 3/2/2025.
    assert add_working_days(D(2025, 1, 20), 5) == D(2025, 2, 3)
    assert add_working_days(D(2025, 2, 3), -5) == D(2025, 1, 20)
    assert working_days_between(D(2025, 1, 20), D(2025, 2, 3)) == 5
    # Decision received Fri 24/1/2025, 30 working days: Tết and two weekends pass first; then
    # 3–7/2 (5), 10–14/2 (10), 17–21/2 (15), 24–28/2 (20), 3–7/3 (25), 10–14/3 (30).
    assert add_working_days(D(2025, 1, 24), 30) == D(2025, 3, 14)


def test_it_counts_the_worked_saturday_and_skips_the_swapped_friday():
    # From Fri 25/4/2025: Sat 26/4 is worked (1), Mon 28 (2), Tue 29 (3), then 30/4 and 1/5 are
    # holidays, Fri 2/5 is off for the Saturday, 3–4/5 weekend: the fourth is Mon 5/5/2025.
    assert add_working_days(D(2025, 4, 25), 1) == D(2025, 4, 26)
    assert add_working_days(D(2025, 4, 25), 4) == D(2025, 5, 5)


def test_it_returns_the_day_itself_or_the_next_working_day_for_zero():
    assert add_working_days(D(2025, 11, 24), 0) == D(2025, 11, 24)  # a Monday
    assert add_working_days(D(2025, 11, 22), 0) == D(2025, 11, 24)  # a Saturday
    assert add_working_days(D(2025, 1, 25), 0) == D(2025, 2, 3)  # the Saturday before Tết


@given(days)
def test_it_agrees_with_the_package(d):
    assert is_working_day(d) == holidays.country_holidays("VN", years=d.year).is_working_day(d)


@given(days, st.integers(min_value=1, max_value=80))
def test_it_lands_on_a_working_day_exactly_n_working_days_later(d, n):
    end = add_working_days(d, n)
    assert is_working_day(end)
    assert end > d
    assert working_days_between(d, end) == n
    assert working_days_between(d, end - dt.timedelta(days=1)) == n - 1  # not a day sooner


@given(days, st.integers(min_value=1, max_value=80))
def test_it_goes_back_and_forth(d, n):
    back = add_working_days(d, -n)
    assert is_working_day(back) and back < d
    if is_working_day(d):
        assert add_working_days(back, n) == d
        assert add_working_days(add_working_days(d, n), -n) == d


@given(days, st.integers(min_value=0, max_value=60), st.integers(min_value=0, max_value=60))
def test_it_is_monotonic(d, m, n):
    if m > n:
        m, n = n, m
    assert add_working_days(d, m) <= add_working_days(d, n)
    if 1 <= m < n:  # (0 and 1 both give the next working day when d is not one)
        assert add_working_days(d, m) < add_working_days(d, n)


@given(days, days, days)
def test_it_adds_up_counts_between_dates(a, b, c):
    assert working_days_between(a, b) + working_days_between(b, c) == working_days_between(a, c)
    assert working_days_between(a, b) == -working_days_between(b, a)
