"""Reading a roll as a committee saves it (issue 10, finding 1): an empty roll, formulas with
and without the result Excel stores, a title above the header."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from chibo.audit.models import AuditLog
from chibo.members import imports
from chibo.members.models import Member

from .books import H, book, row, with_results


def _plan(world, buf):
    sheet = imports.read(buf)
    return imports.validate(
        sheet, imports.auto_mapping(sheet.headers), world.commune_a, user=world.official_a
    )


# --- an empty roll ----------------------------------------------------------------------------


def test_an_empty_roll_is_refused_before_any_commit_and_writes_no_audit_row(world):
    plan = _plan(world, book([]))
    assert plan.errors == [
        (1, "", "Không có dòng đảng viên nào dưới dòng tên cột (dòng 1): chưa ghi gì.")
    ]
    with pytest.raises(ValidationError):
        imports.commit(plan, actor=world.official_a)
    # Even a plan without errors (built by hand) that holds no row is refused.
    with pytest.raises(ValidationError, match="không có dòng đảng viên nào"):
        imports.commit(imports.Plan(unit_id=world.commune_a.pk), actor=world.official_a)
    assert not AuditLog.objects.filter(action="members.import").exists()
    assert not Member.objects.exists()


# --- formulas ---------------------------------------------------------------------------------

NAME_FORMULA = '=CONCATENATE("Lò ","Văn ","Pọm")'


def test_a_formula_without_its_result_is_reported_as_a_formula(world):
    c0 = world.cells_a[0].name
    plan = _plan(world, book([row(c0, name=NAME_FORMULA)]))
    assert [(n, col) for n, col, _m in plan.errors] == [(2, "Họ và tên")]
    message = plan.errors[0][2]
    assert message.startswith(f"Ô B2 chứa công thức “{NAME_FORMULA}”")
    assert "không lưu kết quả" in message and "Thiếu họ tên" not in message


def test_a_formulas_stored_result_is_used_and_said_so(world):
    c0 = world.cells_a[0].name
    rows = [row(c0, name=NAME_FORMULA, birth="=DATE(1968,5,12)", admitted="=DATE(1995,5,19)")]
    buf = with_results(book(rows), {"B2": ("str", "Lò Văn Pọm"), "D2": ("n", "25000")})
    plan = _plan(world, buf)
    # E2 (the admission date) has no stored result: an error, named by its cell.
    assert [(n, col) for n, col, _m in plan.errors] == [(2, "Ngày vào Đảng")]
    assert plan.errors[0][2].startswith("Ô E2 chứa công thức “=DATE(1995,5,19)”")
    assert plan.notes == [
        (
            2,
            "Họ và tên",
            f"Ô B2 chứa công thức “{NAME_FORMULA}”: dùng kết quả đã lưu “Lò Văn Pọm”.",
        ),
        (2, "Ngày sinh", "Ô D2 chứa công thức “=DATE(1968,5,12)”: dùng kết quả đã lưu “25000”."),
    ]
    buf = with_results(
        book(rows),
        {"B2": ("str", "Lò Văn Pọm"), "D2": ("n", "25000"), "E2": ("n", "34838")},
    )
    plan = _plan(world, buf)
    assert plan.errors == []
    values = plan.rows[0].values
    assert (values["given_name"], values["birth_date"], values["admitted_on"]) == (
        "Pọm",
        dt.date(1968, 6, 11),  # serial 25000
        dt.date(1995, 5, 19),  # serial 34838
    )


def test_a_formula_whose_result_is_an_error_says_which(world):
    c0 = world.cells_a[0].name
    buf = with_results(book([row(c0, name="=#REF!")]), {"B2": ("e", "#REF!")})
    plan = _plan(world, buf)
    assert [(n, col) for n, col, _m in plan.errors] == [(2, "Họ và tên")]
    assert "cho kết quả lỗi #REF!" in plan.errors[0][2]


def test_a_formula_in_a_column_not_imported_is_not_mentioned(world):
    c0 = world.cells_a[0].name
    headers = ["STT", *H]
    plan = _plan(world, book([["=ROW()-1", *row(c0)]], headers))
    assert plan.errors == [] and plan.notes == []


# --- the header row ---------------------------------------------------------------------------

TITLE = "DANH SÁCH ĐẢNG VIÊN ĐẢNG BỘ XÃ ĐỒNG TÂM"


def test_a_title_above_the_header_is_skipped_and_said_so(world):
    c0 = world.cells_a[0].name
    numbers = list(range(1, len(H) + 1))  # the row of column numbers under the header
    buf = book([numbers, row(c0)], above=[[TITLE], [], ["(Kèm theo Công văn số 12-CV/ĐU)"]])
    sheet = imports.read(buf)
    assert sheet.header_row == 4 and sheet.headers == H
    assert sheet.skipped == [
        (1, TITLE),
        (3, "(Kèm theo Công văn số 12-CV/ĐU)"),
        (5, "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18"),
    ]
    mapping = imports.auto_mapping(sheet.headers)
    assert imports.missing_required(mapping) == []
    plan = imports.validate(sheet, mapping, world.commune_a, user=world.official_a)
    assert plan.errors == [] and [r.number for r in plan.rows] == [6]


def test_the_header_row_can_be_chosen(world):
    c0 = world.cells_a[0].name
    own = ["Tên", "Giới", "Sinh", "Kết nạp ngày", "Nơi sinh hoạt"]
    buf = book(
        [["Lò Văn Pọm", "Nam", "12/05/1968", "19/05/1995", c0]],
        own,
        above=[[TITLE], ["Đảng bộ xã Đồng Tâm", "Năm 2026", "Mẫu 7-HSĐV"]],
    )
    sheet = imports.read(buf)  # no row names a known column: the first wide row is taken
    assert sheet.header_row == 2 and imports.auto_mapping(sheet.headers) == {}
    assert sheet.top[:3] == [
        (1, TITLE),
        (2, "Đảng bộ xã Đồng Tâm Năm 2026 Mẫu 7-HSĐV"),
        (3, "Tên Giới Sinh Kết nạp ngày Nơi sinh hoạt"),
    ]
    sheet = imports.read(buf, header_row=3)
    assert sheet.headers == own and sheet.skipped == [(1, TITLE), (2, sheet.top[1][1])]
    assert [n for n, _values in sheet.rows] == [4]
    with pytest.raises(imports.ReadError, match="Dòng 9"):
        imports.read(buf, header_row=9)
