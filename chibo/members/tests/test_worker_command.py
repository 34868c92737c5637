"""`chibo worker` on django-tasks-db's table (the backend of production and the demo): it runs
what is ready on both aliases, leaves what is not yet due, and settles a job that lost its
worker when it starts."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from chibo.members.imports import jobs
from chibo.members.models import ImportJob
from tests.world import PASSWORD

from .books import book, row

DB_TASKS = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend"},
    "deferred": {"BACKEND": "django_tasks_db.DatabaseBackend"},
}


@pytest.fixture
def database_queue(settings, transactional_db):
    # The worker runs as in production: in autocommit (a test's wrapping transaction would have
    # its connection dropped by the worker's close_old_connections on PostgreSQL).
    settings.TASKS = DB_TASKS
    settings.CHIBO_IMPORT_BACKGROUND_ROWS = 1


def _upload(client, world, n):
    assert client.login(username=world.official_a.username, password=PASSWORD)
    rows = [row(world.cells_a[0].name, name=f"Lò Văn Người{i}") for i in range(n)]
    f = SimpleUploadedFile("ds.xlsx", book(rows).getvalue())
    url = client.post(reverse("members:import") + f"?unit={world.commune_a.pk}", {"file": f})[
        "Location"
    ]
    return url, ImportJob.objects.get(token=url.rstrip("/").split("/")[-1])


def test_the_worker_runs_the_queue_and_the_cleanup_when_due(client, world, database_queue, clock):
    url, job = _upload(client, world, 2)
    assert job.state == ImportJob.VALIDATING  # queued: nothing ran in the request
    assert DBTaskResult.objects.filter(backend_name="default").count() == 1
    assert DBTaskResult.objects.filter(backend_name="deferred").count() == 1
    call_command("worker", "--batch", verbosity=0)
    job.refresh_from_db()
    assert job.state == ImportJob.VALIDATED and job.attempts == 1
    assert DBTaskResult.objects.filter(backend_name="deferred", status="READY").count() == 1
    clock.shift(dt.timedelta(hours=23, minutes=59))
    call_command("worker", "--batch", verbosity=0)
    job.refresh_from_db()
    assert job.state == ImportJob.VALIDATED  # not yet due
    clock.shift(dt.timedelta(minutes=2))
    call_command("worker", "--batch", verbosity=0)
    job.refresh_from_db()
    assert job.state == ImportJob.CANCELLED and job.plan is None


def test_a_worker_that_starts_settles_a_job_that_lost_its_worker(
    client, world, database_queue, clock
):
    url, job = _upload(client, world, 2)
    assert jobs._begin(job.pk, 1, ImportJob.VALIDATING)  # a worker took it, then died
    DBTaskResult.objects.filter(backend_name="default").delete()  # and its claimed task
    clock.shift(dt.timedelta(seconds=121))
    call_command("worker", "--batch", verbosity=0)
    job.refresh_from_db()
    assert job.state == ImportJob.VALIDATED and job.attempts == 2
    assert "Máy xử lý đã dừng giữa chừng" in job.error


def test_the_worker_refuses_a_backend_that_is_not_the_table(settings):
    with pytest.raises(CommandError, match="DatabaseBackend"):
        call_command("worker", "--batch")  # the unit tests' ImmediateBackend
