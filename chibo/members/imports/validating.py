"""Checking a member roll row by row and against the database → a plan (new / unchanged /
changed / to confirm) with errors by row and column in Vietnamese.

- Each row goes through ROW_CHECKS (formulas, name, sex, dates, the age at admission by the
  admission rule in force that day, cell, ethnic group, …), then every row — errors or not —
  against the database.
- An identity number recorded for a member matches that member only when the row is the same
  person (same_person: the name's search key and the birth date, or its year where the record
  has only a year) living in the unit's cells; otherwise it is an error that names the holder
  only if the importing user's scope covers them.
- Without such a number a row may describe a member of its cell by name and birth: shown for
  confirmation. Re-importing the same file changes nothing. A changed record field is an
  update; a changed lifecycle fact (admission or recognition date) becomes a correcting event,
  and a changed cell an internal transfer, all previewed in words; never an overwrite.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from chibo.core.text import search_key
from chibo.org.choices import CELL_KINDS
from chibo.org.models import Unit

from .. import choices as c
from .. import rules
from ..models import Member
from .reading import LABELS, Sheet, _key, _text, cell_name, parse_date, parse_education, split_name


def _lookup(pairs) -> dict[str, str]:
    out = {}
    for value, label in pairs:
        out[_key(value)] = value
        out[_key(str(label))] = value
    return out


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


# --- the plan ------------------------------------------------------------------------------


@dataclass
class PlannedRow:
    number: int
    action: str  # new | unchanged | update | confirm
    values: dict
    cell_id: int | None = None
    member_id: int | None = None
    # (field, old, new), the values in words as the preview shows them.
    changes: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass
class Plan:
    unit_id: int
    total: int = 0
    rows: list[PlannedRow] = field(default_factory=list)
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # (row, column, message)
    # What was read in a way the user should know of (a formula's stored result): not errors.
    notes: list[tuple[int, str, str]] = field(default_factory=list)

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


def _shown(value) -> str:
    """A cell's value as the user wrote it (a date as dd/mm/yyyy)."""
    return _fmt(value) if isinstance(value, dt.date) else _text(value)


def _words(name: str, value) -> str:
    """A record field's value as the preview shows it: the label of its choice ("Nữ", not
    "f"; "Mông", not "08"), a date as dd/mm/yyyy, "" for nothing."""
    if value in ("", None):
        return ""
    try:
        choices = dict(Member._meta.get_field(name).flatchoices)
    except FieldDoesNotExist:
        choices = {}
    return str(choices.get(value, _fmt(value)))


def _org(unit: Unit) -> int:
    return unit.grassroots_id or unit.commune_id or unit.pk


# --- checks of one row -----------------------------------------------------------------------


@dataclass
class _Row:
    """One row of the sheet as it is checked: its number, its cells and what was read."""

    number: int
    cells: list
    v: dict = field(default_factory=dict)
    cell: Unit | None = None
    # Columns already reported for what their cell holds (a formula without a result): the
    # later checks read nothing there and say nothing more about them.
    blocked: set[str] = field(default_factory=set)
    failed: set[str] = field(default_factory=set)  # columns with an error
    match: int | None = None  # the member the row describes
    action: str = "new"  # new | update (by identity number) | confirm (by name and birth)


class _Checks:
    """What the checks of one validation share: the mapping, the unit's cells, today, the plan
    that collects the errors, and the numbers seen so far in the file."""

    def __init__(
        self, sheet: Sheet, mapping: dict[str, int], unit: Unit, today: dt.date, user
    ) -> None:
        self.sheet, self.mapping, self.unit = sheet, mapping, unit
        self.today, self.user = today, user
        self.plan = Plan(unit_id=unit.pk, total=len(sheet.rows))
        self.cells = list(
            Unit.objects.filter(
                path__startswith=unit.path, kind__in=CELL_KINDS, valid_to__isnull=True
            )
        )
        self.cells_by_id = {cell.pk: cell for cell in self.cells}
        self.by_ref: dict[str, Unit] = {}
        for cell in self.cells:
            self.by_ref[f"#{cell.pk}"] = cell
            if cell.code:
                self.by_ref[_key(cell.code)] = cell
            self.by_ref.setdefault(_key(cell.name), cell)
        # Row numbers per identity / card number, to report the numbers a file repeats.
        self.idents_file: dict[str, list[int]] = defaultdict(list)
        self.cards_file: dict[str, list[int]] = defaultdict(list)
        self.params = rules.DatedParams()  # the rules in force on each row's dates
        # Formulas by row, and the field each imported column holds.
        self.formulas: dict[int, list] = defaultdict(list)
        for (n, i), f in sheet.formulas.items():
            self.formulas[n].append((i, f))
        self.field_at = {i: k for k, i in mapping.items()}

    def get(self, r: _Row, k: str):
        i = self.mapping.get(k)
        if i is None or i >= len(r.cells) or k in r.blocked:
            return None
        return r.cells[i]

    def error(self, r: _Row, k: str, message: str) -> None:
        r.failed.add(k)
        if k not in r.blocked:
            self.plan.add(r.number, LABELS[k], message)

    def has_error(self, r: _Row, k: str) -> bool:
        return k in r.failed


def _check_formulas(ck: _Checks, r: _Row) -> None:
    """A formula in an imported column: its stored result is used and said so; without one
    (a file never saved by Excel) or with an error for result, the cell is reported as what it
    is, not as missing."""
    for i, f in ck.formulas.get(r.number, ()):
        k = ck.field_at.get(i)
        if k is None:
            continue  # a column not imported: its formulas are not ours
        where = {"c": cell_name(r.number, i), "f": f.text}
        if f.error:
            ck.error(
                r,
                k,
                _(
                    "Ô %(c)s chứa công thức “%(f)s” cho kết quả lỗi %(e)s: sửa công thức "
                    "hoặc ghi giá trị."
                )
                % {**where, "e": f.error},
            )
        elif not f.stored:
            ck.error(
                r,
                k,
                _(
                    "Ô %(c)s chứa công thức “%(f)s” mà tệp không lưu kết quả (tệp chưa được "
                    "lưu bằng Excel, hoặc công thức cho kết quả trống): mở tệp bằng Excel rồi "
                    "lưu lại, hoặc thay công thức bằng giá trị."
                )
                % where,
            )
        else:
            ck.plan.notes.append(
                (
                    r.number,
                    LABELS[k],
                    _("Ô %(c)s chứa công thức “%(f)s”: dùng kết quả đã lưu “%(v)s”.")
                    % {**where, "v": _shown(r.cells[i] if i < len(r.cells) else None)},
                )
            )
            continue
        r.blocked.add(k)


def _check_name(ck: _Checks, r: _Row) -> None:
    name = _text(ck.get(r, "full_name"))
    if not name:
        ck.error(r, "full_name", _("Thiếu họ tên."))
    r.v["family_name"], r.v["middle_name"], r.v["given_name"] = (
        split_name(name) if name else ("", "", "")
    )


def _check_gender(ck: _Checks, r: _Row) -> None:
    g = GENDER.get(_key(ck.get(r, "gender")))
    if g is None:
        ck.error(r, "gender", _("Giới tính ghi “Nam” hoặc “Nữ”."))
    r.v["gender"] = g


def _check_dates(ck: _Checks, r: _Row) -> None:
    for k in ("birth_date", "admitted_on", "recognized_on"):
        d, err = parse_date(ck.get(r, k))
        if err:
            ck.error(r, k, err)
        r.v[k] = d
    if r.v["birth_date"] is None and not ck.has_error(r, "birth_date"):
        ck.error(r, "birth_date", _("Thiếu ngày sinh."))
    if r.v["admitted_on"] is None and not ck.has_error(r, "admitted_on"):
        ck.error(r, "admitted_on", _("Thiếu ngày vào Đảng."))
    b, a, rec = r.v["birth_date"], r.v["admitted_on"], r.v["recognized_on"]
    if b and (b > ck.today or b.year < 1890):
        ck.error(r, "birth_date", _("Ngày sinh không hợp lý."))
    if a and a > ck.today:
        ck.error(r, "admitted_on", _("Ngày vào Đảng ở tương lai."))
    if a and rec and rec < a:
        ck.error(r, "recognized_on", _("Ngày chính thức trước ngày vào Đảng."))
    if a and rec and rec > ck.today:
        ck.error(r, "recognized_on", _("Ngày chính thức ở tương lai."))


def _check_admission_age(ck: _Checks, r: _Row) -> None:
    """By the admission service's own rule (rules.admission_age), in force on the admission
    day. The roll gives the ceremony's date, not the consideration's (a few weeks earlier): a
    member admitted just after their birthday may pass here and not at the cell."""
    b, a = r.v["birth_date"], r.v["admitted_on"]
    if not (b and a):
        return
    if b >= a:
        ck.error(r, "admitted_on", _("Ngày vào Đảng phải sau ngày sinh."))
        return
    age = rules.admission_age(b, a, get=ck.params.get)
    if not age.ok:
        years, months = divmod(age.months, 12)
        ck.error(
            r,
            "admitted_on",
            _(
                "Vào Đảng ngày %(d)s khi chưa đủ %(n)d tuổi (mới %(y)d tuổi %(m)d tháng): kiểm "
                "tra ngày sinh và ngày vào Đảng."
            )
            % {"d": _fmt(a), "n": age.minimum_years, "y": years, "m": months},
        )


def _check_cell(ck: _Checks, r: _Row) -> None:
    ref = _text(ck.get(r, "cell"))
    r.cell = ck.by_ref.get(ref if ref.startswith("#") else _key(ref))
    if r.cell is None:
        ck.error(
            r,
            "cell",
            _("Không tìm thấy chi bộ “%(c)s” trong %(u)s.") % {"c": ref, "u": ck.unit.name},
        )


def _check_ethnicity(ck: _Checks, r: _Row) -> None:
    eth = _text(ck.get(r, "ethnicity"))
    r.v["ethnicity"] = c.ethnicity_code(eth) if eth else ""
    if r.v["ethnicity"] is None:
        ck.error(
            r, "ethnicity", _("Dân tộc “%(v)s” không có trong danh mục 54 dân tộc.") % {"v": eth}
        )


def _check_religion(ck: _Checks, r: _Row) -> None:
    rel = _text(ck.get(r, "religion"))
    r.v["religion"] = RELIGION.get(_key(rel), "other") if rel else ""


def _check_identity(ck: _Checks, r: _Row) -> None:
    ident = _text(ck.get(r, "identity_no")).replace(" ", "")
    r.v["identity_no"], r.v["identity_type"] = ident, ""
    if ident:
        if ident.isdigit() and len(ident) in (9, 12):
            r.v["identity_type"] = "cccd" if len(ident) == 12 else "cmnd"
            ck.idents_file[ident].append(r.number)
        else:
            ck.error(r, "identity_no", _("Số CCCD gồm 12 chữ số, CMND cũ 9 chữ số."))


def _check_card(ck: _Checks, r: _Row) -> None:
    card = _text(ck.get(r, "card_no")).replace(" ", "")
    r.v["card_no"] = card
    if card:
        if not card.isdigit():
            ck.error(r, "card_no", _("Số thẻ đảng viên chỉ gồm chữ số."))
        ck.cards_file[card].append(r.number)


def _check_texts(ck: _Checks, r: _Row) -> None:
    for k in ("biography_no", "hometown", "residence", "position"):
        r.v[k] = _text(ck.get(r, k))


def _check_education(ck: _Checks, r: _Row) -> None:
    system, grade, err = parse_education(_text(ck.get(r, "education")))
    if err:
        ck.error(r, "education", err)
    r.v["education_system"], r.v["education_grade"] = system, grade


def _check_levels(ck: _Checks, r: _Row) -> None:
    for k, table in (
        ("qualification", QUALIFICATION),
        ("theory_level", THEORY),
        ("occupation_now", OCCUPATION),
    ):
        raw = _text(ck.get(r, k))
        r.v[k] = table.get(_key(raw)) if raw else ""
        if r.v[k] is None:
            ck.error(r, k, _("Giá trị “%(v)s” không có trong danh mục.") % {"v": raw})
            r.v[k] = ""


# In this order: a later check may read what an earlier one parsed (the age needs the dates).
ROW_CHECKS: tuple[Callable[[_Checks, _Row], None], ...] = (
    _check_formulas,
    _check_name,
    _check_gender,
    _check_dates,
    _check_admission_age,
    _check_cell,
    _check_ethnicity,
    _check_religion,
    _check_identity,
    _check_card,
    _check_texts,
    _check_education,
    _check_levels,
)


# --- checks across the file and against the database -------------------------------------


def _check_repeats(ck: _Checks) -> None:
    """Numbers the file gives to more than one row."""
    for seen, k, message in (
        (ck.idents_file, "identity_no", _("Số %(i)s lặp lại ở các dòng %(r)s.")),
        (ck.cards_file, "card_no", _("Số thẻ %(i)s lặp lại ở các dòng %(r)s.")),
    ):
        for number, rows in seen.items():
            if len(rows) > 1:
                for n in rows:
                    ck.plan.add(
                        n, LABELS[k], message % {"i": number, "r": ", ".join(map(str, rows))}
                    )


def same_person(
    key: str,
    birth: dt.date | None,
    other_key: str,
    other_birth: dt.date | None,
    other_year: int | None,
) -> bool:
    """Whether a row (its name's search key and birth date) describes a recorded member: the
    same key (case, accents and NFC/NFD aside) and the same birth date — the same birth year
    where the record keeps only the year. A row without a birth date confirms no one."""
    if not key or key != other_key or birth is None:
        return False
    if other_birth is not None:
        return birth == other_birth
    return other_year is not None and birth.year == other_year


OUT_OF_SCOPE = _lazy("Số định danh đã được dùng cho một đảng viên ngoài phạm vi của bạn")


@dataclass(frozen=True)
class _Holder:
    """A recorded member holding a number the file brings (only what the checks read)."""

    pk: int
    key: str
    birth: dt.date | None
    year: int | None
    home_unit_id: int | None
    ended: str
    name: str

    @property
    def born(self) -> str:
        return _fmt(self.birth) if self.birth else _("năm %(y)s") % {"y": self.year}


def _holders(field_name: str, numbers: list[str]) -> dict[str, _Holder]:
    """number → the member holding it, for the numbers already in the database (anywhere)."""
    out: dict[str, _Holder] = {}
    for chunk in range(0, len(numbers), 5000):
        for number, *rest, family, middle, given in (
            # exclude(""): lets PostgreSQL use the partial unique index (<> '').
            Member.objects.exclude(**{field_name: ""})
            .filter(**{f"{field_name}__in": numbers[chunk : chunk + 5000]})
            .values_list(
                field_name,
                "id",
                "search_key",
                "birth_date",
                "birth_year",
                "home_unit_id",
                "ended",
                "family_name",
                "middle_name",
                "given_name",
            )
        ):
            name = " ".join(x for x in (family, middle, given) if x)
            out[number] = _Holder(*rest, name)
    return out


def _visible(user, pks: set[int]) -> set[int]:
    """The members among `pks` the user may read (the one read gate)."""
    out: set[int] = set()
    ids = list(pks)
    for chunk in range(0, len(ids), 5000):
        out.update(
            Member.objects.restrict(user, "view")
            .filter(pk__in=ids[chunk : chunk + 5000])
            .values_list("pk", flat=True)
        )
    return out


def _row_key(v: dict) -> str:
    return search_key(
        " ".join(x for x in (v["family_name"], v["middle_name"], v["given_name"]) if x)
    )


def _people(ck: _Checks) -> dict[tuple[str, int], list[tuple]]:
    """(name key, cell) → (member, birth date, birth year, identity number) of the members
    living in the unit's cells: whom a row without a matching identity number may describe."""
    out: dict[tuple[str, int], list[tuple]] = defaultdict(list)
    for pk, key, birth, year, home, ident in Member.objects.filter(
        home_unit__in=ck.cells, ended=""
    ).values_list("id", "search_key", "birth_date", "birth_year", "home_unit_id", "identity_no"):
        out[(key, home)].append((pk, birth, year, ident))
    return out


def _check_against_database(ck: _Checks, rows: list[_Row]) -> None:
    """Every row, whatever else is wrong with it. An identity number recorded for a member
    matches that member only when the row describes the same person (same_person) living in
    the unit's cells; otherwise it is an error that names the holder if the user may read them
    and only says the number is taken if not. A row without such a number may describe a member
    of its cell by name and birth (to confirm). A card number held by another member is an
    error. Sets each row's match and action."""
    holders = _holders(
        "identity_no", [r.v["identity_no"] for r in rows if r.v.get("identity_type")]
    )
    cards = _holders("card_no", [r.v["card_no"] for r in rows if r.v.get("card_no")])
    visible = _visible(ck.user, {h.pk for h in holders.values()})
    people = _people(ck)
    for r in rows:
        key, birth, ident = _row_key(r.v), r.v.get("birth_date"), r.v.get("identity_no", "")
        holder = holders.get(ident) if r.v.get("identity_type") else None
        if holder is not None:
            _match_by_identity(ck, r, holder, key, visible)
        elif r.cell is not None:
            for pk, b, year, theirs in people.get((key, r.cell.pk), ()):
                if same_person(key, birth, key, b, year):
                    # Two different identity numbers are two people of the same name and birth.
                    if not (ident and theirs):
                        r.match, r.action = pk, "confirm"
                    break
        card = cards.get(r.v.get("card_no", ""))
        if card is not None and card.pk != r.match:
            ck.error(
                r,
                "card_no",
                _("Số thẻ %(i)s đã thuộc về một đảng viên khác trong hệ thống.")
                % {"i": r.v["card_no"]},
            )


def _match_by_identity(ck: _Checks, r: _Row, holder: _Holder, key: str, visible: set) -> None:
    facts = {"i": r.v["identity_no"], "n": holder.name, "b": holder.born, "u": ck.unit.name}
    if holder.pk not in visible:
        ck.error(r, "identity_no", str(OUT_OF_SCOPE))
    elif not same_person(key, r.v.get("birth_date"), holder.key, holder.birth, holder.year):
        ck.error(
            r,
            "identity_no",
            _(
                "Số định danh %(i)s đã được dùng cho đảng viên %(n)s (sinh %(b)s): họ tên hoặc "
                "ngày sinh ở dòng này khác, nên đây không phải cùng một người. Kiểm tra lại số "
                "định danh."
            )
            % facts,
        )
    elif holder.home_unit_id not in ck.cells_by_id or holder.ended:
        ck.error(
            r,
            "identity_no",
            _(
                "Số định danh %(i)s là của đảng viên %(n)s (sinh %(b)s), người không đang sinh "
                "hoạt ở %(u)s: đảng viên chuyển đến phải làm thủ tục chuyển sinh hoạt, không "
                "nhập qua tệp."
            )
            % facts,
        )
    else:
        r.match, r.action = holder.pk, "update"


def _plan_rows(ck: _Checks, rows: list[_Row]) -> None:
    """The rows without errors, each with the changes it brings to the member it matched."""
    bad = {e[0] for e in ck.plan.errors}
    clean = [r for r in rows if r.number not in bad]
    wanted = [r.match for r in clean if r.match]
    full: dict[int, Member] = {}
    for chunk in range(0, len(wanted), 5000):
        full.update(Member.objects.in_bulk(wanted[chunk : chunk + 5000]))
    for r in clean:
        n, v, cell = r.number, r.v, r.cell
        match = full.get(r.match) if r.match else None
        row = PlannedRow(n, r.action, v, cell_id=cell.pk, member_id=r.match)
        if match is not None:
            for f in RECORD_FIELDS:
                old, new = getattr(match, f), v.get(f)
                if new in ("", None):
                    continue  # an empty cell never erases what is recorded
                if old != new:
                    row.changes.append((f, _words(f, old), _words(f, new)))
            for f in ("admitted_on", "recognized_on", "card_no"):
                old, new = getattr(match, f), v.get(f)
                if new not in ("", None) and old != new:
                    row.changes.append((f, _words(f, old), _words(f, new)))
            if match.home_unit_id != cell.pk:
                old_cell = ck.cells_by_id.get(match.home_unit_id)
                if old_cell is None or _org(old_cell) != _org(cell):
                    ck.plan.add(
                        n,
                        LABELS["cell"],
                        _(
                            "Đảng viên đang sinh hoạt ở tổ chức cơ sở khác: chuyển sinh hoạt chính "
                            "thức phải làm thủ tục chuyển, không sửa qua tệp nhập."
                        ),
                    )
                    continue
                row.changes.append(("cell", old_cell.name, cell.name))
            if r.action == "update" and not row.changes:
                row.action = "unchanged"
        ck.plan.rows.append(row)


def validate(
    sheet: Sheet,
    mapping: dict[str, int],
    unit: Unit,
    *,
    user,
    today: dt.date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Plan:
    """Check every row of `sheet` (read with `mapping`) for an import into `unit`'s cells by
    `user` (whose scope decides whom an error may name)."""
    ck = _Checks(sheet, mapping, unit, today or timezone.localdate(), user)
    if not sheet.rows:
        ck.plan.add(
            sheet.header_row,
            "",
            _("Không có dòng đảng viên nào dưới dòng tên cột (dòng %(n)d): chưa ghi gì.")
            % {"n": sheet.header_row},
        )
    rows = []
    for i, (n, cells) in enumerate(sheet.rows):
        if progress and i % 2000 == 0:
            progress(i, len(sheet.rows))
        r = _Row(n, cells)
        for check in ROW_CHECKS:
            check(ck, r)
        rows.append(r)
    _check_repeats(ck)
    _check_against_database(ck, rows)
    _plan_rows(ck, rows)
    if progress:
        progress(len(sheet.rows), len(sheet.rows))
    ck.plan.errors.sort()
    ck.plan.notes.sort()
    return ck.plan


# --- the plan as stored on the job (members.ImportJob.plan) ---------------------------------


def _dump(v):
    if isinstance(v, dt.date):
        return {"$date": v.isoformat()}
    return v


def _load(v):
    if isinstance(v, dict) and set(v) == {"$date"}:
        return dt.date.fromisoformat(v["$date"])
    return v


def plan_to_json(plan: Plan) -> dict:
    """The plan as JSON for the job's row (dates tagged, so they come back as dates)."""
    return {
        "unit_id": plan.unit_id,
        "total": plan.total,
        "rows": [
            [
                r.number,
                r.action,
                {k: _dump(v) for k, v in r.values.items()},
                r.cell_id,
                r.member_id,
                [list(ch) for ch in r.changes],
            ]
            for r in plan.rows
        ],
        "errors": [list(e) for e in plan.errors],
        "notes": [list(e) for e in plan.notes],
    }


def plan_from_json(data: dict) -> Plan:
    return Plan(
        unit_id=data["unit_id"],
        total=data["total"],
        rows=[
            PlannedRow(
                number,
                action,
                {k: _load(v) for k, v in values.items()},
                cell_id=cell_id,
                member_id=member_id,
                changes=[tuple(ch) for ch in changes],
            )
            for number, action, values, cell_id, member_id, changes in data["rows"]
        ],
        errors=[tuple(e) for e in data["errors"]],
        notes=[tuple(e) for e in data["notes"]],
    )
