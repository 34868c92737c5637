"""Member reports and record-keeping pages: the statistical forms, the quarterly
reconciliation, the transfer letter, and duplicates with their merge. Scope as everywhere: a
unit, transfer or member outside the reader's scope is 404; writes need the "members" action."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.audit.exports import xlsx_response
from chibo.audit.services import record
from chibo.core import documents
from chibo.core.scope import can
from chibo.org.models import Unit

from .. import choices as c
from .. import duplicates, letters, reconciliation, stats
from ..forms import parse_on
from ..models import Member, Transfer
from ..records import may_see_sensitive
from .records import EVENT_LABELS, _member, _require_members, _unit


@login_required
def stats_view(request, pk: int):

    today = timezone.localdate()
    number = request.GET.get("form", "1")
    number = int(number) if number in ("1", "2", "3", "7") else 1
    start = parse_on(request.GET.get("from") or f"{today.year}-01-01")
    end = parse_on(request.GET.get("to") or today.isoformat())
    error = None
    if end < start:
        error = _("Ngày cuối kỳ phải sau ngày đầu kỳ.")
        start, end = end, start
    unit = stats.unit_for_period(request.user, pk, end)
    form, rows = stats.with_last_year(number, unit, start, end)
    notes = stats.footnotes(form)
    if request.GET.get("format") == "xlsx":
        table = [
            [
                "    " * r.indent + str(r.label) + (f" {r.mark}" if r.mark else ""),
                "—" if v is None else v,
                "—" if p is None else p,
            ]
            for r, v, p in rows
        ]
        return xlsx_response(
            actor=request.user,
            action=f"export.form{number}",
            filename=f"bieu-{number}-{start:%Y%m%d}-{end:%Y%m%d}.xlsx",
            title=f"Biểu {number}",
            headers=[str(form.title), _("Kỳ này"), _("Cùng kỳ năm trước")],
            rows=table + ([[""]] + [[n] for n in notes] if notes else []),
            unit=unit,
            filters={"from": start.isoformat(), "to": end.isoformat()},
        )
    return render(
        request,
        "members/stats.html",
        {
            "nav": "members",
            "unit": unit,
            "form": form,
            "rows": rows,
            "notes": notes,
            "number": number,
            "start": start,
            "end": end,
            "error": error,
            "choices": [(1, _("Biểu 1")), (2, _("Biểu 2")), (3, _("Biểu 3")), (7, _("Biểu 7"))],
        },
    )


@login_required
def reconciliation_view(request, pk: int):

    unit = get_object_or_404(Unit.objects.restrict(request.user, "view"), pk=pk)
    if request.method == "POST":
        if not can(request.user, "members", unit):
            raise PermissionDenied(_("Bạn chỉ có quyền xem tổ chức này."))
        try:
            year, quarter = int(request.POST.get("year", "")), int(request.POST.get("quarter", ""))
            reconciliation.submit(actor=request.user, unit=unit, year=year, quarter=quarter)
        except ValueError:
            messages.error(request, _("Quý không hợp lệ."))
        except ValidationError as exc:
            for msg in exc.messages:
                messages.error(request, msg)
        else:
            messages.success(
                request, _("Đã nộp đối chiếu quý %(q)d/%(y)d.") % {"q": quarter, "y": year}
            )
        return redirect("members:reconciliation", pk=unit.pk)
    keys = [("A", _("Đầu kỳ")), ("B", _("Tăng")), ("C", _("Giảm")), ("D", _("Cuối kỳ"))]
    quarters = reconciliation.overview(unit, timezone.localdate())
    for q in quarters:
        q["cells"] = [
            (
                label,
                q["rec"].figures.get(k) if q["rec"] else None,
                q["now"].get(k) if q["now"] else None,
            )
            for k, label in keys
        ]
    return render(
        request,
        "members/reconciliation.html",
        {
            "nav": "members",
            "unit": unit,
            "quarters": quarters,
            "can_edit": can(request.user, "members", unit),
            "keys": keys,
        },
    )


@login_required
def transfer_letter(request, pk: int):
    """The transfer letter as DOCX (default) or PDF, for the sending or the receiving side."""
    from django.http import HttpResponse

    t = get_object_or_404(
        Transfer.objects.restrict(request.user)
        .exclude(kind=Transfer.Kind.INTERNAL)
        .select_related("member", "issuer", "from_unit", "to_unit"),
        pk=pk,
    )
    fmt = "pdf" if request.GET.get("format") == "pdf" else "docx"
    doc = letters.letter(t)
    content = documents.to_pdf(doc) if fmt == "pdf" else documents.to_docx(doc)
    with transaction.atomic():
        record(
            actor=request.user,
            action="export.transfer_letter",
            obj=t.member,
            unit=t.from_unit,
            after={"transfer": t.pk, "format": fmt, "number": doc.number},
        )
    types = {
        "pdf": "application/pdf",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    }
    resp = HttpResponse(content, content_type=types[fmt])
    resp["Content-Disposition"] = (
        f'attachment; filename="giay-gioi-thieu-{t.letter_year}-{t.letter_no:02d}.{fmt}"'
    )
    return resp


@login_required
def duplicates_view(request):

    unit = _unit(request)
    return render(
        request,
        "members/duplicates.html",
        {
            "nav": "members",
            "unit": unit,
            "pairs": duplicates.find(unit),
            "can_edit": can(request.user, "members", unit),
        },
    )


@login_required
def merge_view(request, keep: int, drop: int):

    a, b = _member(request, keep), _member(request, drop)
    _require_members(request, a)  # the page shows both present records: only their keepers
    _require_members(request, b)
    sensitive = may_see_sensitive(request.user, a) and may_see_sensitive(request.user, b)
    diffs = duplicates.differences(a, b)
    conflicts = duplicates.event_conflicts(a, b)
    error = None
    if request.method == "POST":
        choices = {k[7:]: v for k, v in request.POST.items() if k.startswith("choice_")}
        try:
            kept = duplicates.merge(actor=request.user, keep=a, drop=b, choices=choices)
        except ValidationError as exc:
            error = "; ".join(exc.messages)
        else:
            messages.success(request, _("Đã gộp hai hồ sơ."))
            return redirect("members:detail", pk=kept.pk)
    labels = {f.name: f.verbose_name for f in Member._meta.fields}
    rows = []
    for f, va, vb in diffs:
        show = sensitive or f not in c.SENSITIVE_FIELDS
        rows.append((f, labels.get(f, f), va if show else c.MASK, vb if show else c.MASK))
    return render(
        request,
        "members/merge.html",
        {
            "nav": "members",
            "a": a,
            "b": b,
            "rows": rows,
            "conflicts": [(k, EVENT_LABELS.get(k, k), ea, eb) for k, ea, eb in conflicts],
            "fill": duplicates.fill_ins(a, b),
            "error": error,
        },
    )
