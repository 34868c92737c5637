"""Criteria sets (issue 12 point 3): the detailed sets a province or commune-level committee
builds from its version's common framework (packs: `Pack.framework`), for one type of
organization (Biểu 5 grassroots type or cell type) or one kind of person, for a year — created
from the framework or copied from last year's set and edited, within the committee's scope,
dated and audited. `set_for` finds the set that applies to a unit (the framework when none).

Rules every write keeps (bad input: a Vietnamese message, nothing changed):
- the year's pack is the one in force that year (`packs.for_year`) and has a framework;
- the groups' maxima add up to the framework's total (100 points under QĐ 366), each
  criterion's maximum is at most its group's and the criteria of a group add up to it;
- the owner is a committee above the grassroots (OWNER_KINDS) on the day, and the actor holds
  "change" on it that day;
- a set that an assessment has used keeps its criteria (scores are keyed by criterion code)
  and cannot be deleted.
"""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.audit.services import record as audit
from chibo.core.scope import allowed
from chibo.org.choices import SUPERIOR_KINDS, CellType, GrassrootsType, UnitKind
from chibo.org.models import Unit, UnitAncestry, in_force

from .. import packs
from ..choices import PersonKind
from ..models import Assessment, CriteriaSet, year_end
from .common import require

# The committees that issue criteria sets: the province and the committees directly above the
# grassroots (commune/ward since 1/7/2025, the district before it, the province's non-territorial
# superior organizations). Never the centre, never a grassroots unit or a cell.
OWNER_KINDS = frozenset(SUPERIOR_KINDS - {UnitKind.CENTRAL})
SUBJECTS = (packs.ORG, packs.MEMBER)
MAX_POINTS = Decimal(1000)
TEXT_MAX = 500
NAME_MAX = 255  # CriteriaSet.name

# org_type values: "grassroots:<GrassrootsType>" or "cell:<CellType>" (the two choice lists
# share "other"; the prefix keeps them apart); "" = any type.
GRASSROOTS, CELL = "grassroots", "cell"


def org_type_choices() -> list[tuple[str, str]]:
    return [
        ("", _("Mọi loại hình")),
        *[(f"{GRASSROOTS}:{v}", _("Cơ sở: %(t)s") % {"t": t}) for v, t in GrassrootsType.choices],
        *[(f"{CELL}:{v}", _("Chi bộ: %(t)s") % {"t": lab}) for v, lab in CellType.choices],
    ]


def org_type_label(value: str) -> str:
    return dict(org_type_choices()).get(value, value)


def person_kind_label(value: str) -> str:
    return str(PersonKind(value).label) if value in PersonKind.values else _("Mọi đảng viên")


def org_types_of(unit: Unit, on: dt.date) -> list[str]:
    """The org_type values that describe `unit` on `on` (its Biểu 5 type, its cell type)."""
    v = unit.version_on(on)
    if v is None:
        return []
    out = []
    if v.grassroots_type:
        out.append(f"{GRASSROOTS}:{v.grassroots_type}")
    if v.cell_type:
        out.append(f"{CELL}:{v.cell_type}")
    return out


# --- The framework and the validation of groups ---------------------------------------------


def pack_with_framework(year: int, subject: str) -> packs.Pack:
    """The pack in force for `year`, which must carry a common framework for `subject`."""
    try:
        pack = packs.for_year(year)
    except LookupError:
        raise ValidationError(
            _("Chưa có quy định đánh giá nào cho năm %(y)s.") % {"y": year}
        ) from None
    if not pack.framework.get(subject):
        raise ValidationError(
            _(
                "Năm %(y)s đánh giá theo %(pack)s; chibo chưa có khung tiêu chí chung của quy "
                "định này nên không lập được bộ tiêu chí năm %(y)s."
            )
            % {"y": year, "pack": pack.title}
        )
    return pack


def framework_groups(pack: packs.Pack, subject: str) -> list[dict]:
    return copy.deepcopy(list(pack.framework.get(subject, ())))


def framework_total(pack: packs.Pack, subject: str) -> Decimal:
    return sum((Decimal(str(g["max_points"])) for g in pack.framework.get(subject, ())), Decimal(0))


def _points(value: Any, where: str) -> Decimal:
    if isinstance(value, bool):
        value = None
    try:
        d = Decimal(str(value).strip().replace(",", ".")) if value is not None else None
    except (InvalidOperation, ValueError):
        d = None
    if d is None or not d.is_finite():
        raise ValidationError(_("%(w)s: điểm tối đa phải là một số.") % {"w": where})
    if d <= 0 or d > MAX_POINTS:
        raise ValidationError(
            _("%(w)s: điểm tối đa phải lớn hơn 0 và không quá %(m)s.") % {"w": where, "m": 1000}
        )
    if d * 10 != (d * 10).to_integral_value():
        raise ValidationError(
            _("%(w)s: điểm tối đa chỉ lẻ đến một chữ số thập phân (ví dụ 7,5).") % {"w": where}
        )
    return d


def _num(d: Decimal) -> int | float:
    return int(d) if d == d.to_integral_value() else float(d)


def _fmt(d: Decimal) -> str:
    return str(_num(d)).replace(".", ",")


def _text(value: Any, where: str, what: str, limit: int = TEXT_MAX) -> str:
    text = " ".join(str(value or "").split())
    if not text:
        raise ValidationError(_("%(w)s: chưa ghi %(what)s.") % {"w": where, "what": what})
    if len(text) > limit:
        raise ValidationError(
            _("%(w)s: %(what)s dài quá %(n)s ký tự.") % {"w": where, "what": what, "n": limit}
        )
    return text


def _name(value: Any) -> str:
    return _text(value, _("Tên bộ tiêu chí"), _("tên"), NAME_MAX)


def validate(pack: packs.Pack, subject: str, groups: Any) -> list[dict]:
    """The groups cleaned ({code, name, max_points, criteria: [{code, text, max_points,
    quantitative}]}), or a ValidationError listing every problem in Vietnamese. Codes left
    empty are numbered by position (group "2", its criteria "2.1", "2.2", …)."""
    if not isinstance(groups, list) or not groups:
        raise ValidationError(_("Bộ tiêu chí phải có ít nhất một nhóm tiêu chí."))
    errors: list[str] = []
    out: list[dict] = []
    codes: set[str] = set()
    total = Decimal(0)

    def code_of(raw: Any, default: str, where: str) -> str:
        code = str(raw or "").strip() or default
        if len(code) > 16:
            errors.append(_("%(w)s: mã quá dài.") % {"w": where})
        if code in codes:
            errors.append(_("%(w)s: mã “%(c)s” bị trùng.") % {"w": where, "c": code})
        codes.add(code)
        return code

    for gi, g in enumerate(groups, start=1):
        gw = _("Nhóm %(i)s") % {"i": gi}
        if not isinstance(g, dict):
            errors.append(_("%(w)s: không đúng dạng.") % {"w": gw})
            continue
        try:
            name = _text(g.get("name"), gw, _("tên nhóm"))
            gmax = _points(g.get("max_points"), gw)
        except ValidationError as exc:
            errors += exc.messages
            continue
        total += gmax
        gcode = code_of(g.get("code"), str(gi), gw)
        crit = g.get("criteria")
        if not isinstance(crit, list) or not crit:
            errors.append(_("%(w)s: phải có ít nhất một tiêu chí.") % {"w": gw})
            continue
        items, subtotal = [], Decimal(0)
        for ci, c in enumerate(crit, start=1):
            cw = _("Nhóm %(i)s, tiêu chí %(j)s") % {"i": gi, "j": ci}
            if not isinstance(c, dict):
                errors.append(_("%(w)s: không đúng dạng.") % {"w": cw})
                continue
            try:
                text = _text(c.get("text"), cw, _("nội dung"))
                cmax = _points(c.get("max_points"), cw)
            except ValidationError as exc:
                errors += exc.messages
                continue
            if cmax > gmax:
                errors.append(
                    _("%(w)s: %(c)s điểm, quá điểm tối đa của nhóm (%(g)s điểm).")
                    % {"w": cw, "c": _fmt(cmax), "g": _fmt(gmax)}
                )
            subtotal += cmax
            items.append(
                {
                    "code": code_of(c.get("code"), f"{gcode}.{ci}", cw),
                    "text": text,
                    "max_points": _num(cmax),
                    "quantitative": bool(c.get("quantitative")),
                }
            )
        if (
            len(items) == len(crit)
            and subtotal != gmax
            and all(Decimal(str(i["max_points"])) <= gmax for i in items)
        ):
            errors.append(
                _("%(w)s: các tiêu chí cộng lại %(s)s điểm, khác điểm tối đa của nhóm (%(g)s).")
                % {"w": gw, "s": _fmt(subtotal), "g": _fmt(gmax)}
            )
        out.append({"code": gcode, "name": name, "max_points": _num(gmax), "criteria": items})
    want = framework_total(pack, subject)
    if not errors and total != want:
        errors.append(
            _("Tổng điểm các nhóm là %(t)s, phải bằng %(w)s điểm như khung chung của %(pack)s.")
            % {"t": _fmt(total), "w": _fmt(want), "pack": pack.title}
        )
    if errors:
        raise ValidationError(errors)
    return out


# --- Who may write ---------------------------------------------------------------------------


def _check_owner(actor, owner: Unit, on: dt.date) -> None:
    """The actor holds "change" on `owner` today and on `on` (the set's date), and the owner is
    a committee that issues criteria sets on that day."""
    today = timezone.localdate()
    require(actor, "change", owner, on=today)
    if on != today:
        require(actor, "change", owner, on=on)
    version = owner.version_on(on)
    if version is None or version.kind not in OWNER_KINDS:
        raise ValidationError(
            _(
                "Bộ tiêu chí do cấp ủy tỉnh hoặc cấp ủy cấp trên trực tiếp của cơ sở (xã, "
                "phường…) ban hành; %(u)s không phải cấp đó vào ngày %(d)s."
            )
            % {"u": owner.name, "d": on.strftime("%d/%m/%Y")}
        )


def can_manage(user, owner: Unit) -> bool:
    """May `user` create and edit sets of `owner` today (for showing the controls)."""
    today = timezone.localdate()
    version = owner.version_on(today)
    if version is None or version.kind not in OWNER_KINDS:
        return False
    return allowed(user, "change", owner, today)


def _check_date(year: int, created_on: dt.date) -> None:
    today = timezone.localdate()
    if created_on > today:
        raise ValidationError(_("Ngày ban hành không được sau hôm nay."))
    if not year - 1 <= created_on.year <= year + 1:
        raise ValidationError(
            _("Ngày ban hành bộ tiêu chí năm %(y)s phải trong các năm %(a)s–%(b)s.")
            % {"y": year, "a": year - 1, "b": year + 1}
        )


def _check_key(subject: str, org_type: str, person_kind: str) -> None:
    if subject not in SUBJECTS:
        raise ValidationError(_("Đối tượng phải là tổ chức đảng hoặc đảng viên."))
    if org_type not in dict(org_type_choices()):
        raise ValidationError(_("Loại hình tổ chức không hợp lệ."))
    if person_kind and person_kind not in PersonKind.values:
        raise ValidationError(_("Loại đảng viên không hợp lệ."))
    if subject == packs.ORG and person_kind:
        raise ValidationError(_("Bộ tiêu chí cho tổ chức đảng không chia theo loại đảng viên."))


def default_name(year: int, subject: str, org_type: str, person_kind: str) -> str:
    who = _("tổ chức đảng") if subject == packs.ORG else _("đảng viên")
    parts = [_("Tiêu chí đánh giá %(w)s") % {"w": who}]
    if org_type:
        parts.append(org_type_label(org_type))
    if person_kind:
        parts.append(person_kind_label(person_kind))
    return " — ".join(parts) + _(" năm %(y)s") % {"y": year}


def _snapshot(s: CriteriaSet) -> dict:
    return {
        "name": s.name,
        "year": s.year,
        "pack": s.pack,
        "subject": s.subject,
        "org_type": s.org_type,
        "person_kind": s.person_kind,
        "created_on": s.created_on.isoformat(),
        "groups": s.groups,
    }


def _save_new(actor, s: CriteriaSet, action: str) -> CriteriaSet:
    exists = CriteriaSet.objects.filter(
        owner=s.owner,
        year=s.year,
        subject=s.subject,
        org_type=s.org_type,
        person_kind=s.person_kind,
    ).exists()
    if exists:
        raise ValidationError(
            _("%(u)s đã có bộ tiêu chí năm %(y)s cho đối tượng, loại hình này; hãy sửa bộ đó.")
            % {"u": s.owner.name, "y": s.year}
        )
    try:
        with transaction.atomic():
            s.save()
    except IntegrityError:  # the same set created meanwhile by another request
        raise ValidationError(_("Bộ tiêu chí này vừa được tạo; hãy tải lại trang.")) from None
    audit(actor=actor, action=action, obj=s, unit=s.owner, after=_snapshot(s))
    return s


# --- Writes ----------------------------------------------------------------------------------


@transaction.atomic
def create_from_framework(
    *,
    actor,
    owner: Unit,
    year: int,
    subject: str,
    org_type: str = "",
    person_kind: str = "",
    name: str = "",
    created_on: dt.date | None = None,
) -> CriteriaSet:
    """A new set of `owner` for `year`, with the groups and criteria of the framework of the
    pack in force that year (to be edited)."""
    created_on = created_on or timezone.localdate()
    _check_owner(actor, owner, created_on)
    _check_key(subject, org_type, person_kind)
    pack = pack_with_framework(year, subject)
    _check_date(year, created_on)
    s = CriteriaSet(
        owner=owner,
        year=year,
        pack=pack.code,
        subject=subject,
        org_type=org_type,
        person_kind=person_kind,
        name=_name(name) if name.strip() else default_name(year, subject, org_type, person_kind),
        groups=validate(pack, subject, framework_groups(pack, subject)),
        created_on=created_on,
    )
    return _save_new(actor, s, "reviews.criteria_create")


@transaction.atomic
def copy_set(
    *,
    actor,
    source: CriteriaSet,
    year: int | None = None,
    owner: Unit | None = None,
    name: str = "",
    created_on: dt.date | None = None,
) -> CriteriaSet:
    """A copy of `source` (default: for the next year, same committee), keeping its groups and
    criteria and `copied_from`. The target year must be judged by the same pack."""
    owner = owner or source.owner
    year = year or source.year + 1
    created_on = created_on or timezone.localdate()
    if not allowed(actor, "meetings", source):
        raise PermissionDenied(_("Bạn không xem được bộ tiêu chí này."))
    _check_owner(actor, owner, created_on)
    pack = pack_with_framework(year, source.subject)
    _check_date(year, created_on)
    if source.pack != pack.code:
        raise ValidationError(
            _(
                "Bộ tiêu chí năm %(a)s theo %(pa)s, năm %(b)s đánh giá theo %(pb)s: không sao "
                "chép được giữa hai quy định; hãy lập từ khung tiêu chí chung."
            )
            % {"a": source.year, "pa": _pack_title(source.pack), "b": year, "pb": pack.title}
        )
    if name.strip():
        new_name = _name(name)
    else:
        new_name = source.name.replace(str(source.year), str(year))
    s = CriteriaSet(
        owner=owner,
        year=year,
        pack=pack.code,
        subject=source.subject,
        org_type=source.org_type,
        person_kind=source.person_kind,
        name=new_name,
        groups=validate(pack, source.subject, copy.deepcopy(source.groups)),
        copied_from=source,
        created_on=created_on,
    )
    return _save_new(actor, s, "reviews.criteria_copy")


def last_year_set(
    owner: Unit, year: int, subject: str, org_type: str, person_kind: str
) -> CriteriaSet | None:
    return CriteriaSet.objects.filter(
        owner=owner,
        year=year - 1,
        subject=subject,
        org_type=org_type,
        person_kind=person_kind,
    ).first()


@transaction.atomic
def copy_last_year(
    *,
    actor,
    owner: Unit,
    year: int,
    subject: str,
    org_type: str = "",
    person_kind: str = "",
    name: str = "",
    created_on: dt.date | None = None,
) -> CriteriaSet:
    """A copy of the committee's own set of `year - 1` for the same subject and type."""
    _check_key(subject, org_type, person_kind)
    source = last_year_set(owner, year, subject, org_type, person_kind)
    if source is None:
        raise ValidationError(
            _(
                "Năm %(y)s %(u)s chưa có bộ tiêu chí cho đối tượng, loại hình này để sao chép; "
                "hãy lập từ khung tiêu chí chung."
            )
            % {"y": year - 1, "u": owner.name}
        )
    return copy_set(
        actor=actor, source=source, year=year, owner=owner, name=name, created_on=created_on
    )


def _pack_title(code: str) -> str:
    return packs.BY_CODE[code].title if code in packs.BY_CODE else code


def uses(s: CriteriaSet) -> int:
    """How many assessments were scored with this set."""
    return Assessment.objects.filter(criteria_set=s).count()


@transaction.atomic
def edit(
    *, actor, criteria_set: CriteriaSet, name: str | None = None, groups: Any = None
) -> CriteriaSet:
    """Change the set's name and/or its groups and criteria (validated as a whole)."""
    s = CriteriaSet.objects.select_for_update().select_related("owner").get(pk=criteria_set.pk)
    _check_owner(actor, s.owner, timezone.localdate())
    pack = pack_with_framework(s.year, s.subject)
    if s.pack != pack.code:
        raise ValidationError(
            _("Bộ tiêu chí này theo %(a)s, nhưng năm %(y)s đánh giá theo %(b)s; không sửa được.")
            % {"a": _pack_title(s.pack), "y": s.year, "b": pack.title}
        )
    before = _snapshot(s)
    changed = []
    if name is not None:
        new_name = _name(name)
        if new_name != s.name:
            s.name = new_name
            changed.append("name")
    if groups is not None:
        cleaned = validate(pack, s.subject, groups)
        if cleaned != s.groups:
            if n := uses(s):
                raise ValidationError(
                    _(
                        "Bộ tiêu chí đã dùng để chấm %(n)s phiếu đánh giá: không sửa được các "
                        "tiêu chí nữa (chỉ sửa được tên)."
                    )
                    % {"n": n}
                )
            s.groups = cleaned
            changed.append("groups")
    if changed:
        s.save(update_fields=[*changed, "updated_at"])
        audit(
            actor=actor,
            action="reviews.criteria_edit",
            obj=s,
            unit=s.owner,
            before={k: before[k] for k in changed},
            after={k: _snapshot(s)[k] for k in changed},
        )
    return s


@transaction.atomic
def delete(*, actor, criteria_set: CriteriaSet) -> None:
    """Delete a set that no assessment has used."""
    s = CriteriaSet.objects.select_for_update().select_related("owner").get(pk=criteria_set.pk)
    _check_owner(actor, s.owner, timezone.localdate())
    if n := uses(s):
        raise ValidationError(
            _("Bộ tiêu chí đã dùng để chấm %(n)s phiếu đánh giá: không xóa được.") % {"n": n}
        )
    audit(actor=actor, action="reviews.criteria_delete", obj=s, unit=s.owner, before=_snapshot(s))
    s.delete()


# --- The set that applies ----------------------------------------------------------------------


def set_for(
    unit: Unit,
    year: int,
    subject: str,
    *,
    org_type: str | None = None,
    person_kind: str = "",
    on: dt.date | None = None,
) -> CriteriaSet | None:
    """The criteria set that applies to `unit` (the rated organization, or a member's cell) in
    `year`: among the sets of the committees above it in the tree of that year (its last day,
    or the unit's last day when it ended within the year), the nearest committee's; within
    it, the one for the unit's type (and the person's kind) before the one for any type.
    None of them: the pack's framework as an unsaved set (pk None); None when the pack has
    no framework. `org_type` overrides the unit's own types (Biểu 5 type, cell type)."""
    pack = packs.for_year(year)
    if on is None:
        on = year_end(year)
        if unit.valid_to is not None and unit.valid_to <= on:
            on = max(unit.valid_from, unit.valid_to - dt.timedelta(days=1))
    depth = dict(
        UnitAncestry.objects.filter(in_force(on), unit=unit)
        .exclude(ancestor=unit)
        .values_list("ancestor_id", "depth")
    )
    types = org_types_of(unit, on) if org_type is None else [org_type]
    kinds = [person_kind, ""] if person_kind else [""]
    candidates = CriteriaSet.objects.filter(
        owner_id__in=list(depth),
        year=year,
        subject=subject,
        pack=pack.code,
        org_type__in=[*types, ""],
        person_kind__in=kinds,
    )
    best = max(
        candidates,
        key=lambda s: (depth[s.owner_id], s.org_type != "", s.person_kind != "", -s.pk),
        default=None,
    )
    if best is not None:
        return best
    if not pack.framework.get(subject):
        return None
    return CriteriaSet(
        owner=None,
        year=year,
        pack=pack.code,
        subject=subject,
        org_type="",
        person_kind="",
        name=_("Khung tiêu chí chung (%(p)s)") % {"p": pack.title},
        groups=framework_groups(pack, subject),
        created_on=dt.date(pack.first_year, 1, 1),
    )
