import datetime as dt
import io

from openpyxl import Workbook, load_workbook

from chibo.audit.models import AuditLog
from chibo.org import excel
from chibo.org.models import Unit
from chibo.org.services import Decision
from tests.world import PASSWORD

D = Decision(dt.date(2026, 1, 1), "7-QĐ/ĐU", "Đảng ủy xã")


def xlsx(
    rows, header=("Mã tổ chức", "Tên tổ chức", "Loại tổ chức", "Mã tổ chức cấp trên", "Loại hình")
) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.append(list(header))
    for r in rows:
        ws.append(list(r))
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    return buf


def test_it_imports_a_tree_with_labels_codes_and_any_row_order(world):
    Unit.objects.filter(pk=world.commune_a.pk).update(code="DT")
    f = xlsx(
        [
            ("DT-CB9-T1", "Tổ đảng số 1", "party_group", "DT-CB9", ""),  # child before its parent
            ("DT-CB9", "Chi bộ thôn Mới", "Chi bộ trực thuộc", "DT", "thon, ban, lang, ap"),
        ]
    )
    res = excel.import_tree(f, actor=world.official_a, decision=D)
    assert res.errors == [] and res.created == 2
    cell = Unit.objects.get(code="DT-CB9")
    assert cell.cell_type == "village" and Unit.objects.get_parent(cell).pk == world.commune_a.pk
    assert AuditLog.objects.filter(action="org.import", actor=world.official_a).exists()


def test_it_reports_every_bad_row_and_writes_nothing(world):
    Unit.objects.filter(pk=world.commune_a.pk).update(code="DT")
    before = Unit.objects.count()
    f = xlsx(
        [
            ("A1", "", "cell", "DT", ""),  # no name
            ("A2", "Chi bộ X", "loại lạ", "DT", ""),  # unknown kind
            ("A3", "Chi bộ Y", "cell", "KHONGCO", ""),  # unknown parent
            ("A1", "Chi bộ Z", "cell", "DT", ""),  # duplicate code
            ("A4", "Đảng bộ tỉnh", "province", "DT", ""),  # kind not allowed there
            ("A5", "Chi bộ đúng", "cell", "DT", ""),  # fine on its own
        ]
    )
    res = excel.import_tree(f, actor=world.official_a, decision=D)
    rows = {r for r, _c, _m in res.errors}
    assert {2, 3, 4, 5, 6} <= rows and 7 not in rows
    assert any("Mã “A1” trùng với dòng 2" in m for _r, _c, m in res.errors)
    assert res.created == 0 and Unit.objects.count() == before


def test_it_does_not_reveal_parents_outside_the_scope(world):
    Unit.objects.filter(pk=world.commune_b.pk).update(code="BS")
    res = excel.import_tree(
        xlsx([("Q1", "Chi bộ lạ", "cell", "BS", "")]), actor=world.official_a, decision=D
    )
    assert res.errors == [(2, "Mã tổ chức cấp trên", "Không tìm thấy tổ chức cấp trên mã “BS”.")]


def test_it_refuses_a_file_that_is_not_excel_with_a_clear_message(world):
    res = excel.import_tree(io.BytesIO(b"not a spreadsheet"), actor=world.official_a, decision=D)
    assert res.errors and "xlsx" in res.errors[0][2]


def test_it_refuses_a_sheet_without_the_columns(world):
    res = excel.import_tree(xlsx([("x",)], header=("Cột lạ",)), actor=world.official_a, decision=D)
    assert any("Thiếu cột" in m for _r, _c, m in res.errors)


def test_it_exports_what_the_viewer_sees_and_the_export_imports_again(world, client):
    client.login(username="canbo.a", password=PASSWORD)
    resp = client.get("/org/export.xlsx?on=2024-01-01")
    assert resp.status_code == 200
    ws = load_workbook(io.BytesIO(resp.getvalue())).active
    names = [r[1] for r in ws.iter_rows(min_row=2, values_only=True)]
    assert names[0] == "Đảng bộ xã Đồng Tâm" and "Chi bộ thôn Đông" in names
    assert "Chi bộ tổ dân phố 1" not in names  # commune B is out of scope
    assert AuditLog.objects.filter(action="export.org_tree", actor=world.official_a).exists()
    # Round trip: the exported cells, re-coded, import under the commune again.
    rows = [
        (f"N{i}", f"{r[1]} (bản sao)", r[2], f"#{world.commune_a.pk}", r[4] or "")
        for i, r in enumerate(ws.iter_rows(min_row=3, values_only=True))
    ]
    res = excel.import_tree(xlsx(rows), actor=world.official_a, decision=D)
    assert res.errors == [] and res.created == 3


def test_the_template_has_the_import_layout_and_an_example(world, client):
    client.login(username="canbo.a", password=PASSWORD)
    resp = client.get("/org/import/template.xlsx")
    ws = load_workbook(io.BytesIO(resp.getvalue())).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == tuple(label for _k, label in excel.COLUMNS) and ws["A1"].font.b
    assert rows[1][:2] == ("XA01", "Đảng bộ xã Mẫu") and rows[2][3] == "XA01"
