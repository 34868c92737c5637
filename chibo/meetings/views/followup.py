"""Follow-up pages: assignments and the year's compliance for an organization (with export),
a follower's visits, and the opinions and proposals raised in meetings with their answers."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chibo.accounts.models import User
from chibo.audit.exports import xlsx_response
from chibo.core.scope import can
from chibo.org.choices import CELL_KINDS, GRASSROOTS_KINDS
from chibo.org.models import Unit

from .. import followup, selectors
from ..forms import AssignForm
from ..models import FollowUp, Meeting, RaisedMatter


def _unit(request, pk: int) -> Unit:
    return get_object_or_404(Unit.objects.restrict(request.user), pk=pk)


def _year(request) -> int:
    v = request.GET.get("year") or ""
    return int(v) if v.isdigit() and 1900 <= int(v) <= 2100 else timezone.localdate().year


def _assign_form(request, unit: Unit, data=None) -> AssignForm:
    form = AssignForm(data, initial={"valid_from": timezone.localdate(), "unit": unit.pk})
    users = User.objects.restrict(request.user).filter(is_active=True).order_by("full_name")
    form.fields["user"].choices = [(u.pk, f"{u} ({u.username})") for u in users[:500]]
    kinds = CELL_KINDS | GRASSROOTS_KINDS
    units = Unit.objects.restrict(request.user).filter(
        path__startswith=unit.path, valid_to__isnull=True, kind__in=list(kinds)
    )
    choices = [(unit.pk, unit.name)] + [
        (u.pk, u.name) for u in units.order_by("path") if u.pk != unit.pk
    ]
    form.fields["unit"].choices = choices
    return form


@login_required
def compliance(request, pk: int):
    unit = _unit(request, pk)
    year = _year(request)
    today = timezone.localdate()
    rows = followup.compliance(unit, year, today)
    if request.GET.get("format") == "xlsx":
        return xlsx_response(
            actor=request.user,
            action="export.follow_up",
            filename=f"theo-doi-sinh-hoat-{year}.xlsx",
            title=_("Cấp ủy viên dự sinh hoạt chi bộ năm %(y)d — %(u)s")
            % {"y": year, "u": unit.name},
            headers=[
                _("Người theo dõi"),
                _("Vai trò"),
                _("Tổ chức được theo dõi"),
                _("Chỉ tiêu"),
                _("Đã dự"),
                _("Tình trạng"),
            ],
            rows=[
                [
                    str(r.follow_up.user),
                    r.follow_up.get_role_display(),
                    r.follow_up.unit.name,
                    r.target,
                    r.attended,
                    _("Đạt") if r.met else (_("Chậm tiến độ") if r.behind else _("Đúng tiến độ")),
                ]
                for r in rows
            ],
            unit=unit,
            filters={"year": year},
        )
    return render(
        request,
        "meetings/follow_up.html",
        {
            "nav": "tree",
            "unit": unit,
            "year": year,
            "rows": rows,
            "can_edit": can(request.user, "members", unit),
            "form": _assign_form(request, unit),
            "today": today,
        },
    )


@login_required
@require_POST
def assign(request, pk: int):
    unit = _unit(request, pk)
    if not can(request.user, "members", unit):
        raise PermissionDenied(_("Bạn chỉ có quyền xem."))
    form = _assign_form(request, unit, request.POST)
    if not form.is_valid():
        messages.error(request, _("Hãy chọn người theo dõi, tổ chức và ngày bắt đầu."))
        return redirect("meetings:follow_up", pk=unit.pk)
    d = form.cleaned_data
    # The form offered only choices in the caller's scope; read them back through it too.
    target = get_object_or_404(Unit.objects.restrict(request.user), pk=d["unit"])
    try:
        followup.assign(
            actor=request.user,
            user=get_object_or_404(User.objects.restrict(request.user), pk=d["user"]),
            unit=target,
            valid_from=d["valid_from"],
            role=d["role"],
            decision_no=d["decision_no"],
        )
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
    else:
        messages.success(request, _("Đã phân công theo dõi."))
    return redirect("meetings:follow_up", pk=unit.pk)


@login_required
@require_POST
def end(request, pk: int):
    f = get_object_or_404(FollowUp.objects.restrict(request.user).select_related("unit"), pk=pk)
    if not can(request.user, "members", f.unit):
        raise PermissionDenied(_("Bạn chỉ có quyền xem."))
    field = forms.DateField()
    try:
        on = field.clean(request.POST.get("on", ""))
        followup.end_assignment(actor=request.user, follow_up=f, on=on)
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
    else:
        messages.success(request, _("Đã kết thúc phân công."))
    return redirect("meetings:follow_up", pk=f.unit.pk)


@login_required
@require_POST
def visit(request, pk: int):
    """A follower's attendance at a meeting: recorded by the cell's editors for any follower of
    the cell, or by the follower for themself (their visit notes)."""
    meeting = get_object_or_404(Meeting.objects.restrict(request.user), pk=pk)
    raw = request.POST.get("user", "")
    user = request.user
    if raw and raw != str(request.user.pk):
        if not can(request.user, "members", meeting.unit):
            raise PermissionDenied(_("Bạn chỉ có quyền xem."))
        user = followup.follower(meeting, int(raw)) if raw.isdigit() else None
        if user is None:
            raise Http404
    elif (
        not can(request.user, "members", meeting.unit)
        and not followup.covering(meeting.unit, meeting.date).filter(user=request.user).exists()
    ):
        raise PermissionDenied(_("Bạn chỉ có quyền xem."))
    try:
        followup.set_visit(
            actor=request.user,
            meeting=meeting,
            user=user,
            present=request.POST.get("present", "1") == "1",
            note=request.POST.get("note", ""),
        )
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
    else:
        messages.success(request, _("Đã ghi nhận."))
    back = request.POST.get("back") == "detail"
    return redirect("meetings:detail" if back else "meetings:hold", pk=meeting.pk)


@login_required
@require_POST
def raise_matter(request, pk: int):
    meeting = get_object_or_404(Meeting.objects.restrict(request.user), pk=pk)
    if not can(request.user, "members", meeting.unit):
        raise PermissionDenied(_("Bạn chỉ có quyền xem."))
    raw = request.POST.get("routed_to", "")
    levels = {u.pk: u for u in followup.levels(meeting)}
    target = levels.get(int(raw)) if raw.isdigit() else None
    try:
        if target is None:
            raise ValidationError(_("Hãy chọn cấp nhận ý kiến."))
        followup.raise_matter(
            actor=request.user,
            meeting=meeting,
            text=request.POST.get("text", ""),
            raised_by=request.POST.get("raised_by", ""),
            routed_to=target,
        )
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
    else:
        messages.success(request, _("Đã ghi ý kiến, kiến nghị và chuyển tới cấp có thẩm quyền."))
    return redirect("meetings:hold", pk=meeting.pk)


@login_required
def matters(request, pk: int):
    """Opinions and proposals routed to this organization or raised under it; open ones first."""
    unit = _unit(request, pk)
    items = list(selectors.matters_of(RaisedMatter.objects.restrict(request.user), unit))
    today = timezone.localdate()
    return render(
        request,
        "meetings/matters.html",
        {
            "nav": "tree",
            "unit": unit,
            "items": items,
            "open": sum(1 for m in items if m.answered_on is None),
            "today": today,
            "answerable": {m.pk for m in items if can(request.user, "members", m.routed_to)},
            "back": reverse("meetings:matters", args=[unit.pk]),
        },
    )


@login_required
@require_POST
def answer(request, pk: int):
    m = get_object_or_404(RaisedMatter.objects.restrict(request.user), pk=pk)
    if not can(request.user, "members", m.routed_to):
        raise PermissionDenied(_("Chỉ cấp được chuyển tới mới trả lời được ý kiến này."))
    try:
        followup.answer_matter(actor=request.user, matter=m, answer=request.POST.get("answer", ""))
    except ValidationError as exc:
        for msg in exc.messages:
            messages.error(request, msg)
    else:
        messages.success(request, _("Đã trả lời."))
    return redirect("meetings:matters", pk=m.routed_to.pk)
