"""The import job's services and tasks (issue 11, part 4): every change of an ImportJob's state
is made here, under the job's row lock (`select_for_update`), with its audit row.

This is the import's `services` module: members/services.py cannot hold it, because the import
package writes through members' services (a module loop).

- The pages call create_job, reread, set_mapping, start_validation, start_commit and cancel
  with the user as actor. A small file is validated and committed in the request; a large one
  is a task on the "default" queue, run by `chibo worker`. The task's row is written in the same
  transaction as the state change (django-tasks-db), so a job never waits for a task that was
  never queued; with Django's ImmediateBackend (unit tests) it runs at once.
- The worker's work (run_validation, run_commit) checks, under the lock, that the job is still
  in the state and attempt it was queued for, so a task that arrives late, twice, or after a
  re-queue does nothing. The commit's writes and the job's "committed" are one transaction:
  a worker killed halfway leaves no partial import and the job still "committing".
- A job whose heartbeat is older than CHIBO_JOB_STALE_AFTER seconds lost its worker: it is
  re-queued once (attempt 2, the owner is told), and failed if it goes stale again — decided by
  settle_stale under the lock, when its page is read and when a worker starts or is idle.
- Each upload queues `cleanup_task` on the "deferred" backend for 24 hours later: the file
  (a roll with personal data) and the stored plan are deleted unless the job was committed.
  A committed or cancelled job's file is deleted at once (on_commit).
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError, transaction
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.audit.services import record
from chibo.core.actors import SYSTEM
from chibo.core.jobs import Heartbeat, settle_all
from chibo.core.scope import can

from ..models import ImportJob
from .committing import commit
from .reading import auto_mapping, missing_required, read
from .validating import plan_from_json, plan_to_json, validate

logger = logging.getLogger(__name__)

KEEP_UPLOADS = dt.timedelta(hours=24)  # an upload not committed by then is deleted
MAX_ATTEMPTS = 2  # a job that lost its worker is started again once, then failed


def background(rows: int) -> bool:
    """A file this large is validated and committed by the worker, not in the request."""
    return rows >= getattr(settings, "CHIBO_IMPORT_BACKGROUND_ROWS", 3000)


_locked = ImportJob.locked  # core.jobs.Job: the row under its lock
_save = ImportJob.save_state


def _audit(job: ImportJob, *, actor, action: str, **after) -> None:
    record(
        actor=actor,
        action=f"members.import_job.{action}",
        obj=job,
        unit=job.unit_id,
        after={"state": job.state, "attempt": job.attempts, **after},
    )


def _delete_file_on_commit(job: ImportJob) -> None:
    path = job.path
    job.file_deleted_at = timezone.now()
    transaction.on_commit(lambda: Path(path).unlink(missing_ok=True))


def _forget_rows(job: ImportJob) -> None:
    """What the job kept of the people in the file (the plan, the rows shown to pick the header
    row): gone with the file."""
    job.plan = None
    job.top = []
    job.skipped = []


def _check_owner(job: ImportJob, actor) -> None:
    if getattr(actor, "pk", None) != job.owner_id:
        raise PermissionDenied(_("Việc nhập này là của người khác."))
    if not can(actor, "members", job.unit):
        raise PermissionDenied(_("Bạn chỉ có quyền xem tổ chức này."))


# --- what the pages do -----------------------------------------------------------------------


def _read_into(job: ImportJob, sheet) -> None:
    job.header_row = sheet.header_row
    job.headers = sheet.headers
    job.skipped = [list(x) for x in sheet.skipped]
    job.top = [list(x) for x in sheet.top]
    job.rows = len(sheet.rows)
    job.mapping = auto_mapping(sheet.headers)


def create_job(*, actor, unit, path: str, name: str, sheet) -> ImportJob:
    """A job for a file just saved under MEDIA_ROOT/imports and read into `sheet`; its
    clean-up is queued for 24 hours later."""
    if not can(actor, "members", unit):
        raise PermissionDenied(_("Bạn chỉ có quyền xem tổ chức này."))
    with transaction.atomic():
        job = ImportJob(
            token=secrets.token_urlsafe(16),
            owner=actor,
            unit=unit,
            path=path,
            name=name[:255],
            state=ImportJob.UPLOADED,
        )
        _read_into(job, sheet)
        job.save()
        _audit(job, actor=actor, action="upload", name=job.name, rows=job.rows)
        cleanup_task.using(run_after=job.created_at + KEEP_UPLOADS).enqueue(job.pk)
    if not missing_required(job.mapping):
        start_validation(job, actor=actor)
    return job


def reread(job: ImportJob, *, actor, sheet) -> ImportJob:
    """The sheet read again with another header row; validated again when its columns are
    known."""
    _check_owner(job, actor)
    with transaction.atomic():
        job = _locked(job.pk)
        if job.state not in (ImportJob.UPLOADED, ImportJob.VALIDATED, ImportJob.INVALID):
            raise ValidationError(_("Việc nhập này không còn sửa được."))
        _read_into(job, sheet)
        job.plan = None
        job.state = ImportJob.UPLOADED
        _save(job, "header_row", "headers", "skipped", "top", "rows", "mapping", "plan", "state")
        _audit(job, actor=actor, action="header", header_row=job.header_row)
    if not missing_required(job.mapping):
        start_validation(job, actor=actor)
    return job


def set_mapping(job: ImportJob, *, actor, mapping: dict[str, int]) -> ImportJob:
    """The columns the user chose; validated when every required one is chosen."""
    _check_owner(job, actor)
    with transaction.atomic():
        job = _locked(job.pk)
        if job.state not in (ImportJob.UPLOADED, ImportJob.VALIDATED, ImportJob.INVALID):
            raise ValidationError(_("Việc nhập này không còn sửa được."))
        job.mapping = mapping
        job.plan = None
        job.state = ImportJob.UPLOADED
        _save(job, "mapping", "plan", "state")
        _audit(job, actor=actor, action="mapping", mapping=mapping)
    if not missing_required(job.mapping):
        start_validation(job, actor=actor)
    return job


def _start(job: ImportJob, state: str) -> None:
    now = timezone.now()
    job.state = state
    job.attempts += 1
    job.heartbeat_at = now
    job.started_at = None
    job.finished_at = None
    job.progress_done = 0
    job.progress_total = job.rows
    job.error = ""


def start_validation(job: ImportJob, *, actor) -> ImportJob:
    _check_owner(job, actor)
    with transaction.atomic():
        job = _locked(job.pk)
        if job.state != ImportJob.UPLOADED or missing_required(job.mapping):
            return job
        _start(job, ImportJob.VALIDATING)
        job.attempts = 1
        _save(job, *_STARTED)
        _audit(job, actor=actor, action="validate")
        if background(job.rows):
            job.enqueue(validate_task)
    if not background(job.rows):
        run_validation(job.pk, job.attempts)
    job.refresh_from_db()
    return job


_STARTED = (
    "state",
    "attempts",
    "heartbeat_at",
    "started_at",
    "finished_at",
    "progress_done",
    "progress_total",
    "error",
)


def start_commit(job: ImportJob, *, actor, decisions: dict[int, str]) -> tuple[ImportJob, str]:
    """Queue the commit of a validated job. A second click while it is being written, or after,
    writes nothing and says so: returns (job, that message); ("" when the commit started)."""
    _check_owner(job, actor)
    with transaction.atomic():
        job = _locked(job.pk)
        if job.state == ImportJob.COMMITTING:
            return job, _("Danh sách này đang được ghi; lần bấm này không ghi thêm gì.")
        if job.state == ImportJob.COMMITTED:
            return job, _("Danh sách này đã được ghi vào hệ thống; lần bấm này không ghi thêm gì.")
        if job.state == ImportJob.INVALID:
            raise ValidationError(_("Tệp còn lỗi: chưa ghi gì."))
        if job.state != ImportJob.VALIDATED or job.plan is None:
            raise ValidationError(_("Việc nhập này không còn ghi được; hãy tải tệp lên lại."))
        plan = plan_from_json(job.plan)
        if plan.errors:
            raise ValidationError(_("Tệp còn lỗi: chưa ghi gì."))
        if not plan.rows:
            raise ValidationError(_("Tệp không có dòng đảng viên nào: chưa ghi gì."))
        wanted = {r.number for r in plan.rows if r.action == "confirm"}
        decisions = {n: v for n, v in decisions.items() if n in wanted}
        if set(decisions) != wanted or any(v not in ("same", "new") for v in decisions.values()):
            raise ValidationError(_("Hãy xác nhận từng dòng trùng tên và ngày sinh."))
        _start(job, ImportJob.COMMITTING)
        job.attempts = 1
        job.decisions = {str(n): v for n, v in decisions.items()}
        _save(job, *_STARTED, "decisions")
        _audit(job, actor=actor, action="commit")
        if background(job.rows):
            job.enqueue(commit_task)
    if not background(job.rows):
        run_commit(job.pk, job.attempts)
    job.refresh_from_db()
    return job, ""


def cancel(job: ImportJob, *, actor) -> ImportJob:
    """The owner gives the import up: the file and what was read of it are deleted at once."""
    _check_owner(job, actor)
    with transaction.atomic():
        job = _locked(job.pk)
        if job.running or job.state == ImportJob.COMMITTED:
            raise ValidationError(_("Việc nhập đang chạy hoặc đã ghi xong: không huỷ được."))
        if job.state != ImportJob.CANCELLED:
            job.state = ImportJob.CANCELLED
            _forget_rows(job)
            _delete_file_on_commit(job)
            _save(job, "state", "plan", "top", "skipped", "file_deleted_at")
            _audit(job, actor=actor, action="cancel")
    return job


# --- what the worker does --------------------------------------------------------------------


class _Superseded(Exception):
    """The job moved on (re-queued, cancelled, cleaned up) while this attempt worked."""


def _begin(job_id: int, attempt: int, state: str) -> ImportJob | None:
    """The job, if it still waits for this attempt; marked started."""
    with transaction.atomic():
        job = _locked(job_id)
        if job is None or job.state != state or job.attempts != attempt:
            return None
        job.started_at = job.heartbeat_at = timezone.now()
        _save(job, "started_at", "heartbeat_at")
    return job


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(exc.messages)
    if isinstance(exc, PermissionDenied):
        return str(exc)
    logger.exception("import job failed")
    return _("Lỗi khi xử lý (%(e)s): chưa có gì thay đổi.") % {"e": type(exc).__name__}


def _fail(job_id: int, attempt: int, state: str, exc: Exception) -> None:
    with transaction.atomic():
        job = _locked(job_id)
        if job is None or job.state != state or job.attempts != attempt:
            return
        job.state = ImportJob.FAILED
        job.error = _message(exc)
        job.finished_at = timezone.now()
        _save(job, "state", "error", "finished_at")
        _audit(job, actor=SYSTEM, action="failed", error=job.error)


def run_validation(job_id: int, attempt: int) -> None:
    job = _begin(job_id, attempt, ImportJob.VALIDATING)
    if job is None:
        return
    try:
        with Heartbeat(ImportJob, job_id, state=ImportJob.VALIDATING) as hb:
            sheet = read(job.path, header_row=job.header_row)
            plan = validate(sheet, job.mapping, job.unit, user=job.owner, progress=hb.progress)
    except Exception as exc:  # the owner reads why; nothing was written
        _fail(job_id, attempt, ImportJob.VALIDATING, exc)
        return
    with transaction.atomic():
        job = _locked(job_id)
        if job is None or job.state != ImportJob.VALIDATING or job.attempts != attempt:
            return
        job.state = ImportJob.INVALID if plan.errors else ImportJob.VALIDATED
        job.plan = plan_to_json(plan)
        job.progress_done = job.progress_total = len(sheet.rows)
        job.finished_at = timezone.now()
        _save(job, "state", "plan", "progress_done", "progress_total", "finished_at")
        _audit(job, actor=SYSTEM, action="validated", errors=len(plan.errors))


def run_commit(job_id: int, attempt: int) -> None:
    job = _begin(job_id, attempt, ImportJob.COMMITTING)
    if job is None:
        return
    plan = plan_from_json(job.plan)
    decisions = {int(n): v for n, v in job.decisions.items()}
    try:
        with Heartbeat(ImportJob, job_id, state=ImportJob.COMMITTING) as hb:
            # The import and the job's "committed" commit together, or neither does.
            with transaction.atomic():
                summary = commit(plan, actor=job.owner, decisions=decisions, progress=hb.progress)
                job = _locked(job_id)
                if job is None or job.state != ImportJob.COMMITTING or job.attempts != attempt:
                    raise _Superseded
                job.state = ImportJob.COMMITTED
                job.summary = summary
                job.progress_done = job.progress_total = hb.total or job.progress_total
                job.finished_at = timezone.now()
                _forget_rows(job)
                _delete_file_on_commit(job)
                _save(
                    job,
                    "state",
                    "summary",
                    "progress_done",
                    "progress_total",
                    "finished_at",
                    "plan",
                    "top",
                    "skipped",
                    "file_deleted_at",
                )
                _audit(job, actor=SYSTEM, action="committed", **summary)
    except _Superseded:
        return
    except Exception as exc:  # rolled back: the owner reads why
        _fail(job_id, attempt, ImportJob.COMMITTING, exc)


def settle_stale(job: ImportJob) -> ImportJob:
    """A running job whose heartbeat is too old lost its worker: started again once (attempt 2,
    with a message to the owner), failed the second time. Decided under the lock, so two
    readers never re-queue it twice. On SQLite a live worker's commit holds the write lock:
    a lock that cannot be had means the job is alive, not stale."""
    if not job.looks_stale():
        return job
    try:
        with transaction.atomic():
            locked = _locked(job.pk)
            if locked is None or not locked.looks_stale():
                return locked or job
            if locked.attempts < MAX_ATTEMPTS:
                _start(locked, locked.state)
                locked.error = _(
                    "Máy xử lý đã dừng giữa chừng; chưa có gì được ghi. Hệ thống đã tự chạy lại "
                    "việc này (lần %(n)d)."
                ) % {"n": locked.attempts}
                _save(locked, *_STARTED)
                _audit(locked, actor=SYSTEM, action="requeued")
                again = validate_task if locked.state == ImportJob.VALIDATING else commit_task
                locked.enqueue(again)
            else:
                locked.error = _(
                    "Máy xử lý đã dừng giữa chừng %(n)d lần; chưa có gì được ghi. Hãy tải tệp "
                    "lên lại hoặc báo quản trị hệ thống."
                ) % {"n": locked.attempts}
                locked.state = ImportJob.FAILED
                locked.finished_at = timezone.now()
                _save(locked, "state", "error", "finished_at")
                _audit(locked, actor=SYSTEM, action="failed", error=locked.error)
            return locked
    except OperationalError:  # SQLite: a worker holds the write lock, so one is alive
        return job


def settle_stale_jobs() -> int:
    """The STALE_JOBS hook: every running import job that lost its worker."""
    return settle_all(ImportJob, settle_stale)


def cleanup(job_id: int) -> None:
    """24 hours after the upload: the file and what the job kept of its rows are deleted,
    unless the job was committed (its file went then)."""
    with transaction.atomic():
        job = _locked(job_id)
        if job is None or job.state == ImportJob.COMMITTED:
            return
        if job.state not in ImportJob.FINAL_STATES:
            job.state = ImportJob.CANCELLED
            job.error = _(
                "Tệp đã được xoá vì sau 24 giờ chưa được ghi vào hệ thống; hãy tải lên lại nếu cần."
            )
        _forget_rows(job)
        _delete_file_on_commit(job)
        _save(job, "state", "error", "plan", "top", "skipped", "file_deleted_at")
        _audit(job, actor=SYSTEM, action="expired")


# --- the tasks (django.tasks): the worker runs them ------------------------------------------


@task(queue_name="default")
def validate_task(job_id: int, attempt: int) -> None:
    run_validation(job_id, attempt)


@task(queue_name="default")
def commit_task(job_id: int, attempt: int) -> None:
    run_commit(job_id, attempt)


@task(backend="deferred", queue_name="default")
def cleanup_task(job_id: int) -> None:
    cleanup(job_id)
