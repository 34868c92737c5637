import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from chibo.core.workdays import add_working_days, is_working_day, working_days_between

days = st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2030, 12, 31))


def test_it_knows_the_national_holidays_and_weekends():
    assert not is_working_day(dt.date(2025, 9, 2))  # Quốc khánh
    assert not is_working_day(dt.date(2025, 1, 29))  # Tết Ất Tỵ
    assert not is_working_day(dt.date(2026, 2, 17))  # Tết Bính Ngọ (lunar)
    assert not is_working_day(dt.date(2026, 4, 27))  # nghỉ bù Giỗ Tổ (fell on a Sunday)
    assert not is_working_day(dt.date(2025, 11, 22))  # a Saturday
    assert is_working_day(dt.date(2025, 4, 26))  # a Saturday worked in exchange for 2/5/2025
    assert is_working_day(dt.date(2025, 11, 24))


def test_it_counts_a_deadline_across_tet():
    # Mon 20/1/2025 + 5 working days: 21–24/1 are four; 27/1–2/2 are Tết and a weekend; the
    # fifth working day is Mon 3/2/2025.
    assert add_working_days(dt.date(2025, 1, 20), 5) == dt.date(2025, 2, 3)
    assert add_working_days(dt.date(2025, 2, 3), -5) == dt.date(2025, 1, 20)


@given(days, st.integers(min_value=1, max_value=80))
def test_it_lands_on_a_working_day_exactly_n_working_days_later(d, n):
    end = add_working_days(d, n)
    assert is_working_day(end)
    assert working_days_between(d, end) == n
    assert end > d


@given(days, st.integers(min_value=0, max_value=60), st.integers(min_value=0, max_value=60))
def test_it_is_monotonic(d, m, n):
    if m <= n:
        assert add_working_days(d, m) <= add_working_days(d, n)
