"""The import pages end to end with the Django test client (issue 10, finding 1), as anonymous
(login redirect), out of scope (404), read-only (403 on writes) and allowed."""

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from chibo.audit.models import AuditLog
from chibo.members import imports
from chibo.members.models import ImportJob, Member
from chibo.members.records import update_record
from tests.world import PASSWORD, make_member

from .books import book, row


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def _upload(client, world, buf, name="ds.xlsx"):
    f = SimpleUploadedFile(name, buf.getvalue())
    return client.post(reverse("members:import") + f"?unit={world.commune_a.pk}", {"file": f})


def _job(world, user, plan, token="trang-thu"):
    """A job of `user`'s at the preview, as the validation leaves it."""
    ImportJob.objects.create(
        token=token,
        owner=user,
        unit=world.commune_a,
        path="/nonexistent.xlsx",
        name="ds.xlsx",
        headers=[h for _k, h, _r in imports.FIELDS],
        rows=len(plan.rows),
        state=ImportJob.INVALID if plan.errors else ImportJob.VALIDATED,
        plan=imports.plan_to_json(plan),
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


TITLE = "DANH SÁCH ĐẢNG VIÊN ĐẢNG BỘ XÃ ĐỒNG TÂM"


def test_a_title_row_is_shown_as_skipped_and_the_header_row_can_be_chosen(client, world):
    _login(client, world.official_a)
    c0 = world.cells_a[0].name
    resp = _upload(client, world, book([row(c0)], above=[[TITLE]]))
    job = resp["Location"]
    page = client.get(job).content.decode()
    assert "Tên cột lấy ở dòng 2." in page
    assert f"Bỏ qua dòng 1: {TITLE}" in page
    assert "Thêm mới: <strong>1</strong>" in page
    # A committee's own column names under two title rows: the user points at their row.
    own = ["Tên", "Giới", "Sinh", "Kết nạp ngày", "Nơi sinh hoạt"]
    resp = _upload(
        client,
        world,
        book(
            [["Lò Văn Pọm", "Nam", "12/05/1968", "19/05/1995", c0]],
            own,
            above=[[TITLE], ["Đảng bộ xã Đồng Tâm", "Năm 2026", "Mẫu 7-HSĐV"]],
        ),
    )
    job = resp["Location"]
    page = client.get(job).content.decode()
    assert "Không nhận ra tên cột nào ở dòng 2" in page
    assert '<option value="3" >Dòng 3: Tên Giới Sinh Kết nạp ngày Nơi sinh hoạt</option>' in page
    client.post(job, {"action": "header", "header_row": "3"})
    page = client.get(job).content.decode()
    assert "Tên cột lấy ở dòng 3." in page
    assert f"Bỏ qua dòng 1: {TITLE}" in page and "Bỏ qua dòng 2: Đảng bộ xã Đồng Tâm" in page
    assert '<option value="0" >Tên</option>' in page  # the mapping offers the row's own names
    # A header row with nothing under it is refused and the job keeps its row.
    page = client.post(job, {"action": "header", "header_row": "4"}, follow=True)
    assert "Không có dòng đảng viên nào dưới dòng tên cột (dòng 4)." in page.content.decode()
    assert "Tên cột lấy ở dòng 3." in page.content.decode()


def test_the_preview_shows_the_changes_in_words(client, world):
    pom = make_member(world.cells_a[0], "Lò Văn Pọm", birth_year=1968)
    update_record(
        actor=world.admin,
        member=pom,
        identity_type="cccd",
        identity_no="011068001234",
        birth_date=dt.date(1968, 5, 12),
        ethnicity="03",
    )
    _login(client, world.official_a)
    c0 = world.cells_a[0].name
    line = row(c0, gender="Nữ", ethnicity="H'Mông", identity_no="011068001234")
    page = client.get(_upload(client, world, book([line]))["Location"]).content.decode()
    assert "Cập nhật: <strong>1</strong>" in page
    assert "Giới tính: Nam → <strong>Nữ</strong>" in page
    assert "Dân tộc: Thái → <strong>Mông</strong>" in page
    assert ": m → " not in page and ": 03 → " not in page


def test_the_pages_as_anonymous_out_of_scope_read_only_and_allowed(client, world):
    c0 = world.cells_a[0].name
    start = reverse("members:import") + f"?unit={world.commune_a.pk}"
    sheet = imports.read(book([row(c0)]))
    plan = imports.validate(
        sheet, imports.auto_mapping(sheet.headers), world.commune_a, user=world.official_a
    )
    assert plan.errors == [] and plan.count("new") == 1

    def upload():
        return client.post(start, {"file": SimpleUploadedFile("ds.xlsx", book([row(c0)]).read())})

    # Anonymous: to the login page, for the pages and the writes.
    job = _job(world, world.official_a, plan, token="cua-a")
    for resp in (
        client.get(start),
        upload(),
        client.get(job),
        client.post(job, {"action": "commit"}),
    ):
        assert resp.status_code == 302 and "login" in resp["Location"]
    # Out of scope (commune B's official): commune A's import is not there, nor a job on it.
    _login(client, world.official_b)
    assert client.get(start).status_code == 404
    assert upload().status_code == 404
    assert client.get(job).status_code == 404  # another user's job
    own = _job(world, world.official_b, plan, token="cua-b")  # their own job, on commune A
    assert client.get(own).status_code == 404
    assert client.post(own, {"action": "commit"}).status_code == 404
    # Read-only (commune A's viewer): sees the pages, writes nothing.
    _login(client, world.viewer_a)
    assert client.get(start).status_code == 200
    assert upload().status_code == 403
    mine = _job(world, world.viewer_a, plan, token="cua-xem")
    assert 'data-testid="commit"' not in client.get(mine).content.decode()
    for action in ("commit", "header", "map"):
        assert client.post(mine, {"action": action, "header_row": "1"}).status_code == 403
    assert not Member.objects.exists()
    assert not AuditLog.objects.filter(action="members.import").exists()
    # Allowed (commune A's official): the import is written as them.
    _login(client, world.official_a)
    page = client.get(job).content.decode()
    assert 'data-testid="commit"' in page
    client.post(job, {"action": "commit"})
    assert "Đã nhập xong" in client.get(job).content.decode()
    assert Member.objects.get().full_name == "Lò Văn Pọm"
    assert AuditLog.objects.get(action="members.import").actor == world.official_a
