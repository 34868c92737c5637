"""The import pages end to end with the Django test client (issue 10, finding 1), as anonymous
(login redirect), out of scope (404), read-only (403 on writes) and allowed."""

from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from chibo.audit.models import AuditLog
from chibo.core.testing import PASSWORD
from chibo.members import imports
from chibo.members.models import Member

from .books import book


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def _upload(client, world, buf, name="ds.xlsx"):
    f = SimpleUploadedFile(name, buf.getvalue())
    return client.post(reverse("members:import") + f"?unit={world.commune_a.pk}", {"file": f})


def _job(world, user, plan, token="trang-thu"):
    """A job of `user`'s at the preview, as the validation leaves it."""
    cache.set(
        f"chibo:import:{token}",
        {
            "user": user.pk,
            "unit": world.commune_a.pk,
            "path": "/nonexistent.xlsx",
            "name": "ds.xlsx",
            "headers": [h for _k, h, _r in imports.FIELDS],
            "rows": len(plan.rows),
            "mapping": {},
            "state": "preview",
            "plan": plan,
        },
    )
    return reverse("members:import_job", args=[token])


def test_an_empty_roll_is_refused_at_the_upload_and_never_committed(client, world):
    _login(client, world.official_a)
    resp = _upload(client, world, book([]))
    assert resp.status_code == 200  # the upload page again, with the reason
    page = resp.content.decode()
    assert "Không có dòng đảng viên nào dưới dòng tên cột (dòng 1): chưa ghi gì." in page
    # A job that reached the preview without rows offers no commit and refuses one.
    job = _job(world, world.official_a, imports.Plan(unit_id=world.commune_a.pk))
    assert 'data-testid="commit"' not in client.get(job).content.decode()
    page = client.post(job, {"action": "commit"}, follow=True).content.decode()
    assert "không có dòng đảng viên nào" in page
    assert not AuditLog.objects.filter(action="members.import").exists()
    assert not Member.objects.exists()
