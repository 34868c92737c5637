from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from .exports import xlsx_response
from .models import AuditLog


def _filtered(request):
    qs = AuditLog.objects.restrict(request.user, "audit").select_related("actor", "unit")
    action = request.GET.get("action", "").strip()
    if action:
        qs = qs.filter(action__startswith=action)
    return qs, action


@login_required
def log_export(request):
    qs, action = _filtered(request)
    # Everything the filters select, streamed in chunks (no cap: a silent cut would pass for the
    # whole log); the time as a typed cell, shown by the writer in the app's time zone.
    rows = (
        (
            r.at,
            str(r.actor or "hệ thống"),
            r.action,
            r.object_repr,
            str(r.unit or ""),
            r.ip or "",
            r.request_id,
        )
        for r in qs.iterator(chunk_size=2000)
    )
    return xlsx_response(
        actor=request.user,
        action="export.audit",
        filename="nhat-ky.xlsx",
        title="Nhat ky",
        headers=[
            "Thời điểm",
            "Người thực hiện",
            "Hành động",
            "Đối tượng",
            "Tổ chức",
            "IP",
            "Mã yêu cầu",
        ],
        rows=rows,
        filters={"action": action},
    )


@login_required
def log_list(request):
    qs, action = _filtered(request)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "audit/list.html", {"nav": "audit", "page": page, "action": action})
