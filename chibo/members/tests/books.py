"""Real .xlsx rolls for the import tests, built with openpyxl as a committee's Excel would save
them (a title above the header, formulas with or without the result Excel stores, …)."""

from __future__ import annotations

import io
import re
import zipfile

from openpyxl import Workbook

from chibo.members import imports

H = [h for _k, h, _r in imports.FIELDS]


def book(rows, headers=H, *, above=()) -> io.BytesIO:
    """A workbook: the rows in `above` (titles), the header row, then the rows."""
    wb = Workbook()
    ws = wb.active
    for line in above:
        ws.append(line)
    if headers is not None:
        ws.append(headers)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    return buf


def row(cell, name="Lò Văn Pọm", birth="12/05/1968", admitted="19/05/1995", **kw) -> list:
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


def with_results(buf: io.BytesIO, results: dict[str, tuple[str, str]]) -> io.BytesIO:
    """The workbook with the results Excel stores beside formulas: {"B3": ("str", "Lò Văn Pọm")}
    (a text result), ("n", "25570") (a number), ("e", "#REF!") (an error). openpyxl writes
    formulas without their results, as a file never opened in Excel has them."""
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                xml = data.decode()
                for ref, (kind, value) in results.items():
                    pattern = rf'<c r="({ref})"([^>]*)><f>(.*?)</f><v\s*/?>(</v>)?</c>'
                    kind_attr = "" if kind == "n" else f' t="{kind}"'
                    xml, count = re.subn(
                        pattern,
                        lambda m, k=kind_attr, v=value: (
                            f'<c r="{m.group(1)}"{m.group(2)}{k}><f>{m.group(3)}</f><v>{v}</v></c>'
                        ),
                        xml,
                    )
                    assert count == 1, f"no formula in {ref}"
                data = xml.encode()
            dst.writestr(item, data)
    out.seek(0)
    return out
