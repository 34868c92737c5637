"""Working days on Vietnam's calendar, for deadlines counted in working days ("within 30 working
days of receiving the decision", 60 working days to send a transfer file, …).

The `holidays` package's Vietnamese calendar (`country_holidays("VN")`, category "public", the
only one it has) does the work. It holds:
- the Labor Code's public holidays: Tết Dương lịch (1/1); lunar Tết (giao thừa to mùng 3, and
  mùng 4 since 2013); Giỗ Tổ Hùng Vương (10/3 lunar, since 2007); 30/4; 1/5; Quốc khánh 2/9
  plus one day next to it (since 2021); Ngày Văn hóa Việt Nam 24/11 (since 2026);
- substitute days ("nghỉ bù", observed=True by default): a holiday on a weekend moves to the
  next working day; a Tết day on a Saturday adds the working day before Tết, on a Sunday the
  working day after (the public-sector Tết schedule, e.g. 27/1–31/1/2025, 8–14/2/2024);
- the government's public-sector day swaps ("Ngày nghỉ (thay cho ngày …)"), with the Saturday
  worked in exchange (the package's `weekend_workdays`, e.g. Sat 26/4/2025 for Fri 2/5/2025).
Swaps decided after the package was released are missing until it is upgraded.
Saturday and Sunday are otherwise days off.
"""

from __future__ import annotations

import datetime as dt
import functools
import threading

import holidays

_ONE_DAY = dt.timedelta(days=1)
_SATURDAY = 5
# Building a year of the package's calendar computes lunar dates (milliseconds, not
# microseconds), and its lazy year expansion is not thread-safe: build each year once, under a
# lock, into immutable sets.
_lock = threading.Lock()


@functools.cache
def _year(year: int) -> tuple[dict[dt.date, str], frozenset[dt.date]]:
    """(days off with their names, Saturdays/Sundays worked) in `year`."""
    with _lock:
        # Neighbouring years too: a swap can cross New Year (Fri 2/1/2015 off for Sat 27/12/2014).
        years = range(max(year - 1, dt.MINYEAR), min(year + 1, dt.MAXYEAR) + 1)
        cal = holidays.country_holidays("VN", years=years)
        off = {d: name for d, name in cal.items() if d.year == year}
        worked = frozenset(d for d in cal.weekend_workdays if d.year == year)
    return off, worked


def is_working_day(d: dt.date) -> bool:
    """Not a public holiday or substitute day off, and not a weekend unless worked in a swap."""
    off, worked = _year(d.year)
    if d.weekday() >= _SATURDAY:
        return d in worked
    return d not in off


def holiday_name(d: dt.date) -> str | None:
    """The holiday's Vietnamese name, or None (weekends have none)."""
    return _year(d.year)[0].get(d)


def add_working_days(start: dt.date, n: int) -> dt.date:
    """The n-th working day after `start`, `start` itself not counted; negative n counts back
    (the n-th working day before `start`).

    n = 0 gives `start` if it is a working day, else the next one: "on the day, or the first
    working day after". "Within 30 working days of receiving the decision" ends on
    add_working_days(received, 30), whatever day the decision was received."""
    d = start
    if n == 0:
        while not is_working_day(d):
            d += _ONE_DAY
        return d
    step = _ONE_DAY if n > 0 else -_ONE_DAY
    remaining = abs(n)
    while remaining:
        d += step
        if is_working_day(d):
            remaining -= 1
    return d


def working_days_between(a: dt.date, b: dt.date) -> int:
    """The working days in (a, b]: `a` not counted, `b` counted. Negative when b < a
    (-working_days_between(b, a)). So working_days_between(d, add_working_days(d, n)) == n for
    n >= 1, and the counts add up: between(a, b) + between(b, c) == between(a, c)."""
    if b < a:
        return -working_days_between(b, a)
    count, d = 0, a
    while d < b:
        d += _ONE_DAY
        count += is_working_day(d)
    return count


def first_working_day_after_tet(year: int) -> dt.date:
    """The first working day after the lunar Tết holiday of `year` (the public-sector break,
    substitute days included): the day offices open again."""
    off, _worked = _year(year)
    new_year = min(d for d, name in off.items() if name == "Tết Nguyên Đán")
    return add_working_days(new_year, 0)
