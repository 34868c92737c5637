"""Import jobs in the table and the task queue (issue 11, part 4): the whole flow through the
tasks (Django's ImmediateBackend), a second commit that writes nothing and says so, a worker
that stopped beating (the clock moved), another user's job, the progress bar read from the
table, and the 24-hour clean-up run from the deferred backend after moving the clock."""

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.tasks import task_backends
from django.tasks.signals import task_enqueued
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from chibo.audit.models import AuditLog
from chibo.members.imports import jobs
from chibo.members.models import ImportJob, Member
from tests.world import PASSWORD

from .books import book, row

NOT_TWICE = "đã được ghi vào hệ thống; lần bấm này không ghi thêm gì"
STOPPED = "Máy xử lý đã dừng giữa chừng; chưa có gì được ghi. Hệ thống đã tự chạy lại"


@pytest.fixture
def queued(settings):
    """Every roll goes through the task queue, however small; the names of the tasks queued."""
    settings.CHIBO_IMPORT_BACKGROUND_ROWS = 1
    names = []

    def seen(sender, task_result, **kwargs):
        names.append((task_result.backend, task_result.task.name))

    task_enqueued.connect(seen)
    task_backends["deferred"].clear()
    yield names
    task_enqueued.disconnect(seen)
    task_backends["deferred"].clear()


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def _upload(client, world, rows):
    f = SimpleUploadedFile("ds.xlsx", book(rows).getvalue())
    resp = client.post(reverse("members:import") + f"?unit={world.commune_a.pk}", {"file": f})
    assert resp.status_code == 302, resp.content.decode()[:500]
    url = resp["Location"]
    return url, ImportJob.objects.get(token=url.rstrip("/").split("/")[-1])


def _rows(world, n):
    return [row(world.cells_a[0].name, name=f"Lò Văn Người{i}") for i in range(n)]


def test_it_imports_through_the_queue_and_deletes_the_file_at_the_commit(
    client, world, queued, django_capture_on_commit_callbacks
):
    _login(client, world.official_a)
    url, job = _upload(client, world, _rows(world, 3))
    assert ("default", "validate_task") in queued and ("deferred", "cleanup_task") in queued
    job.refresh_from_db()
    assert job.state == ImportJob.VALIDATED and job.owner == world.official_a
    assert (job.progress_done, job.progress_total) == (3, 3)
    assert Path(job.path).exists()
    assert "Thêm mới: <strong>3</strong>" in client.get(url).content.decode()
    assert not Member.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "commit"})
    assert ("default", "commit_task") in queued
    job.refresh_from_db()
    assert job.state == ImportJob.COMMITTED and job.summary["created"] == 3
    assert Member.objects.filter(home_unit=world.cells_a[0]).count() == 3
    assert AuditLog.objects.filter(action="members.import").count() == 1
    # The roll's people leave the job with the commit: the file at once, the stored plan too.
    assert not Path(job.path).exists() and job.file_deleted_at is not None
    assert job.plan is None and job.top == []
    assert "Đã nhập xong" in client.get(url).content.decode()


def test_a_second_commit_writes_nothing_and_says_so(client, world, queued):
    _login(client, world.official_a)
    url, job = _upload(client, world, _rows(world, 2))
    client.post(url, {"action": "commit"})
    page = client.post(url, {"action": "commit"}, follow=True).content.decode()
    assert NOT_TWICE in page
    assert Member.objects.count() == 2
    assert AuditLog.objects.filter(action="members.import").count() == 1
    # A click while a worker is writing (its heartbeat fresh) starts no second commit either.
    url, job = _upload(client, world, _rows(world, 1))
    ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.COMMITTING, attempts=1)
    page = client.post(url, {"action": "commit"}, follow=True).content.decode()
    assert "đang được ghi; lần bấm này không ghi thêm gì" in page
    job.refresh_from_db()
    assert job.state == ImportJob.COMMITTING and job.attempts == 1
    assert Member.objects.count() == 2


def _lost(monkeypatch):
    """The commit task goes to a worker that starts it and dies before it writes anything."""
    lost = []

    class Dead:
        def enqueue(self, job_id, attempt):
            lost.append((job_id, attempt))
            assert jobs._begin(job_id, attempt, ImportJob.COMMITTING) is not None
            return SimpleNamespace(id="immediate")

    monkeypatch.setattr(jobs, "commit_task", Dead())
    return lost


def test_a_commit_whose_worker_stopped_is_run_again_once(
    client, world, queued, clock, monkeypatch, settings
):
    settings.CHIBO_JOB_STALE_AFTER = 120
    _login(client, world.official_a)
    url, job = _upload(client, world, _rows(world, 4))
    lost = _lost(monkeypatch)
    client.post(url, {"action": "commit"})
    assert lost == [(job.pk, 1)]
    clock.shift(dt.timedelta(seconds=100))  # not yet stale: the page leaves it alone
    assert "Đang ghi" in client.get(url).content.decode()
    job.refresh_from_db()
    assert job.state == ImportJob.COMMITTING and job.attempts == 1 and not job.error
    monkeypatch.undo()  # the next worker is alive
    clock.shift(dt.timedelta(seconds=21))
    page = client.get(url).content.decode()
    job.refresh_from_db()
    assert job.state == ImportJob.COMMITTED and job.attempts == 2
    assert STOPPED in job.error and STOPPED in page
    assert Member.objects.count() == 4
    assert AuditLog.objects.filter(action="members.import").count() == 1
    assert AuditLog.objects.filter(action="members.import_job.requeued").count() == 1
    # Read again later: nothing more happens.
    clock.shift(dt.timedelta(hours=1))
    client.get(url)
    assert Member.objects.count() == 4 and ImportJob.objects.get(pk=job.pk).attempts == 2


def test_a_commit_that_loses_its_worker_twice_fails_with_a_message(
    client, world, queued, clock, monkeypatch
):
    _login(client, world.official_a)
    url, job = _upload(client, world, _rows(world, 2))
    lost = _lost(monkeypatch)
    client.post(url, {"action": "commit"})
    clock.shift(dt.timedelta(seconds=121))
    jobs.settle_stale_jobs()  # as a worker does when it starts
    jobs.settle_stale_jobs()  # a second worker at the same moment: not re-queued twice
    assert lost == [(job.pk, 1), (job.pk, 2)]
    clock.shift(dt.timedelta(seconds=121))
    page = client.get(url).content.decode()
    job.refresh_from_db()
    assert job.state == ImportJob.FAILED and job.attempts == 2
    assert "Máy xử lý đã dừng giữa chừng 2 lần; chưa có gì được ghi" in page
    assert not Member.objects.exists()
    # A task of the first attempt arriving late does nothing.
    monkeypatch.undo()
    jobs.run_commit(job.pk, 1)
    assert not Member.objects.exists()


def test_a_job_waiting_in_the_queue_is_not_stale(client, world, queued, clock, monkeypatch):
    """However long the queue: no worker has started it, its task is still there."""
    _login(client, world.official_a)

    monkeypatch.setattr(jobs, "commit_task", _InTheTable(status="READY"))
    url, job = _upload(client, world, _rows(world, 2))
    client.post(url, {"action": "commit"})
    clock.shift(dt.timedelta(hours=2))
    client.get(url)
    assert jobs.settle_stale_jobs() == 0
    job.refresh_from_db()
    assert job.state == ImportJob.COMMITTING and job.attempts == 1 and not job.error


class _InTheTable:
    """The task as django-tasks-db's table holds it: waiting (READY) or claimed by a worker
    (RUNNING) that then died before the job's "started" was written."""

    def __init__(self, status):
        self.status, self.rows = status, []

    def enqueue(self, job_id, attempt):
        now = timezone.now()
        self.rows.append(
            DBTaskResult.objects.create(
                status=self.status,
                started_at=now if self.status == "RUNNING" else None,
                args_kwargs={"args": [job_id, attempt], "kwargs": {}},
                task_path="chibo.members.imports.jobs.commit_task",
                queue_name="default",
                backend_name="default",
                run_after=now,
            )
        )
        return self.rows[-1]


def test_a_commit_claimed_by_a_worker_that_died_before_it_began_is_run_again(
    client, world, queued, clock, monkeypatch, settings
):
    """kill -9 between the task queue's claim and the job's "started" (seen in CI): the job's
    task is claimed, the job never began; after the stale limit it is run again, once."""
    settings.CHIBO_JOB_STALE_AFTER = 120
    _login(client, world.official_a)
    claimed = _InTheTable(status="RUNNING")
    monkeypatch.setattr(jobs, "commit_task", claimed)
    url, job = _upload(client, world, _rows(world, 3))
    client.post(url, {"action": "commit"})
    job.refresh_from_db()
    assert job.started_at is None and job.task_id == str(claimed.rows[0].pk)
    clock.shift(dt.timedelta(seconds=100))
    assert jobs.settle_stale_jobs() == 0  # claimed 100 s ago: perhaps still beginning
    monkeypatch.undo()  # the next worker is alive
    clock.shift(dt.timedelta(seconds=21))
    assert jobs.settle_stale_jobs() == 1
    assert jobs.settle_stale_jobs() == 0  # not twice
    job.refresh_from_db()
    assert job.state == ImportJob.COMMITTED and job.attempts == 2 and STOPPED in job.error
    assert Member.objects.count() == 3
    assert AuditLog.objects.filter(action="members.import_job.requeued").count() == 1


def test_another_users_job_is_not_found(client, world, queued):
    _login(client, world.official_a)
    url, job = _upload(client, world, _rows(world, 1))
    for other in (world.official_b, world.viewer_a):  # other commune; same commune's viewer
        client.logout()
        _login(client, other)
        assert client.get(url).status_code == 404
        assert client.post(url, {"action": "commit"}).status_code == 404
        assert client.post(url, {"action": "cancel"}).status_code == 404
    job.refresh_from_db()
    assert job.state == ImportJob.VALIDATED and not Member.objects.exists()


def test_the_progress_bar_reads_the_table(client, world, queued, monkeypatch):
    _login(client, world.official_a)

    monkeypatch.setattr(
        jobs, "validate_task", _InTheTable(status="READY")
    )  # the worker has not finished yet
    url, job = _upload(client, world, _rows(world, 3))
    job.refresh_from_db()
    assert job.state == ImportJob.VALIDATING
    ImportJob.objects.filter(pk=job.pk).update(progress_done=1234, progress_total=5000)
    part = client.get(url, {"part": "progress"}, HTTP_HX_REQUEST="true").content.decode()
    assert "1234/5000" in part and 'value="1234" max="5000"' in part
    assert "1234/5000" in client.get(url).content.decode()  # without htmx: the same, reloaded
    ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.VALIDATED)
    done = client.get(url, {"part": "progress"}, HTTP_HX_REQUEST="true")
    assert done["HX-Refresh"] == "true"


def _cleanup_of(job):
    found = [
        r
        for r in task_backends["deferred"].results
        if r.task.name == "cleanup_task" and r.args == [job.pk]
    ]
    assert len(found) == 1
    return found[0]


def test_an_upload_left_for_24_hours_is_deleted(
    client, world, queued, clock, django_capture_on_commit_callbacks
):
    _login(client, world.official_a)
    url, job = _upload(client, world, _rows(world, 2))
    cleanup = _cleanup_of(job)
    assert cleanup.task.run_after == job.created_at + dt.timedelta(hours=24)
    assert Path(job.path).exists()
    clock.shift(dt.timedelta(hours=24))
    with django_capture_on_commit_callbacks(execute=True):
        cleanup.task.call(*cleanup.args, **cleanup.kwargs)
    job.refresh_from_db()
    assert not Path(job.path).exists()
    assert job.state == ImportJob.CANCELLED and job.file_deleted_at is not None
    assert job.plan is None and job.top == []
    _login(client, world.official_a)  # a day later the session has ended (a day without use)
    assert "sau 24 giờ chưa được ghi" in client.get(url).content.decode()
    assert client.post(url, {"action": "commit"}, follow=True).status_code == 200
    assert not Member.objects.exists()


def test_the_cleanup_leaves_a_committed_job_alone(
    client, world, queued, clock, django_capture_on_commit_callbacks
):
    _login(client, world.official_a)
    url, job = _upload(client, world, _rows(world, 1))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "commit"})
    cleanup = _cleanup_of(job)
    clock.shift(dt.timedelta(hours=24))
    cleanup.task.call(*cleanup.args)
    job.refresh_from_db()
    assert job.state == ImportJob.COMMITTED and not job.error
    assert Member.objects.count() == 1


def test_a_cancelled_upload_is_deleted_at_once(
    client, world, queued, django_capture_on_commit_callbacks
):
    _login(client, world.official_a)
    url, job = _upload(client, world, _rows(world, 1))
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(url, {"action": "cancel"}, follow=True).content.decode()
    assert "Đã huỷ việc nhập và xoá tệp đã tải lên." in page
    job.refresh_from_db()
    assert job.state == ImportJob.CANCELLED and not Path(job.path).exists()
    client.post(url, {"action": "commit"})
    assert not Member.objects.exists()
