"""Dates and checks of admission and recognition (domain-rules §3.1–3.3), as pure functions.

Thresholds are dated parameters (chibo.core.params): a consideration on a date is judged by the
values in force then.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from chibo.core import params
from chibo.core.workdays import add_working_days


def add_months(d: dt.date, months: int) -> dt.date:
    """Same day `months` later; the last day of the month when that day does not exist
    (a ceremony on 29/2 ends its 12 months on 28/2)."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return dt.date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def age_in_months(birth: dt.date, on: dt.date) -> int:
    """Full months lived on `on` (the Charter counts admission age in months). A month is
    complete on the same day of a later month, or on its last day when it has no such day."""
    months = (on.year - birth.year) * 12 + (on.month - birth.month)
    if add_months(birth, months) > on:
        months -= 1
    return months


@dataclass(frozen=True)
class AgeCheck:
    ok: bool
    route_to_higher: bool  # over the maximum: not refused, decided by a higher committee
    message: str


def admission_age(birth: dt.date, considered_on: dt.date) -> AgeCheck:
    """Age 18 to 60 full years, counted in months, at the cell's consideration date [C]."""
    low = params.get("admission_min_age_years", considered_on) * 12
    high = params.get("admission_max_age_years", considered_on) * 12
    months = age_in_months(birth, considered_on)
    years, rest = divmod(months, 12)
    if months < low:
        return AgeCheck(
            False,
            False,
            _("Chưa đủ %(n)d tuổi (mới %(y)d tuổi %(m)d tháng) vào ngày chi bộ xét.")
            % {"n": low // 12, "y": years, "m": rest},
        )
    if months > high:
        return AgeCheck(
            True,
            True,
            _("Trên %(n)d tuổi: hồ sơ chuyển cấp ủy có thẩm quyền xem xét, quyết định.")
            % {"n": high // 12},
        )
    return AgeCheck(True, False, "")


def ceremony_deadline(decision_received: dt.date) -> dt.date:
    """The admission ceremony is held within 30 working days of receiving the decision [C]."""
    days = params.get("ceremony_within_working_days", decision_received)
    return add_working_days(decision_received, days)


def probation_end(ceremony: dt.date) -> dt.date:
    """Probation is 12 months from the ceremony; the member becomes official on that day even
    when the recognition is decided later [C]."""
    return add_months(ceremony, params.get("probation_months", ceremony))


def recognition_deadline(ceremony: dt.date) -> dt.date:
    """The cell considers recognition within 30 working days after the probation ends [C]."""
    end = probation_end(ceremony)
    return add_working_days(end, params.get("recognition_within_working_days", end))
