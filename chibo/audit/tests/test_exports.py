"""The one XLSX writer: text stays exactly the text given, dates and numbers stay typed, times
are the app's, and the files are real (opened here with openpyxl and with python-calamine, the
reader our own imports use)."""

import datetime as dt
import glob
import io
import os
import tempfile
import time
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as examples
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.utils.escape import unescape
from python_calamine import CalamineWorkbook

import chibo
from chibo.audit.exports import Book, write_xlsx, xlsx_response
from chibo.audit.models import AuditLog
from chibo.core.actors import SYSTEM

HYPERLINK = '=HYPERLINK("http://x","y")'
TEXTS = [
    HYPERLINK,
    "+84 912 345 678",
    "-",
    "=1+1",
    "@SUM(A1)",
    " leading space",
    "trailing space ",
    "0012",
    "=",
    "+",
    "'quoted",
    "#N/A",  # openpyxl's own setter would make this an error cell
    "#DIV/0!",
    "1,5",
    "1e5",
    "TRUE",
    "01/02/2026",
    "12:30",
    "50%",
    "dòng một\ndòng hai",
    "cột\tcột",
    "Đảng bộ xã/phường",
]


def _write(tmp_path, rows, headers=None, title="Thử") -> tuple[str, int]:
    path = tmp_path / "x.xlsx"
    rows = list(rows)
    count = write_xlsx(path, title=title, headers=headers or ["h"] * len(rows[0]), rows=rows)
    return str(path), count


def _sheet_xml(path) -> str:
    with zipfile.ZipFile(path) as z:
        return z.read("xl/worksheets/sheet1.xml").decode()


def test_it_writes_every_text_exactly_as_given(tmp_path):
    path, count = _write(tmp_path, [TEXTS])
    assert count == 1
    row = load_workbook(path).active[2]
    assert [c.value for c in row] == TEXTS
    assert {c.data_type for c in row} == {"s"}
    # What our own import reads back is the same text.
    assert CalamineWorkbook.from_path(path).get_sheet_by_index(0).to_python()[1] == TEXTS


def test_a_formula_looking_text_is_never_a_formula(tmp_path):
    path, _n = _write(tmp_path, [[HYPERLINK, "=1+1"]])
    a2 = load_workbook(path).active["A2"]
    assert a2.value == HYPERLINK and a2.data_type == "s"
    xml = _sheet_xml(path)
    assert "<f>" not in xml and "<f " not in xml  # no formula element anywhere in the sheet
    assert 't="inlineStr"' in xml


def test_characters_xml_cannot_hold_are_written_the_ooxml_way_and_read_back(tmp_path):
    # A name pasted with a control character must not break the export (openpyxl refuses it),
    # and a literal "_x0041_" must not turn into "A" when Excel decodes the file.
    texts = ["a\x01b", "Lò\x0bVăn", "_x0041_", "x_x005F_y", "\x1f"]
    path, _n = _write(tmp_path, [texts])
    raw = [c.value for c in load_workbook(path).active[2]]
    assert raw == ["a_x0001_b", "Lò_x000B_Văn", "_x005F_x0041_", "x_x005F_x005F_y", "_x001F_"]
    assert [unescape(v) for v in raw] == texts  # Excel's decoding
    assert CalamineWorkbook.from_path(path).get_sheet_by_index(0).to_python()[1] == texts


@examples(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.text(max_size=40).filter(lambda t: "\r" not in t), min_size=1, max_size=20))
def test_any_text_comes_back_as_the_same_text(tmp_path, texts):
    # \r is left out: XML turns a bare CR into LF on reading, for every XLSX writer alike.
    path, _n = _write(tmp_path, [texts])
    cells = load_workbook(path).active[2]
    assert [unescape(c.value or "") for c in cells] == texts
    assert {c.data_type for c in cells if c.value is not None} <= {"s"}
    table = CalamineWorkbook.from_path(path).get_sheet_by_index(0).to_python()
    got = table[1] if len(table) > 1 else []  # a row of empty texts reads as no row
    assert got + [""] * (len(texts) - len(got)) == texts


def test_dates_datetimes_and_numbers_stay_typed(tmp_path):
    values = [
        dt.date(2026, 1, 2),
        dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 1, 10, 0),  # naive: taken as it is
        7,
        Decimal("12.5"),
        0.25,
        True,
        None,
        "",
    ]
    path, _n = _write(tmp_path, [values])
    row = load_workbook(path).active[2]
    assert row[0].value == dt.datetime(2026, 1, 2) and row[0].is_date
    assert row[0].number_format == "dd/mm/yyyy"
    # 23:30 UTC is 06:30 the next day in Việt Nam (UTC+7), the app's time zone.
    assert row[1].value == dt.datetime(2026, 3, 2, 6, 30) and row[1].is_date
    assert row[1].number_format == "dd/mm/yyyy hh:mm:ss"
    assert row[2].value == dt.datetime(2026, 3, 1, 10, 0)
    assert [c.value for c in row[3:7]] == [7, 12.5, 0.25, True]
    assert [c.data_type for c in row[3:7]] == ["n", "n", "n", "b"]
    assert row[7].value is None and row[8].value is None


def test_the_time_zone_is_the_apps_not_the_servers(tmp_path, settings):
    settings.TIME_ZONE = "Asia/Ho_Chi_Minh"
    # The process's own zone says something else; the file follows the app's.
    old = os.environ.get("TZ")
    os.environ["TZ"] = "America/New_York"
    time.tzset()
    try:
        path, _n = _write(tmp_path, [[dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC)]])
    finally:
        if old is None:
            os.environ.pop("TZ")
        else:
            os.environ["TZ"] = old
        time.tzset()
    assert load_workbook(path).active["A2"].value == dt.datetime(2027, 1, 1, 6, 30)


def test_it_counts_the_rows_and_keeps_a_bold_frozen_header(tmp_path):
    path, count = _write(tmp_path, ([i, f"dòng {i}"] for i in range(3)), headers=["Số", "Tên"])
    ws = load_workbook(path).active
    assert count == 3 and ws.max_row == 4
    assert [c.value for c in ws[1]] == ["Số", "Tên"] and all(c.font.b for c in ws[1])
    assert not ws["A2"].font.b
    assert ws.freeze_panes == "A2"


def test_a_sheet_name_excel_refuses_is_made_acceptable(tmp_path):
    path, _n = _write(tmp_path, [["x"]], title="'Chi bộ 1/2 [cũ]: a*b? và một tên rất dài nữa")
    title = load_workbook(path).active.title
    assert title == "Chi bộ 1-2 -cũ-- a-b- và một t"
    assert len(title) <= 31


def test_it_writes_to_a_file_object_as_well_as_a_path():
    buf = io.BytesIO()
    assert write_xlsx(buf, title="T", headers=["a"], rows=[["x"], ["y"]]) == 2
    assert load_workbook(io.BytesIO(buf.getvalue())).active["A3"].value == "y"


def test_a_value_without_a_reading_is_refused(tmp_path):
    with pytest.raises(TypeError):
        _write(tmp_path, [[object()]])


def _temporaries() -> set[str]:
    return set(glob.glob(f"{tempfile.gettempdir()}/openpyxl.*"))


def test_rows_that_fail_half_way_leave_no_file_and_no_audit_row(db):
    def rows():
        yield ["Lò Văn Pọm", "011068001234"]
        raise RuntimeError("the database went away")

    before, logged = _temporaries(), AuditLog.objects.count()
    with pytest.raises(RuntimeError):
        xlsx_response(
            actor=SYSTEM,
            action="export.test",
            filename="x.xlsx",
            title="T",
            headers=["a"],
            rows=rows(),
        )
    assert _temporaries() - before == set()  # the half-written sheet with personal data is gone
    assert AuditLog.objects.count() == logged


def test_a_book_holds_several_sheets_each_written_safely(tmp_path):
    with Book() as book:
        book.sheet("Một").append(["=A1"])
        book.sheet("Hai").append([HYPERLINK])
        book.save(tmp_path / "b.xlsx")
    wb = load_workbook(tmp_path / "b.xlsx")
    assert wb.sheetnames == ["Một", "Hai"]
    assert wb["Hai"]["A1"].value == HYPERLINK and wb["Hai"]["A1"].data_type == "s"


def test_the_response_streams_the_file_and_logs_one_row(db):
    resp = xlsx_response(
        actor=SYSTEM,
        action="export.test",
        filename="thu.xlsx",
        title="T",
        headers=["a"],
        rows=[[HYPERLINK], ["+84 912 345 678"]],
        filters={"q": "x"},
    )
    assert resp.streaming and resp["Content-Type"].startswith("application/vnd.openxmlformats")
    assert resp["Content-Disposition"] == 'attachment; filename="thu.xlsx"'
    ws = load_workbook(io.BytesIO(resp.getvalue())).active
    assert [ws["A2"].value, ws["A3"].value] == [HYPERLINK, "+84 912 345 678"]
    (log,) = AuditLog.objects.filter(action="export.test")
    assert log.after == {"rows": 2, "filters": {"q": "x"}}


def test_no_other_module_builds_a_workbook():
    # One writer for every export: a view or service with its own Workbook would bring back
    # openpyxl's formula guessing and the whole sheet in memory.
    root = Path(chibo.__file__).parent
    others = [
        str(p.relative_to(root))
        for p in root.rglob("*.py")
        if "tests" not in p.parts
        and p != root / "audit" / "exports.py"
        and ("Workbook(" in (text := p.read_text()) or "openpyxl import Workbook" in text)
    ]
    assert others == []
