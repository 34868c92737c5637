"""The member record: validated updates and what each reader may see of it.

Lifecycle facts (cell, admission and recognition dates, stage, activity) are not edited here:
they change only through events (services.py, transfers.py). Sensitive personal data
(ethnicity, religion, identity document, health reasons: Personal Data Protection Law 2025) is
shown only to readers with the "sensitive" action on the member's unit, or to the member.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.audit.services import record
from chibo.core.scope import allowed, can, visible_periods
from chibo.org import admin_units
from chibo.org.models import Unit

from . import choices as c
from .aggregates import restate
from .locks import lock
from .models import Member

EDITABLE = (
    "family_name",
    "middle_name",
    "given_name",
    "birth_name",
    "aliases",
    "gender",
    "birth_date",
    "birth_year",
    "place_of_birth",
    "hometown",
    "hometown_era",
    "hometown_code",
    "residence",
    "residence_era",
    "residence_code",
    "ethnicity",
    "religion",
    "identity_type",
    "identity_no",
    "education_system",
    "education_grade",
    "qualification",
    "qualification_field",
    "academic_title",
    "theory_level",
    "state_management",
    "foreign_language",
    "occupation_before",
    "occupation_now",
    "position",
    "youth_union_at_admission",
    "private_business_owner",
    "married_to_foreigner",
    "service_flag",
    "biography_no",
)


def may_see_sensitive(user, member: Member) -> bool:
    """The member themself, or a reader with the sensitive action on the unit they reach the
    member through (the unit a member left judges the copy it sees by its own right)."""

    if getattr(user, "is_authenticated", False) and member.user_id == user.pk:
        return True
    unit_id = reached_through(user, member)
    return unit_id is not None and can(user, "sensitive", Unit(pk=unit_id))


def _last_unit(member: Member):
    p = member.placements.order_by("-valid_from").select_related("unit").first()
    return p.unit if p else None


def place_label(era: str, code: str) -> str | None:
    """The linked commune's name in its era and, for a pre-2025 one, what it is now
    ("Xã Na Cô Sa (huyện Nậm Pồ) — nay Xã Quảng Lâm"); None when the code is unknown."""

    if not era or not code:
        return None
    unit = admin_units.get(era, code, "commune")
    if unit is None:
        return None
    if era == admin_units.PRE2025:
        district = admin_units.get(era, unit.parent_code, "district") if unit.parent_code else None
        now = ", ".join(u.name for u in admin_units.successors(code))
        where = f" ({district.name})" if district else ""
        return f"{unit.name}{where}" + (f" — nay {now}" if now else "")
    return unit.name


def masked(value, allowed: bool):
    return value if allowed else (c.MASK if value not in ("", None) else value)


def validate(fields: dict, member: Member | None = None) -> dict:
    """Clean and check a record's fields; raises ValidationError keyed by field, in Vietnamese."""
    errors: dict[str, str] = {}
    out = dict(fields)
    for k, v in out.items():
        if isinstance(v, str):
            out[k] = v.strip()
    for name in ("family_name", "given_name"):
        if name in out and not out[name]:
            errors[name] = _("Không được để trống.")
    id_type = out.get("identity_type", member.identity_type if member else "")
    id_no = out.get("identity_no", member.identity_no if member else "")
    if id_no:
        length = c.IDENTITY_LENGTH.get(id_type)
        if length is None:
            errors["identity_type"] = _("Hãy chọn loại giấy tờ (CCCD 12 số hoặc CMND 9 số).")
        elif not (id_no.isdigit() and len(id_no) == length):
            errors["identity_no"] = _("Số %(t)s phải gồm đúng %(n)d chữ số.") % {
                "t": "CCCD" if id_type == c.IdentityType.CCCD else "CMND",
                "n": length,
            }
        else:
            clash = Member.objects.exclude(identity_no="").filter(identity_no=id_no)
            if member is not None:
                clash = clash.exclude(pk=member.pk)
            if clash.exists():
                errors["identity_no"] = _("Số định danh này đã thuộc về một đảng viên khác.")
    elif id_type:
        errors["identity_no"] = _("Hãy ghi số giấy tờ, hoặc chọn “Không có”.")
    for place in ("hometown", "residence"):
        era = out.get(f"{place}_era", getattr(member, f"{place}_era", "") if member else "")
        code = out.get(f"{place}_code", getattr(member, f"{place}_code", "") if member else "")
        if code and place_label(era, code) is None:
            errors[f"{place}_code"] = _(
                "Không có xã/phường mã %(c)s trong danh mục đơn vị hành chính đã chọn."
            ) % {"c": code}
    if out.get("ethnicity") and out["ethnicity"] not in c.ETHNICITY_NAMES:
        errors["ethnicity"] = _("Dân tộc không có trong danh mục 54 dân tộc.")
    system = out.get("education_system", member.education_system if member else None)
    grade = out.get("education_grade", member.education_grade if member else None)
    if grade is not None:
        if system not in (10, 12):
            errors["education_system"] = _("Hãy chọn hệ phổ thông (10 hoặc 12 năm).")
        elif not 0 <= grade <= system:
            errors["education_grade"] = _("Lớp phải từ 0 đến %(n)d.") % {"n": system}
    birth_date = out.get("birth_date", member.birth_date if member else None)
    if birth_date is not None:
        today = timezone.localdate()
        if birth_date > today or birth_date.year < 1890:
            errors["birth_date"] = _("Ngày sinh không hợp lý.")
        else:
            out["birth_year"] = birth_date.year
        if member is not None and member.admitted_on and birth_date >= member.admitted_on:
            errors["birth_date"] = _("Ngày sinh phải trước ngày vào Đảng.")
    for name, enum in (
        ("religion", c.Religion),
        ("qualification", c.Qualification),
        ("academic_title", c.AcademicTitle),
        ("theory_level", c.TheoryLevel),
        ("state_management", c.StateManagement),
        ("occupation_before", c.Occupation),
        ("occupation_now", c.Occupation),
        ("service_flag", c.ServiceFlag),
    ):
        if out.get(name) and out[name] not in enum.values:
            errors[name] = _("Giá trị không hợp lệ.")
    if out.get("gender") and out["gender"] not in ("m", "f"):
        errors["gender"] = _("Giá trị không hợp lệ.")
    if errors:
        raise ValidationError(errors)
    return out


def _audit_value(name: str, value):
    # The audit log is read by roles without the sensitive action: record that it changed only.
    if name in c.SENSITIVE_FIELDS:
        return "(đã thay đổi)"
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


@transaction.atomic
def update_record(*, actor, member: Member, **fields) -> Member:
    """Change the record's fields (not its lifecycle). Writes nothing when any field is bad."""
    lock(member)  # the record is saved whole: never over a lifecycle write made meanwhile
    unit = member.home_unit or _last_unit(member)
    if not allowed(actor, "members", unit):
        raise PermissionDenied(_("Bạn không có quyền sửa hồ sơ đảng viên này."))
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValidationError(
            _("Không sửa được các mục: %(f)s.") % {"f": ", ".join(sorted(unknown))}
        )
    clean = validate(fields, member)
    before, after = {}, {}
    for name, value in clean.items():
        old = getattr(member, name)
        if old != value:
            before[name] = _audit_value(name, old)
            after[name] = _audit_value(name, value)
            setattr(member, name, value)
    if not after:
        return member
    member.save()
    if "gender" in after:
        restate([member.pk])
    record(actor=actor, action="members.record", obj=member, unit=unit, before=before, after=after)
    return member


def reached_through(user, member: Member) -> int | None:
    """The unit through which the reader reaches the member (their views are filed under it):
    the cell of the last period their scope covers; the current cell for a reader who sees
    everything."""

    periods = visible_periods(user, member)
    if periods:
        return periods[-1][0]
    if member.home_unit_id:
        return member.home_unit_id
    p = member.placements.order_by("-valid_from").first()
    return p.unit_id if p else None


def visible_until(user, member: Member):
    """None when the reader's scope covers where the member is now; otherwise the day the
    member left the last placement the reader's scope covers (a unit that sent a member away
    sees them for the period they were there, not what happened after)."""

    if getattr(user, "is_authenticated", False) and member.user_id == user.pk:
        return None
    periods = visible_periods(user, member)
    if periods is None:
        return None
    ends = [end for _unit, _start, end in periods]
    if not ends or any(e is None for e in ends):
        return None
    return max(ends)
