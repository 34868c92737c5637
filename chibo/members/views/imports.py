"""The member roll import pages: upload → (column mapping) → validation with progress →
preview with errors by row and column → confirmation of name matches → commit with progress.

A job is a row of members.ImportJob under a random token, seen only by the user who uploaded
the file (and only while the unit is in their scope); its state changes are the services of
members/imports/jobs.py. Large files are validated and committed by `chibo worker`; the page
polls the job's progress from the table.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

from chibo.audit.exports import file_response
from chibo.audit.services import record
from chibo.core.scope import can
from chibo.org.models import Unit

from .. import imports
from ..imports import jobs
from ..models import ImportJob
from .records import _unit


def _get_job(request, token: str) -> ImportJob:
    job = ImportJob.objects.filter(token=token, owner=request.user).first()
    if job is None:
        raise Http404
    return job


@login_required
def import_start(request):
    unit = _unit(request)
    if request.method == "POST":
        if not can(request.user, "members", unit):
            raise PermissionDenied(_("Bạn chỉ có quyền xem tổ chức này."))
        upload = request.FILES.get("file")
        error = None
        if upload is None:
            error = _("Hãy chọn tệp Excel.")
        elif upload.size > 30 * 1024 * 1024:
            error = _("Tệp lớn hơn 30 MB.")
        if error is None:
            folder = Path(settings.MEDIA_ROOT) / "imports"
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"{get_random_string(24)}.xlsx"
            with path.open("wb") as fh:
                for chunk in upload.chunks():
                    fh.write(chunk)
            try:
                sheet = imports.read(str(path))
            except imports.ReadError as exc:
                path.unlink(missing_ok=True)
                error = str(exc)
            if error is None and not sheet.rows:
                path.unlink(missing_ok=True)
                error = _(
                    "Không có dòng đảng viên nào dưới dòng tên cột (dòng %(n)d): chưa ghi gì."
                ) % {"n": sheet.header_row}
            if error is None:
                job = jobs.create_job(
                    actor=request.user, unit=unit, path=str(path), name=upload.name, sheet=sheet
                )
                return redirect("members:import_job", token=job.token)
        return render(
            request, "members/import.html", {"nav": "members", "unit": unit, "error": error}
        )
    return render(request, "members/import.html", {"nav": "members", "unit": unit})


def _post(request, job: ImportJob) -> None:
    action = request.POST.get("action")
    if action == "header":
        try:
            value = request.POST.get("header_row", "")
            sheet = imports.read(job.path, header_row=int(value) if value.isdigit() else 0)
        except (imports.ReadError, OSError) as exc:
            messages.error(request, str(exc))
            return
        if not sheet.rows:
            messages.error(
                request,
                _("Không có dòng đảng viên nào dưới dòng tên cột (dòng %(n)d).")
                % {"n": sheet.header_row},
            )
            return
        jobs.reread(job, actor=request.user, sheet=sheet)
    elif action == "map":
        mapping = {}
        for key, _label, _req in imports.FIELDS:
            value = request.POST.get(f"col_{key}", "")
            if value.isdigit() and int(value) < len(job.headers):
                mapping[key] = int(value)
        missing = imports.missing_required(mapping)
        if missing:
            messages.error(
                request,
                _("Hãy chọn cột cho: %(f)s.")
                % {"f": ", ".join(imports.LABELS[k] for k in missing)},
            )
        jobs.set_mapping(job, actor=request.user, mapping=mapping)
    elif action == "commit":
        decisions = {
            int(k[4:]): v
            for k, v in request.POST.items()
            if k.startswith("row_") and k[4:].isdigit()
        }
        _job, said = jobs.start_commit(job, actor=request.user, decisions=decisions)
        if said:
            messages.info(request, said)
    elif action == "cancel":
        jobs.cancel(job, actor=request.user)
        messages.info(request, _("Đã huỷ việc nhập và xoá tệp đã tải lên."))


@login_required
def import_job(request, token: str):
    job = _get_job(request, token)
    unit = get_object_or_404(Unit.objects.restrict(request.user, "view"), pk=job.unit_id)
    if request.method == "POST":
        if not can(request.user, "members", unit):
            raise PermissionDenied(_("Bạn chỉ có quyền xem tổ chức này."))
        try:
            _post(request, job)
        except ValidationError as exc:
            for msg in exc.messages:
                messages.error(request, msg)
        return redirect("members:import_job", token=token)
    job = jobs.settle_stale(job)  # a worker that died: re-queued once, then failed
    plan = imports.plan_from_json(job.plan) if job.plan is not None else None
    ctx = {
        "nav": "members",
        "unit": unit,
        "job": job,
        "token": token,
        "mapping_open": job.state == ImportJob.UPLOADED,
        "preview": job.state in (ImportJob.VALIDATED, ImportJob.INVALID),
        "fields": [(k, label, req, job.mapping.get(k)) for k, label, req in imports.FIELDS],
        "headers": list(enumerate(job.headers)),
        "header_row": job.header_row,
        "skipped": job.skipped,
        "top": job.top,
        "recognized": bool(imports.auto_mapping(job.headers)),
        "plan": plan,
        "can_edit": can(request.user, "members", unit),
        "can_cancel": not job.running and job.state not in ImportJob.FINAL_STATES,
    }
    if plan is not None:
        ctx["counts"] = {a: plan.count(a) for a in ("new", "unchanged", "update", "confirm")}
        ctx["changed"] = [r for r in plan.rows if r.action in ("update", "confirm")][:300]
        ctx["labels"] = imports.FIELD_LABELS
        ctx["errors"] = plan.errors[:1000]
        ctx["notes"] = plan.notes[:1000]
    if request.htmx and request.GET.get("part") == "progress":
        if not job.running:
            resp = HttpResponse("")
            resp["HX-Refresh"] = "true"  # finished: show the preview or the result
            return resp
        return render(request, "members/_import_progress.html", ctx)
    return render(request, "members/import_job.html", ctx)


@login_required
def import_template(request):
    unit = _unit(request)

    def write(file):
        imports.template(unit, file)
        with transaction.atomic():
            record(actor=request.user, action="export.import_template", unit=unit)

    return file_response(write, "mau-nhap-dang-vien.xlsx")
