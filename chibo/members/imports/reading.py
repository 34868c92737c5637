"""Reading a member roll: the workbook's first sheet → the row of column names and the rows
under it, and what each cell says.

- The column names are found (the first row naming known columns: a commune's roll often has
  its title above) or chosen by the user; the rows above them and a row numbering the columns
  are skipped and listed.
- Our template's headers and the other names committees give the same columns are recognized;
  a committee's own layout is mapped by the user.
- Formulas: calamine reads the results the file stores; which cells hold a formula (and whether
  a result is stored) is read from the sheet's XML.
- Dates: dd/mm/yyyy text, ISO text, real Excel dates and Excel serial numbers; a two-digit year
  is reported, never guessed. Names and texts are stored NFC.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import IO
from xml.etree import ElementTree as ET

from django.utils.translation import gettext as _
from openpyxl.formula.translate import Translator
from openpyxl.utils.cell import (
    column_index_from_string,
    coordinate_from_string,
    get_column_letter,
)

from chibo.audit.exports import HEADER_FONT, Book
from chibo.core.text import search_key
from chibo.org.choices import CELL_KINDS
from chibo.org.models import Unit

MAX_ROWS = 100_000

# (key, header in our template, required)
FIELDS: list[tuple[str, str, bool]] = [
    ("cell", "Chi bộ", True),
    ("full_name", "Họ và tên", True),
    ("gender", "Giới tính", True),
    ("birth_date", "Ngày sinh", True),
    ("admitted_on", "Ngày vào Đảng", True),
    ("recognized_on", "Ngày chính thức", False),
    ("ethnicity", "Dân tộc", False),
    ("religion", "Tôn giáo", False),
    ("identity_no", "Số CCCD/CMND", False),
    ("card_no", "Số thẻ đảng viên", False),
    ("biography_no", "Số lý lịch", False),
    ("hometown", "Quê quán", False),
    ("residence", "Nơi cư trú", False),
    ("education", "Giáo dục phổ thông", False),
    ("qualification", "Chuyên môn nghiệp vụ", False),
    ("theory_level", "Lý luận chính trị", False),
    ("occupation_now", "Nghề nghiệp hiện nay", False),
    ("position", "Chức vụ", False),
]
LABELS = {k: h for k, h, _ in FIELDS}
# Other headers committees use for the same columns (compared without accents or case).
ALIASES = {
    "cell": ["chi bo", "ten chi bo", "ma chi bo", "chi bo sinh hoat"],
    "full_name": ["ho ten", "ho va ten dang vien", "ten dang vien"],
    "gender": ["gioi", "nam nu", "nam/nu", "gioi tinh (nam/nu)"],
    "birth_date": ["ngay thang nam sinh", "sinh ngay"],
    "admitted_on": ["ngay ket nap", "ngay vao dang"],
    "recognized_on": ["ngay chinh thuc", "ngay cong nhan chinh thuc"],
    "identity_no": ["so cccd", "cccd", "so cmnd", "so dinh danh", "can cuoc"],
    "card_no": ["so the", "so the dang"],
    "biography_no": ["so ly lich", "so ll"],
    "education": ["van hoa", "trinh do van hoa", "giao duc pho thong"],
    "theory_level": ["ly luan", "llct", "ly luan chinh tri"],
    "occupation_now": ["nghe nghiep"],
}


@lru_cache(maxsize=65536)
def _cached_key(s: str) -> str:
    return search_key(s).strip()


def _key(s) -> str:
    # Cell values repeat (genders, ethnicities, cells, levels): one ICU call per distinct value.
    return _cached_key(str(s or ""))


HEADER_INDEX: dict[str, str] = {}
for _k, _h, _r in FIELDS:
    HEADER_INDEX[_key(_h)] = _k
    for _a in ALIASES.get(_k, []):
        HEADER_INDEX[_key(_a)] = _k


class ReadError(Exception):
    pass


@dataclass(frozen=True)
class Formula:
    """A cell that holds a formula: its text, whether the file stores its last result (Excel
    does when it saves; a file written by a program often does not) and, when that result is
    an error (#REF!, #VALUE!…), which."""

    text: str
    stored: bool
    error: str = ""


@dataclass
class Sheet:
    headers: list[str]
    rows: list[tuple[int, list]]  # (row number as the user sees it, values)
    header_row: int = 1  # the row of the column names, as the user sees it
    # (row number, text) of the rows not read as members: the titles above the column names
    # and a row numbering the columns under them.
    skipped: list[tuple[int, str]] = field(default_factory=list)
    # (row number, text) of the sheet's first rows, to choose the row of the column names.
    top: list[tuple[int, str]] = field(default_factory=list)
    # (row number, column index) → the formula of that cell; its stored result is in `rows`.
    formulas: dict[tuple[int, int], Formula] = field(default_factory=dict)


def cell_name(row: int, column: int) -> str:
    """The cell's name as Excel shows it: (5, 2) → "C5"."""
    return f"{get_column_letter(column + 1)}{row}"


HEADER_SEARCH = 30  # non-empty rows looked at for the column names
HEADER_MIN_KNOWN = 2  # known column names that make a row the header
TOP_ROWS = 15  # rows offered when the user chooses the header row


def read(file, header_row: int | None = None) -> Sheet:
    """The first sheet of an .xlsx (a path or a file object), through calamine (Rust): about ten
    times faster than openpyxl's read-only mode on a 70,000-row roll. Date cells arrive as
    dates, numbers as floats, empty cells as "". A formula arrives as the result the file
    stores (calamine reads no formulas): which cells hold one is read from the sheet's XML.

    The column names are on `header_row` (as the user sees it) or, by default, on the first
    row that names at least two known columns (a commune's roll often has its title above);
    failing that, on the first row of three cells or more, else on the first row."""
    from python_calamine import CalamineWorkbook

    try:
        if isinstance(file, str | Path):
            wb = CalamineWorkbook.from_path(str(file))
        else:
            if hasattr(file, "seek"):
                file.seek(0)
            wb = CalamineWorkbook.from_filelike(file)
        values = wb.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own error types for a non-Excel file
        raise ReadError(_("Không đọc được tệp: hãy chọn một tệp Excel (.xlsx).")) from exc
    filled = []  # the first non-empty rows, where the column names may be
    for n, row in enumerate(values, start=1):
        if not _empty(row):
            filled.append(n)
            if len(filled) == HEADER_SEARCH:
                break
    if not filled:
        raise ReadError(_("Tệp không có dữ liệu."))
    top = [(n, _line(values[n - 1])) for n in filled[:TOP_ROWS]]
    if header_row is None:
        header_row = _find_header(values, filled)
    elif not 1 <= header_row <= len(values) or _empty(values[header_row - 1]):
        raise ReadError(
            _("Dòng %(n)d trống hoặc không có trong tệp: hãy chọn dòng có tên các cột.")
            % {"n": header_row}
        )
    headers = [str(h).strip() if h not in (None, "") else "" for h in values[header_row - 1]]
    skipped = [(n, _line(values[n - 1])) for n in range(1, header_row) if not _empty(values[n - 1])]
    rows = []
    for n, row in enumerate(values[header_row:], start=header_row + 1):
        if _empty(row):
            continue
        if not rows and n == header_row + 1 and _numbers_columns(row):
            skipped.append((n, _line(row)))
            continue
        rows.append((n, [None if v == "" else v for v in row]))
        if len(rows) > MAX_ROWS:
            raise ReadError(_("Tệp có quá %(n)d dòng.") % {"n": MAX_ROWS})
    return Sheet(headers, rows, header_row, skipped, top, _formulas(file))


def _empty(row) -> bool:
    return all(v is None or str(v).strip() == "" for v in row)


def _line(row, limit: int = 120) -> str:
    """A row as one line of text, to show it."""
    text = " ".join(_show(v) for v in row if v is not None and str(v).strip() != "")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _show(v) -> str:
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return " ".join(str(v).split())


def _find_header(values: list, filled: list[int]) -> int:
    for n in filled:
        known = {HEADER_INDEX.get(_key(h)) for h in values[n - 1]} - {None}
        if len(known) >= HEADER_MIN_KNOWN:
            return n
    for n in filled:
        if sum(not _empty([v]) for v in values[n - 1]) >= 3:
            return n
    return filled[0]


def _numbers_columns(row) -> bool:
    """A row that numbers the columns: 1, 2, 3 … (or (1), (2), (3) …)."""
    cells = [_show(v).strip("()") for v in row if not _empty([v])]
    if len(cells) < 3 or not all(c.isdigit() for c in cells):
        return False
    numbers = [int(c) for c in cells]
    return numbers == list(range(numbers[0], numbers[0] + len(numbers))) and numbers[0] <= 1


# --- formulas ---------------------------------------------------------------------------------

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"
# A formula element (<f>, or <x:f> with a prefix) anywhere in the sheet's XML.
_HAS_FORMULA = re.compile(rb"<(?:[A-Za-z0-9_]+:)?f[\s>/]")


def _part(base: str, target: str) -> str:
    """A relationship's target as a path inside the package."""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(base), target))


def _first_sheet(z: zipfile.ZipFile) -> str:
    """The path of the workbook's first sheet (the one calamine reads as index 0)."""
    rels = ET.fromstring(z.read("_rels/.rels"))
    book = next(
        _part("", r.get("Target", ""))
        for r in rels.iter(f"{_PKG}Relationship")
        if r.get("Type", "").endswith("/officeDocument")
    )
    first = ET.fromstring(z.read(book)).find(f"{_MAIN}sheets/{_MAIN}sheet")
    rid = first.get(f"{_REL}id")
    book_rels = posixpath.join(posixpath.dirname(book), "_rels", posixpath.basename(book) + ".rels")
    target = next(
        r.get("Target", "")
        for r in ET.fromstring(z.read(book_rels)).iter(f"{_PKG}Relationship")
        if r.get("Id") == rid
    )
    return _part(book, target)


def _mentions_formula(z: zipfile.ZipFile, path: str) -> bool:
    # Most rolls hold no formula: one pass over the raw bytes spares them the XML parse.
    tail = b""
    with z.open(path) as fh:
        while chunk := fh.read(1 << 20):
            if _HAS_FORMULA.search(tail + chunk):
                return True
            tail = chunk[-32:]
    return False


def _formulas(file) -> dict[tuple[int, int], Formula]:
    """(row number, column index) → Formula, for every formula cell of the first sheet."""
    try:
        if hasattr(file, "seek"):
            file.seek(0)
        z = zipfile.ZipFile(file)
        path = _first_sheet(z)
        if not _mentions_formula(z, path):
            return {}
    except (KeyError, StopIteration, AttributeError, zipfile.BadZipFile, ET.ParseError):
        return {}  # calamine read the file; what it is made of is not ours to refuse
    out: dict[tuple[int, int], Formula] = {}
    shared: dict[str, tuple[str, str]] = {}  # shared formula index → (origin cell, formula)
    row_n, col = 0, -1
    with z.open(path) as fh:
        for event, el in ET.iterparse(fh, events=("start", "end")):
            if el.tag == f"{_MAIN}row":
                if event == "start":
                    row_n, col = int(el.get("r") or row_n + 1), -1
                else:
                    el.clear()  # keep memory flat on a large sheet
                continue
            if el.tag != f"{_MAIN}c" or event != "end":
                continue
            ref = el.get("r")
            if ref:
                letters, row_n = coordinate_from_string(ref)
                col = column_index_from_string(letters) - 1
            else:
                col += 1
                ref = cell_name(row_n, col)
            f = el.find(f"{_MAIN}f")
            if f is None:
                continue
            text = f.text or ""
            if f.get("t") == "shared":
                si = f.get("si", "")
                if text:
                    shared[si] = (ref, text)
                elif si in shared:
                    origin, master = shared[si]
                    text = Translator("=" + master, origin=origin).translate_formula(ref)[1:]
            v = el.find(f"{_MAIN}v")
            result = v.text if v is not None and v.text else ""
            out[(row_n, col)] = Formula(
                "=" + text, stored=bool(result), error=result if el.get("t") == "e" else ""
            )
    return out


def auto_mapping(headers: list[str]) -> dict[str, int]:
    """field → column index, for the headers we recognize."""
    out: dict[str, int] = {}
    for i, h in enumerate(headers):
        k = HEADER_INDEX.get(_key(h))
        if k and k not in out:
            out[k] = i
    return out


def missing_required(mapping: dict[str, int]) -> list[str]:
    return [k for k, _h, req in FIELDS if req and k not in mapping]


# --- what a cell says ------------------------------------------------------------------------

EXCEL_EPOCH = dt.date(1899, 12, 30)


def parse_date(v) -> tuple[dt.date | None, str | None]:
    """A date from a cell, or an error message. Empty → (None, None)."""
    if v is None or (isinstance(v, str) and not v.strip()):
        return None, None
    if isinstance(v, dt.datetime):
        return v.date(), None
    if isinstance(v, dt.date):
        return v, None
    if isinstance(v, int | float) and not isinstance(v, bool):
        if 1 <= v <= 80000:
            return EXCEL_EPOCH + dt.timedelta(days=int(v)), None
        return None, _("Không phải ngày hợp lệ: %(v)s") % {"v": v}
    s = str(v).strip().replace("-", "/").replace(".", "/")
    parts = s.split("/")
    try:
        if len(parts) == 3 and len(parts[0]) == 4:  # yyyy/mm/dd
            y, m, d = (int(p) for p in parts)
        elif len(parts) == 3:
            d, m, y = (int(p) for p in parts)
            if len(parts[2]) <= 2:
                return None, _(
                    "Năm “%(y)s” chỉ có hai chữ số: không rõ thế kỷ, hãy ghi đủ bốn chữ số."
                ) % {"y": parts[2]}
        else:
            raise ValueError
        return dt.date(y, m, d), None
    except ValueError:
        return None, _("Không phải ngày hợp lệ (dd/mm/yyyy): “%(v)s”") % {"v": v}


def _text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return unicodedata.normalize("NFC", " ".join(str(v).split()))


def split_name(full: str) -> tuple[str, str, str]:
    parts = full.split()
    if len(parts) == 1:
        return "", "", parts[0]
    return parts[0], " ".join(parts[1:-1]), parts[-1]


def parse_education(v: str) -> tuple[int | None, int | None, str | None]:
    if not v:
        return None, None, None
    s = v.replace(" ", "")
    try:
        grade, system = (int(x) for x in s.split("/"))
    except ValueError:
        return None, None, _("Ghi theo dạng lớp/hệ, ví dụ 12/12 hoặc 7/10: “%(v)s”") % {"v": v}
    if system not in (10, 12) or not 0 <= grade <= system:
        return None, None, _("Trình độ phổ thông không hợp lệ: “%(v)s”") % {"v": v}
    return system, grade, None


# --- our template -------------------------------------------------------------------------


def template(unit: Unit, target: IO[bytes]) -> None:
    """The template: our headers, one example row, and the unit's cells to choose from."""
    cells = list(
        Unit.objects.filter(
            path__startswith=unit.path, kind__in=CELL_KINDS, valid_to__isnull=True
        ).order_by("path")
    )
    example = cells[0].name if cells else "Chi bộ …"
    with Book() as book:
        sheet = book.sheet("Đảng viên", widths=[20] * len(FIELDS))
        sheet.append([h for _k, h, _r in FIELDS], font=HEADER_FONT)
        sheet.append(
            [
                example,
                "Lò Văn Pọm",
                "Nam",
                "12/05/1968",
                "19/05/1995",
                "19/05/1996",
                "Thái",
                "Không",
                "011068001234",
                "",
                "",
                "Quảng Lâm, Điện Biên",
                "Bản Huổi Lụ",
                "9/12",
                "Trung cấp",
                "Sơ cấp",
                "Nông, lâm, ngư nghiệp",
                "Trưởng bản",
            ]
        )
        ref = book.sheet("Chi bộ")
        ref.append(["Chi bộ (ghi đúng tên, hoặc mã #số)", "Mã"])
        ref.extend([cell.name, f"#{cell.pk}"] for cell in cells)
        book.save(target)
