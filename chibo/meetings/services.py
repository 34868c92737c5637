"""Meeting writes (first increment): the fixed day, the year's plan, adding a meeting, marking it
held; and the year's overview with its gaps. Each write checks the "members" action on the unit
(cell secretaries have it) and leaves an audit entry."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from chibo.audit.services import record
from chibo.core import params
from chibo.core.scope import allowed
from chibo.org.models import Unit

from .holding import refreeze
from .models import COUNTS_AS_REGULAR, COUNTS_AS_THEMATIC, Meeting, MeetingDay, MeetingKind
from .preparation import touch


def _require(actor, unit: Unit) -> None:
    if not allowed(actor, "members", unit):
        raise PermissionDenied(_("Bạn không có quyền lập kế hoạch sinh hoạt của tổ chức này."))


def day_on(unit: Unit, d: dt.date) -> int | None:
    row = (
        MeetingDay.objects.filter(unit=unit, valid_from__lte=d)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=d))
        .order_by("-valid_from")
        .first()
    )
    return row.day if row else None


def date_in_month(year: int, month: int, day: int) -> dt.date:
    """The fixed day in that month; the month's last day when it is shorter (31 → 28/2)."""
    return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))


@transaction.atomic
def set_meeting_day(*, actor, unit: Unit, day: int, valid_from: dt.date) -> MeetingDay:
    _require(actor, unit)
    if not 1 <= day <= 31:
        raise ValidationError(_("Ngày sinh hoạt phải từ 1 đến 31."))
    current = MeetingDay.objects.filter(unit=unit, valid_to__isnull=True).first()
    if current is not None:
        if valid_from <= current.valid_from:
            raise ValidationError(
                _("Ngày áp dụng phải sau %(d)s (ngày cố định hiện tại bắt đầu từ đó).")
                % {"d": f"{current.valid_from:%d/%m/%Y}"}
            )
        current.valid_to = valid_from
        current.save(update_fields=["valid_to"])
    row = MeetingDay.objects.create(unit=unit, day=day, valid_from=valid_from)
    record(
        actor=actor,
        action="meetings.day",
        obj=unit,
        unit=unit,
        after={"day": day, "valid_from": valid_from.isoformat()},
    )
    return row


@transaction.atomic
def plan_year(*, actor, unit: Unit, year: int) -> list[Meeting]:
    """Create the regular meeting of every month of `year` that has none yet, on the fixed day
    in force then. Running it again adds nothing."""
    _require(actor, unit)
    if not 1900 <= year <= 2100:
        raise ValidationError(_("Năm không hợp lệ."))
    have = set(
        Meeting.objects.filter(
            unit=unit, kind__in=COUNTS_AS_REGULAR, planned_on__year=year
        ).values_list("planned_on__month", flat=True)
    )
    created = []
    for month in range(1, 13):
        if month in have:
            continue
        day = day_on(unit, dt.date(year, month, 1)) or day_on(unit, date_in_month(year, month, 31))
        if day is None:
            continue
        created.append(
            Meeting(unit=unit, kind=MeetingKind.REGULAR, planned_on=date_in_month(year, month, day))
        )
    if not created and not MeetingDay.objects.filter(unit=unit).exists():
        raise ValidationError(_("Hãy đặt ngày sinh hoạt cố định trước khi lập kế hoạch năm."))
    Meeting.objects.bulk_create(created)
    record(
        actor=actor,
        action="meetings.plan_year",
        obj=unit,
        unit=unit,
        after={"year": year, "created": len(created)},
    )
    return created


@transaction.atomic
def add_meeting(*, actor, unit: Unit, kind: str, planned_on: dt.date, topic: str = "") -> Meeting:
    _require(actor, unit)
    if kind not in MeetingKind.values:
        raise ValidationError(_("Loại cuộc họp không hợp lệ."))
    if kind in COUNTS_AS_THEMATIC and not topic.strip():
        raise ValidationError(_("Sinh hoạt chuyên đề cần ghi chủ đề."))
    m = Meeting.objects.create(unit=unit, kind=kind, planned_on=planned_on, topic=topic.strip())
    record(
        actor=actor,
        action="meetings.add",
        obj=m,
        unit=unit,
        after={"kind": kind, "planned_on": planned_on.isoformat()},
    )
    return m


@transaction.atomic
def mark_held(*, actor, meeting: Meeting, held_on: dt.date) -> Meeting:
    from django.utils import timezone

    _require(actor, meeting.unit)
    if held_on > timezone.localdate():
        raise ValidationError(_("Ngày họp không thể ở tương lai."))

    before = {"held_on": meeting.held_on.isoformat() if meeting.held_on else None}
    if meeting.held_on is not None and held_on != meeting.held_on:
        refreeze(meeting, held_on)
    meeting.held_on = held_on
    touch(meeting, ["held_on"])
    record(
        actor=actor,
        action="meetings.held",
        obj=meeting,
        unit=meeting.unit,
        before=before,
        after={"held_on": held_on.isoformat()},
    )
    return meeting


@dataclass
class Month:
    month: int
    meetings: list[Meeting] = field(default_factory=list)
    ended: bool = False
    regular_held: bool = False

    @property
    def missing(self) -> bool:
        return self.ended and not self.regular_held


@dataclass
class Quarter:
    quarter: int
    thematic_held: int
    required: int
    ended: bool

    @property
    def short(self) -> bool:
        return self.ended and self.thematic_held < self.required


def year_overview(unit: Unit, year: int, today: dt.date) -> tuple[list[Month], list[Quarter]]:
    """The 12 months with their meetings, the ended months without a held regular meeting, and
    the ended quarters with fewer held thematic meetings than the dated parameter asks."""
    months = [Month(m) for m in range(1, 13)]
    for m in months:
        last = date_in_month(year, m.month, 31)
        m.ended = last < today
    for meeting in Meeting.objects.filter(unit=unit).filter(
        Q(planned_on__year=year) | Q(held_on__year=year)
    ):
        months[meeting.date.month - 1].meetings.append(meeting)
        if meeting.held_on and meeting.kind in COUNTS_AS_REGULAR:
            months[meeting.held_on.month - 1].regular_held = True
    quarters = []
    for q in range(1, 5):
        qmonths = months[3 * q - 3 : 3 * q]
        held = sum(
            1
            for mo in qmonths
            for mt in mo.meetings
            if mt.held_on and mt.kind in COUNTS_AS_THEMATIC and mt.held_on.year == year
        )
        end = date_in_month(year, 3 * q, 31)
        quarters.append(Quarter(q, held, params.get("thematic_min_per_quarter", end), end < today))
    return months, quarters


def later_meetings(*, on: dt.date, units) -> dict[int, str]:
    """For a restructuring's preview: per unit, the meetings of its subtree held (or planned)
    on or after `on`; they stay with their unit and follow the tree of their own dates."""
    from django.db.models import Q

    out = {}
    for unit in units:
        n = (
            Meeting.objects.filter(unit__path__startswith=unit.path)
            .filter(Q(held_on__gte=on) | Q(held_on__isnull=True, planned_on__gte=on))
            .count()
        )
        if n:
            out[unit.pk] = _("%(n)d cuộc họp") % {"n": n}
    return out
