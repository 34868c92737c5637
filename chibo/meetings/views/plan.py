"""The year's meeting plan of a unit: fixed day, planned and held meetings, gaps."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chibo.core.forms import run
from chibo.core.scope import can
from chibo.org.models import Unit

from .. import services
from ..forms import DayForm, HeldForm, MeetingForm
from ..models import Meeting


def _unit(request, pk: int) -> Unit:
    return get_object_or_404(Unit.objects.restrict(request.user, "view"), pk=pk)


def _year(request) -> int:
    value = request.GET.get("year") or request.POST.get("year") or ""
    return (
        int(value) if value.isdigit() and 1900 <= int(value) <= 2100 else timezone.localdate().year
    )


def _back(unit: Unit, year: int):
    return redirect(reverse("meetings:plan", args=[unit.pk]) + f"?year={year}")


@login_required
def plan(request, pk: int):
    unit = _unit(request, pk)
    year = _year(request)
    today = timezone.localdate()
    months, quarters = services.year_overview(unit, year, today)
    return render(
        request,
        "meetings/plan.html",
        {
            "nav": "tree",
            "unit": unit,
            "year": year,
            "months": months,
            "quarters": quarters,
            "day": services.day_on(unit, today),
            "can_edit": can(request.user, "members", unit),
            "day_form": DayForm(initial={"valid_from": today}),
            "meeting_form": MeetingForm(initial={"planned_on": today}),
            "today": today,
        },
    )


def _writable(request, pk: int) -> Unit:
    unit = _unit(request, pk)
    if not can(request.user, "members", unit):
        raise PermissionDenied(_("Bạn chỉ có quyền xem."))
    return unit


@login_required
@require_POST
def set_day(request, pk: int):
    unit = _writable(request, pk)
    form = DayForm(request.POST)
    if form.is_valid():
        run(
            request,
            lambda: services.set_meeting_day(actor=request.user, unit=unit, **form.cleaned_data),
            _("Đã đặt ngày sinh hoạt cố định."),
        )
    else:
        messages.error(request, _("Ngày sinh hoạt phải từ 1 đến 31 và có ngày áp dụng."))
    return _back(unit, _year(request))


@login_required
@require_POST
def plan_year(request, pk: int):
    unit = _writable(request, pk)
    year = _year(request)
    run(
        request,
        lambda: services.plan_year(actor=request.user, unit=unit, year=year),
        _("Đã lập kế hoạch sinh hoạt năm %(y)d.") % {"y": year},
    )
    return _back(unit, year)


@login_required
@require_POST
def add(request, pk: int):
    unit = _writable(request, pk)
    form = MeetingForm(request.POST)
    if form.is_valid():
        run(
            request,
            lambda: services.add_meeting(actor=request.user, unit=unit, **form.cleaned_data),
            _("Đã thêm cuộc họp."),
        )
        year = form.cleaned_data["planned_on"].year
    else:
        messages.error(request, _("Hãy chọn loại và ngày dự kiến."))
        year = _year(request)
    return _back(unit, year)


@login_required
@require_POST
def held(request, pk: int):
    meeting = get_object_or_404(Meeting.objects.restrict(request.user), pk=pk)
    if not can(request.user, "members", meeting.unit):
        raise PermissionDenied(_("Bạn chỉ có quyền xem."))
    form = HeldForm(request.POST)
    if form.is_valid():
        run(
            request,
            lambda: services.mark_held(
                actor=request.user, meeting=meeting, held_on=form.cleaned_data["held_on"]
            ),
            _("Đã ghi nhận cuộc họp đã diễn ra."),
        )
    else:
        messages.error(request, _("Hãy ghi ngày họp."))
    return _back(meeting.unit, meeting.planned_on.year)
