"""Pages of the review: duties. A cell's duties and pledges of a year (list per member, the
assignment, outcome and pledge forms for those who may use them, an XLSX export of the list).
Reads go through the gate ("view" on the cell: 404 outside it); writes need "members" on the
cell (403 for read-only readers) and go through services.duties."""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chibo.audit.exports import xlsx_response
from chibo.core.forms import messages_of, run
from chibo.core.scope import can
from chibo.members.models import Member
from chibo.org.choices import CELL_KINDS
from chibo.org.models import Unit

from ..choices import SHORT, Level, Outcome
from ..forms import DutyEditForm, DutyForm, OutcomeForm, PledgeForm, UnitPledgeForm
from ..models import Duty, Pledge
from ..selectors import members_of, outcome_rows, outcome_text, tasks_from
from ..services import duties as services

READ_ONLY = _("Bạn chỉ có quyền xem.")


def _unit(request, pk: int) -> Unit:
    return get_object_or_404(Unit.objects.restrict(request.user, "view"), pk=pk)


def _year(request, data=None) -> int:
    v = (data or request.GET).get("year") or ""
    return int(v) if v.isdigit() and 1900 <= int(v) <= 2100 else timezone.localdate().year


def _editor(request, unit: Unit) -> None:
    if not can(request.user, "members", unit):
        raise PermissionDenied(READ_ONLY)


def _back(unit: Unit, year: int):
    return redirect(reverse("reviews:duties", args=[unit.pk]) + f"?year={year}")


def _members(request, unit: Unit, year: int) -> list[Member]:
    """The cell's members of the year that the reader may see."""
    shown = members_of(unit, year)
    visible = set(
        Member.objects.restrict(request.user, "view")
        .filter(pk__in=[m.pk for m in shown])
        .values_list("pk", flat=True)
    )
    return [m for m in shown if m.pk in visible]


def _rows(request, unit: Unit, year: int):
    duties = Duty.objects.restrict(request.user, "view").filter(unit=unit, year=year)
    return duties.select_related("member").order_by("member__sort_key", "member_id", "due_on", "id")


def _outcome_text(d: Duty) -> str:
    return d.get_outcome_display() if d.outcome else _("Chưa có kết quả")


def _export(request, unit: Unit, year: int):
    rows = _rows(request, unit, year)
    return xlsx_response(
        actor=request.user,
        action="export.duties",
        filename=f"phan-cong-nhiem-vu-{year}.xlsx",
        title=_("Phân công nhiệm vụ năm %(y)d — %(u)s") % {"y": year, "u": unit.name},
        headers=[
            _("Đảng viên"),
            _("Nhiệm vụ"),
            _("Địa bàn, hộ phụ trách"),
            _("Chỉ tiêu"),
            _("Ngày phân công"),
            _("Thời hạn"),
            _("Kết quả"),
            _("Ngày có kết quả"),
            _("Ghi chú"),
        ],
        rows=(
            [
                d.member.full_name,
                d.text,
                d.area,
                d.target,
                d.assigned_on,
                d.due_on,
                _outcome_text(d),
                d.outcome_on,
                d.outcome_note,
            ]
            for d in rows.iterator()
        ),
        unit=unit,
        filters={"year": year},
        widths=[24, 48, 24, 24, 14, 14, 18, 14, 30],
    )


@login_required
def duties(request, pk: int):
    unit = _unit(request, pk)
    year = _year(request)
    if request.GET.get("format") == "xlsx":
        return _export(request, unit, year)
    today = timezone.localdate()
    is_cell = unit.kind in CELL_KINDS
    members = _members(request, unit, year) if is_cell else []
    rows = list(_rows(request, unit, year))
    by_member = defaultdict(list)
    for d in rows:
        by_member[d.member_id].append(d)
    pledges = {
        p.member_id: p
        for p in Pledge.objects.restrict(request.user, "view").filter(
            year=year, member_id__in=[m.pk for m in members]
        )
    }
    unit_pledge = (
        Pledge.objects.restrict(request.user, "view")
        .filter(year=year, unit=unit, member__isnull=True)
        .first()
    )
    locked = services.decided(unit, year)
    can_edit = can(request.user, "members", unit) and not locked
    choices = [(m.pk, m.full_name) for m in members]
    add_form = DutyForm(initial={"assigned_on": today})
    add_form.fields["member"].choices = choices
    pledge_form = PledgeForm(initial={"pledged_on": today})
    pledge_form.fields["member"].choices = choices
    shown = [
        {
            "m": m,
            "duties": by_member.get(m.pk, []),
            "pledge": pledges.get(m.pk),
            "summary": outcome_text(tasks_from(by_member.get(m.pk, []))),
        }
        for m in members
    ]
    return render(
        request,
        "reviews/duties.html",
        {
            "nav": "tree",
            "unit": unit,
            "year": year,
            "is_cell": is_cell,
            "members": shown,
            "total": tasks_from(rows),
            "total_rows": outcome_rows(tasks_from(rows)),
            "unit_pledge": unit_pledge,
            "can_edit": can_edit,
            "locked": locked,
            "add_form": add_form,
            "pledge_form": pledge_form,
            "unit_pledge_form": UnitPledgeForm(
                initial={
                    "pledged_on": today,
                    "level": unit_pledge.level if unit_pledge else "",
                    "text": unit_pledge.text if unit_pledge else "",
                }
            ),
            "outcomes": Outcome.choices,
            "levels": Level.choices,
            "short": SHORT,
            "today": today,
        },
    )


def _form_errors(request, form) -> None:
    for m in messages_of(form):
        messages.error(request, m)


@login_required
@require_POST
def add(request, pk: int):
    unit = _unit(request, pk)
    _editor(request, unit)
    year = _year(request, request.POST)
    form = DutyForm(request.POST)
    members = {m.pk: m for m in _members(request, unit, year)}
    form.fields["member"].choices = [(k, m.full_name) for k, m in members.items()]
    if not form.is_valid():
        _form_errors(request, form)
        return _back(unit, year)
    d = form.cleaned_data
    run(
        request,
        lambda: services.assign_duty(
            actor=request.user,
            unit=unit,
            member=members[d["member"]],
            year=year,
            text=d["text"],
            area=d["area"],
            target=d["target"],
            due_on=d["due_on"],
            assigned_on=d["assigned_on"],
        ),
        _("Đã phân công nhiệm vụ."),
    )
    return _back(unit, year)


def _duty(request, pk: int) -> Duty:
    duty = get_object_or_404(
        Duty.objects.restrict(request.user, "view").select_related("unit", "member"), pk=pk
    )
    # The member reads their own duty; only the cell's editors write.
    _editor(request, duty.unit)
    return duty


@login_required
@require_POST
def outcome(request, pk: int):
    duty = _duty(request, pk)
    form = OutcomeForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        d = form.cleaned_data
        run(
            request,
            lambda: services.set_outcome(
                actor=request.user,
                duty=duty,
                outcome=d["outcome"],
                outcome_on=d["outcome_on"],
                note=d["note"],
            ),
            _("Đã ghi kết quả thực hiện nhiệm vụ."),
        )
    return _back(duty.unit, duty.year)


@login_required
@require_POST
def edit(request, pk: int):
    duty = _duty(request, pk)
    form = DutyEditForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        d = form.cleaned_data
        run(
            request,
            lambda: services.edit_duty(
                actor=request.user,
                duty=duty,
                text=d["text"],
                area=d["area"],
                target=d["target"],
                due_on=d["due_on"],
            ),
            _("Đã sửa nhiệm vụ."),
        )
    return _back(duty.unit, duty.year)


@login_required
@require_POST
def remove(request, pk: int):
    duty = _duty(request, pk)
    if request.POST.get("confirm") != "1":  # asked first: the page says what goes
        return render(
            request, "reviews/duty_remove.html", {"nav": "tree", "duty": duty, "unit": duty.unit}
        )
    run(
        request,
        lambda: services.remove_duty(actor=request.user, duty=duty),
        _("Đã xóa nhiệm vụ."),
    )
    return _back(duty.unit, duty.year)


@login_required
@require_POST
def pledge(request, pk: int):
    unit = _unit(request, pk)
    _editor(request, unit)
    year = _year(request, request.POST)
    form = PledgeForm(request.POST)
    members = {m.pk: m for m in _members(request, unit, year)}
    form.fields["member"].choices = [(k, m.full_name) for k, m in members.items()]
    if not form.is_valid():
        _form_errors(request, form)
        return _back(unit, year)
    d = form.cleaned_data
    run(
        request,
        lambda: services.pledge(
            actor=request.user,
            unit=unit,
            member=members[d["member"]],
            year=year,
            level=d["level"],
            text=d["text"],
            pledged_on=d["pledged_on"],
        ),
        _("Đã ghi đăng ký phấn đấu."),
    )
    return _back(unit, year)


@login_required
@require_POST
def unit_pledge(request, pk: int):
    unit = _unit(request, pk)
    _editor(request, unit)
    year = _year(request, request.POST)
    form = UnitPledgeForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(unit, year)
    d = form.cleaned_data
    run(
        request,
        lambda: services.pledge_unit(
            actor=request.user,
            unit=unit,
            year=year,
            level=d["level"],
            text=d["text"],
            pledged_on=d["pledged_on"],
        ),
        _("Đã ghi đăng ký phấn đấu của tổ chức."),
    )
    return _back(unit, year)


urls: list = [
    path("duties/<int:pk>/", duties, name="duties"),
    path("duties/<int:pk>/add/", add, name="duty_add"),
    path("duties/<int:pk>/pledge/", pledge, name="pledge"),
    path("duties/<int:pk>/unit-pledge/", unit_pledge, name="unit_pledge"),
    path("duty/<int:pk>/outcome/", outcome, name="duty_outcome"),
    path("duty/<int:pk>/edit/", edit, name="duty_edit"),
    path("duty/<int:pk>/remove/", remove, name="duty_remove"),
]
