"""Large exports as background jobs (issue 11, part 4): an export that selects more rows than
CHIBO_EXPORT_BACKGROUND_ROWS is written by `chibo worker` into a private folder and downloaded
from the job's page; a smaller one streams from the request as before.

An app registers its export kinds in its AppConfig.ready() (audit lies below the apps whose
rows it exports, so it never imports them):

    register_export("members", member_list_export, nav="members")

A kind's function `build(user, params) -> Export` gives the export the page would stream for
`user`: it checks the user's scope itself (Http404 or PermissionDenied when out of it) and
reads nothing until `Export.write` runs. The page, the worker and the download all call it,
so the worker writes exactly the rows the owner's own export would give, and an owner whose
grant ended before the worker ran, or before the download, gets nothing.

Every state change is a service here, under the job's row lock, with its audit row
(`audit.export_job.*`; the worker's by SYSTEM). The download is the export's own audit row,
with the action the direct export uses (`export.members`, `export.roll`, `export.audit`).
The worker's task carries its attempt (never twice); a job that lost its worker is re-queued
once, then failed (hooks.STALE_JOBS); the file is deleted 24 hours after it was written by a
task on the "deferred" backend, and the job is then "expired".
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import OperationalError, transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.core.actors import SYSTEM
from chibo.core.jobs import Heartbeat, settle_all

from .exports import XLSX, file_response
from .models import ExportJob
from .services import record

logger = logging.getLogger(__name__)

KEEP_FILES = dt.timedelta(hours=24)  # a finished file is deleted this long after it was written
MAX_ATTEMPTS = 2  # a job that lost its worker is started again once, then failed


@dataclass(frozen=True)
class Export:
    """An export as its page would stream it for one user."""

    action: str  # the audit action of the export itself ("export.members")
    title: str  # what it is, in Vietnamese (the job page's heading)
    filename: str
    # Writes the workbook to a binary file, reporting progress(rows done) now and then;
    # returns the rows written.
    write: Callable[[IO[bytes], Callable[[int], None] | None], int]
    count: Callable[[], int]  # how many rows the filters select (the threshold's test)
    unit: Any = None  # the unit the audit row is filed under (a Unit or its id)
    details: dict = field(default_factory=dict)  # the audit row's "after", besides "rows"
    # Parameters that pin the moment of the request for a job (the audit log's last row).
    pinned: dict = field(default_factory=dict)

    @property
    def unit_id(self) -> int | None:
        return self.unit if isinstance(self.unit, int) or self.unit is None else self.unit.pk


@dataclass(frozen=True)
class Kind:
    build: Callable[[Any, dict], Export]
    nav: str = ""  # the menu entry the job page lights up


_kinds: dict[str, Kind] = {}


def register_export(name: str, build: Callable[[Any, dict], Export], *, nav: str = "") -> None:
    """Registers an export kind (idempotent for the same function)."""
    known = _kinds.get(name)
    if known is not None and known.build is not build:
        raise ValueError(f"export kind {name!r} is registered already")
    _kinds[name] = Kind(build, nav)


def kind(name: str) -> Kind:
    try:
        return _kinds[name]
    except KeyError:
        raise ValueError(f"unknown export kind {name!r}") from None


def threshold() -> int:
    return int(getattr(settings, "CHIBO_EXPORT_BACKGROUND_ROWS", 20000))


def export_dir() -> Path:
    return Path(settings.CHIBO_EXPORT_DIR)


# --- the page's export -----------------------------------------------------------------------


def stream(export: Export, *, actor) -> HttpResponse:
    """The export from the request, with its one audit row once the file is complete."""

    def write(file: IO[bytes]) -> None:
        count = export.write(file, None)
        with transaction.atomic():
            record(
                actor=actor,
                action=export.action,
                unit=export.unit_id,
                after={"rows": count, **export.details},
            )

    return file_response(write, export.filename)


def respond(request, name: str, params: dict) -> HttpResponse:
    """What an export link answers: the file itself, or — above the threshold — a job for the
    worker and the job's page."""
    export = kind(name).build(request.user, params)
    rows = export.count()
    if rows <= threshold():
        return stream(export, actor=request.user)
    job = create_job(actor=request.user, name=name, params={**params, **export.pinned}, rows=rows)
    return redirect("audit:export_job", token=job.token)


# --- the job's services ----------------------------------------------------------------------


_locked = ExportJob.locked  # core.jobs.Job: the row under its lock
_save = ExportJob.save_state


def _audit(job: ExportJob, *, actor, action: str, **after) -> None:
    record(
        actor=actor,
        action=f"audit.export_job.{action}",
        obj=job,
        unit=job.unit_ref,
        after={"kind": job.kind, "state": job.state, "attempt": job.attempts, **after},
    )


def _part(job: ExportJob, attempt: int) -> Path:
    """Where an attempt writes (moved to the job's file when complete)."""
    return export_dir() / f"{job.token}-{attempt}.part"


def _unlink_on_commit(path: str | Path) -> None:
    transaction.on_commit(lambda: Path(path).unlink(missing_ok=True))


def create_job(*, actor, name: str, params: dict, rows: int) -> ExportJob:
    """A job writing the export `name` with `params` for `actor`, queued for the worker."""
    export = kind(name).build(actor, params)  # out of scope: Http404 / PermissionDenied
    with transaction.atomic():
        job = ExportJob.objects.create(
            token=secrets.token_urlsafe(16),
            owner=actor,
            kind=name,
            params=params,
            title=export.title[:255],
            filename=export.filename[:255],
            unit_ref=export.unit_id,
            state=ExportJob.QUEUED,
            attempts=1,
            progress_total=rows,
        )
        _audit(job, actor=actor, action="queued", rows=rows, params=params)
        job.enqueue(build_task)
    job.refresh_from_db()
    return job


class _Superseded(Exception):
    """The job moved on (re-queued, failed) while this attempt worked."""


def _begin(job_id: int, attempt: int) -> ExportJob | None:
    with transaction.atomic():
        job = _locked(job_id)
        if job is None or job.state != ExportJob.QUEUED or job.attempts != attempt:
            return None
        job.state = ExportJob.BUILDING
        job.started_at = job.heartbeat_at = timezone.now()
        _save(job, "state", "started_at", "heartbeat_at")
    return job


def _message(exc: Exception) -> str:
    if isinstance(exc, Http404 | PermissionDenied):
        return _(
            "Bạn không còn quyền xem dữ liệu này (quyền đã hết hạn hoặc tổ chức đã ra ngoài "
            "phạm vi của bạn): không tạo tệp."
        )
    logger.exception("export job failed")
    return _("Lỗi khi tạo tệp (%(e)s); hãy xuất lại hoặc báo quản trị hệ thống.") % {
        "e": type(exc).__name__
    }


def _fail(job_id: int, attempt: int, exc: Exception) -> None:
    with transaction.atomic():
        job = _locked(job_id)
        if job is None or job.state != ExportJob.BUILDING or job.attempts != attempt:
            return
        job.state = ExportJob.FAILED
        job.error = _message(exc)
        job.finished_at = timezone.now()
        _save(job, "state", "error", "finished_at")
        _audit(job, actor=SYSTEM, action="failed", error=job.error)


def run_build(job_id: int, attempt: int) -> None:
    """The worker's work: the owner's export, rebuilt with the owner's scope as it is now,
    written to a part file and moved into place when the job is still this attempt's."""
    job = _begin(job_id, attempt)
    if job is None:
        return
    part = _part(job, attempt)
    try:
        export = kind(job.kind).build(job.owner, job.params)
        part.parent.mkdir(parents=True, exist_ok=True)
        with Heartbeat(ExportJob, job_id, state=ExportJob.BUILDING) as hb:
            total = job.progress_total
            with part.open("wb") as fh:
                count = export.write(fh, lambda n: hb.progress(n, max(total, n)))
    except Exception as exc:  # the owner reads why; no file is kept
        part.unlink(missing_ok=True)
        _fail(job_id, attempt, exc)
        return
    final = export_dir() / f"{job.token}.xlsx"
    try:
        with transaction.atomic():
            job = _locked(job_id)
            if job is None or job.state != ExportJob.BUILDING or job.attempts != attempt:
                raise _Superseded
            os.replace(part, final)
            job.state = ExportJob.READY
            job.path = str(final)
            job.rows = count
            job.progress_done = job.progress_total = count
            job.finished_at = timezone.now()
            _save(job, "state", "path", "rows", "progress_done", "progress_total", "finished_at")
            _audit(job, actor=SYSTEM, action="ready", rows=count)
            cleanup_task.using(run_after=job.finished_at + KEEP_FILES).enqueue(job.pk)
    except _Superseded:
        part.unlink(missing_ok=True)


def settle_stale(job: ExportJob) -> ExportJob:
    """A building job whose heartbeat is too old lost its worker: queued again once (attempt 2,
    the owner told), failed the second time. Decided under the lock; on SQLite a lock that
    cannot be had means a worker is alive."""
    if not job.looks_stale():
        return job
    try:
        with transaction.atomic():
            locked = _locked(job.pk)
            if locked is None or not locked.looks_stale():
                return locked or job
            _unlink_on_commit(_part(locked, locked.attempts))  # what the dead worker left
            if locked.attempts < MAX_ATTEMPTS:
                locked.state = ExportJob.QUEUED
                locked.attempts += 1
                locked.started_at = None
                locked.heartbeat_at = timezone.now()
                locked.progress_done = 0
                locked.error = _(
                    "Máy xử lý đã dừng giữa chừng; hệ thống đã tự chạy lại việc tạo tệp (lần "
                    "%(n)d)."
                ) % {"n": locked.attempts}
                _save(
                    locked,
                    "state",
                    "attempts",
                    "started_at",
                    "heartbeat_at",
                    "progress_done",
                    "error",
                )
                _audit(locked, actor=SYSTEM, action="requeued")
                locked.enqueue(build_task)
            else:
                locked.state = ExportJob.FAILED
                locked.error = _(
                    "Máy xử lý đã dừng giữa chừng %(n)d lần: không tạo được tệp. Hãy xuất lại "
                    "hoặc báo quản trị hệ thống."
                ) % {"n": locked.attempts}
                locked.finished_at = timezone.now()
                _save(locked, "state", "error", "finished_at")
                _audit(locked, actor=SYSTEM, action="failed", error=locked.error)
            return locked
    except OperationalError:  # SQLite: a worker holds the write lock, so one is alive
        return job


def settle_stale_jobs() -> int:
    """The STALE_JOBS hook: every building export job that lost its worker."""
    return settle_all(ExportJob, settle_stale)


def download(job: ExportJob, *, actor) -> HttpResponse:
    """The finished file for its owner, with the export's own audit row (the action, rows and
    filters of the direct export). The owner's scope is checked again: an export they may no
    longer see is 404. The caller has checked that the job is ready."""
    if getattr(actor, "pk", None) != job.owner_id:
        raise Http404
    export = kind(job.kind).build(actor, job.params)
    file = Path(job.path).open("rb")
    try:
        with transaction.atomic():
            record(
                actor=actor,
                action=export.action,
                unit=export.unit_id,
                after={"rows": job.rows, **export.details, "job": job.pk},
            )
    except BaseException:
        file.close()
        raise
    return FileResponse(file, as_attachment=True, filename=job.filename, content_type=XLSX)


def cleanup(job_id: int) -> None:
    """24 hours after the file was written: it is deleted and the job expires."""
    with transaction.atomic():
        job = _locked(job_id)
        if job is None or job.state != ExportJob.READY:
            return
        job.state = ExportJob.EXPIRED
        job.file_deleted_at = timezone.now()
        _unlink_on_commit(job.path)
        _save(job, "state", "file_deleted_at")
        _audit(job, actor=SYSTEM, action="expired")


# --- the tasks (django.tasks): the worker runs them ------------------------------------------


@task(queue_name="default")
def build_task(job_id: int, attempt: int) -> None:
    run_build(job_id, attempt)


@task(backend="deferred", queue_name="default")
def cleanup_task(job_id: int) -> None:
    cleanup(job_id)
