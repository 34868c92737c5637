"""`chibo worker`: runs the background tasks (django-tasks-db's worker) of both task aliases,
"default" and "deferred", from one process.

On start, and then while it has nothing to do, it asks each app to settle its jobs that lost
their worker (hooks.STALE_JOBS: re-queued once, then failed). SIGTERM or Ctrl-C lets the task
that is running finish, then stops; a second one stops at once (the task's transaction rolls
back and the job is settled as stale later).
"""

from __future__ import annotations

import threading
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections
from django.db.utils import OperationalError
from django.tasks import task_backends
from django.utils.crypto import get_random_string
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from chibo.core import hooks
from chibo.core.jobs import stale_after


def settle_stale_jobs() -> int:
    return sum(fn() for fn in hooks.get(hooks.STALE_JOBS))


class ChiboWorker(Worker):
    """django-tasks-db's Worker over several backends at once, settling stale jobs when idle."""

    def __init__(self, *, backend_names: list[str], **kwargs):
        super().__init__(backend_name=backend_names[0], excluded_queue_names=[], **kwargs)
        self.backend_names = backend_names
        self.last_settled = 0.0
        self.idle = threading.Event()

    def settle(self) -> None:
        try:
            settle_stale_jobs()
        except OperationalError as exc:  # SQLite busy: try again at the next idle moment
            if not is_locked_database_exception(exc):
                raise
        self.last_settled = time.monotonic()

    def run(self) -> None:
        self.settle()
        while self.running:
            close_old_connections()
            tasks = DBTaskResult.objects.ready().filter(
                backend_name__in=self.backend_names, queue_name__in=self.queue_names
            )
            task_result = None
            with exclusive_transaction(tasks.db):
                try:
                    task_result = tasks.get_locked()
                    if task_result is not None:
                        task_result.claim(self.worker_id)
                except OperationalError as e:
                    if not is_locked_database_exception(e):
                        raise
            if task_result is not None:
                self.run_task(task_result)
                if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                    return
                continue
            if self.batch:
                return
            if time.monotonic() - self.last_settled >= stale_after().total_seconds():
                self.settle()
            close_old_connections()
            if self.running:
                self.idle.wait(self.interval)  # not time.sleep: it fails under faketime


class Command(BaseCommand):
    help = "Chạy các việc nền (nhập danh sách lớn, dọn tệp tải lên) của chibo."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--queues", default="default", help="queue names, comma-separated (default: default)"
        )
        parser.add_argument(
            "--backends",
            default="default,deferred",
            help="task aliases to run, comma-separated (default: default,deferred)",
        )
        parser.add_argument(
            "--interval", type=float, default=1.0, help="seconds to sleep when idle (default 1)"
        )
        parser.add_argument(
            "--batch", action="store_true", help="run what is ready, then stop (scripts, tests)"
        )
        parser.add_argument("--max-tasks", type=int, default=None)

    def handle(self, *, queues, backends, interval, batch, max_tasks, **options) -> None:
        DbWorkerCommand.configure_logging(self, options["verbosity"])  # its log lines, as db_worker
        names = [b for b in backends.split(",") if b]
        for name in names:
            if not isinstance(task_backends[name], DatabaseBackend):
                raise CommandError(
                    f"TASKS[{name!r}] is not django-tasks-db's DatabaseBackend: nothing to run"
                )
        if interval < 0:
            raise CommandError("--interval must be zero or more")
        worker = ChiboWorker(
            backend_names=names,
            queue_names=[q for q in queues.split(",") if q],
            interval=interval,
            batch=batch,
            startup_delay=False,
            max_tasks=max_tasks,
            worker_id=get_random_string(32),
        )
        worker.configure_signals()
        self.stdout.write(f"chibo worker: {', '.join(names)} / {queues}")
        worker.run()
