"""Excel import of a member roll (issue: member registry, point 9).

read → map columns (our template's headers are recognized; a committee's own layout is mapped
by the user) → validate every row → a plan (new / unchanged / changed / to confirm) with errors
by row and column in Vietnamese → commit all rows or none.

- Dates: dd/mm/yyyy text, ISO text, real Excel dates and Excel serial numbers; a two-digit year
  is reported, never guessed.
- Names in NFC or NFD are the same name (ICU keys).
- Identity and card numbers must be unique in the file and against the database.
- A row matches an existing member by identity number, else by name + birth date + cell (shown
  for confirmation). Re-importing the same file changes nothing. A changed record field is an
  update; a changed lifecycle fact (admission or recognition date) becomes a correcting event,
  and a changed cell an internal transfer, both previewed; never an overwrite.
- The commit is one transaction with bulk inserts and one audit entry for the batch.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.audit.services import record
from chibo.core.scope import can
from chibo.core.text import search_key, sort_key
from chibo.org.choices import CELL_KINDS
from chibo.org.models import Unit

from . import bulk, lifecycle, rules
from . import choices as c
from .lifecycle import EventKind
from .models import CountDelta, Member, MemberEvent, Placement, Reconciliation, given_key

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


def _lookup(pairs) -> dict[str, str]:
    out = {}
    for value, label in pairs:
        out[_key(value)] = value
        out[_key(str(label))] = value
    return out


ETHNICITY = _lookup(c.ETHNICITIES) | {"hmong": "08", "h'mong": "08", "mong": "08", "kho mu": "29"}
RELIGION = _lookup(c.Religion.choices) | {"": ""}
QUALIFICATION = _lookup(c.Qualification.choices)
THEORY = _lookup(c.TheoryLevel.choices) | {
    "so cap": "elementary",
    "trung cap": "intermediate",
    "cao cap": "advanced",
    "cu nhan": "bachelor",
}
OCCUPATION = _lookup(c.Occupation.choices)
GENDER = {"nam": "m", "m": "m", "nu": "f", "f": "f"}


class ReadError(Exception):
    pass


@dataclass
class Sheet:
    headers: list[str]
    rows: list[tuple[int, list]]  # (row number as the user sees it, values)


def read(file) -> Sheet:
    """The first sheet of an .xlsx (a path or a file object), through calamine (Rust): about ten
    times faster than openpyxl's read-only mode on a 70,000-row roll. Date cells arrive as
    dates, numbers as floats, empty cells as ""."""
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
    if not values:
        raise ReadError(_("Tệp không có dữ liệu."))
    headers = [str(h).strip() if h not in (None, "") else "" for h in values[0]]
    rows = []
    for n, row in enumerate(values[1:], start=2):
        if all(v is None or str(v).strip() == "" for v in row):
            continue
        rows.append((n, [None if v == "" else v for v in row]))
        if len(rows) > MAX_ROWS:
            raise ReadError(_("Tệp có quá %(n)d dòng.") % {"n": MAX_ROWS})
    return Sheet(headers, rows)


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


# --- values --------------------------------------------------------------------------------

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


# --- the plan ------------------------------------------------------------------------------


@dataclass
class PlannedRow:
    number: int
    action: str  # new | unchanged | update | confirm
    values: dict
    cell_id: int | None = None
    member_id: int | None = None
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # (label, old, new)


@dataclass
class Plan:
    unit_id: int
    total: int = 0
    rows: list[PlannedRow] = field(default_factory=list)
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # (row, column, message)

    def add(self, row: int, column: str, message: str) -> None:
        self.errors.append((row, column, message))

    def count(self, action: str) -> int:
        return sum(r.action == action for r in self.rows)


RECORD_FIELDS = (
    "gender",
    "birth_date",
    "ethnicity",
    "religion",
    "identity_type",
    "identity_no",
    "biography_no",
    "hometown",
    "residence",
    "education_system",
    "education_grade",
    "qualification",
    "theory_level",
    "occupation_now",
    "position",
)
FIELD_LABELS = {
    "gender": "Giới tính",
    "birth_date": "Ngày sinh",
    "ethnicity": "Dân tộc",
    "religion": "Tôn giáo",
    "identity_type": "Loại giấy tờ",
    "identity_no": "Số CCCD/CMND",
    "biography_no": "Số lý lịch",
    "hometown": "Quê quán",
    "residence": "Nơi cư trú",
    "education_system": "Hệ phổ thông",
    "education_grade": "Lớp",
    "qualification": "Chuyên môn nghiệp vụ",
    "theory_level": "Lý luận chính trị",
    "occupation_now": "Nghề nghiệp hiện nay",
    "position": "Chức vụ",
    "admitted_on": "Ngày vào Đảng",
    "recognized_on": "Ngày chính thức",
    "cell": "Chi bộ",
    "card_no": "Số thẻ đảng viên",
}


def _fmt(v) -> str:
    if isinstance(v, dt.date):
        return f"{v:%d/%m/%Y}"
    return "" if v is None else str(v)


def _org(unit: Unit) -> int:
    return unit.grassroots_id or unit.commune_id or unit.pk


def validate(
    sheet: Sheet,
    mapping: dict[str, int],
    unit: Unit,
    *,
    today: dt.date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Plan:
    today = today or timezone.localdate()
    plan = Plan(unit_id=unit.pk, total=len(sheet.rows))
    cells = list(
        Unit.objects.filter(path__startswith=unit.path, kind__in=CELL_KINDS, valid_to__isnull=True)
    )
    cells_by_id = {cell.pk: cell for cell in cells}
    by_ref: dict[str, Unit] = {}
    for cell in cells:
        by_ref[f"#{cell.pk}"] = cell
        if cell.code:
            by_ref[_key(cell.code)] = cell
        by_ref.setdefault(_key(cell.name), cell)
    # Only the columns that match a row to a member; full records are read for matches only.
    by_identity: dict[str, int] = {}
    by_person: dict[tuple, int] = {}
    for pk, skey, birth, home, ident in Member.objects.filter(
        home_unit__in=cells, ended=""
    ).values_list("id", "search_key", "birth_date", "home_unit_id", "identity_no"):
        if ident:
            by_identity[ident] = pk
        by_person[(skey, birth, home)] = pk
    # Row numbers per identity / card number, to report the numbers a file repeats.
    idents_file: dict[str, list[int]] = defaultdict(list)
    cards_file: dict[str, list[int]] = defaultdict(list)
    parsed: list[tuple[int, dict]] = []
    col = {k: LABELS[k] for k in LABELS}

    def get(values, k):
        i = mapping.get(k)
        return values[i] if i is not None and i < len(values) else None

    for i, (n, values) in enumerate(sheet.rows):
        if progress and i % 2000 == 0:
            progress(i, len(sheet.rows))
        v: dict = {}
        errs = len(plan.errors)
        name = _text(get(values, "full_name"))
        if not name:
            plan.add(n, col["full_name"], _("Thiếu họ tên."))
        v["family_name"], v["middle_name"], v["given_name"] = (
            split_name(name) if name else ("", "", "")
        )
        g = GENDER.get(_key(get(values, "gender")))
        if g is None:
            plan.add(n, col["gender"], _("Giới tính ghi “Nam” hoặc “Nữ”."))
        v["gender"] = g
        for k in ("birth_date", "admitted_on", "recognized_on"):
            d, err = parse_date(get(values, k))
            if err:
                plan.add(n, col[k], err)
            v[k] = d
        if v["birth_date"] is None and not any(
            e[0] == n and e[1] == col["birth_date"] for e in plan.errors
        ):
            plan.add(n, col["birth_date"], _("Thiếu ngày sinh."))
        if v["admitted_on"] is None and not any(
            e[0] == n and e[1] == col["admitted_on"] for e in plan.errors
        ):
            plan.add(n, col["admitted_on"], _("Thiếu ngày vào Đảng."))
        b, a, r = v["birth_date"], v["admitted_on"], v["recognized_on"]
        if b and (b > today or b.year < 1890):
            plan.add(n, col["birth_date"], _("Ngày sinh không hợp lý."))
        if a and a > today:
            plan.add(n, col["admitted_on"], _("Ngày vào Đảng ở tương lai."))
        if b and a and rules.age_in_months(b, a) < 16 * 12:
            plan.add(
                n,
                col["admitted_on"],
                _("Vào Đảng khi chưa đủ 16 tuổi: kiểm tra ngày sinh và ngày vào Đảng."),
            )
        if a and r and r < a:
            plan.add(n, col["recognized_on"], _("Ngày chính thức trước ngày vào Đảng."))
        if a and r and r > today:
            plan.add(n, col["recognized_on"], _("Ngày chính thức ở tương lai."))
        ref = _text(get(values, "cell"))
        cell = by_ref.get(ref if ref.startswith("#") else _key(ref))
        if cell is None:
            plan.add(
                n,
                col["cell"],
                _("Không tìm thấy chi bộ “%(c)s” trong %(u)s.") % {"c": ref, "u": unit.name},
            )
        eth = _text(get(values, "ethnicity"))
        v["ethnicity"] = ETHNICITY.get(_key(eth), None) if eth else ""
        if v["ethnicity"] is None:
            plan.add(
                n,
                col["ethnicity"],
                _("Dân tộc “%(v)s” không có trong danh mục 54 dân tộc.") % {"v": eth},
            )
        rel = _text(get(values, "religion"))
        v["religion"] = RELIGION.get(_key(rel), "other") if rel else ""
        ident = _text(get(values, "identity_no")).replace(" ", "")
        v["identity_no"], v["identity_type"] = ident, ""
        if ident:
            if ident.isdigit() and len(ident) in (9, 12):
                v["identity_type"] = "cccd" if len(ident) == 12 else "cmnd"
                idents_file[ident].append(n)
            else:
                plan.add(n, col["identity_no"], _("Số CCCD gồm 12 chữ số, CMND cũ 9 chữ số."))
        card = _text(get(values, "card_no")).replace(" ", "")
        v["card_no"] = card
        if card:
            if not card.isdigit():
                plan.add(n, col["card_no"], _("Số thẻ đảng viên chỉ gồm chữ số."))
            cards_file[card].append(n)
        v["biography_no"] = _text(get(values, "biography_no"))
        v["hometown"] = _text(get(values, "hometown"))
        v["residence"] = _text(get(values, "residence"))
        v["position"] = _text(get(values, "position"))
        system, grade, err = parse_education(_text(get(values, "education")))
        if err:
            plan.add(n, col["education"], err)
        v["education_system"], v["education_grade"] = system, grade
        for k, table in (
            ("qualification", QUALIFICATION),
            ("theory_level", THEORY),
            ("occupation_now", OCCUPATION),
        ):
            raw = _text(get(values, k))
            v[k] = table.get(_key(raw)) if raw else ""
            if v[k] is None:
                plan.add(n, col[k], _("Giá trị “%(v)s” không có trong danh mục.") % {"v": raw})
                v[k] = ""
        if len(plan.errors) == errs:
            parsed.append((n, {**v, "_cell": cell}))

    for seen, column, message in (
        (idents_file, "identity_no", _("Số %(i)s lặp lại ở các dòng %(r)s.")),
        (cards_file, "card_no", _("Số thẻ %(i)s lặp lại ở các dòng %(r)s.")),
    ):
        for number, rows in seen.items():
            if len(rows) > 1:
                for n in rows:
                    plan.add(
                        n, col[column], message % {"i": number, "r": ", ".join(map(str, rows))}
                    )
    bad = {e[0] for e in plan.errors}
    # Against the database: numbers held by someone this file does not describe.
    idents = [v["identity_no"] for _n, v in parsed if v["identity_no"]]
    cards = [v["card_no"] for _n, v in parsed if v["card_no"]]
    taken_ident = {}
    taken_card = {}
    for chunk in range(0, len(idents), 5000):
        taken_ident.update(
            # exclude(""): lets PostgreSQL use the partial unique index (identity_no <> '').
            Member.objects.exclude(identity_no="")
            .filter(identity_no__in=idents[chunk : chunk + 5000])
            .values_list("identity_no", "id")
        )
    for chunk in range(0, len(cards), 5000):
        taken_card.update(
            Member.objects.exclude(card_no="")
            .filter(card_no__in=cards[chunk : chunk + 5000])
            .values_list("card_no", "id")
        )

    keys = {}
    wanted = set()
    for n, v in parsed:
        keys[n] = search_key(
            " ".join(x for x in (v["family_name"], v["middle_name"], v["given_name"]) if x)
        )
        if v["identity_no"] in by_identity:
            wanted.add(by_identity[v["identity_no"]])
        pk = by_person.get((keys[n], v["birth_date"], v["_cell"].pk))
        if pk:
            wanted.add(pk)
    full: dict[int, Member] = {}
    wanted_list = list(wanted)
    for chunk in range(0, len(wanted_list), 5000):
        full.update(Member.objects.in_bulk(wanted_list[chunk : chunk + 5000]))
    for n, v in parsed:
        if n in bad:
            continue
        cell = v.pop("_cell")
        key = keys[n]
        match = full.get(by_identity.get(v["identity_no"])) if v["identity_no"] else None
        action = "new"
        if match is None:
            match = full.get(by_person.get((key, v["birth_date"], cell.pk)))
            if match is not None:
                action = "confirm" if not match.identity_no or not v["identity_no"] else "new"
                if action == "new":
                    match = None
        else:
            action = "update"
        if (
            v["identity_no"]
            and v["identity_no"] in taken_ident
            and (match is None or taken_ident[v["identity_no"]] != match.pk)
        ):
            plan.add(
                n,
                col["identity_no"],
                _("Số %(i)s đã thuộc về một đảng viên khác trong hệ thống.")
                % {"i": v["identity_no"]},
            )
            continue
        if (
            v["card_no"]
            and v["card_no"] in taken_card
            and (match is None or taken_card[v["card_no"]] != match.pk)
        ):
            plan.add(
                n,
                col["card_no"],
                _("Số thẻ %(i)s đã thuộc về một đảng viên khác trong hệ thống.")
                % {"i": v["card_no"]},
            )
            continue
        row = PlannedRow(n, action, v, cell_id=cell.pk, member_id=match.pk if match else None)
        if match is not None:
            for f in RECORD_FIELDS:
                old, new = getattr(match, f), v.get(f)
                if new in ("", None):
                    continue  # an empty cell never erases what is recorded
                if old != new:
                    row.changes.append((f, _fmt(old), _fmt(new)))
            for f in ("admitted_on", "recognized_on", "card_no"):
                old, new = getattr(match, f), v.get(f)
                if new not in ("", None) and old != new:
                    row.changes.append((f, _fmt(old), _fmt(new)))
            if match.home_unit_id != cell.pk:
                old_cell = cells_by_id.get(match.home_unit_id)
                if old_cell is None or _org(old_cell) != _org(cell):
                    plan.add(
                        n,
                        col["cell"],
                        _(
                            "Đảng viên đang sinh hoạt ở tổ chức cơ sở khác: chuyển sinh hoạt chính "
                            "thức phải làm thủ tục chuyển, không sửa qua tệp nhập."
                        ),
                    )
                    continue
                row.changes.append(("cell", old_cell.name, cell.name))
            if action == "update" and not row.changes:
                row.action = "unchanged"
        plan.rows.append(row)
    if progress:
        progress(len(sheet.rows), len(sheet.rows))
    plan.errors.sort()
    return plan


# --- commit --------------------------------------------------------------------------------


def _new_member(v: dict, cell: Unit) -> dict:
    """The row of a new member (attribute names), for the bulk insert."""
    full = " ".join(x for x in (v["family_name"], v["middle_name"], v["given_name"]) if x)
    recognized = v["recognized_on"]
    return {
        "family_name": v["family_name"],
        "middle_name": v["middle_name"],
        "given_name": v["given_name"],
        "gender": v["gender"],
        "birth_year": v["birth_date"].year,
        "birth_date": v["birth_date"],
        "admitted_on": v["admitted_on"],
        "recognized_on": recognized,
        "stage": lifecycle.Stage.OFFICIAL if recognized else lifecycle.Stage.PROBATIONARY,
        "activity": lifecycle.Activity.ACTIVE,
        "ended": "",
        "ethnicity": v["ethnicity"],
        "religion": v["religion"],
        "identity_type": v["identity_type"],
        "identity_no": v["identity_no"],
        "card_no": v["card_no"],
        "biography_no": v["biography_no"],
        "hometown": v["hometown"],
        "residence": v["residence"],
        "education_system": v["education_system"],
        "education_grade": v["education_grade"],
        "qualification": v["qualification"],
        "theory_level": v["theory_level"],
        "occupation_now": v["occupation_now"],
        "position": v["position"],
        "search_key": search_key(full),
        "given_key": given_key(v["family_name"], v["middle_name"], v["given_name"]),
        "sort_key": sort_key(v["family_name"], v["middle_name"], v["given_name"]),
        "home_unit_id": cell.pk,
        "province_id": cell.province_id,
        "commune_id": cell.commune_id,
        "grassroots_id": cell.grassroots_id,
    }


def commit(
    plan: Plan,
    *,
    actor,
    decisions: dict[int, str] | None = None,
    progress: Callable[[int, int], None] | None = None,
    batch: int = 5000,
) -> dict:
    """Write the plan: all rows or none. `decisions` answers the rows to confirm: row number →
    "same" (the existing member) or "new" (another person)."""
    from . import services
    from .records import update_record
    from .transfers import transfer_out

    unit = Unit.objects.get(pk=plan.unit_id)
    if actor is not None and not can(actor, "members", unit):
        raise PermissionDenied(_("Bạn không có quyền nhập đảng viên vào tổ chức này."))
    if plan.errors:
        raise ValidationError(_("Tệp còn lỗi: chưa ghi gì."))
    decisions = decisions or {}
    undecided = [
        r.number
        for r in plan.rows
        if r.action == "confirm" and decisions.get(r.number) not in ("same", "new")
    ]
    if undecided:
        raise ValidationError(
            _("Hãy xác nhận các dòng trùng tên và ngày sinh: %(r)s.")
            % {"r": ", ".join(map(str, undecided))}
        )
    today = timezone.localdate()
    cells = Unit.objects.in_bulk({r.cell_id for r in plan.rows})
    new_rows = [
        r
        for r in plan.rows
        if r.action == "new" or (r.action == "confirm" and decisions[r.number] == "new")
    ]
    changed = [
        r
        for r in plan.rows
        if r.action == "update"
        or (r.action == "confirm" and decisions[r.number] == "same" and r.changes)
    ]
    total = len(new_rows) + len(changed)
    done = 0
    with transaction.atomic():
        for start in range(0, len(new_rows), batch):
            chunk = new_rows[start : start + batch]
            ids = bulk.insert(Member, [_new_member(r.values, cells[r.cell_id]) for r in chunk])
            bulk.insert(
                Placement,
                [
                    {
                        "member_id": pk,
                        "unit_id": r.cell_id,
                        "kind": "home",
                        "valid_from": r.values["admitted_on"],
                    }
                    for pk, r in zip(ids, chunk, strict=True)
                ],
            )
            events = []
            for pk, r in zip(ids, chunk, strict=True):
                events.append(
                    {
                        "member_id": pk,
                        "kind": EventKind.ADMISSION,
                        "effective_date": r.values["admitted_on"],
                        "recorded_date": today,
                        "data": {"import": True},
                    }
                )
                if r.values["recognized_on"]:
                    events.append(
                        {
                            "member_id": pk,
                            "kind": EventKind.RECOGNITION,
                            "effective_date": r.values["recognized_on"],
                            "recorded_date": today,
                            "data": {"import": True},
                        }
                    )
            ids_events = bulk.insert(MemberEvent, events)
            bulk.insert(CountDelta, _count_rows(ids, chunk, events))
            if Reconciliation.objects.exists():  # rare at an import: flag late events then
                from .reconciliation import flag

                for e in MemberEvent.objects.filter(pk__in=ids_events):
                    flag(e)
            done += len(chunk)
            if progress:
                progress(done, total)
        for r in changed:
            m = Member.objects.get(pk=r.member_id)
            fields = {f: r.values[f] for f, _o, _n in r.changes if f in RECORD_FIELDS}
            if fields:
                update_record(actor=None, member=m, **fields)
            for f, _old, _new in r.changes:
                if f in ("admitted_on", "recognized_on"):
                    kind = EventKind.ADMISSION if f == "admitted_on" else EventKind.RECOGNITION
                    event = next(
                        (e for e in lifecycle.effective_events(m.events.all()) if e.kind == kind),
                        None,
                    )
                    if event is not None:
                        services.correct_event(
                            actor=None,
                            event=event,
                            effective_date=r.values[f],
                            note=_("Nhập từ Excel"),
                        )
                    else:
                        services.record_event(
                            actor=None, member=m, kind=kind, effective_date=r.values[f]
                        )
                elif f == "card_no":
                    Member.objects.filter(pk=m.pk).update(card_no=r.values["card_no"])
                elif f == "cell":
                    m.refresh_from_db()
                    transfer_out(
                        actor=None,
                        member=m,
                        kind="internal",
                        to_unit=cells[r.cell_id],
                        departed_on=today,
                    )
            done += 1
            if progress and done % 200 == 0:
                progress(done, total)
        summary = {
            "rows": plan.total,
            "created": len(new_rows),
            "updated": len(changed),
            "unchanged": sum(r.action == "unchanged" for r in plan.rows)
            + sum(
                r.action == "confirm" and decisions[r.number] == "same" and not r.changes
                for r in plan.rows
            ),
        }
        record(actor=actor, action="members.import", unit=unit, after=summary)
    if progress:
        progress(total, total)
    return summary


def _count_rows(ids, chunk, events) -> list[dict]:
    """The new members' count rows (aggregates.deltas) from the rows being inserted, without
    reading them back."""
    from types import SimpleNamespace

    from .aggregates import MEASURES, deltas

    by_member: dict[int, list] = {}
    for e in events:
        by_member.setdefault(e["member_id"], []).append(
            SimpleNamespace(id=None, corrects_id=None, **e)
        )
    out = []
    for pk, r in zip(ids, chunk, strict=True):
        place = [(r.cell_id, r.values["admitted_on"], None)]
        woman = r.values.get("gender") == "f"
        for (unit_id, day), vec in deltas(place, by_member[pk], woman).items():
            out.append(
                {
                    "member_id": pk,
                    "unit_id": unit_id,
                    "day": day,
                    **dict(zip(MEASURES, vec, strict=True)),
                }
            )
    return out


def template(unit: Unit) -> bytes:
    """The template: our headers, one example row, and the unit's cells to choose from."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "Đảng viên"
    ws.append([h for _k, h, _r in FIELDS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    cells = list(
        Unit.objects.filter(
            path__startswith=unit.path, kind__in=CELL_KINDS, valid_to__isnull=True
        ).order_by("path")
    )
    example = cells[0].name if cells else "Chi bộ …"
    ws.append(
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
    for i in range(1, len(FIELDS) + 1):
        ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = 20
    ref = wb.create_sheet("Chi bộ")
    ref.append(["Chi bộ (ghi đúng tên, hoặc mã #số)", "Mã"])
    for cell in cells:
        ref.append([cell.name, f"#{cell.pk}"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
