"""The historical import of ratings (issue 12, point 9): an Excel sheet of old results — year,
organization, member (name and birth) or none for the organization itself, the label in the
words of that year, or a reason it was not rated, and the decision — checked row by row into a
plan, then written all or nothing through `history.record_rating` (the label verbatim, its
version, the mapping to today's levels).

Each row is read in the tree of its own year: the organization is looked up by its name of
31/12 of that year among the units under the import's unit on that day, the member among the
people placed in that organization at some time of that year. Nothing is written while a row
has an error; the errors name the row and column as Excel shows them."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.audit.services import record as audit
from chibo.core.scope import can
from chibo.core.text import search_key
from chibo.members.imports.reading import Sheet, _key, _text, cell_name, parse_date, read
from chibo.members.models import Member, Placement
from chibo.org.models import Unit, UnitAncestry, UnitVersion, in_force
from chibo.org.selectors import lineage_of

from .. import packs
from ..choices import NotRated, Source
from ..models import Rating
from .history import record_rating, resolve_label

# (key, header of our template, required)
FIELDS: list[tuple[str, str, bool]] = [
    ("year", "Năm", True),
    ("unit", "Tổ chức đảng", True),
    ("full_name", "Họ và tên", False),
    ("birth", "Ngày sinh", False),
    ("label", "Xếp loại", False),
    ("not_rated", "Lý do không xếp loại", False),
    ("decision_no", "Số quyết định", False),
    ("decided_on", "Ngày quyết định", False),
    ("issuer", "Cấp quyết định", False),
]
LABELS = {k: h for k, h, _r in FIELDS}
ALIASES = {
    "year": ["nam danh gia", "nam xep loai"],
    "unit": ["chi bo", "to chuc", "ten to chuc", "dang bo, chi bo", "to chuc co so dang"],
    "full_name": ["ho ten", "ho va ten dang vien", "dang vien"],
    "birth": ["ngay thang nam sinh", "nam sinh"],
    "label": ["muc xep loai", "ket qua xep loai", "xep loai chat luong", "ket qua"],
    "not_rated": ["khong xep loai", "ly do"],
    "decision_no": ["so qd", "quyet dinh so"],
    "decided_on": ["ngay qd", "ngay ky"],
    "issuer": ["cap quyet dinh", "co quan quyet dinh"],
}
HEADERS = {_key(h): k for k, h, _r in FIELDS}
HEADERS.update({_key(a): k for k, names in ALIASES.items() for a in names})
# The words of a reason not to rate, as records write them.
NOT_RATED_WORDS = {
    _key("miễn"): NotRated.EXEMPT,
    _key("miễn sinh hoạt"): NotRated.EXEMPT,
    _key("miễn đánh giá"): NotRated.EXEMPT,
    _key("đình chỉ"): NotRated.SUSPENDED,
    _key("đình chỉ sinh hoạt"): NotRated.SUSPENDED,
    _key("đảng viên mới"): NotRated.NEW_MEMBER,
    _key("mới kết nạp"): NotRated.NEW_MEMBER,
    _key("mới thành lập"): NotRated.NEW_COLLECTIVE,
    _key("tổ chức mới thành lập"): NotRated.NEW_COLLECTIVE,
    _key("khác"): NotRated.OTHER,
}
NOT_RATED_WORDS.update({_key(str(label)): value for value, label in NotRated.choices})
NOT_RATED_WORDS.update({_key(value): value for value in NotRated.values})


@dataclass
class PlannedRating:
    row: int
    year: int
    unit_id: int
    unit_name: str
    member_id: int | None
    member_name: str
    label: str
    level: str
    not_rated: str
    decision_no: str
    decided_on: dt.date
    issuer: str


@dataclass
class Plan:
    rows: list[PlannedRating] = field(default_factory=list)
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # (row, cell, message)
    missing: list[str] = field(default_factory=list)  # required columns not found

    @property
    def ok(self) -> bool:
        return not self.errors and not self.missing and bool(self.rows)

    def summary(self) -> list[tuple[int, str, str, int]]:
        """(year, "Đảng viên"/"Tổ chức", label or reason, count), in order."""
        c = Counter(
            (
                r.year,
                _("Đảng viên") if r.member_id else _("Tổ chức"),
                r.label or str(NotRated(r.not_rated).label),
            )
            for r in self.rows
        )
        return [(y, s, lab, n) for (y, s, lab), n in sorted(c.items())]


def _columns(sheet: Sheet) -> dict[str, int]:
    found: dict[str, int] = {}
    for i, h in enumerate(sheet.headers):
        k = HEADERS.get(_key(h))
        if k and k not in found:
            found[k] = i
    return found


class _Tree:
    """The units under the import's unit — or under one of its lineage predecessors, whose
    records a merged commune carries — on 31/12 of each year, by their name of that day."""

    def __init__(self, root):
        self.roots = lineage_of(root.pk)
        self._years: dict[int, dict[str, list[tuple[int, str]]]] = {}

    def find(self, year: int, name: str) -> list[tuple[int, str]]:
        if year not in self._years:
            on = dt.date(year, 12, 31)
            ids = UnitAncestry.objects.filter(in_force(on), ancestor_id__in=self.roots).values(
                "unit_id"
            )
            names: dict[str, list[tuple[int, str]]] = defaultdict(list)
            for v in UnitVersion.objects.filter(in_force(on), unit_id__in=ids):
                names[search_key(v.name)].append((v.unit_id, v.name))
            self._years[year] = names
        return self._years[year].get(search_key(name), [])


def _members_of(unit_id: int, year: int) -> dict[str, list[Member]]:
    """People placed in the unit at some time of the year, by the search key of their name."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    ids = Placement.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=start),
        unit_id=unit_id,
        kind=Placement.Kind.HOME,
        valid_from__lte=end,
    ).values("member_id")
    out: dict[str, list[Member]] = defaultdict(list)
    for m in Member.objects.filter(pk__in=ids):
        out[search_key(f"{m.family_name} {m.middle_name} {m.given_name}")].append(m)
    return out


def _born(m: Member, birth) -> bool:
    if isinstance(birth, int):
        return m.birth_year == birth
    return m.birth_date == birth or (m.birth_date is None and m.birth_year == birth.year)


def read_sheet(file) -> Sheet:
    """The sheet with its column names on the first of its top rows that names two of ours (a
    title often stands above them); the roll's reader alone knows only the roll's columns."""
    sheet = read(file)
    if len(_columns(sheet)) >= 2:
        return sheet
    for n, _text_of_row in sheet.top:
        other = read(file, header_row=n)
        if len(_columns(other)) >= 2:
            return other
    return sheet


def plan(sheet: Sheet, root, *, actor, today: dt.date | None = None) -> Plan:
    """Every row checked; nothing is written. `root` is the unit the import is for."""
    today = today or timezone.localdate()
    out = Plan()
    cols = _columns(sheet)
    out.missing = [LABELS[k] for k, _h, req in FIELDS if req and k not in cols]
    if out.missing:
        return out
    if "label" not in cols and "not_rated" not in cols:
        out.missing = [LABELS["label"]]
        return out
    tree = _Tree(root)
    people: dict[tuple[int, int], dict[str, list[Member]]] = {}
    seen: dict[tuple[int, str, int], int] = {}

    def err(n: int, k: str, message: str) -> None:
        out.errors.append((n, cell_name(n, cols[k]), message))

    def get(values, k: str) -> str:
        i = cols.get(k)
        return _text(values[i]) if i is not None and i < len(values) else ""

    for n, values in sheet.rows:
        before = len(out.errors)
        year_text = get(values, "year")
        year = int(year_text) if year_text.isdigit() else None
        if year is None or not 1930 <= year <= today.year:
            err(n, "year", _("Năm không hợp lệ: “%(v)s”.") % {"v": year_text})
            continue
        if year == today.year and today < dt.date(year, 12, 1):
            err(n, "year", _("Năm %(y)s chưa đến kỳ đánh giá.") % {"y": year})
            continue
        pack = packs.for_year(year)
        name = get(values, "unit")
        found = tree.find(year, name) if name else []
        if len(found) != 1:
            message = (
                _("Không có tổ chức “%(v)s” thuộc %(root)s năm %(y)s.")
                if not found
                else _("Có %(k)d tổ chức tên “%(v)s” năm %(y)s: hãy ghi rõ hơn.")
            )
            err(n, "unit", message % {"v": name, "root": root.name, "y": year, "k": len(found)})
            continue
        unit_id, unit_name = found[0]
        on = dt.date(year, 12, 31)
        if not can(actor, "change", Unit(pk=unit_id), on=on):
            err(
                n,
                "unit",
                _("Bạn không có quyền ghi kết quả của %(u)s năm %(y)s.")
                % {"u": unit_name, "y": year},
            )
            continue
        member, member_name = None, get(values, "full_name")
        if member_name:
            key = (unit_id, year)
            if key not in people:
                people[key] = _members_of(unit_id, year)
            candidates = people[key].get(search_key(member_name), [])
            birth_raw = values[cols["birth"]] if "birth" in cols else None
            birth, bad = (None, None)
            if isinstance(birth_raw, int | float) and 1890 <= birth_raw <= today.year:
                birth = int(birth_raw)
            else:
                birth, bad = parse_date(birth_raw)
            if bad:
                err(n, "birth", bad)
                continue
            if birth is not None:
                candidates = [m for m in candidates if _born(m, birth)]
            if len(candidates) != 1:
                err(
                    n,
                    "full_name",
                    (
                        _("Không có đảng viên “%(v)s” sinh hoạt ở %(u)s năm %(y)s.")
                        if not candidates
                        else _("Có %(k)d đảng viên tên “%(v)s” ở %(u)s: hãy ghi ngày sinh.")
                    )
                    % {"v": member_name, "u": unit_name, "y": year, "k": len(candidates)},
                )
                continue
            member = candidates[0]
        subject = packs.MEMBER if member else packs.ORG
        label_text, reason_text = get(values, "label"), get(values, "not_rated")
        label = level = reason = ""
        if bool(label_text) == bool(reason_text):
            k = "label" if "label" in cols else "not_rated"
            err(n, k, _("Hãy ghi mức xếp loại hoặc lý do không xếp loại (một trong hai)."))
            continue
        if label_text:
            try:
                lab = resolve_label(pack, subject, label_text)
            except ValidationError as exc:
                err(n, "label", exc.messages[0])
                continue
            label, level = lab.text, lab.level
        else:
            reason = NOT_RATED_WORDS.get(_key(reason_text), "")
            if not reason:
                err(
                    n,
                    "not_rated",
                    _("Lý do không xếp loại không rõ: “%(v)s”.") % {"v": reason_text},
                )
                continue
            if reason == NotRated.SUSPENDED and reason not in pack.not_rated:
                err(
                    n,
                    "not_rated",
                    _("Năm %(y)s (%(p)s) chưa có trường hợp “đình chỉ sinh hoạt: không xếp loại”.")
                    % {"y": year, "p": pack.title},
                )
                continue
        decided_on, bad = (
            parse_date(values[cols["decided_on"]]) if "decided_on" in cols else (None, None)
        )
        if bad:
            err(n, "decided_on", bad)
            continue
        decided_on = decided_on or on
        if decided_on.year < year or decided_on > today:
            err(n, "decided_on", _("Ngày quyết định phải sau năm đánh giá và không ở tương lai."))
            continue
        number, issuer = get(values, "decision_no"), get(values, "issuer")
        if len(number) > 80 or len(issuer) > 255:
            k = "decision_no" if len(number) > 80 else "issuer"
            err(n, k, _("Quá dài: số quyết định tối đa 80 ký tự, cấp quyết định 255 ký tự."))
            continue
        subject_key = (year, subject, member.pk if member else unit_id)
        if subject_key in seen:
            err(
                n,
                "year",
                _("Trùng với dòng %(r)d: một kết quả mỗi năm.") % {"r": seen[subject_key]},
            )
            continue
        seen[subject_key] = n
        existing = Rating.objects.filter(year=year, current=True)
        existing = (
            existing.filter(member=member)
            if member
            else existing.filter(unit_id=unit_id, member=None)
        )
        if existing.exists():
            err(n, "year", _("Năm %(y)s đã có kết quả xếp loại trong hệ thống.") % {"y": year})
            continue
        if len(out.errors) == before:
            out.rows.append(
                PlannedRating(
                    row=n,
                    year=year,
                    unit_id=unit_id,
                    unit_name=unit_name,
                    member_id=member.pk if member else None,
                    member_name=member_name,
                    label=label,
                    level=level,
                    not_rated=reason,
                    decision_no=number,
                    decided_on=decided_on,
                    issuer=issuer,
                )
            )
    return out


def commit(sheet: Sheet, root, *, actor) -> int:
    """Checks the sheet again and writes every row, or nothing (a ValidationError naming the
    first errors). Returns the number of ratings written. Two imports of the same results at
    once: the database's one-current-rating constraint lets one write, the other nothing."""
    try:
        return _commit(sheet, root, actor=actor)
    except IntegrityError as exc:
        raise ValidationError(
            _("Một số kết quả vừa được người khác ghi cùng lúc: chưa ghi gì. Hãy kiểm tra lại tệp.")
        ) from exc


def _commit(sheet: Sheet, root, *, actor) -> int:
    with transaction.atomic():
        p = plan(sheet, root, actor=actor)
        if not p.ok:
            shown = [f"{cell}: {msg}" for _r, cell, msg in p.errors[:5]] or [
                _("Thiếu cột: %(c)s.") % {"c": ", ".join(p.missing)}
            ]
            raise ValidationError(_("Tệp còn lỗi: chưa ghi gì. %(e)s") % {"e": " ".join(shown)})
        members = Member.objects.in_bulk([r.member_id for r in p.rows if r.member_id])
        units = Unit.objects.in_bulk({r.unit_id for r in p.rows})
        for r in p.rows:
            try:
                record_rating(
                    actor=actor,
                    year=r.year,
                    unit=units[r.unit_id],
                    member=members.get(r.member_id),
                    label=r.label,
                    not_rated=r.not_rated,
                    decided_on=r.decided_on,
                    decision_no=r.decision_no,
                    issuer=r.issuer,
                    source=Source.IMPORT,
                )
            except (ValidationError, PermissionDenied) as exc:
                raise ValidationError(
                    _("Dòng %(r)d: %(e)s Chưa ghi gì.")
                    % {"r": r.row, "e": "; ".join(getattr(exc, "messages", [str(exc)]))}
                ) from exc
        audit(
            actor=actor,
            action="reviews.import",
            obj=root,
            unit=root,
            after={"rows": len(p.rows), "years": sorted({r.year for r in p.rows})},
        )
    return len(p.rows)
