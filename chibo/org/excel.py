"""The organization tree in Excel: import an existing tree (validated all-or-nothing) and export
the tree as of a date in the same layout, so a file exported can be edited and imported again."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import IO

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from openpyxl import load_workbook
from openpyxl.styles import Font

from chibo.audit.exports import HEADER_FILL, HEADER_FONT, Book, Sheet, cell
from chibo.audit.services import record
from chibo.core.scope import can, is_system_admin
from chibo.core.text import search_key

from . import selectors
from .choices import ALLOWED_PARENTS, CellType, GrassrootsType, UnitKind
from .models import Unit, UnitVersion, in_force
from .services import CreateUnit, Decision, UnitSpec, kind_label

COLUMNS = [
    ("code", "Mã tổ chức"),
    ("name", "Tên tổ chức"),
    ("kind", "Loại tổ chức"),
    ("parent_code", "Mã tổ chức cấp trên"),
    ("type", "Loại hình"),
]
MAX_ROWS = 20000


def _lookup(choices) -> dict[str, str]:
    """Accept a code ("cell") or a label ("Chi bộ trực thuộc"), with or without accents."""
    out = {}
    for value, label in choices:
        out[search_key(value)] = value
        out[search_key(str(label))] = value
    return out


KINDS = _lookup(UnitKind.choices)
GTYPES = _lookup(GrassrootsType.choices)
CTYPES = _lookup(CellType.choices)


@dataclass
class Row:
    number: int  # the sheet's row number, as the user sees it
    code: str
    name: str
    kind: str
    parent_code: str
    type: str


@dataclass
class ImportResult:
    rows: list[Row] = field(default_factory=list)
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # (row, column, message)
    created: int = 0

    def add(self, row: int, column: str, message: str) -> None:
        self.errors.append((row, column, message))


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return " ".join(str(v).split())


def read(file) -> ImportResult:
    """Parse the first sheet; header row 1 must carry the column titles (any order)."""
    res = ImportResult()
    try:
        wb = load_workbook(file, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 — any unreadable file gets the same clear message
        res.add(0, "", "Không đọc được tệp: cần tệp Excel .xlsx.")
        return res
    ws = wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header = [search_key(_cell(h)) for h in next(rows, ())]
    index = {}
    for key, title in COLUMNS:
        if search_key(title) in header:
            index[key] = header.index(search_key(title))
        elif key != "type":
            res.add(1, title, f"Thiếu cột “{title}”.")
    if res.errors:
        return res
    for n, values in enumerate(rows, start=2):
        if n - 1 > MAX_ROWS:
            res.add(n, "", f"Tệp có quá {MAX_ROWS} dòng.")
            break
        get = {k: _cell(values[i]) if i < len(values) else "" for k, i in index.items()}
        if not any(get.values()):
            continue
        res.rows.append(
            Row(n, get["code"], get["name"], get["kind"], get["parent_code"], get.get("type", ""))
        )
    if not res.rows:
        res.add(2, "", "Tệp không có dòng dữ liệu nào.")
    return res


def validate(res: ImportResult, *, actor, on: dt.date) -> list[tuple[Row, str, str, str]]:
    """Check every row; returns the plan (row, kind, gtype, ctype) in creation order."""

    titles = dict(COLUMNS)
    codes: dict[str, Row] = {}
    plan_kind: dict[str, str] = {}
    for r in res.rows:
        if not r.code:
            res.add(r.number, titles["code"], "Mã tổ chức không được để trống.")
        elif r.code in codes:
            res.add(
                r.number, titles["code"], f"Mã “{r.code}” trùng với dòng {codes[r.code].number}."
            )
        else:
            codes[r.code] = r
        if not r.name:
            res.add(r.number, titles["name"], "Tên tổ chức không được để trống.")
        kind = KINDS.get(search_key(r.kind))
        if kind is None:
            res.add(r.number, titles["kind"], f"Loại tổ chức “{r.kind}” không hợp lệ.")
        else:
            plan_kind[r.code] = kind
    existing = {u.code: u for u in Unit.objects.filter(valid_to__isnull=True, code__in=list(codes))}
    for code, r in codes.items():
        if code in existing:
            res.add(r.number, titles["code"], f"Mã “{code}” đã có trong hệ thống.")
    parents_needed = {
        r.parent_code for r in res.rows if r.parent_code and r.parent_code not in codes
    }
    parents = {
        u.code: u for u in Unit.objects.filter(valid_to__isnull=True, code__in=list(parents_needed))
    }
    # An exported file names code-less units "#<id>": accept that as a reference too.
    by_id = [c[1:] for c in parents_needed if c.startswith("#") and c[1:].isdigit()]
    parents.update(
        {f"#{u.pk}": u for u in Unit.objects.filter(valid_to__isnull=True, pk__in=by_id)}
    )
    plan = []
    for r in res.rows:
        kind = plan_kind.get(r.code)
        gtype = ctype = ""
        if r.type:
            gtype = GTYPES.get(search_key(r.type), "")
            ctype = CTYPES.get(search_key(r.type), "")
            if not gtype and not ctype:
                res.add(r.number, titles["type"], f"Loại hình “{r.type}” không hợp lệ.")
        if r.parent_code in codes:
            parent_kind = plan_kind.get(r.parent_code)
        elif r.parent_code:
            parent = parents.get(r.parent_code)
            if parent is None:
                res.add(
                    r.number,
                    titles["parent_code"],
                    f"Không tìm thấy tổ chức cấp trên mã “{r.parent_code}”.",
                )
                continue
            if not can(actor, "change", parent):
                # Same words whether it exists elsewhere or not: nothing leaks out of scope.
                res.add(
                    r.number,
                    titles["parent_code"],
                    f"Không tìm thấy tổ chức cấp trên mã “{r.parent_code}”.",
                )
                continue
            parent_kind = parent.kind
        else:
            parent_kind = None
            if kind is not None and not is_system_admin(actor):
                res.add(
                    r.number,
                    titles["parent_code"],
                    "Chỉ quản trị hệ thống được nhập tổ chức cấp cao nhất; hãy ghi mã cấp trên.",
                )
        if (
            kind is not None
            and parent_kind is not None
            and parent_kind not in ALLOWED_PARENTS[kind]
        ):
            res.add(
                r.number,
                titles["kind"],
                f"{kind_label(kind)} không thể trực thuộc {kind_label(parent_kind)}.",
            )
        plan.append((r, kind, gtype, ctype))
    # Creation order: parents before children; a cycle leaves rows unplaced.
    ordered, placed = [], set(parents)
    pending = [p for p in plan if p[1] is not None]
    while pending:
        ready = [p for p in pending if not p[0].parent_code or p[0].parent_code in placed]
        if not ready:
            for p in pending:
                res.add(p[0].number, titles["parent_code"], "Quan hệ cấp trên bị vòng lặp.")
            break
        for p in ready:
            ordered.append(p)
            placed.add(p[0].code)
        pending = [p for p in pending if p not in ready]
    return ordered


def _existing(code: str) -> Unit | None:
    if not code:
        return None
    if code.startswith("#") and code[1:].isdigit():
        return Unit.objects.filter(valid_to__isnull=True, pk=int(code[1:])).first()
    return Unit.objects.filter(valid_to__isnull=True, code=code).first()


def import_tree(file, *, actor, decision: Decision) -> ImportResult:
    """Validate every row; create all units in one transaction, or none."""
    res = read(file)
    if res.errors:
        return res
    plan = validate(res, actor=actor, on=decision.effective_date)
    if res.errors:
        res.errors.sort()
        return res
    try:
        with transaction.atomic():
            made: dict[str, Unit] = {}
            for r, kind, gtype, ctype in plan:
                parent = made.get(r.parent_code) or _existing(r.parent_code)
                action = CreateUnit(
                    decision,
                    parent=parent,
                    spec=UnitSpec(
                        kind=kind, name=r.name, code=r.code, grassroots_type=gtype, cell_type=ctype
                    ),
                )
                problems = action.check()
                if problems:
                    for p in problems:
                        res.add(r.number, "", p)
                    raise ValidationError(problems)
                action.execute(actor=actor)
                made[r.code] = action.created
            record(
                actor=actor,
                action="org.import",
                obj=None,
                unit=next(iter(made.values())) if made else None,
                after={"units": len(made), "decision_no": decision.decision_no},
            )
            res.created = len(made)
    except (ValidationError, PermissionDenied) as exc:
        if not res.errors:
            res.add(0, "", " ".join(getattr(exc, "messages", [str(exc)])))
        res.created = 0
    return res


def _sheet(book: Book, note: str | None = None) -> Sheet:
    sheet = book.sheet("To chuc", widths=[22, 40, 22, 22, 22], freeze="A2")
    head = [cell(sheet.ws, label, font=HEADER_FONT, fill=HEADER_FILL) for _key, label in COLUMNS]
    if note:
        head.append(cell(sheet.ws, note, font=Font(italic=True)))
    sheet.append(head)
    return sheet


def template(target: IO[bytes]) -> None:
    with Book() as book:
        sheet = _sheet(book)
        sheet.append(["XA01", "Đảng bộ xã Mẫu", "Đảng bộ xã/phường/đặc khu", "", "Xã"])
        sheet.append(
            ["XA01-CB01", "Chi bộ thôn Một", "Chi bộ trực thuộc", "XA01", "Thôn, bản, làng, ấp"]
        )
        book.save(target)


def export(target: IO[bytes], *, actor, root_ids, on: dt.date, visible) -> int:
    """The units the viewer can see under `root_ids` on `on`, parents first, in import layout,
    written to `target`; logged once the file is complete. Returns the number of units."""
    with Book() as book:
        sheet = _sheet(book, note=f"Theo ngày {on:%d/%m/%Y}")
        count = sheet.extend(_tree_rows(root_ids, on, visible))
        book.save(target)
    record(
        actor=actor,
        action="export.org_tree",
        unit=Unit.objects.filter(pk=root_ids[0]).first() if root_ids else None,
        after={"on": on.isoformat(), "rows": count, "roots": list(root_ids)},
    )
    return count


def _tree_rows(root_ids, on: dt.date, visible):
    stack = list(reversed(root_ids))
    parent_of: dict[int, int | None] = {i: None for i in root_ids}
    seen = set()
    while stack:
        uid = stack.pop()
        if uid in seen:
            continue
        seen.add(uid)
        v = UnitVersion.objects.filter(in_force(on), unit_id=uid).first()
        if v is None:
            continue
        parent = parent_of.get(uid)
        pv = UnitVersion.objects.filter(in_force(on), unit_id=parent).first() if parent else None
        type_label = (
            GrassrootsType(v.grassroots_type).label
            if v.grassroots_type
            else CellType(v.cell_type).label
            if v.cell_type
            else ""
        )
        yield [
            v.code or f"#{uid}",
            v.name,
            str(UnitKind(v.kind).label),
            (pv.code or f"#{parent}") if pv else "",
            str(type_label),
        ]
        children = selectors.children_on(uid, on, visible)
        for child in reversed(children):
            parent_of[child.unit_id] = uid
            stack.append(child.unit_id)
