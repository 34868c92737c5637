"""Dates and checks of admission and recognition (domain-rules §3.1–3.3), as pure functions.

Thresholds are dated parameters (chibo.core.params): a consideration on a date is judged by the
values in force then.
"""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from chibo.core import params
from chibo.core.workdays import add_working_days
from chibo.org.models import Parameter

from .lifecycle import ENDING, EventKind, effective_events


def add_months(d: dt.date, months: int) -> dt.date:
    """Same day `months` later; the last day of the month when that day does not exist
    (a ceremony on 29/2 ends its 12 months on 28/2)."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    if not dt.MINYEAR <= year <= dt.MAXYEAR:
        raise OverflowError("date out of range")  # as date arithmetic does; the API answers 400
    return dt.date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def age_in_months(birth: dt.date, on: dt.date) -> int:
    """Full months lived on `on` (the Charter counts admission age in months). A month is
    complete on the same day of a later month, or on its last day when it has no such day."""
    months = (on.year - birth.year) * 12 + (on.month - birth.month)
    if add_months(birth, months) > on:
        months -= 1
    return months


class DatedParams:
    """`params.get` for many days at once (an import checks the admission age of every row):
    a parameter's value is looked up once per stretch of days in which no Parameter row for the
    key starts or ends and its default does not change, so a 70,000-row roll costs a few
    queries instead of two per row. Rows for a unit count as changes too: more stretches, the
    same values."""

    def __init__(self) -> None:
        self._cuts: dict[str, list[dt.date]] = {}
        self._values: dict[tuple[str, int], Any] = {}

    def get(self, key: str, on: dt.date) -> Any:
        cuts = self._cuts.get(key)
        if cuts is None:
            days = {params.DEFAULTS[key].since} - {None}
            for start, end in Parameter.objects.filter(key=key).values_list(
                "valid_from", "valid_to"
            ):
                days |= {start, end} - {None}
            cuts = self._cuts[key] = sorted(days)
        stretch = (key, bisect.bisect_right(cuts, on))
        if stretch not in self._values:
            self._values[stretch] = params.get(key, on)
        return self._values[stretch]


@dataclass(frozen=True)
class AgeCheck:
    ok: bool
    route_to_higher: bool  # over the maximum: not refused, decided by a higher committee
    message: str
    minimum_years: int = 0  # the rule in force that day
    months: int = 0  # the age that day, in full months


def admission_age(
    birth: dt.date, considered_on: dt.date, *, get: Callable[[str, dt.date], Any] = params.get
) -> AgeCheck:
    """Age 18 to 60 full years, counted in months, at the cell's consideration date [C], by the
    rule in force that day (`get`: how to read it; an import passes a DatedParams' get)."""
    low = get("admission_min_age_years", considered_on) * 12
    high = get("admission_max_age_years", considered_on) * 12
    months = age_in_months(birth, considered_on)
    years, rest = divmod(months, 12)
    if months < low:
        return AgeCheck(
            False,
            False,
            _("Chưa đủ %(n)d tuổi (mới %(y)d tuổi %(m)d tháng) vào ngày chi bộ xét.")
            % {"n": low // 12, "y": years, "m": rest},
            low // 12,
            months,
        )
    if months > high:
        return AgeCheck(
            True,
            True,
            _("Trên %(n)d tuổi: hồ sơ chuyển cấp ủy có thẩm quyền xem xét, quyết định.")
            % {"n": high // 12},
            low // 12,
            months,
        )
    return AgeCheck(True, False, "", low // 12, months)


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


def months_between(a: dt.date, b: dt.date) -> int:
    """Full months from `a` to `b` (same counting as the age)."""
    return age_in_months(a, b)


# --- Party age and the badge (domain-rules §3.3, §3.9) ---------------------------------------


def party_age_months(events, on: dt.date) -> int:
    """Months of party age on `on`: from the admission (or the latest re-admission), once the
    member is official; the months between an ending (strike-off, expulsion, resignation) and a
    restoration are left out [M: interruption rule]."""

    start = official = None
    gap_start = None
    gaps = 0
    for e in effective_events(events):
        if e.effective_date > on:
            break
        if e.kind in (EventKind.ADMISSION, EventKind.READMISSION):
            start, official, gaps, gap_start = e.effective_date, None, 0, None
        elif e.kind == EventKind.RECOGNITION:
            official = e.effective_date
        elif e.kind in ENDING and e.kind != EventKind.DEATH:
            gap_start = e.effective_date
        elif e.kind == EventKind.RESTORATION and gap_start is not None:
            gaps += months_between(gap_start, e.effective_date)
            gap_start = None
    if start is None or official is None:
        return 0
    end = gap_start or on
    return max(0, months_between(start, end) - gaps)


@dataclass(frozen=True)
class BadgeCheck:
    ok: bool
    message: str
    early_months: int = 0


def badge_check(age_months: int, years: int, on: dt.date, serious_illness: bool) -> BadgeCheck:
    """Whether a badge of `years` may be awarded to a member with `age_months` of party age on
    `on`: at the milestone, or early for serious illness by at most 12 months (30–65 years) or
    24 months (70–90 years)."""
    milestones = params.get("badge_milestones_years", on)
    if years not in milestones:
        return BadgeCheck(
            False,
            _("Không có mốc Huy hiệu %(y)d năm tuổi đảng (các mốc: %(m)s).")
            % {"y": years, "m": ", ".join(str(m) for m in milestones)},
        )
    short = years * 12 - age_months
    if short <= 0:
        return BadgeCheck(True, "")
    key = "badge_early_months_to_65" if years <= 65 else "badge_early_months_from_70"
    allowed = params.get(key, on)
    if serious_illness and short <= allowed:
        return BadgeCheck(True, "", early_months=short)
    y, m = divmod(age_months, 12)
    if serious_illness:
        return BadgeCheck(
            False,
            _(
                "Tuổi đảng mới %(y)d năm %(m)d tháng: chỉ được tặng sớm tối đa %(a)d tháng "
                "trước mốc %(n)d năm."
            )
            % {"y": y, "m": m, "a": allowed, "n": years},
        )
    return BadgeCheck(
        False,
        _("Tuổi đảng mới %(y)d năm %(m)d tháng, chưa đủ %(n)d năm.") % {"y": y, "m": m, "n": years},
    )


def next_badge(age_months: int, on: dt.date, awarded: set[int]) -> tuple[int, dt.date] | None:
    """The next milestone not yet awarded and the date the party age reaches it."""
    for years in params.get("badge_milestones_years", on):
        if years in awarded:
            continue
        if years * 12 >= age_months:
            return years, add_months(on, years * 12 - age_months)
    return None


# --- Exemption (domain-rules §3.5) -------------------------------------------------------------


def exemption_age_ok(gender: str, birth_year: int, birth_date: dt.date | None, on: dt.date) -> bool:
    """ "Tuổi cao": beyond working age (men over 60, women over 55 by default; parameters [M])."""
    limit = params.get("exemption_age_male" if gender == "m" else "exemption_age_female", on)
    if birth_date is not None:
        return age_in_months(birth_date, on) > limit * 12
    return on.year - birth_year > limit


# --- Transfers (domain-rules §3.4) -----------------------------------------------------------


def transfer_file_deadline(moved_on: dt.date) -> dt.date:
    """The official transfer file is made within 60 working days of the decision or move [C]."""
    return add_working_days(moved_on, params.get("transfer_file_working_days", moved_on))


def transfer_report_deadline(departed_on: dt.date) -> dt.date:
    """The member presents the letter to the receiving side within 30 days [C]."""
    return departed_on + dt.timedelta(days=params.get("transfer_report_days", departed_on))


def temporary_duration_error(reason: str, start: dt.date, end: dt.date) -> str | None:
    """Temporary transfer: residence or work 3 months to under 1 year; domestic study 3 months
    to 2 years [C]. None when the planned period fits."""
    low = params.get("temporary_min_months", start)
    if end < add_months(start, low):
        return _("Sinh hoạt tạm thời phải từ %(n)d tháng trở lên.") % {"n": low}
    if reason == "study":
        high = params.get("temporary_study_max_months", start)
        if end > add_months(start, high):
            return _("Đi học tập trung: sinh hoạt tạm thời tối đa %(n)d tháng.") % {"n": high}
        return None
    high = params.get("temporary_work_max_months", start)
    if end >= add_months(start, high):
        return _(
            "Thay đổi nơi cư trú, làm việc: sinh hoạt tạm thời dưới %(n)d tháng; lâu hơn thì "
            "chuyển sinh hoạt chính thức."
        ) % {"n": high}
    return None


# --- Discipline and strike-off (domain-rules §3.7, §3.8) --------------------------------------

DISCIPLINE_FORMS = ("reprimand", "warning", "removal", "expulsion")
CELL_FORMS = ("reprimand", "warning")
STRIKE_OFF_GROUNDS = (
    "quit_or_fee",  # bỏ sinh hoạt hoặc không đóng đảng phí 3 tháng trong năm
    "card_returned",  # tự ý trả thẻ, hủy thẻ
    "no_progress",  # giáo dục 12 tháng không tiến bộ
    "standing_two_years",  # vi phạm tư cách 2 năm liền
    "political_standard",  # không đủ tiêu chuẩn chính trị
    "not_recognized",  # dự bị không được công nhận chính thức
)


def discipline_error(form: str, decided_by: str, stage: str, holds_post: bool) -> str | None:
    """A cell may only reprimand or warn; removal from post is only for post-holders; a
    probationary member may only be reprimanded or warned; higher forms come from committees."""
    if form not in DISCIPLINE_FORMS:
        return _("Hình thức kỷ luật không hợp lệ.")
    if stage == "probationary" and form not in CELL_FORMS:
        return _("Đảng viên dự bị chỉ có thể bị khiển trách hoặc cảnh cáo.")
    if decided_by == "cell" and form not in CELL_FORMS:
        return _(
            "Chi bộ chỉ được khiển trách hoặc cảnh cáo; hình thức cao hơn do cấp ủy quyết định."
        )
    if form == "removal" and not holds_post:
        return _("Cách chức chỉ áp dụng với đảng viên đang giữ chức vụ.")
    return None
