"""Every export leaves through here: a real XLSX file, and an audit row saying who took what.

One writer for every workbook the project hands out (lists, official forms, import templates):

- openpyxl's write-only mode: rows go to a temporary file as they come, and the finished file
  waits in a spooled temporary file (memory up to SPOOL_BYTES, then disk) from which the
  response streams it, so a 100,000-row export never holds its sheet in memory;
- every text value is an explicit string cell, written exactly as given: a value that looks like a
  formula ("=HYPERLINK(…)", "+84 …", "@SUM(…)") stays text, nothing is stripped or prefixed;
- dates, datetimes and numbers stay typed; an aware datetime is shown in the app's time zone
  (settings.TIME_ZONE), never the server's.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from typing import IO, Any

from django.db import transaction
from django.http import FileResponse
from django.utils import timezone
from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from .services import record

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# A finished file up to this size stays in memory; a larger one goes to a temporary file on disk.
SPOOL_BYTES = 4 * 1024 * 1024
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="F4F1EC")
DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm:ss"
# Rows between two progress reports of a background export (counted).
PROGRESS_EVERY = 500
# Excel holds at most this many characters in a cell (openpyxl cuts there too).
TEXT_LIMIT = 32767

# XML cannot carry these characters; OOXML writes them as _xHHHH_, which Excel and LibreOffice
# decode on opening. A literal "_xHHHH_" in the text is escaped the same way ("_x005F_" is the
# underscore), so that what Excel shows is exactly the stored text.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")
# Characters a sheet's name may not hold (Excel's rule; openpyxl refuses them).
_NOT_IN_TITLE = re.compile(r"[\\/?*\[\]:]")


def _ooxml(text: str) -> str:
    return _NOT_XML.sub(lambda m: f"_x{ord(m.group()):04X}_", text)


def sheet_title(title: str) -> str:
    """A name Excel accepts for a sheet: no \\ / ? * [ ] :, no quote at either end, ≤ 31."""
    title = _NOT_IN_TITLE.sub("-", str(title))[:31].strip("'")
    return title or "Sheet"


def text_cell(ws, value: str) -> Cell:
    """A string cell holding exactly `value`: never a formula, never stripped or prefixed."""
    c = WriteOnlyCell(ws)
    # Set beneath openpyxl's value setter, which turns "=…" into a formula.
    c._value = _ooxml(value[:TEXT_LIMIT])
    c.data_type = "s"
    return c


def cell(
    ws,
    value: Any,
    *,
    font: Font | None = None,
    fill: PatternFill | None = None,
    alignment: Alignment | None = None,
) -> Cell | None:
    """One cell of a write-only sheet: text as text, dates and numbers typed; None is no cell."""
    if value is None:
        return None
    if isinstance(value, Cell):
        return value
    if isinstance(value, Promise):  # a lazy translation
        value = str(value)
    if isinstance(value, str):
        c = text_cell(ws, str(value))
    elif isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value, timezone.get_default_timezone())
        c = WriteOnlyCell(ws, value=value.replace(tzinfo=None))
        c.number_format = DATETIME_FORMAT
    elif isinstance(value, dt.date):
        c = WriteOnlyCell(ws, value=value)
        c.number_format = DATE_FORMAT
    elif isinstance(value, bool | int | float | Decimal | dt.time | dt.timedelta):
        c = WriteOnlyCell(ws, value=value)
    else:
        # A model, a list…: the caller says how it reads; no silent str() of an object.
        raise TypeError(f"Không ghi được giá trị kiểu {type(value).__name__} vào Excel")
    if font is not None:
        c.font = font
    if fill is not None:
        c.fill = fill
    if alignment is not None:
        c.alignment = alignment
    return c


def _placed(cells: Iterable[Cell | None], row_idx: int):
    for col_idx, c in enumerate(cells, start=1):
        if c is not None:
            c.column, c.row = col_idx, row_idx
            yield c


class Sheet:
    """One sheet of a Book, written row by row; every value goes through `cell`."""

    def __init__(self, ws) -> None:
        self.ws = ws
        # openpyxl's own row conversion re-guesses each value (an "=…" text becomes a formula,
        # "#N/A" an error) and takes a finished cell only after failing to guess it; our rows
        # arrive as finished cells, so they are placed as they are.
        ws._values_to_row = _placed

    def append(self, values: Iterable[Any], **style) -> None:
        self.ws.append([cell(self.ws, v, **style) for v in values])

    def header(self, values: Iterable[Any]) -> None:
        self.append(values, font=HEADER_FONT, fill=HEADER_FILL)

    def extend(self, rows: Iterable[Iterable[Any]], **style) -> int:
        """Writes the rows; returns how many there were."""
        count = 0
        for row in rows:
            self.append(row, **style)
            count += 1
        return count


class Book:
    """A write-only workbook. Used as a context manager it leaves no temporary file behind if the
    rows fail half-way (openpyxl would otherwise keep the partial sheet until the process ends)."""

    def __init__(self) -> None:
        self._wb = Workbook(write_only=True)

    def sheet(
        self,
        title: str,
        *,
        widths: Sequence[float] = (),
        freeze: str | None = None,
        landscape: bool = False,
        title_rows: str | None = None,
    ) -> Sheet:
        """A new sheet. Its column widths, frozen pane and print layout are set here, before
        any row: write-only mode writes them ahead of the rows (set later, they are lost).
        `landscape` prints on A4 landscape, one page wide; `title_rows` ("4:5") repeat on every
        printed page."""
        ws = self._wb.create_sheet(sheet_title(title))
        for i, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = width
        if freeze:
            ws.freeze_panes = freeze
        if landscape:
            ws.page_setup.orientation = "landscape"
            ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
            ws.page_setup.fitToWidth = 1
            ws.page_setup.fitToHeight = 0
            ws.sheet_properties.pageSetUpPr.fitToPage = True
        if title_rows:
            ws.print_title_rows = title_rows
        return Sheet(ws)

    def save(self, target: str | os.PathLike | IO[bytes]) -> None:
        if not self._wb.worksheets:
            self.sheet("Sheet")
        self._wb.save(target)

    def discard(self) -> None:
        """Removes the sheets' temporary files (after a failure; `save` removes them itself)."""
        for ws in self._wb.worksheets:
            writer = getattr(ws, "_writer", None)
            if writer is None:
                continue
            # The rows' stream first (it ends the sheet's XML), then the sheet's own.
            for stream in (getattr(ws, "_rows", None), writer.xf):
                try:
                    if stream is not None:
                        stream.close()
                except Exception:  # a half-written stream may complain; the file goes anyway
                    pass
            if isinstance(writer.out, str) and os.path.exists(writer.out):
                writer.cleanup()

    def __enter__(self) -> Book:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            self.discard()


def write_xlsx(
    target: str | os.PathLike | IO[bytes],
    *,
    title: str,
    headers: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    widths: Sequence[float] | None = None,
) -> int:
    """Writes one sheet (bold header row, frozen below it, then the rows) to a path or a binary
    file object; returns the number of rows written (the header not counted)."""
    with Book() as book:
        sheet = book.sheet(title, widths=widths or [24] * len(headers), freeze="A2")
        sheet.header(headers)
        count = sheet.extend(rows)
        book.save(target)
    return count


def counted(rows: Iterable, progress: Callable[[int], None] | None) -> Iterator:
    """The rows as they are, reporting how many have passed every PROGRESS_EVERY rows."""
    n = 0
    for n, r in enumerate(rows, start=1):
        if progress is not None and n % PROGRESS_EVERY == 0:
            progress(n)
        yield r
    if progress is not None:
        progress(n)


def file_response(write: Callable[[IO[bytes]], object], filename: str) -> FileResponse:
    """Runs `write` into a temporary file (memory up to SPOOL_BYTES, then disk) and streams the
    result as a download; the file closes with the response, or at once if `write` fails."""
    file = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    try:
        write(file)
        file.seek(0)
    except BaseException:
        file.close()
        raise
    return FileResponse(file, as_attachment=True, filename=filename, content_type=XLSX)


def xlsx_response(
    *,
    actor,
    action: str,
    filename: str,
    title: str,
    headers: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    unit=None,
    filters: dict | None = None,
    widths: Sequence[float] | None = None,
) -> FileResponse:
    """A one-sheet export as a download, with its one audit row (who, what, how many rows, which
    filters), written once the file is complete."""

    def write(file: IO[bytes]) -> None:
        count = write_xlsx(file, title=title, headers=headers, rows=rows, widths=widths)
        with transaction.atomic():
            record(
                actor=actor,
                action=action,
                unit=unit,
                after={"rows": count, "filters": filters or {}},
            )

    return file_response(write, filename)
