import datetime as dt
import io
import unicodedata

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from chibo.audit.models import AuditLog
from chibo.members import imports
from chibo.members.lifecycle import EventKind
from chibo.members.models import Member

H = [h for _k, h, _r in imports.FIELDS]


def _book(rows, headers=H) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    return buf


def _row(cell, name="Lò Văn Pọm", birth="12/05/1968", admitted="19/05/1995", **kw):
    values = {
        "cell": cell,
        "full_name": name,
        "gender": "Nam",
        "birth_date": birth,
        "admitted_on": admitted,
        "recognized_on": "19/05/1996",
        "ethnicity": "Thái",
        "identity_no": "",
    }
    values.update(kw)
    return [values.get(k, "") for k, _h, _r in imports.FIELDS]


def _plan(world, rows, headers=H):
    sheet = imports.read(_book(rows, headers))
    mapping = imports.auto_mapping(sheet.headers)
    return imports.validate(
        sheet, mapping, world.commune_a, user=world.official_a, today=dt.date(2026, 11, 23)
    )


def test_every_error_is_reported_by_row_and_column_and_nothing_is_written(world):
    c0 = world.cells_a[0].name
    plan = _plan(
        world,
        [
            _row(c0, birth="12/05/68"),  # two-digit year
            _row("Chi bộ không có", name="Giàng A Páo"),
            _row(c0, name="Quàng Văn Ún", admitted="01/01/1970", birth="01/01/1960"),
            _row(c0, name="Lò Thị Ánh", identity_no="011068001234"),
            _row(c0, name="Lò Thị Bình", identity_no="011068001234"),
            _row(c0, name="Lò Văn Cường", ethnicity="Xyz", recognized_on="01/01/1990"),
        ],
    )
    got = {(r, col) for r, col, _m in plan.errors}
    assert (2, "Ngày sinh") in got
    assert (3, "Chi bộ") in got
    assert (4, "Ngày vào Đảng") in got
    assert (5, "Số CCCD/CMND") in got and (6, "Số CCCD/CMND") in got
    assert (7, "Dân tộc") in got and (7, "Ngày chính thức") in got
    msg = dict(((r, col), m) for r, col, m in plan.errors)
    assert "hai chữ số" in msg[(2, "Ngày sinh")]
    with pytest.raises(ValidationError):
        imports.commit(plan, actor=world.official_a)
    assert not Member.objects.exists()


def test_a_clean_file_imports_in_bulk_and_again_changes_nothing(world):
    c0, c1 = world.cells_a[0].name, f"#{world.cells_a[1].pk}"
    serial = (dt.date(1970, 3, 4) - imports.EXCEL_EPOCH).days
    rows = [
        _row(c0, identity_no="011068001234"),
        _row(
            c1,
            name=unicodedata.normalize("NFD", "Giàng Thị Mỷ"),
            birth=serial,
            gender="Nữ",
            recognized_on="",
            admitted="10/10/2026",
            ethnicity="Mông",
        ),
        _row(
            c0,
            name="Đỗ Văn Hùng",
            birth=dt.datetime(1980, 1, 2),
            admitted="03/02/2005",
            recognized_on="03/02/2006",
            education="12/12",
            theory_level="Trung cấp",
        ),
    ]
    plan = _plan(world, rows)
    assert plan.errors == [] and plan.count("new") == 3
    summary = imports.commit(plan, actor=world.official_a)
    assert summary["created"] == 3
    my = Member.objects.get(given_name="Mỷ")
    assert my.birth_date == dt.date(1970, 3, 4) and my.stage == "probationary"
    assert my.home_unit == world.cells_a[1] and my.ethnicity == "08"
    assert my.full_name == "Giàng Thị Mỷ"  # NFD in, NFC stored
    hung = Member.objects.get(given_name="Hùng")
    assert (hung.education_grade, hung.theory_level) == (12, "intermediate")
    assert set(hung.events.values_list("kind", flat=True)) == {"admission", "recognition"}
    assert AuditLog.objects.filter(action="members.import").count() == 1
    again = _plan(world, rows)
    # Without identity numbers, Mỷ and Hùng are matched by name, birth date and cell: confirmed.
    assert again.count("unchanged") == 1 and again.count("confirm") == 2
    with pytest.raises(ValidationError):
        imports.commit(again, actor=world.official_a, decisions={3: "same"})
    summary = imports.commit(again, actor=world.official_a, decisions={3: "same", 4: "same"})
    assert summary["created"] == summary["updated"] == 0
    assert Member.objects.count() == 3


def test_lifecycle_changes_become_correcting_events(world):
    c0 = world.cells_a[0].name
    imports.commit(_plan(world, [_row(c0, identity_no="011068001234")]), actor=world.official_a)
    m = Member.objects.get()
    plan = _plan(
        world,
        [
            _row(
                f"#{world.cells_a[1].pk}",
                identity_no="011068001234",
                admitted="20/05/1995",
                position="Trưởng bản",
            )
        ],
    )
    row = plan.rows[0]
    assert row.action == "update"
    assert {f for f, _o, _n in row.changes} == {"admitted_on", "cell", "position"}
    imports.commit(plan, actor=world.official_a)
    m.refresh_from_db()
    assert m.admitted_on == dt.date(1995, 5, 20) and m.position == "Trưởng bản"
    assert m.home_unit == world.cells_a[1]
    old = m.events.get(kind=EventKind.ADMISSION, effective_date=dt.date(1995, 5, 19))
    assert old.corrected_by.effective_date == dt.date(1995, 5, 20)  # corrected, not erased


def test_a_committees_own_layout_is_mapped(world):
    headers = ["STT", "Họ tên", "Nam/nữ", "Ngày tháng năm sinh", "Ngày kết nạp", "Chi bộ sinh hoạt"]
    sheet = imports.read(
        _book(
            [[1, "Lò Văn Pọm", "Nam", "12/05/1968", "19/05/1995", world.cells_a[0].name]], headers
        )
    )
    mapping = imports.auto_mapping(sheet.headers)
    assert imports.missing_required(mapping) == []
    plan = imports.validate(sheet, mapping, world.commune_a, user=world.official_a)
    assert plan.errors == [] and plan.rows[0].values["recognized_on"] is None
    sheet = imports.read(_book([[1, "x"]], ["STT", "Tên người"]))
    assert "full_name" in imports.missing_required(imports.auto_mapping(sheet.headers))


@given(st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2100, 12, 31)))
def test_every_date_form_reads_back_the_same_day(d):
    assert imports.parse_date(f"{d:%d/%m/%Y}") == (d, None)
    assert imports.parse_date(f"{d.day}/{d.month}/{d.year}") == (d, None)
    assert imports.parse_date(d.isoformat()) == (d, None)
    assert imports.parse_date((d - imports.EXCEL_EPOCH).days) == (d, None)
    value, err = imports.parse_date(f"{d:%d/%m/%y}")
    assert value is None and "hai chữ số" in err


def test_the_pages_upload_preview_confirm_and_commit(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from tests.world import PASSWORD

    assert client.login(username=world.official_a.username, password=PASSWORD)
    c0 = world.cells_a[0].name

    def upload(rows, headers=H):
        f = SimpleUploadedFile("ds.xlsx", _book(rows, headers).getvalue())
        resp = client.post(reverse("members:import") + f"?unit={world.commune_a.pk}", {"file": f})
        assert resp.status_code == 302
        return resp["Location"]

    job = upload([_row(c0, birth="12/05/68"), _row("Không có")])
    page = client.get(job).content.decode()
    assert "2 lỗi — chưa ghi gì" in page and "hai chữ số" in page
    assert client.post(job, {"action": "commit"}).status_code == 302
    assert not Member.objects.exists()
    job = upload([_row(c0), _row(c0, name="Lò Thị Ánh", gender="Nữ")])
    page = client.get(job).content.decode()
    assert "Thêm mới: <strong>2</strong>" in page
    client.post(job, {"action": "commit"})
    assert "Đã nhập xong" in client.get(job).content.decode()
    assert Member.objects.count() == 2
    # A committee's own layout without a recognizable name column goes through the mapping.
    job = upload(
        [["Lò Văn Pọm", "Nam", "12/05/1968", "19/05/1995", c0]],
        ["Tên", "Giới", "Sinh", "Kết nạp ngày", "Nơi sinh hoạt"],
    )
    assert "Ghép cột" in client.get(job).content.decode()
    client.post(
        job,
        {
            "action": "map",
            "col_full_name": "0",
            "col_gender": "1",
            "col_birth_date": "2",
            "col_admitted_on": "3",
            "col_cell": "4",
        },
    )
    page = client.get(job).content.decode()
    assert "Cần xác nhận" in page and 'name="row_2"' in page
    client.post(job, {"action": "commit"})  # not confirmed: nothing written
    assert Member.objects.count() == 2
    client.post(job, {"action": "commit", "row_2": "same"})
    assert Member.objects.count() == 2 and "Đã nhập xong" in client.get(job).content.decode()
    client.logout()
    assert client.login(username=world.official_b.username, password=PASSWORD)
    assert client.get(job).status_code == 404  # a job belongs to who uploaded it
