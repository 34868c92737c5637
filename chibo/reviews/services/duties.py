"""Duties and pledges at the start of the year (phân công nhiệm vụ; đăng ký phấn đấu, cam kết tu
dưỡng rèn luyện), and the outcomes recorded through the year that feed the review.

Who writes: a user with "members" on the member's cell (the cell's secretary or committee, the
commune office), on the day the duty is assigned or the pledge made, and still today. A member
not placed in the cell that day, or gone from it before the duty falls due, is refused. Nothing
is written once the year's round is decided for the cell (or the member's rating is recorded):
the decision locks what it was based on.

Outcomes, kept consistent with the due date (a "done" after the due date is "late"; a share of
the review reads them): done and exceeded on or before the due date, late after it, not done
only once it is due; never dated in the future nor before the duty was assigned."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.audit.services import record as audit
from chibo.members.models import Member, Placement
from chibo.org.models import Unit

from ..choices import Level, Outcome, RoundStatus
from ..models import Duty, Pledge, Rating, Round
from .common import require

TEXT_MAX = 500
AREA_MAX = 255
TARGET_MAX = 255


def _d(d: dt.date | None) -> str:
    return d.strftime("%d/%m/%Y") if d else ""


def _window(year: int, on: dt.date, what: str) -> None:
    """A duty or pledge of `year` is written at the start of that year — from the previous
    year's December (its last meeting may assign the next year's work) to the year's end —
    and never on a day still to come."""
    if not 1900 <= year <= 2100:
        raise ValidationError(_("Năm không hợp lệ."))
    if on > timezone.localdate():
        raise ValidationError(
            _("Ngày %(what)s (%(d)s) chưa đến.") % {"what": what, "d": _d(on)}, code="future"
        )
    if not dt.date(year - 1, 12, 1) <= on <= dt.date(year, 12, 31):
        raise ValidationError(
            _("Ngày %(what)s phải trong năm %(y)d (hoặc tháng 12 năm trước).")
            % {"what": what, "y": year}
        )


def _home(member: Member, on: dt.date) -> Placement | None:
    return (
        Placement.objects.filter(member=member, kind=Placement.Kind.HOME, valid_from__lte=on)
        .exclude(valid_to__lte=on)
        .select_related("unit")
        .first()
    )


def _placed(member: Member, unit: Unit, on: dt.date) -> Placement:
    """The member's home placement in `unit` on `on`, or a Vietnamese refusal."""
    p = _home(member, on)
    if p is None or p.unit_id != unit.pk:
        raise ValidationError(
            _("Đồng chí %(name)s không sinh hoạt tại %(unit)s vào ngày %(d)s.")
            % {"name": member.full_name, "unit": unit.name, "d": _d(on)},
            code="not_in_cell",
        )
    return p


def _still_there(member: Member, place: Placement, by: dt.date) -> None:
    """Refused when the member left the cell (their placement ended) before `by`."""
    if place.valid_to is not None and place.valid_to <= by:
        raise ValidationError(
            _("Đồng chí %(name)s đã chuyển khỏi %(unit)s ngày %(d)s.")
            % {"name": member.full_name, "unit": place.unit.name, "d": _d(place.valid_to)},
            code="left_cell",
        )


def decided(unit: Unit, year: int, member: Member | None = None) -> bool:
    """The year's round of `unit` is decided, or the subject's rating of the year is recorded:
    duties, outcomes and pledges of that year no longer change."""
    if Round.objects.filter(unit=unit, year=year, status=RoundStatus.DECIDED).exists():
        return True
    ratings = Rating.objects.filter(year=year, current=True)
    if member is not None:
        return ratings.filter(member=member).exists()
    return ratings.filter(unit=unit, member__isnull=True).exists()


def _not_locked(unit: Unit, year: int, member: Member | None = None) -> None:
    if decided(unit, year, member):
        raise ValidationError(
            _("Kết quả đánh giá, xếp loại năm %(y)d đã được quyết định: không thay đổi được nữa.")
            % {"y": year},
            code="decided",
        )


def _clean_text(text: str, area: str, target: str) -> tuple[str, str, str]:
    text, area, target = (text or "").strip(), (area or "").strip(), (target or "").strip()
    errors = {}
    if not text:
        errors["text"] = _("Hãy ghi nội dung nhiệm vụ.")
    elif len(text) > TEXT_MAX:
        errors["text"] = _("Nội dung nhiệm vụ dài quá %(n)d ký tự.") % {"n": TEXT_MAX}
    if len(area) > AREA_MAX:
        errors["area"] = _("Địa bàn, hộ phụ trách dài quá %(n)d ký tự.") % {"n": AREA_MAX}
    if len(target) > TARGET_MAX:
        errors["target"] = _("Chỉ tiêu dài quá %(n)d ký tự.") % {"n": TARGET_MAX}
    if errors:
        raise ValidationError(errors)
    return text, area, target


def _due(year: int, due_on: dt.date | None, assigned_on: dt.date) -> None:
    if due_on is None:
        raise ValidationError({"due_on": _("Hãy ghi thời hạn hoàn thành.")})
    if due_on.year != year:
        raise ValidationError({"due_on": _("Thời hạn phải trong năm %(y)d.") % {"y": year}})
    if due_on < assigned_on:
        raise ValidationError({"due_on": _("Thời hạn không được trước ngày phân công.")})


def _fields(duty: Duty) -> dict:
    return {
        "text": duty.text,
        "area": duty.area,
        "target": duty.target,
        "due_on": duty.due_on.isoformat(),
        "outcome": duty.outcome,
        "outcome_on": duty.outcome_on.isoformat() if duty.outcome_on else None,
        "outcome_note": duty.outcome_note,
    }


@transaction.atomic
def assign_duty(
    *,
    actor,
    unit: Unit,
    member: Member,
    year: int,
    text: str,
    due_on: dt.date,
    area: str = "",
    target: str = "",
    assigned_on: dt.date | None = None,
) -> Duty:
    """The cell assigns `member` a duty of `year`: the text, the area or households followed, a
    measurable target and its due date. `unit` is the member's cell on `assigned_on` (today by
    default); the member must still be there when it falls due."""
    assigned_on = assigned_on or timezone.localdate()
    message = _("Bạn không có quyền phân công nhiệm vụ ở chi bộ này.")
    require(actor, "members", unit, message=message)
    text, area, target = _clean_text(text, area, target)
    _window(year, assigned_on, _("phân công"))
    if assigned_on != timezone.localdate():
        require(actor, "members", unit, on=assigned_on, message=message)
    _due(year, due_on, assigned_on)
    place = _placed(member, unit, assigned_on)
    _still_there(member, place, due_on)
    _not_locked(unit, year, member)
    duty = Duty.objects.create(
        member=member,
        unit=unit,
        year=year,
        text=text,
        area=area,
        target=target,
        due_on=due_on,
        assigned_on=assigned_on,
    )
    audit(
        actor=actor,
        action="reviews.duty_assign",
        obj=duty,
        unit=unit,
        after={"member": member.pk, "year": year, **_fields(duty)},
    )
    return duty


@transaction.atomic
def edit_duty(
    *, actor, duty: Duty, text: str, due_on: dt.date, area: str = "", target: str = ""
) -> Duty:
    """Correct a duty before its outcome is recorded (after, the outcome is judged against it)."""
    duty = Duty.objects.select_for_update().select_related("member", "unit").get(pk=duty.pk)
    require(actor, "members", duty.unit, message=_("Bạn không có quyền sửa nhiệm vụ ở chi bộ này."))
    if duty.outcome:
        raise ValidationError(
            _("Nhiệm vụ đã có kết quả: không sửa được nội dung, thời hạn."), code="has_outcome"
        )
    text, area, target = _clean_text(text, area, target)
    _due(duty.year, due_on, duty.assigned_on)
    place = _placed(duty.member, duty.unit, duty.assigned_on)
    _still_there(duty.member, place, due_on)
    _not_locked(duty.unit, duty.year, duty.member)
    before = _fields(duty)
    duty.text, duty.area, duty.target, duty.due_on = text, area, target, due_on
    duty.save(update_fields=["text", "area", "target", "due_on"])
    audit(
        actor=actor,
        action="reviews.duty_edit",
        obj=duty,
        unit=duty.unit,
        before=before,
        after=_fields(duty),
    )
    return duty


@transaction.atomic
def remove_duty(*, actor, duty: Duty) -> None:
    """Withdraw a duty assigned by mistake, before its outcome is recorded (the page asks
    first). The audit row keeps what it was."""
    duty = Duty.objects.select_for_update().select_related("member", "unit").get(pk=duty.pk)
    require(actor, "members", duty.unit, message=_("Bạn không có quyền sửa nhiệm vụ ở chi bộ này."))
    if duty.outcome:
        raise ValidationError(_("Nhiệm vụ đã có kết quả: không xóa được."), code="has_outcome")
    _not_locked(duty.unit, duty.year, duty.member)
    before = {"member": duty.member_id, "year": duty.year, **_fields(duty)}
    audit(actor=actor, action="reviews.duty_remove", obj=duty, unit=duty.unit, before=before)
    duty.delete()


def check_outcome(duty: Duty, outcome: str, on: dt.date | None) -> None:
    """The rules of an outcome and its date against the duty (Vietnamese refusals)."""
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": _("Hãy chọn kết quả.")})
    if on is None:
        raise ValidationError({"outcome_on": _("Hãy ghi ngày có kết quả.")})
    if on > timezone.localdate():
        raise ValidationError(
            {"outcome_on": _("Ngày có kết quả (%(d)s) chưa đến.") % {"d": _d(on)}}
        )
    if on < duty.assigned_on:
        raise ValidationError(
            {
                "outcome_on": _("Ngày có kết quả không được trước ngày phân công (%(d)s).")
                % {"d": _d(duty.assigned_on)}
            }
        )
    due = _d(duty.due_on)
    if outcome in (Outcome.DONE, Outcome.EXCEEDED) and on > duty.due_on:
        raise ValidationError(
            {"outcome": _("Hoàn thành sau thời hạn (%(d)s) là “Hoàn thành chậm”.") % {"d": due}}
        )
    if outcome == Outcome.LATE and on <= duty.due_on:
        raise ValidationError(
            {
                "outcome": _("Hoàn thành trong thời hạn (%(d)s) không phải “Hoàn thành chậm”.")
                % {"d": due}
            }
        )
    if outcome == Outcome.NOT_DONE and on < duty.due_on:
        raise ValidationError(
            {
                "outcome": _("Chưa đến thời hạn (%(d)s): chưa thể ghi “Không hoàn thành”.")
                % {"d": due}
            }
        )


@transaction.atomic
def set_outcome(
    *, actor, duty: Duty, outcome: str, outcome_on: dt.date | None = None, note: str = ""
) -> Duty:
    """Record (or correct) what became of a duty: done, late, exceeded or not done, on a date,
    with a note. The member must have been in the cell when it fell due (or when the result
    came, if earlier)."""
    duty = Duty.objects.select_for_update().select_related("member", "unit").get(pk=duty.pk)
    message = _("Bạn không có quyền ghi kết quả nhiệm vụ ở chi bộ này.")
    require(actor, "members", duty.unit, message=message)
    outcome_on = outcome_on or timezone.localdate()
    note = (note or "").strip()
    if len(note) > TEXT_MAX:
        raise ValidationError({"note": _("Ghi chú dài quá %(n)d ký tự.") % {"n": TEXT_MAX}})
    check_outcome(duty, outcome, outcome_on)
    place = _placed(duty.member, duty.unit, duty.assigned_on)
    _still_there(duty.member, place, min(duty.due_on, outcome_on))
    _not_locked(duty.unit, duty.year, duty.member)
    before = _fields(duty)
    duty.outcome, duty.outcome_on, duty.outcome_note = outcome, outcome_on, note
    duty.save(update_fields=["outcome", "outcome_on", "outcome_note"])
    audit(
        actor=actor,
        action="reviews.duty_outcome",
        obj=duty,
        unit=duty.unit,
        before=before,
        after=_fields(duty),
    )
    return duty


def _pledge_fields(p: Pledge) -> dict:
    return {"level": p.level, "text": p.text, "pledged_on": p.pledged_on.isoformat()}


def _clean_pledge(level: str, text: str) -> str:
    if level not in Level.values:
        raise ValidationError({"level": _("Hãy chọn mức phấn đấu.")})
    text = (text or "").strip()
    if len(text) > 4000:
        raise ValidationError({"text": _("Nội dung cam kết dài quá 4000 ký tự.")})
    return text


def _save_pledge(actor, existing: Pledge | None, row: dict, unit: Unit, member=None) -> Pledge:
    if existing is None:
        p = Pledge.objects.create(member=member, unit=unit, **row)
        audit(actor=actor, action="reviews.pledge", obj=p, unit=unit, after=_pledge_fields(p))
        return p
    before = _pledge_fields(existing)
    for k, v in row.items():
        setattr(existing, k, v)
    existing.unit = unit
    existing.save(update_fields=[*row, "unit"])
    audit(
        actor=actor,
        action="reviews.pledge_change",
        obj=existing,
        unit=unit,
        before=before,
        after=_pledge_fields(existing),
    )
    return existing


@transaction.atomic
def pledge(
    *,
    actor,
    unit: Unit,
    member: Member,
    year: int,
    level: str,
    text: str = "",
    pledged_on: dt.date | None = None,
) -> Pledge:
    """The member's pledge of `year` (the level they strive for and their commitment), recorded
    by their cell; one per member and year, changed in place (audited) until the year's round
    is decided."""
    pledged_on = pledged_on or timezone.localdate()
    message = _("Bạn không có quyền ghi đăng ký phấn đấu ở chi bộ này.")
    require(actor, "members", unit, message=message)
    text = _clean_pledge(level, text)
    _window(year, pledged_on, _("đăng ký"))
    if pledged_on != timezone.localdate():
        require(actor, "members", unit, on=pledged_on, message=message)
    _placed(member, unit, pledged_on)
    existing = Pledge.objects.select_for_update().filter(year=year, member=member).first()
    if existing is not None and existing.unit_id != unit.pk:
        # The pledge belongs to the cell the member was in when they made it.
        require(actor, "members", existing.unit, message=message)
    _not_locked(unit, year, member)
    if existing is not None and existing.unit_id != unit.pk:
        _not_locked(existing.unit, year, member)
    row = {"year": year, "level": level, "text": text, "pledged_on": pledged_on}
    return _save_pledge(actor, existing, row, unit, member)


@transaction.atomic
def pledge_unit(
    *, actor, unit: Unit, year: int, level: str, text: str = "", pledged_on: dt.date | None = None
) -> Pledge:
    """An organization's pledge of `year` (a cell or a đảng bộ registers the level it strives
    for); one per unit and year, changed until its round is decided."""
    pledged_on = pledged_on or timezone.localdate()
    message = _("Bạn không có quyền ghi đăng ký phấn đấu của tổ chức này.")
    require(actor, "members", unit, message=message)
    text = _clean_pledge(level, text)
    _window(year, pledged_on, _("đăng ký"))
    if pledged_on != timezone.localdate():
        require(actor, "members", unit, on=pledged_on, message=message)
    if unit.version_on(pledged_on) is None:
        raise ValidationError(
            _("%(unit)s chưa thành lập hoặc đã giải thể vào ngày %(d)s.")
            % {"unit": unit.name, "d": _d(pledged_on)}
        )
    _not_locked(unit, year)
    existing = (
        Pledge.objects.select_for_update().filter(year=year, unit=unit, member__isnull=True).first()
    )
    row = {"year": year, "level": level, "text": text, "pledged_on": pledged_on}
    return _save_pledge(actor, existing, row, unit)
