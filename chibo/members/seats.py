"""Committee seats (bí thư, phó bí thư, cấp ủy viên, ban thường vụ, ủy ban kiểm tra).

A seat is dated and belongs to a unit and, when known, a term. A secretary's account grants
follow the seat: when a secretary seat starts, the holder's account (if linked) gets the
secretary grant on the unit; when it ends or passes to someone else, the grant ends the same day.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from chibo.accounts.choices import Role
from chibo.accounts.models import Grant
from chibo.audit.services import record
from chibo.core.scope import allowed
from chibo.org.models import Term, Unit

from . import lifecycle
from .locks import lock
from .models import Member, Seat

# Seats one person holds at a time per unit.
SINGLE = frozenset({Seat.Role.SECRETARY, Seat.Role.INSPECTION_CHAIR})


def _seat_dict(s: Seat) -> dict:
    return {
        "member": s.member_id,
        "role": s.role,
        "unit": s.unit_id,
        "valid_from": s.valid_from.isoformat(),
        "valid_to": s.valid_to.isoformat() if s.valid_to else None,
    }


def _secretary_grant_start(seat: Seat) -> None:
    user = seat.member.user
    if user is None:
        return
    has = (
        Grant.objects.filter(user=user, unit=seat.unit, role=Role.SECRETARY)
        .active(seat.valid_from)
        .exists()
    )
    if not has:
        Grant.objects.create(
            user=user,
            unit=seat.unit,
            role=Role.SECRETARY,
            valid_from=seat.valid_from,
            note=_("Theo chức danh bí thư"),
        )


def _secretary_grant_end(seat: Seat, on: dt.date) -> None:
    user = seat.member.user
    if user is None:
        return
    for g in Grant.objects.filter(user=user, unit=seat.unit, role=Role.SECRETARY).active(on):
        if g.valid_from >= on:
            g.delete()  # never started
        else:
            g.valid_to = on
            g.save(update_fields=["valid_to"])


@transaction.atomic
def assign_seat(
    *,
    actor,
    unit: Unit,
    member: Member,
    role: str,
    valid_from: dt.date,
    term: Term | None = None,
    decision_no: str = "",
) -> Seat:
    """Give `member` a seat on `unit`'s committee from `valid_from`. For a secretary (or the
    inspection chair) the previous holder's seat ends that day, and the secretary grant passes
    from the previous holder's account to the new one's."""
    lock(member)  # its history is read below: a strike-off at the same moment waits
    if not allowed(actor, "members", unit):
        raise PermissionDenied(_("Bạn không có quyền thay đổi cấp ủy của tổ chức này."))
    if role not in Seat.Role.values:
        raise ValidationError(_("Chức danh không hợp lệ."))
    if not lifecycle.state_on(member.events.all(), valid_from).is_member:
        raise ValidationError(_("Người này không phải là đảng viên vào ngày đó."))
    if term is not None:
        if term.unit_id != unit.pk:
            raise ValidationError(_("Nhiệm kỳ không thuộc tổ chức này."))
        if valid_from < term.start or (term.end and valid_from >= term.end):
            raise ValidationError(_("Ngày bắt đầu nằm ngoài nhiệm kỳ %(t)s.") % {"t": term.label})
    current = Seat.objects.filter(unit=unit, valid_from__lte=valid_from).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=valid_from)
    )
    if current.filter(member=member, role=role).exists():
        raise ValidationError(_("Đảng viên này đang giữ chức danh đó."))
    if role in SINGLE:
        for old in current.filter(role=role).select_related("member__user"):
            before = _seat_dict(old)
            if old.valid_from == valid_from:
                raise ValidationError(
                    _("Đã có người giữ chức danh này từ cùng ngày; hãy kết thúc trước.")
                )
            old.valid_to = valid_from
            old.save(update_fields=["valid_to"])
            if role == Seat.Role.SECRETARY:
                _secretary_grant_end(old, valid_from)
            record(
                actor=actor,
                action="members.seat.end",
                obj=old.member,
                unit=unit,
                before=before,
                after=_seat_dict(old),
            )
    seat = Seat.objects.create(
        unit=unit,
        term=term,
        member=member,
        role=role,
        valid_from=valid_from,
        decision_no=decision_no,
    )
    if role == Seat.Role.SECRETARY:
        _secretary_grant_start(seat)
    record(actor=actor, action="members.seat.add", obj=member, unit=unit, after=_seat_dict(seat))
    return seat


@transaction.atomic
def end_seat(*, actor, seat: Seat, on: dt.date) -> Seat:
    if not allowed(actor, "members", seat.unit):
        raise PermissionDenied(_("Bạn không có quyền thay đổi cấp ủy của tổ chức này."))
    if seat.valid_to is not None:
        raise ValidationError(_("Chức danh này đã kết thúc."))
    if on <= seat.valid_from:
        raise ValidationError(_("Ngày kết thúc phải sau ngày bắt đầu."))
    before = _seat_dict(seat)
    seat.valid_to = on
    seat.save(update_fields=["valid_to"])
    if seat.role == Seat.Role.SECRETARY:
        _secretary_grant_end(seat, on)
    record(
        actor=actor,
        action="members.seat.end",
        obj=seat.member,
        unit=seat.unit,
        before=before,
        after=_seat_dict(seat),
    )
    return seat


def seats_on(unit: Unit, on: dt.date):
    return (
        Seat.objects.filter(unit=unit, valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=on))
        .select_related("member")
        .order_by("role", "member__sort_key")
    )
