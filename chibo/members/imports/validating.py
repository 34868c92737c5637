"""Checking a member roll row by row and against the database → a plan (new / unchanged /
changed / to confirm) with errors by row and column in Vietnamese.

- Dates: dd/mm/yyyy text, ISO text, real Excel dates and Excel serial numbers; a two-digit year
  is reported, never guessed.
- Names in NFC or NFD are the same name (ICU keys).
- Identity and card numbers must be unique in the file and against the database.
- A row matches an existing member by identity number, else by name + birth date + cell (shown
  for confirmation). Re-importing the same file changes nothing. A changed record field is an
  update; a changed lifecycle fact (admission or recognition date) becomes a correcting event,
  and a changed cell an internal transfer, both previewed; never an overwrite.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.core.text import search_key
from chibo.org.choices import CELL_KINDS
from chibo.org.models import Unit

from .. import choices as c
from .. import rules
from ..models import Member
from .reading import LABELS, Sheet, _key


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
