"""The member roll import pages: upload → (column mapping) → validation with progress →
preview with errors by row and column → confirmation of name matches → commit with progress.

A job lives in the cache under a random token and belongs to the user who uploaded the file.
Large files are validated and committed in a background thread so the page can show progress;
the progress is written to the cache, outside the import's database transaction.
"""

from __future__ import annotations

import secrets
import threading
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import close_old_connections, transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from chibo.audit.exports import file_response
from chibo.audit.services import record
from chibo.core.scope import can
from chibo.org.models import Unit

from .. import imports
from .records import _unit

BACKGROUND_ROWS = 3000  # smaller files are handled within the request
TTL = 6 * 3600


def _job_key(token: str) -> str:
    return f"chibo:import:{token}"


def _get_job(request, token: str) -> dict:
    job = cache.get(_job_key(token))
    if job is None or job["user"] != request.user.pk:
        raise Http404
    return job


def _save(token: str, job: dict) -> None:
    cache.set(_job_key(token), job, TTL)


def _progress(token: str, phase: str):
    def report(done: int, total: int) -> None:
        job = cache.get(_job_key(token)) or {}
        job["progress"] = {"phase": phase, "done": done, "total": total}
        _save(token, job)

    return report


def _run(token: str, work, background: bool) -> None:
    def target():
        try:
            work()
        except Exception as exc:  # shown to the user; the transaction has rolled back
            job = cache.get(_job_key(token)) or {}
            job["state"] = "failed"
            job["failure"] = (
                "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            )
            _save(token, job)
            if not background:
                raise
        finally:
            if background:
                close_old_connections()

    if background:
        threading.Thread(target=target, daemon=True).start()
    else:
        target()


def _validate(token: str, user, background: bool) -> None:
    job = cache.get(_job_key(token))
    unit = Unit.objects.get(pk=job["unit"])
    job["state"] = "validating"
    _save(token, job)

    def work():
        sheet = imports.read(job["path"], header_row=job.get("header_row"))
        plan = imports.validate(
            sheet, job["mapping"], unit, user=user, progress=_progress(token, "validate")
        )
        done = cache.get(_job_key(token))
        done.update(state="preview", plan=plan)
        _save(token, done)

    _run(token, work, background)


def _commit(token: str, actor, decisions: dict, background: bool) -> None:
    job = cache.get(_job_key(token))
    job["state"] = "committing"
    _save(token, job)

    def work():
        summary = imports.commit(
            job["plan"], actor=actor, decisions=decisions, progress=_progress(token, "commit")
        )
        done = cache.get(_job_key(token))
        done.update(state="done", summary=summary)
        done.pop("plan", None)
        _save(token, done)
        Path(done["path"]).unlink(missing_ok=True)

    _run(token, work, background)


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
            token = secrets.token_urlsafe(16)
            folder = Path(settings.MEDIA_ROOT) / "imports"
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"{token}.xlsx"
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
                job = {
                    "user": request.user.pk,
                    "unit": unit.pk,
                    "path": str(path),
                    "name": upload.name,
                }
                _read_into(job, sheet)
                _save(token, job)
                if job["state"] == "queued":
                    _validate(token, request.user, background=_background(job["rows"]))
                return redirect("members:import_job", token=token)
        return render(
            request, "members/import.html", {"nav": "members", "unit": unit, "error": error}
        )
    return render(request, "members/import.html", {"nav": "members", "unit": unit})


def _read_into(job: dict, sheet) -> None:
    """What the pages show of the sheet read (its header row, the rows skipped above it, the
    first rows to choose another header row from), its own columns mapped."""
    mapping = imports.auto_mapping(sheet.headers)
    job.update(
        header_row=sheet.header_row,
        headers=sheet.headers,
        skipped=sheet.skipped,
        top=sheet.top,
        rows=len(sheet.rows),
        mapping=mapping,
        state="mapping" if imports.missing_required(mapping) else "queued",
    )


def _background(rows: int) -> bool:
    return rows >= BACKGROUND_ROWS and not getattr(settings, "TESTING", False)


@login_required
def import_job(request, token: str):
    job = _get_job(request, token)
    unit = get_object_or_404(Unit.objects.restrict(request.user, "view"), pk=job["unit"])
    if request.method == "POST":
        if not can(request.user, "members", unit):
            raise PermissionDenied(_("Bạn chỉ có quyền xem tổ chức này."))
        action = request.POST.get("action")
        if action == "header" and job["state"] in ("mapping", "preview"):
            try:
                value = request.POST.get("header_row", "")
                sheet = imports.read(job["path"], header_row=int(value) if value.isdigit() else 0)
            except imports.ReadError as exc:
                messages.error(request, str(exc))
            else:
                if not sheet.rows:
                    messages.error(
                        request,
                        _("Không có dòng đảng viên nào dưới dòng tên cột (dòng %(n)d).")
                        % {"n": sheet.header_row},
                    )
                else:
                    job.pop("plan", None)
                    _read_into(job, sheet)
                    _save(token, job)
                    if job["state"] == "queued":
                        _validate(token, request.user, background=_background(job["rows"]))
        elif action == "map" and job["state"] in ("mapping", "preview"):
            mapping = {}
            for key, _label, _req in imports.FIELDS:
                value = request.POST.get(f"col_{key}", "")
                if value.isdigit() and int(value) < len(job["headers"]):
                    mapping[key] = int(value)
            job["mapping"] = mapping
            missing = imports.missing_required(mapping)
            if missing:
                messages.error(
                    request,
                    _("Hãy chọn cột cho: %(f)s.")
                    % {"f": ", ".join(imports.LABELS[k] for k in missing)},
                )
                _save(token, job)
            else:
                job["state"] = "queued"
                _save(token, job)
                _validate(token, request.user, background=_background(job["rows"]))
        elif action == "commit" and job["state"] == "preview":
            decisions = {
                r.number: request.POST.get(f"row_{r.number}", "")
                for r in job["plan"].rows
                if r.action == "confirm"
            }
            try:
                if job["plan"].errors:
                    raise ValidationError(_("Tệp còn lỗi: chưa ghi gì."))
                if not job["plan"].rows:
                    raise ValidationError(_("Tệp không có dòng đảng viên nào: chưa ghi gì."))
                if any(v not in ("same", "new") for v in decisions.values()):
                    raise ValidationError(_("Hãy xác nhận từng dòng trùng tên và ngày sinh."))
                _commit(token, request.user, decisions, background=_background(job["rows"]))
            except ValidationError as exc:
                for msg in exc.messages:
                    messages.error(request, msg)
        return redirect("members:import_job", token=token)
    job = cache.get(_job_key(token))
    plan = job.get("plan")
    ctx = {
        "nav": "members",
        "unit": unit,
        "job": job,
        "token": token,
        "fields": [(k, label, req, job["mapping"].get(k)) for k, label, req in imports.FIELDS],
        "headers": list(enumerate(job["headers"])),
        "header_row": job.get("header_row", 1),
        "skipped": job.get("skipped", []),
        "top": job.get("top", []),
        "recognized": bool(imports.auto_mapping(job["headers"])),
        "plan": plan,
        "can_edit": can(request.user, "members", unit),
    }
    if plan is not None:
        ctx["counts"] = {a: plan.count(a) for a in ("new", "unchanged", "update", "confirm")}
        ctx["changed"] = [r for r in plan.rows if r.action in ("update", "confirm")][:300]
        ctx["labels"] = imports.FIELD_LABELS
        ctx["errors"] = plan.errors[:1000]
        ctx["notes"] = getattr(plan, "notes", [])[:1000]  # a job cached before notes existed
    if request.htmx and request.GET.get("part") == "progress":
        if job["state"] not in ("queued", "validating", "committing"):
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
