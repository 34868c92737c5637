"""Every export leaves through here: a real XLSX file, and an audit row saying who took what."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from django.db import transaction
from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from .services import record

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(
    *,
    actor,
    action: str,
    filename: str,
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence],
    unit=None,
    filters: dict | None = None,
) -> HttpResponse:
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    ws.append(list(headers))
    for i in range(1, len(headers) + 1):
        cell = ws.cell(row=1, column=i)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="F4F1EC")
        ws.column_dimensions[get_column_letter(i)].width = 24
    ws.freeze_panes = "A2"
    count = 0
    for row in rows:
        ws.append(list(row))
        count += 1
    buf = io.BytesIO()
    wb.save(buf)
    with transaction.atomic():
        record(
            actor=actor, action=action, unit=unit, after={"rows": count, "filters": filters or {}}
        )
    resp = HttpResponse(buf.getvalue(), content_type=XLSX)
    resp["Content-Disposition"] = f'attachment; filename="{filename}"'
    return resp
