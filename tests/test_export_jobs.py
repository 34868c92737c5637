"""Large exports as background jobs (issue 11, part 4; audit.jobs): above
CHIBO_EXPORT_BACKGROUND_ROWS the member list, the roll and the audit log are written by the
worker (Django's ImmediateBackend here) and downloaded from the job's page by its owner only;
the file equals the direct export for the same user and filters; the owner's scope is checked
again when the worker runs and at the download; the file is deleted 24 hours after it was
written (the deferred backend, run after moving the clock); below the threshold the export
streams from the request as before."""

import datetime as dt
import io
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.http import FileResponse
from django.tasks import task_backends
from django.urls import reverse
from openpyxl import load_workbook

from chibo.accounts.models import Grant
from chibo.audit import jobs
from chibo.audit.models import AuditLog, ExportJob
from tests.world import PASSWORD, make_member

EXPIRED = "Tệp này đã hết hạn và đã được xoá"
NO_SCOPE = "Bạn không còn quyền xem dữ liệu này"


@pytest.fixture
def exports(settings, tmp_path):
    """The private folder in a temporary place; the deferred queue (in memory) empty."""
    settings.CHIBO_EXPORT_DIR = tmp_path / "exports"
    task_backends["deferred"].clear()
    return settings


@pytest.fixture
def people(world):
    cell, other = world.cells_a[0], world.cells_a[1]
    made = [make_member(cell, f"Lò Văn Người{i}") for i in range(4)]
    made += [make_member(other, "Hà Thị Khác", gender="f")]
    make_member(world.cell_b, "Vi Văn Ngoài")  # another commune: in no export of canbo.a
    return made


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def _url(world, name):
    if name == "members":
        return reverse("members:export") + f"?unit={world.commune_a.pk}&q=Người"
    if name == "roll":
        return reverse("members:roll", args=[world.commune_a.pk]) + "?format=xlsx"
    return reverse("audit:export") + "?action=members."


def _cells(content: bytes) -> list[tuple]:
    ws = load_workbook(io.BytesIO(content)).active
    return [tuple(c.value for c in row) for row in ws.iter_rows()]


def _body(resp) -> bytes:
    return b"".join(resp.streaming_content)


def _job_from(resp) -> ExportJob:
    assert resp.status_code == 302, resp
    token = resp["Location"].rstrip("/").split("/")[-1]
    assert resp["Location"] == reverse("audit:export_job", args=[token])
    return ExportJob.objects.get(token=token)


@pytest.mark.parametrize(
    ("name", "action", "rows"),
    [("members", "export.members", 4), ("roll", "export.roll", 5), ("audit", "export.audit", 5)],
)
def test_above_the_threshold_each_export_is_a_job_with_the_direct_exports_rows(
    client, world, people, exports, name, action, rows
):
    _login(client, world.official_a)
    url = _url(world, name)
    direct = client.get(url)  # the default threshold (20,000): streamed from the request
    assert direct.status_code == 200 and isinstance(direct, FileResponse)
    expected = _cells(_body(direct))
    assert len(expected) > rows  # the header rows and the people
    assert not ExportJob.objects.exists()
    (logged,) = AuditLog.objects.filter(action=action)
    assert logged.after["rows"] == rows

    exports.CHIBO_EXPORT_BACKGROUND_ROWS = rows - 1
    job = _job_from(client.get(url))
    assert (job.owner, job.kind, job.state) == (world.official_a, name, ExportJob.READY)
    assert job.rows == rows and Path(job.path).exists()
    assert Path(job.path).parent == Path(exports.CHIBO_EXPORT_DIR)
    assert "media" not in Path(job.path).parts
    page = client.get(reverse("audit:export_job", args=[job.token])).content.decode()
    download = reverse("audit:export_download", args=[job.token])
    assert download in page and "Tệp đã sẵn sàng" in page
    got = client.get(download)
    assert got.status_code == 200
    assert got["Content-Disposition"] == f'attachment; filename="{job.filename}"'
    assert _cells(_body(got)) == expected
    # The download is the export's own audit row, the direct export's action, rows and filters.
    first, second = AuditLog.objects.filter(action=action).order_by("pk")
    assert second.actor == world.official_a and second.unit_id == first.unit_id
    assert second.after == {**first.after, "job": job.pk}
    assert AuditLog.objects.filter(action="audit.export_job.queued", object_id=str(job.pk))
    assert AuditLog.objects.filter(action="audit.export_job.ready", object_id=str(job.pk))


def test_exactly_at_the_threshold_the_export_still_streams(client, world, people, exports):
    exports.CHIBO_EXPORT_BACKGROUND_ROWS = 4
    _login(client, world.official_a)
    resp = client.get(_url(world, "members"))
    assert resp.status_code == 200 and len(_cells(_body(resp))) == 5
    assert not ExportJob.objects.exists()


def test_the_audit_job_holds_the_log_as_it_was_when_asked_for(client, world, people, exports):
    _login(client, world.official_a)
    client.get(reverse("audit:export"))  # a direct export: its row is in the log from now on
    exports.CHIBO_EXPORT_BACKGROUND_ROWS = 1
    job = _job_from(client.get(reverse("audit:export")))
    actions = {r[2] for r in _cells(_body(client.get(job_url(job, "download"))))[1:]}
    assert "export.audit" in actions and "members.add" in actions
    # Written after the request: the job's own rows are not in its file.
    assert not {a for a in actions if a.startswith("audit.export_job")}


def job_url(job, what="page"):
    name = "audit:export_download" if what == "download" else "audit:export_job"
    return reverse(name, args=[job.token])


def test_only_the_owner_sees_the_job_and_its_file(client, world, people, exports):
    exports.CHIBO_EXPORT_BACKGROUND_ROWS = 1
    _login(client, world.official_a)
    job = _job_from(client.get(_url(world, "members")))
    before = AuditLog.objects.filter(action="export.members").count()
    for other in (world.viewer_a, world.official_b, world.admin):
        client.logout()
        _login(client, other)
        assert client.get(job_url(job)).status_code == 404
        assert client.get(job_url(job, "download")).status_code == 404
    assert AuditLog.objects.filter(action="export.members").count() == before
    client.logout()
    assert client.get(job_url(job, "download")).status_code == 302  # to the login page


class Later:
    """A queue whose worker has not come yet."""

    def __init__(self):
        self.queued = []

    def enqueue(self, *args):
        self.queued.append(args)
        return SimpleNamespace(id="queued")


@pytest.mark.parametrize("name", ["members", "roll"])
def test_a_grant_ended_before_the_worker_ran_gives_nothing(
    client, world, people, exports, monkeypatch, today, name
):
    exports.CHIBO_EXPORT_BACKGROUND_ROWS = 1
    later = Later()
    monkeypatch.setattr(jobs, "build_task", later)
    _login(client, world.official_a)
    job = _job_from(client.get(_url(world, name)))
    assert job.state == ExportJob.QUEUED and later.queued == [(job.pk, 1)]
    page = client.get(job_url(job)).content.decode()
    assert 'data-testid="export-progress"' in page and "Đang chờ máy xử lý" in page
    Grant.objects.filter(user=world.official_a).update(valid_to=today)  # ended today
    jobs.run_build(job.pk, 1)
    job.refresh_from_db()
    assert job.state == ExportJob.FAILED and NO_SCOPE in job.error
    assert job.path == "" and not list(Path(exports.CHIBO_EXPORT_DIR).glob("*"))
    assert client.get(job_url(job, "download")).status_code == 409
    assert not AuditLog.objects.filter(action__startswith="export.").exists()


def test_a_grant_ended_after_the_file_was_written_gives_no_download(
    client, world, people, exports, today
):
    exports.CHIBO_EXPORT_BACKGROUND_ROWS = 1
    _login(client, world.official_a)
    job = _job_from(client.get(_url(world, "members")))
    assert job.state == ExportJob.READY
    Grant.objects.filter(user=world.official_a).update(valid_to=today)
    assert client.get(job_url(job, "download")).status_code == 404
    assert not AuditLog.objects.filter(action="export.members").exists()


def test_a_task_of_an_old_attempt_does_nothing(client, world, people, exports, monkeypatch):
    exports.CHIBO_EXPORT_BACKGROUND_ROWS = 1
    monkeypatch.setattr(jobs, "build_task", Later())
    _login(client, world.official_a)
    job = _job_from(client.get(_url(world, "members")))
    jobs.run_build(job.pk, 2)  # no such attempt
    job.refresh_from_db()
    assert job.state == ExportJob.QUEUED and job.started_at is None
    jobs.run_build(job.pk, 1)
    jobs.run_build(job.pk, 1)  # twice: the second finds it ready
    job.refresh_from_db()
    assert job.state == ExportJob.READY and job.rows == 4
    assert AuditLog.objects.filter(action="audit.export_job.ready").count() == 1


def test_a_worker_that_stopped_beating_is_replaced_once_then_the_job_fails(
    client, world, people, exports, monkeypatch, clock, django_capture_on_commit_callbacks
):
    exports.CHIBO_EXPORT_BACKGROUND_ROWS = 1
    later = Later()
    monkeypatch.setattr(jobs, "build_task", later)
    _login(client, world.official_a)
    job = _job_from(client.get(_url(world, "members")))
    # A worker took it, then died: its part file is left, its heartbeat gets old.
    assert jobs._begin(job.pk, 1) is not None
    part = jobs._part(job, 1)
    part.parent.mkdir(parents=True, exist_ok=True)
    part.write_bytes(b"half")
    clock.shift(dt.timedelta(seconds=exports.CHIBO_JOB_STALE_AFTER + 1))
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get(job_url(job)).status_code == 200  # the page settles it
    job.refresh_from_db()
    assert (job.state, job.attempts) == (ExportJob.QUEUED, 2)
    assert "tự chạy lại việc tạo tệp (lần 2)" in job.error
    assert later.queued[-1] == (job.pk, 2)
    assert not part.exists()
    assert jobs.settle_stale_jobs() == 0  # queued, not started: never stale
    # The second worker dies too: failed, said so.
    jobs._begin(job.pk, 2)
    clock.shift(dt.timedelta(seconds=exports.CHIBO_JOB_STALE_AFTER + 1))
    assert jobs.settle_stale_jobs() == 1
    job.refresh_from_db()
    assert job.state == ExportJob.FAILED and "dừng giữa chừng 2 lần" in job.error
    jobs.run_build(job.pk, 2)  # the late task of the dead attempt: nothing
    job.refresh_from_db()
    assert job.state == ExportJob.FAILED and job.path == ""


def test_the_file_is_deleted_after_24_hours_and_the_download_says_so(
    client, world, people, exports, clock, django_capture_on_commit_callbacks
):
    exports.CHIBO_EXPORT_BACKGROUND_ROWS = 1
    _login(client, world.official_a)
    job = _job_from(client.get(_url(world, "roll")))
    (cleanup,) = [
        r
        for r in task_backends["deferred"].results
        if r.task.name == "cleanup_task" and r.args == [job.pk]
    ]
    assert cleanup.task.run_after == job.finished_at + dt.timedelta(hours=24)
    clock.shift(dt.timedelta(hours=23))
    assert client.get(job_url(job, "download")).status_code == 200  # still there
    clock.shift(dt.timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        cleanup.task.call(*cleanup.args)
    job.refresh_from_db()
    assert job.state == ExportJob.EXPIRED and job.file_deleted_at is not None
    assert not Path(job.path).exists()
    resp = client.get(job_url(job, "download"))
    assert resp.status_code == 410 and EXPIRED in resp.content.decode()
    assert EXPIRED in client.get(job_url(job)).content.decode()
    assert AuditLog.objects.filter(action="export.roll").count() == 1  # the download at 23 h
    assert AuditLog.objects.filter(action="audit.export_job.expired").count() == 1


def test_the_progress_bar_reads_the_table(client, world, people, exports, monkeypatch):
    exports.CHIBO_EXPORT_BACKGROUND_ROWS = 1
    monkeypatch.setattr(jobs, "build_task", Later())
    _login(client, world.official_a)
    job = _job_from(client.get(_url(world, "members")))
    ExportJob.objects.filter(pk=job.pk).update(
        state=ExportJob.BUILDING, progress_done=1500, progress_total=40000
    )
    part = client.get(job_url(job), {"part": "progress"}, HTTP_HX_REQUEST="true")
    html = part.content.decode()
    assert "1500/40000" in html and 'value="1500" max="40000"' in html
    assert "Đang tạo tệp" in html
    ExportJob.objects.filter(pk=job.pk).update(state=ExportJob.READY)
    done = client.get(job_url(job), {"part": "progress"}, HTTP_HX_REQUEST="true")
    assert done["HX-Refresh"] == "true"


def test_the_worker_writes_the_file_and_deletes_it_a_day_later(
    client, world, people, exports, clock, django_capture_on_commit_callbacks, transactional_db
):
    # django-tasks-db's table, the backend of production and the demo: nothing runs in the
    # request; `chibo worker` writes the file, and a day later its clean-up deletes it.
    exports.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend"},
        "deferred": {"BACKEND": "django_tasks_db.DatabaseBackend"},
    }
    exports.CHIBO_EXPORT_BACKGROUND_ROWS = 1
    _login(client, world.official_a)
    job = _job_from(client.get(_url(world, "members")))
    assert job.state == ExportJob.QUEUED
    call_command("worker", "--batch", verbosity=0)
    job.refresh_from_db()
    assert job.state == ExportJob.READY and job.rows == 4 and Path(job.path).exists()
    clock.shift(dt.timedelta(hours=23, minutes=59))
    call_command("worker", "--batch", verbosity=0)
    job.refresh_from_db()
    assert job.state == ExportJob.READY  # not yet due
    clock.shift(dt.timedelta(minutes=2))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("worker", "--batch", verbosity=0)
    job.refresh_from_db()
    assert job.state == ExportJob.EXPIRED and not Path(job.path).exists()


def test_a_ready_job_whose_file_is_gone_says_so(client, world, people, exports):
    # A restore brings the database back, not the export folder.
    exports.CHIBO_EXPORT_BACKGROUND_ROWS = 1
    _login(client, world.official_a)
    job = _job_from(client.get(_url(world, "members")))
    Path(job.path).unlink()
    resp = client.get(job_url(job, "download"))
    assert resp.status_code == 410 and "không còn trên máy chủ" in resp.content.decode()
    assert not AuditLog.objects.filter(action="export.members").exists()
