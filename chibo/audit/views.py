from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render

from . import jobs
from .exports import counted, write_xlsx
from .models import AuditLog, ExportJob

HEADERS = [
    "Thời điểm",
    "Người thực hiện",
    "Hành động",
    "Đối tượng",
    "Tổ chức",
    "IP",
    "Mã yêu cầu",
]


def _filtered(user, action: str):
    qs = AuditLog.objects.restrict(user, "audit").select_related("actor", "unit")
    if action:
        qs = qs.filter(action__startswith=action)
    return qs


def log_export_of(user, params: dict) -> jobs.Export:
    """The audit log's export kind: everything the filter selects, streamed in chunks (no cap:
    a silent cut would pass for the whole log); the time as a typed cell, shown by the writer
    in the app's time zone. A job is pinned to the log's last row at the request (`until`), so
    that it holds the rows the page's export would have held then."""
    action = str(params.get("action", "")).strip()
    qs = _filtered(user, action)
    until = params.get("until")
    pinned = {}
    if until is not None:
        qs = qs.filter(pk__lte=int(until))
    else:
        pinned = {"until": AuditLog.objects.order_by("-pk").values_list("pk", flat=True).first()}

    def write(file, progress) -> int:
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
        return write_xlsx(file, title="Nhat ky", headers=HEADERS, rows=counted(rows, progress))

    return jobs.Export(
        action="export.audit",
        title="Nhật ký hệ thống",
        filename="nhat-ky.xlsx",
        write=write,
        count=qs.count,
        details={"filters": {"action": action}},
        pinned=pinned,
    )


@login_required
def log_export(request):
    return jobs.respond(request, "audit", {"action": request.GET.get("action", "").strip()})


@login_required
def log_list(request):
    action = request.GET.get("action", "").strip()
    qs = _filtered(request.user, action)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "audit/list.html", {"nav": "audit", "page": page, "action": action})


def _job(request, token: str) -> ExportJob:
    # Only its owner: anyone else (even a system administrator) finds no such page.
    job = ExportJob.objects.filter(token=token, owner=request.user).first()
    if job is None:
        raise Http404
    return job


@login_required
def export_job(request, token: str):
    job = jobs.settle_stale(_job(request, token))  # a worker that died: re-queued once, failed
    ctx = {"nav": jobs.kind(job.kind).nav, "job": job}
    if request.htmx and request.GET.get("part") == "progress":
        if not job.running:
            resp = HttpResponse("")
            resp["HX-Refresh"] = "true"  # finished: show the link or the reason
            return resp
        return render(request, "audit/_export_progress.html", ctx)
    return render(request, "audit/export_job.html", ctx)


@login_required
def export_download(request, token: str):
    job = _job(request, token)
    missing = job.state == ExportJob.READY and not Path(job.path).is_file()
    if job.state == ExportJob.READY and not missing:
        return jobs.download(job, actor=request.user)
    # Not (or no longer) there: the job's page says why, with the status of a missing file.
    # (A ready job's file can be gone without its clean-up: a restore brings back the database,
    # not the export folder.)
    ctx = {"nav": jobs.kind(job.kind).nav, "job": job, "missing": missing}
    status = 410 if job.state == ExportJob.EXPIRED or missing else 409
    return render(request, "audit/export_job.html", ctx, status=status)
