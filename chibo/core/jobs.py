"""What every background job shares (issue 11, part 4): its row in the database is the job —
who owns it, its state, its progress, the worker's heartbeat, how many times it was started —
so that every server process and every worker sees the same job, a restart loses nothing and a
state change can be made under the row's lock.

An app's job model inherits `Job` (the members' ImportJob; an ExportJob would too), names its
`RUNNING_STATES` (a worker is on it; the heartbeat must be fresh) and writes its state changes
in its own services under `select_for_update`. The worker calls `Heartbeat` while it works:
a thread with its own database connection that writes `heartbeat_at` and the progress every
few seconds, outside the work's transaction, so a page reads the progress from the table
while the work itself stays all-or-nothing. A job whose heartbeat is older than
`CHIBO_JOB_STALE_AFTER` seconds lost its worker; the app's STALE_JOBS hook settles it. So did a
job whose task a worker claimed but never began (killed between django-tasks-db's claim and the
job's "started"): the job keeps the id of its task (`Job.enqueue`) to tell that from a job whose
task still waits in the queue.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import uuid

from django.conf import settings
from django.db import OperationalError, close_old_connections, connection, models
from django.utils import timezone

logger = logging.getLogger(__name__)


def stale_after() -> dt.timedelta:
    return dt.timedelta(seconds=float(getattr(settings, "CHIBO_JOB_STALE_AFTER", 120)))


def settle_all(model, settle) -> int:
    """Every running job of `model` that lost its worker (its heartbeat older than the stale
    limit, or its task claimed and never begun), handed to the app's `settle` (re-queue once or
    fail, decided under the row's lock); how many it changed. What each app registers as its
    STALE_JOBS hook."""
    limit = timezone.now() - stale_after()
    beat_stopped = models.Q(started_at__isnull=False, heartbeat_at__lt=limit)
    never_begun = models.Q(started_at__isnull=True, task_id__isnull=False)
    n = 0
    for job in model.objects.filter(beat_stopped | never_begun, state__in=model.RUNNING_STATES):
        if job.started_at is None and not job.looks_stale():
            continue  # its task still waits in the queue, or was claimed a moment ago
        after = settle(job)
        n += (after.state, after.attempts) != (job.state, job.attempts)
    return n


class Job(models.Model):
    """A background job's row. Subclasses add what the work needs and a `RUNNING_STATES`."""

    RUNNING_STATES: tuple[str, ...] = ()

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=20)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Written by the worker while it works (Heartbeat), outside the work's transaction.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # How many times the work was started; a task carries the attempt it was enqueued for and
    # does nothing when the job has moved on (re-queued, cancelled): never twice.
    attempts = models.PositiveSmallIntegerField(default=0)
    # A message for the owner, in Vietnamese (why it failed, or that it was started again).
    error = models.TextField(blank=True)
    # The django-tasks-db task of the current attempt (Job.enqueue).
    task_id = models.CharField(max_length=64, null=True, blank=True)

    class Meta:
        abstract = True

    @classmethod
    def locked(cls, pk: int):
        """The job's row under its lock (every state change is decided there), or None."""
        return cls.objects.select_for_update().filter(pk=pk).first()

    def enqueue(self, task) -> None:
        """Queue `task(job.pk, job.attempts)` and keep its id (in the caller's transaction)."""
        self.task_id = str(task.enqueue(self.pk, self.attempts).id)
        self.save(update_fields=["task_id"])

    def save_state(self, *fields: str) -> None:
        """Save the changed fields and the time of the change."""
        self.updated_at = timezone.now()
        self.save(update_fields=[*fields, "updated_at"])

    @property
    def running(self) -> bool:
        return self.state in self.RUNNING_STATES

    def looks_stale(self, now: dt.datetime | None = None) -> bool:
        """Its worker stopped beating (read without a lock: decide again under it). A job still
        waiting in the queue (no worker has started it: `started_at` unset) is not stale, however
        long the queue: its task is there, in the same database. Unless a worker claimed that
        task longer ago than the stale limit and never began the job: that worker died."""
        if not self.running:
            return False
        now = now or timezone.now()
        if self.started_at is None:
            from django_tasks_db.models import DBTaskResult  # the task worker's table

            try:
                uuid.UUID(self.task_id or "")
            except ValueError:  # no task, or one of a backend that runs it at once
                return False
            return (
                DBTaskResult.objects.filter(pk=self.task_id, started_at__lt=now - stale_after())
                .exclude(status="READY")
                .exists()
            )
        last = self.heartbeat_at or self.started_at
        return now - last > stale_after()

    @property
    def percent(self) -> int:
        if not self.progress_total:
            return 0
        return min(100, self.progress_done * 100 // self.progress_total)


class Heartbeat:
    """`with Heartbeat(ImportJob, pk, state="committing") as hb: work(progress=hb.progress)`.

    A thread writes heartbeat_at (and the last progress reported) every interval through its own
    connection, only while the row is still in `state`. On SQLite the work's transaction holds
    the only write lock, so the beats wait for it: a reader then finds the database locked,
    which means a worker is alive (see the members' stale check)."""

    def __init__(self, model: type[Job], pk: int, *, state: str):
        self.model, self.pk, self.state = model, pk, state
        self.interval = max(0.2, min(10.0, stale_after().total_seconds() / 4))
        self.done: int | None = None
        self.total: int | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def progress(self, done: int, total: int) -> None:
        self.done, self.total = done, total
        if self._thread is None:  # no thread (inside a transaction): write it in this one
            self.beat()

    def beat(self) -> None:
        fields = {"heartbeat_at": timezone.now()}
        if self.done is not None:
            fields.update(progress_done=self.done, progress_total=self.total)
        try:
            self.model.objects.filter(pk=self.pk, state=self.state).update(**fields)
        except OperationalError as exc:  # SQLite: the work holds the write lock; beat later
            logger.debug("heartbeat of %s %s waits: %s", self.model.__name__, self.pk, exc)

    def _run(self) -> None:
        try:
            while not self._stop.wait(self.interval):
                self.beat()
        finally:
            close_old_connections()
            connection.close()

    def __enter__(self) -> Heartbeat:
        self.beat()
        # A thread has its own connection: its beats commit while the work's transaction is
        # open. Inside a transaction (a test, a request wrapped in one) the thread could not
        # see the row, so the beats are written in line instead.
        if not connection.in_atomic_block:
            self._thread = threading.Thread(target=self._run, daemon=True, name="heartbeat")
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
