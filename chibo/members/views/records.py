"""Member pages: the list (filters, search, keyset pages, export of exactly what is shown), the
member page (logged), the record form, lifecycle events, transfers, seats, deadlines and the
roll. Every page goes through the scope gate: a unit or member outside the reader's scope is
404; a reader without the "members" action gets 403 on writes."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chibo.audit import jobs
from chibo.audit.services import record
from chibo.core import hooks
from chibo.core.forms import attempt
from chibo.core.scope import can
from chibo.org import selectors as org_selectors
from chibo.org.models import Unit

from .. import choices as c
from .. import exports, records, seats, selectors, services, transfers
from .. import roll as roll_mod
from ..admission import hold_ceremony
from ..departures import UNKNOWN, former_shown, read, seen_by
from ..forms import (
    EVENT_FORMS,
    AdmitForm,
    ArrivalForm,
    CeremonyForm,
    RecordForm,
    SeatForm,
    TransferForm,
    parse_on,
)
from ..lifecycle import EventKind, effective_events
from ..models import AdmissionDecision, Member, Transfer
from ..records import may_see_sensitive, place_label

PAGE = 50


def _unit(request, param: str = "unit") -> Unit:
    return exports.unit_for(request.user, request.GET, param)


def _member(request, pk: int) -> Member:
    return get_object_or_404(Member.objects.restrict(request.user, "view"), pk=pk)


def _require_members(request, member: Member) -> None:
    unit = member.home_unit or member.placements.order_by("-valid_from").first().unit
    if not can(request.user, "members", unit):
        raise PermissionDenied(_("Bạn chỉ có quyền xem đảng viên này."))


def _list_context(request):
    return exports.list_for(request.user, request.GET)


def _row(m: Member, sensitive: bool) -> dict:
    return {
        "m": m,
        "ethnicity": c.MASK
        if (m.ethnicity and not sensitive)
        else c.ETHNICITY_NAMES.get(m.ethnicity, ""),
    }


@login_required
def member_list(request):
    unit, sensitive, form, f, qs = _list_context(request)
    after = None
    cursor = request.GET.get("after", "")
    former = f.get("status") == "former"
    total = None
    if former:  # as they were when they left this unit's subtree, never as they are now
        shown = former_shown(unit, f, timezone.localdate())
        total = len(shown)
        start = 0
        if cursor.isdigit():
            start = next((i + 1 for i, s in enumerate(shown) if s.pk == int(cursor)), 0)
        page = shown[start : start + PAGE + 1]
    else:
        if cursor.isdigit():
            after = qs.filter(pk=int(cursor)).values_list("sort_key", "id").first()
        page = selectors.keyset_page(selectors.for_list(qs), after, PAGE + 1)
    more = len(page) > PAGE
    page = page[:PAGE]
    params = request.GET.copy()
    params.pop("after", None)
    next_url = None
    if more:
        params["after"] = str(page[-1].pk)
        next_url = "?" + params.urlencode()
    params.pop("after", None)
    return render(
        request,
        "members/list.html",
        {
            "nav": "members",
            "unit": unit,
            "form": form,
            "rows": [_row(m, sensitive) for m in page],
            "next_url": next_url,
            "first_url": "?" + params.urlencode(),
            "is_later_page": after is not None,
            "export_url": reverse("members:export") + "?" + params.urlencode(),
            "sensitive": sensitive,
            "can_edit": can(request.user, "members", unit),
            "total": total if former else (qs.count() if after is None else None),
            "former": former,
            "filtered": sum(1 for k, v in f.items() if v and k not in ("q", "status")),
        },
    )


@login_required
def member_export(request):
    # Streamed, or above CHIBO_EXPORT_BACKGROUND_ROWS a job for the worker (audit.jobs).
    params = {k: request.GET.getlist(k) for k in request.GET if k != "after"}
    return jobs.respond(request, "members", params)


EVENT_LABELS = dict(EventKind.choices)


def _timeline(member: Member, sensitive: bool, until=None) -> list[dict]:
    events = list(member.events.all())
    if until is not None:
        events = [e for e in events if e.effective_date <= until]
    live = {e.pk for e in effective_events(events)}
    out = []
    for e in events:
        data = dict(e.data)
        if data.get("health_reason") and not sensitive:
            data["health_reason"] = c.MASK
        for key in ("ceremony_deadline", "deadline", "considered_on", "decision_received_on"):
            if isinstance(data.get(key), str):
                try:
                    data[key] = dt.date.fromisoformat(data[key])
                except ValueError:
                    pass
        out.append({"e": e, "live": e.pk in live, "data": data})
    return out


# The record fields of the member page, in the order member_detail lists them.
DETAIL_FIELDS = (
    "birth_name",
    "aliases",
    "gender",
    "birth_date",
    "place_of_birth",
    "hometown",
    "residence",
    "ethnicity",
    "religion",
    "identity_no",
    "education_grade",
    "qualification",
    "academic_title",
    "theory_level",
    "state_management",
    "foreign_language",
    "occupation_before",
    "occupation_now",
    "position",
    "card_no",
    "biography_no",
)


@login_required
def my_record(request):
    """The signed-in member's own record (the user menu's "Hồ sơ của tôi"); 404 for an account
    that is no member's."""
    member = Member.objects.filter(user=request.user).only("pk").first()
    if member is None:
        raise Http404(_("Tài khoản này không gắn với hồ sơ đảng viên nào."))
    return redirect("members:detail", pk=member.pk)


@login_required
def member_detail(request, pk: int):
    real = _member(request, pk)
    # A unit the member left sees them as they were then (the departure's copy), never now.
    m, until, sensitive = read(request.user, real)
    today = timezone.localdate()
    unit = m.home_unit if until is None else None
    alerts = []
    if unit is not None:
        alerts = [a for a in selectors.deadlines(unit, today) if a.member_id == m.pk]
    can_edit = unit is not None and can(request.user, "members", unit)
    fields = [
        (_("Họ tên khai sinh"), m.birth_name),
        (_("Bí danh"), m.aliases),
        (_("Giới tính"), m.get_gender_display()),
        (_("Ngày sinh"), m.birth_date.strftime("%d/%m/%Y") if m.birth_date else m.birth_year),
        (_("Nơi sinh"), m.place_of_birth),
        (_("Quê quán"), _join(m.hometown, place_label(m.hometown_era, m.hometown_code) or "")),
        (_("Nơi cư trú"), _join(m.residence, place_label(m.residence_era, m.residence_code) or "")),
        (
            _("Dân tộc"),
            c.ETHNICITY_NAMES.get(m.ethnicity, "")
            if sensitive
            else (c.MASK if m.ethnicity else ""),
        ),
        (
            _("Tôn giáo"),
            (m.get_religion_display() if m.religion else "")
            if sensitive
            else (c.MASK if m.religion else ""),
        ),
        (
            _("Số định danh"),
            f"{m.get_identity_type_display()} {m.identity_no}"
            if sensitive and m.identity_no
            else (c.MASK if m.identity_no else ""),
        ),
        (
            _("Giáo dục phổ thông"),
            f"{m.education_grade}/{m.education_system}" if m.education_grade is not None else "",
        ),
        (
            _("Chuyên môn"),
            _join(m.get_qualification_display() if m.qualification else "", m.qualification_field),
        ),
        (_("Học hàm"), m.get_academic_title_display() if m.academic_title else ""),
        (_("Lý luận chính trị"), m.get_theory_level_display() if m.theory_level else ""),
        (_("Quản lý nhà nước"), m.get_state_management_display() if m.state_management else ""),
        (_("Ngoại ngữ"), m.foreign_language),
        (
            _("Nghề nghiệp khi vào Đảng"),
            m.get_occupation_before_display() if m.occupation_before else "",
        ),
        (_("Nghề nghiệp hiện nay"), m.get_occupation_now_display() if m.occupation_now else ""),
        (_("Chức vụ"), m.position),
        (_("Số thẻ đảng viên"), m.card_no),
        (_("Số lý lịch"), m.biography_no),
    ]
    if until is not None:  # what the copy of the departure does not know, said so
        fields = [
            (label, UNKNOWN if name in m.unknown else value)
            for (label, value), name in zip(fields, DETAIL_FIELDS, strict=True)
        ]
    page_day = until - dt.timedelta(days=1) if until else timezone.localdate()
    return render(
        request,
        "members/detail.html",
        {
            "nav": "members",
            "m": m,
            "fields": [(k, v) for k, v in fields if v not in ("", None)],
            "timeline": _timeline(real, sensitive, until),
            "placements": real.placements.select_related("unit")
            .filter(**({"valid_from__lt": until} if until else {}))
            .order_by("-valid_from"),
            "seats": real.seats.select_related("unit")
            .filter(**({"valid_from__lt": until} if until else {}))
            .order_by("-valid_from"),
            "transfers": real.transfers.select_related("from_unit", "to_unit").filter(
                **({"departed_on__lte": until} if until else {})
            ),
            "until": until,
            "alerts": alerts,
            "can_edit": can_edit,
            "event_kinds": [(k, EVENT_FORMS[k].title) for k in EVENT_FORMS],
            "party_groups": list(
                Unit.objects.filter(
                    path__startswith=unit.path, kind="party_group", valid_to__isnull=True
                ).order_by("path")
            )
            if unit is not None
            else [],
            "current_group": real.placements.filter(kind="home", valid_to__isnull=True)
            .values_list("party_group__name", flat=True)
            .first(),
            "sensitive": sensitive,
            # Later apps' sections of the member page (core/hooks.py), as of the page's day.
            "panels": hooks.render(
                hooks.panels(hooks.MEMBER_PAGE_PANELS, request, m, page_day),
                request,
                {"m": m, "on": page_day},
            ),
        },
    )


def _join(*parts) -> str:
    return ", ".join(p for p in parts if p)


@login_required
def member_edit(request, pk: int):
    m = _member(request, pk)
    _require_members(request, m)  # the form shows the present record: only its keepers
    sensitive = may_see_sensitive(request.user, m)
    form = RecordForm(request.POST or None, instance=m, sensitive=sensitive)
    if request.method == "POST" and form.is_valid():
        fields = {k: form.cleaned_data[k] for k in form.fields}
        try:
            records.update_record(actor=request.user, member=Member.objects.get(pk=m.pk), **fields)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errs in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errs)
            else:
                form.add_error(None, exc)
        else:
            messages.success(request, _("Đã lưu hồ sơ."))
            return redirect("members:detail", pk=m.pk)
    return render(
        request,
        "members/form.html",
        {"nav": "members", "m": m, "form": form, "title": _("Sửa hồ sơ đảng viên")},
    )


@login_required
def member_event(request, pk: int, kind: str):
    m = _member(request, pk)
    if kind not in EVENT_FORMS:
        raise Http404
    _require_members(request, m)
    form_class = EVENT_FORMS[kind]
    form = form_class(request.POST or None, member=m)
    if request.method == "POST" and form.is_valid():
        if attempt(form, lambda: form.save(request.user)) is not None:
            messages.success(request, _("Đã ghi nhận: %(t)s.") % {"t": form_class.title})
            return redirect("members:detail", pk=m.pk)
    return render(
        request,
        "members/form.html",
        {"nav": "members", "m": m, "form": form, "title": form_class.title},
    )


@login_required
def member_transfer(request, pk: int):
    m = _member(request, pk)
    _require_members(request, m)
    form = TransferForm(request.POST or None, member=m)
    if request.method == "POST" and form.is_valid():
        t = attempt(form, lambda: form.save(request.user))
        if t is not None:
            messages.success(
                request,
                _("Đã lập giấy giới thiệu số %(n)s.") % {"n": t.letter_no}
                if t.letter_no
                else _("Đã chuyển sinh hoạt nội bộ."),
            )
            return redirect("members:detail", pk=m.pk)
    return render(
        request,
        "members/form.html",
        {"nav": "members", "m": m, "form": form, "title": _("Chuyển sinh hoạt đảng")},
    )


@login_required
@require_POST
def transfer_arrive(request, pk: int):
    """The receiving side confirms an arrival. The transfer is visible to the side it goes to."""
    t = get_object_or_404(
        Transfer.objects.restrict(request.user, via="receiving").filter(
            kind=Transfer.Kind.OFFICIAL
        ),
        pk=pk,
    )
    if not can(request.user, "members", t.to_unit):
        raise PermissionDenied(_("Bạn chỉ có quyền xem."))
    form = ArrivalForm(request.POST)
    if form.is_valid():
        try:
            transfers.confirm_arrival(actor=request.user, transfer=t, **form.cleaned_data)
        except ValidationError as exc:
            for msg in exc.messages:
                messages.error(request, msg)
        else:
            messages.success(request, _("Đã tiếp nhận %(n)s.") % {"n": t.member.full_name})
            return redirect("members:detail", pk=t.member_id)
    else:
        messages.error(request, _("Hãy ghi ngày đảng viên trình giấy giới thiệu."))
    return redirect(reverse("members:deadlines") + f"?unit={t.to_unit.pk}")


@login_required
def deadlines(request):
    unit = _unit(request)
    on = parse_on(request.GET.get("on"))
    alerts = list(selectors.deadlines(unit, on))
    # Later apps' deadlines for the unit (core/hooks.py), after the members' own.
    alerts += [a for fn in hooks.get(hooks.DEADLINE_ITEMS) for a in fn(request.user, unit, on)]
    incoming = list(transfers.awaiting_arrival(unit))
    return render(
        request,
        "members/deadlines.html",
        {
            "nav": "deadlines",
            "unit": unit,
            "on": on,
            "alerts": alerts,
            "incoming": incoming,
            "can_edit": can(request.user, "members", unit),
            "arrival_form": ArrivalForm(initial={"arrived_on": on}),
        },
    )


@login_required
def roll(request, pk: int):
    on = parse_on(request.GET.get("on"))
    # The book as of `on`: the unit must have lain in the reader's scope that day.
    unit = org_selectors.unit_as_of(request.user, pk, on)
    sensitive = can(request.user, "sensitive", unit, on=max(on, unit.valid_from))
    # The tree of `on` by default; today's tree only when asked for, and then labelled.
    restate = request.GET.get("tree") == "today"
    opts = {"actor": request.user, "unit": unit, "on": on, "sensitive": sensitive}
    if request.GET.get("format") == "xlsx":
        params = {"unit": unit.pk, "on": on.isoformat(), "restate": restate}
        return jobs.respond(request, "roll", params)
    if request.GET.get("format") == "pdf":
        return roll_mod.pdf(**opts, restate=restate)
    with transaction.atomic():
        record(
            actor=request.user,
            action="view.roll",
            unit=unit,
            after={"on": on.isoformat(), "restated": restate},
        )
    return render(
        request,
        "members/roll.html",
        {
            "nav": "members",
            "unit": unit,
            "on": on,
            "headers": roll_mod.HEADERS,
            "rows": roll_mod.rows(unit, on, sensitive=sensitive, restate=restate),
            "restate": restate,
            "today_tree": roll_mod.TODAY_TREE,
        },
    )


@login_required
def seat_add(request, pk: int):
    unit = get_object_or_404(Unit.objects.restrict(request.user, "view"), pk=pk)
    if request.method == "POST" and not can(request.user, "members", unit):
        raise PermissionDenied(_("Bạn chỉ có quyền xem tổ chức này."))
    form = SeatForm(request.POST or None, unit=unit)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if attempt(form, lambda: seats.assign_seat(actor=request.user, unit=unit, **d)) is not None:
            messages.success(request, _("Đã ghi nhận chức danh."))
            return redirect("org:unit", pk=unit.pk)
    return render(
        request,
        "members/form.html",
        {
            "nav": "tree",
            "form": form,
            "title": _("Cấp ủy: thêm chức danh"),
            "unit": unit,
            "current": seats.seats_on(unit, timezone.localdate()),
        },
    )


@login_required
def admit_view(request):
    """Admission: the form shows the ceremony deadline, the end of probation and the
    recognition deadline before anything is saved ("Tính hạn"), then records the admission."""

    unit = _unit(request)
    if request.method == "POST" and not can(request.user, "members", unit):
        raise PermissionDenied(_("Bạn chỉ có quyền xem tổ chức này."))
    form = AdmitForm(request.POST or None, unit=unit)
    deadlines = {}
    if request.method == "POST":
        valid = form.is_valid()
        deadlines = form.deadlines()
        if valid and "decision" in request.POST:
            d = attempt(form, lambda: form.save_decision(request.user))
            if d is not None:
                messages.success(
                    request,
                    _("Đã lưu quyết định kết nạp %(n)s; tổ chức lễ chậm nhất ngày %(d)s.")
                    % {"n": d.full_name, "d": f"{d.ceremony_deadline:%d/%m/%Y}"},
                )
                return redirect(reverse("members:deadlines") + f"?unit={unit.pk}")
        if valid and "save" in request.POST:
            m = attempt(form, lambda: form.save(request.user))
            if m is not None:
                messages.success(
                    request,
                    _("Đã ghi nhận kết nạp %(n)s; hết dự bị ngày %(d)s.")
                    % {"n": m.full_name, "d": f"{deadlines['probation_end']:%d/%m/%Y}"},
                )
                return redirect("members:detail", pk=m.pk)
    return render(
        request,
        "members/admit.html",
        {"nav": "members", "unit": unit, "form": form, "deadlines": deadlines},
    )


@login_required
@require_POST
def party_group_view(request, pk: int):
    m = _member(request, pk)
    _require_members(request, m)
    gid = request.POST.get("group", "")
    group = None
    if gid:
        if not gid.isdigit():
            raise Http404
        group = get_object_or_404(Unit.objects.restrict(request.user, "view"), pk=int(gid))
    try:
        services.set_party_group(
            actor=request.user, member=m, group=group, on=parse_on(request.POST.get("on"))
        )
    except ValidationError as exc:
        for msg in exc.messages:
            messages.error(request, msg)
    else:
        messages.success(request, _("Đã cập nhật tổ đảng."))
    return redirect("members:detail", pk=m.pk)


PHOTO_MAX = 2 * 1024 * 1024
PHOTO_TYPES = {b"\xff\xd8\xff": ("image/jpeg", "jpg"), b"\x89PNG": ("image/png", "png")}


def _photo_type(head: bytes):
    return next((t for magic, t in PHOTO_TYPES.items() if head.startswith(magic)), None)


@login_required
def photo_view(request, pk: int):
    """GET: the member's photo (same scope as the record). POST: upload a JPEG or PNG of at
    most 2 MB (the old one is kept in the audit trail's reference, the file replaced)."""
    from django.core.files.base import ContentFile
    from django.http import FileResponse

    m = _member(request, pk)
    if request.method == "POST":
        _require_members(request, m)
        f = request.FILES.get("photo")
        head = f.read(8) if f else b""
        kind = _photo_type(head)
        if f is None or kind is None:
            messages.error(request, _("Ảnh phải là tệp JPEG hoặc PNG."))
        elif f.size > PHOTO_MAX:
            messages.error(request, _("Ảnh lớn hơn 2 MB."))
        else:
            f.seek(0)
            with transaction.atomic():
                old = m.photo.name
                m.photo.save(
                    f"{m.pk}-{timezone.now():%Y%m%d%H%M%S}.{kind[1]}",
                    ContentFile(f.read()),
                    save=False,
                )
                Member.objects.filter(pk=m.pk).update(photo=m.photo.name)
                record(
                    actor=request.user,
                    action="members.photo",
                    obj=m,
                    unit=m.home_unit,
                    before={"photo": old},
                    after={"photo": m.photo.name},
                )
            messages.success(request, _("Đã cập nhật ảnh."))
        return redirect("members:detail", pk=m.pk)

    shown, _until = seen_by(request.user, m)  # a unit the member left: the photo of that day
    if not shown.photo:
        raise Http404
    try:
        fh = shown.photo.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    kind = _photo_type(fh.read(8))
    fh.seek(0)
    return FileResponse(fh, content_type=kind[0] if kind else "application/octet-stream")


@login_required
def ceremony_view(request, pk: int):
    """Hold the admission ceremony of a recorded decision."""

    scope = Unit.objects.restrict(request.user, "view")
    d = get_object_or_404(
        AdmissionDecision.objects.filter(unit__in=scope, member__isnull=True), pk=pk
    )
    if request.method == "POST" and not can(request.user, "members", d.unit):
        raise PermissionDenied(_("Bạn chỉ có quyền xem."))
    form = CeremonyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        m = attempt(
            form, lambda: hold_ceremony(actor=request.user, decision=d, **form.cleaned_data)
        )
        if m is not None:
            messages.success(request, _("Đã ghi nhận lễ kết nạp %(n)s.") % {"n": m.full_name})
            return redirect("members:detail", pk=m.pk)
    return render(
        request,
        "members/form.html",
        {
            "nav": "deadlines",
            "form": form,
            "unit": d.unit,
            "title": _("Lễ kết nạp: %(n)s (hạn %(d)s)")
            % {"n": d.full_name, "d": f"{d.ceremony_deadline:%d/%m/%Y}"},
        },
    )
