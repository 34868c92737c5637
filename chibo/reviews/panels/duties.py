"""What the review adds to other apps' pages through core.hooks: duties.

- the member page: the member's duties and pledge of the page's year, with their outcomes
  (read through the gate: a unit the member left sees the duties of its own cell; the member
  sees their own);
- the unit page: a link to the unit's duties and pledges;
- the monthly meeting's agenda: a line reviewing the duties due in the month the meeting
  reviews (meetings imports none of this: it asks core.hooks)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from chibo.core import hooks
from chibo.core.scope import can

from ..models import Duty, Pledge
from ..selectors import month_duties, outcome_text, tasks_from


def member_panel(request, member, on: dt.date) -> hooks.Panel:
    year = on.year
    duties = (
        Duty.objects.restrict(request.user, "view")
        .filter(member_id=member.pk, year=year)
        .select_related("unit")
    )
    rows = list(duties)
    pledge = (
        Pledge.objects.restrict(request.user, "view").filter(member_id=member.pk, year=year).first()
    )
    cell = getattr(member, "home_unit", None)
    manage_url = ""
    if cell is not None and can(request.user, "members", cell):
        manage_url = reverse("reviews:duties", args=[cell.pk]) + f"?year={year}"
    tasks = tasks_from(rows)
    return hooks.Panel(
        "reviews/_member_duties.html",
        {
            "duty_year": year,
            "duties": rows,
            "pledge": pledge,
            "tasks": tasks,
            "summary": outcome_text(tasks),
            "manage_url": manage_url,
        },
        order=40,
    )


def reviewed_month(day: dt.date) -> tuple[int, int]:
    """The month a meeting reviews: the previous one early in the month (before the 15th, as
    the agenda's "Đánh giá kết quả thực hiện nghị quyết" line has it), else its own."""
    if day.day < 15:
        prev = day.replace(day=1) - dt.timedelta(days=1)
        return prev.year, prev.month
    return day.year, day.month


def agenda_lines(meeting) -> list[str]:
    year, month = reviewed_month(meeting.date)
    m = month_duties(meeting.unit, year, month, meeting.date)
    if not (m.due or m.overdue_before):
        return []
    line = _(
        "Kiểm điểm việc thực hiện nhiệm vụ được phân công tháng %(m)d/%(y)d: %(due)d việc đến "
        "hạn trong tháng, %(left)d việc chưa hoàn thành"
    ) % {"m": month, "y": year, "due": m.due, "left": m.unfinished}
    if m.overdue_before:
        line += _("; %(n)d việc quá hạn từ các tháng trước chưa có kết quả") % {
            "n": m.overdue_before
        }
    return [line]


def unit_links(request, unit, on: dt.date, version) -> hooks.Panel | None:
    """The way from a unit's page to its duties and pledges of the year (readers of its
    records only: the list names members)."""
    if version is None or not can(request.user, "view", unit, on):
        return None
    return hooks.Panel(
        "reviews/_unit_duties_link.html", {"duty_year": on.year}, order=30, slot="aside"
    )


def register() -> None:
    """Called from ReviewsConfig.ready()."""
    hooks.register(hooks.UNIT_PAGE_PANELS, unit_links, order=30)
    hooks.register(hooks.MEMBER_PAGE_PANELS, member_panel, order=40)
    hooks.register(hooks.MEETING_AGENDA_LINES, agenda_lines, order=40)
