"""Working days on Vietnam's calendar, for deadlines counted in working days (30 working days
to hold the admission ceremony, 60 to send a transfer file, …).

The `holidays` package's Vietnamese calendar does the work: public holidays including lunar Tết,
substitute days off ("nghỉ bù", "Ngày nghỉ thay cho ngày …") and the Saturdays that are worked in
exchange (its `weekend_workdays`). Saturday and Sunday are otherwise days off.
"""

from __future__ import annotations

import datetime as dt
import threading

import holidays

_lock = threading.Lock()
_calendar = holidays.country_holidays("VN")  # expands to new years on demand


def _ensure(*days: dt.date) -> None:
    # Populating a new year is not thread-safe in the package: do it once, under a lock.
    if any(d.year not in _calendar.years for d in days):
        with _lock:
            for d in days:
                _ = d in _calendar  # a lookup loads the year (the package's expand=True)


def is_working_day(d: dt.date) -> bool:
    _ensure(d)
    return _calendar.is_working_day(d)


def holiday_name(d: dt.date) -> str | None:
    _ensure(d)
    return _calendar.get(d)


def add_working_days(start: dt.date, n: int) -> dt.date:
    """The n-th working day after `start` (start itself not counted); negative n goes back.
    n = 0 gives `start` if it is a working day, else the next one. "Within 30 working days of
    receiving the decision" ends on add_working_days(received, 30)."""
    step = 1 if n >= 0 else -1
    d = start
    remaining = abs(n)
    if n == 0:
        while not is_working_day(d):
            d += dt.timedelta(days=1)
        return d
    while remaining:
        d += dt.timedelta(days=step)
        if is_working_day(d):
            remaining -= 1
    return d


def working_days_between(a: dt.date, b: dt.date) -> int:
    """Working days in (a, b]: how many working days after `a` the date `b` falls (negative when
    b < a). working_days_between(d, add_working_days(d, n)) == n for n >= 1."""
    if b < a:
        return -working_days_between(b, a)
    count, d = 0, a
    while d < b:
        d += dt.timedelta(days=1)
        count += is_working_day(d)
    return count
