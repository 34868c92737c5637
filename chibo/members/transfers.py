"""Transfers of party activity (chuyển sinh hoạt đảng, domain-rules §3.4).

- Official: the home placement ends on departure (the sending roll's "chuyển đi"); the member
  presents the letter within 30 days; the receiving side confirms the arrival and the member is
  on its roll from that day ("chuyển đến"). Between the two the member is on no roll: the sending
  side still sees them for the time they were there; the receiving side sees the transfer
  awaiting arrival.
- Temporary: a temporary placement at the host; the member stays on the home roll.
- Internal: between cells of one grassroots organization, immediate.
- Abroad: like an official transfer to an organization outside this system.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.audit.services import record
from chibo.core.scope import allowed
from chibo.org.choices import CELL_KINDS
from chibo.org.models import Unit

from . import departures, rules
from .lifecycle import EventKind, state_on
from .locks import lock
from .models import Member, Placement, Transfer
from .services import _add_event, _refresh_state

Kind = Transfer.Kind


def _check_actor(actor, unit: Unit, message: str) -> None:
    if not allowed(actor, "members", unit):
        raise PermissionDenied(message)


def _home(member: Member) -> Placement:
    p = member.placements.filter(kind=Placement.Kind.HOME, valid_to__isnull=True).first()
    if p is None:
        raise ValidationError(_("Đảng viên hiện không sinh hoạt ở chi bộ nào."))
    return p


def _cell(unit: Unit | None) -> None:
    if unit is not None and (not unit.is_alive or unit.kind not in CELL_KINDS):
        raise ValidationError(_("Nơi đến phải là một chi bộ đang hoạt động."))


def _next_letter_no(issuer: Unit, year: int) -> int:
    """Letters are numbered in the issuing committee's register, restarting each year."""
    last = Transfer.objects.filter(issuer=issuer, letter_year=year).aggregate(n=Max("letter_no"))
    return (last["n"] or 0) + 1


LETTER_TRIES = 5


def _create_numbered(issuer: Unit, year: int, **fields) -> Transfer:
    """The transfer with the next letter number of the register. Two letters of one register
    issued at once both read the same last number; the unique constraint refuses the second
    insert (on PostgreSQL once the first commits), and it takes the next number, in a savepoint
    so that the rest of the transaction stands. Nobody confirmed a number beforehand, so a
    new one is simply taken (a paper's number is shown before it is issued: papers.issue asks
    again instead)."""
    for _attempt in range(LETTER_TRIES):
        number = _next_letter_no(issuer, year)
        try:
            with transaction.atomic():
                return Transfer.objects.create(
                    issuer=issuer, letter_year=year, letter_no=number, **fields
                )
        except IntegrityError:
            taken = Transfer.objects.filter(issuer=issuer, letter_year=year, letter_no=number)
            if not taken.exists():  # another constraint: not a collision of numbers
                raise
    raise ValidationError(
        _("Sổ giấy giới thiệu đang được nhiều người cùng ghi; hãy thử lại sau ít phút.")
    )


def _org_id(unit: Unit) -> int:
    """The organization a cell's transfers are internal to and whose committee signs its
    letters: its grassroots organization, or the commune đảng bộ that holds village cells
    directly (since 2025)."""
    return unit.grassroots_id or unit.commune_id or unit.pk


def _issuer(unit: Unit) -> Unit:
    return Unit.objects.get(pk=_org_id(unit))


def _set_home(member: Member, unit: Unit | None) -> None:
    """The member's current cell (the counts follow the placements: _refresh_state restates
    them at the end of every transfer service)."""
    member.home_unit = unit
    member.province_id = unit.province_id if unit else None
    member.commune_id = unit.commune_id if unit else None
    member.grassroots_id = unit.grassroots_id if unit else None
    member.save(update_fields=["home_unit", "province", "commune", "grassroots"])


def _living_member(member: Member, on: dt.date) -> None:
    if not state_on(member.events.all(), on).is_member:
        raise ValidationError(_("Người này không phải là đảng viên vào ngày đó."))


@transaction.atomic
def transfer_out(
    *,
    actor,
    member: Member,
    kind: str,
    departed_on: dt.date,
    moved_on: dt.date | None = None,
    to_unit: Unit | None = None,
    destination: str = "",
    reason: str = "",
    fee_paid_until: dt.date | None = None,
    expected_return: dt.date | None = None,
) -> Transfer:
    """Start a transfer of any kind; see the module docstring for what each kind does."""
    lock(member)
    if kind not in Kind.values:
        raise ValidationError(_("Loại chuyển sinh hoạt không hợp lệ."))
    home = _home(member)
    source = home.unit
    _check_actor(actor, source, _("Bạn không có quyền chuyển sinh hoạt đảng viên của chi bộ này."))
    _living_member(member, departed_on)
    _cell(to_unit)
    moved_on = moved_on or departed_on
    errors = []
    if to_unit is None and not destination.strip():
        errors.append(_("Hãy chọn chi bộ nơi đến hoặc ghi tên tổ chức đảng nơi đến."))
    if to_unit is not None and to_unit.pk == source.pk:
        errors.append(_("Nơi đến trùng với chi bộ đang sinh hoạt."))
    if departed_on > timezone.localdate():
        errors.append(_("Ngày chuyển đi không thể ở tương lai: lập giấy vào ngày đảng viên đi."))
    if departed_on < home.valid_from:
        errors.append(_("Ngày chuyển đi không thể trước ngày đến chi bộ hiện tại."))
    if moved_on > departed_on:
        errors.append(_("Ngày có quyết định/chuyển nơi ở không thể sau ngày chuyển đi."))
    same_org = to_unit is not None and _org_id(to_unit) == _org_id(source)
    if kind == Kind.INTERNAL and not same_org:
        errors.append(_("Chuyển sinh hoạt nội bộ chỉ giữa các chi bộ trong cùng đảng bộ cơ sở."))
    if kind == Kind.OFFICIAL and same_org:
        errors.append(_("Hai chi bộ cùng một đảng bộ cơ sở: hãy chuyển sinh hoạt nội bộ."))
    if kind == Kind.TEMPORARY:
        if reason not in (Transfer.Reason.RESIDENCE_WORK, Transfer.Reason.STUDY):
            errors.append(_("Hãy chọn lý do: thay đổi nơi cư trú/làm việc hoặc đi học."))
        elif expected_return is None:
            errors.append(_("Hãy ghi ngày dự kiến trở về."))
        else:
            problem = rules.temporary_duration_error(reason, departed_on, expected_return)
            if problem:
                errors.append(problem)
    if kind == Kind.ABROAD and to_unit is not None:
        errors.append(
            _("Chuyển ra nước ngoài: ghi tên tổ chức đảng ở nước ngoài, không chọn chi bộ.")
        )
    if fee_paid_until is not None and fee_paid_until > departed_on.replace(day=28) + dt.timedelta(
        days=40
    ):
        errors.append(_("Tháng đã đóng đảng phí không hợp lý so với ngày chuyển đi."))
    if errors:
        raise ValidationError(errors)

    issuer = _issuer(source)
    fields = dict(
        member=member,
        kind=kind,
        reason=reason,
        from_unit=source,
        to_unit=to_unit,
        destination=destination.strip() or (to_unit.name if to_unit else ""),
        departed_on=departed_on,
        moved_on=moved_on,
        file_deadline=rules.transfer_file_deadline(moved_on) if kind != Kind.INTERNAL else None,
        report_deadline=(
            rules.transfer_report_deadline(departed_on)
            if kind == Kind.OFFICIAL and to_unit is not None
            else None
        ),
        expected_return=expected_return,
        fee_paid_until=fee_paid_until,
    )
    if kind == Kind.INTERNAL:  # no letter: the member moves inside the organization
        t = Transfer.objects.create(issuer=issuer, **fields)
    else:
        t = _create_numbered(issuer, departed_on.year, **fields)
    if kind == Kind.TEMPORARY:
        if to_unit is not None:
            # It ends by itself on the expected return (recording the return moves that day).
            Placement.objects.create(
                member=member,
                unit=to_unit,
                kind=Placement.Kind.TEMPORARY,
                valid_from=departed_on,
                valid_to=expected_return,
                transfer=t,
            )
    else:
        # The cell left keeps the member as they were on leaving, never what comes after.
        departures.snapshot(
            member=member, unit=home.unit, left_on=departed_on, reason=kind, transfer=t
        )
        home.valid_to = departed_on
        home.save(update_fields=["valid_to"])
        if kind == Kind.INTERNAL:
            Placement.objects.create(
                member=member, unit=to_unit, valid_from=departed_on, transfer=t
            )
            _set_home(member, to_unit)
        else:
            _set_home(member, None)
        _add_event(
            member,
            EventKind.TRANSFER_OUT,
            departed_on,
            data={
                "transfer": t.pk,
                "kind": kind,
                "to": t.destination,
                # The file is due within 60 working days of the decision or move.
                "file_deadline": t.file_deadline.isoformat() if t.file_deadline else None,
                "late": bool(t.file_deadline and departed_on > t.file_deadline),
            },
        )
    if kind == Kind.INTERNAL:
        _add_event(
            member,
            EventKind.TRANSFER_IN,
            departed_on,
            data={"transfer": t.pk, "kind": kind, "from": source.name},
        )
    _refresh_state(member)
    record(
        actor=actor,
        action=f"members.transfer.{kind}",
        obj=member,
        unit=source,
        after={
            "to": t.destination,
            "departed_on": departed_on.isoformat(),
            "letter_no": t.letter_no,
        },
    )
    return t


@transaction.atomic
def confirm_arrival(
    *, actor, transfer: Transfer, arrived_on: dt.date, late_reason: str = ""
) -> Transfer:
    """The receiving side confirms that the member presented the letter: they are on its roll
    from `arrived_on`. Later than 30 days after departure needs the reason."""
    # The member first, then the transfer: the order every writer locks them in (a merge of
    # duplicate records locks both members, then moves their transfers).
    member_id = Transfer.objects.values_list("member_id", flat=True).get(pk=transfer.pk)
    lock(Member.objects.get(pk=member_id))
    t = Transfer.objects.select_for_update().get(pk=transfer.pk)
    if t.kind != Kind.OFFICIAL or t.to_unit_id is None:
        raise ValidationError(_("Chỉ xác nhận đến với chuyển sinh hoạt chính thức trong hệ thống."))
    if t.arrived_on is not None:
        raise ValidationError(
            _("Đảng viên này đã được xác nhận đến ngày %(d)s.") % {"d": f"{t.arrived_on:%d/%m/%Y}"}
        )
    target = t.to_unit
    _check_actor(actor, target, _("Bạn không có quyền tiếp nhận đảng viên vào chi bộ này."))
    _cell(target)
    if arrived_on > timezone.localdate():
        raise ValidationError(_("Ngày đến không thể ở tương lai."))
    if arrived_on < t.departed_on:
        raise ValidationError(_("Ngày đến không thể trước ngày chuyển đi."))
    if t.report_deadline and arrived_on > t.report_deadline and not late_reason.strip():
        raise ValidationError(
            _("Đảng viên trình giấy giới thiệu quá %(n)d ngày (hạn %(d)s): hãy ghi lý do.")
            % {"n": (t.report_deadline - t.departed_on).days, "d": f"{t.report_deadline:%d/%m/%Y}"}
        )
    t.arrived_on = arrived_on
    t.late_reason = late_reason.strip()
    t.save(update_fields=["arrived_on", "late_reason"])
    member = t.member
    Placement.objects.create(member=member, unit=target, valid_from=arrived_on, transfer=t)
    _set_home(member, target)
    _add_event(
        member,
        EventKind.TRANSFER_IN,
        arrived_on,
        data={"transfer": t.pk, "kind": t.kind, "from": t.from_unit.name},
    )
    _refresh_state(member)
    record(
        actor=actor,
        action="members.transfer.arrival",
        obj=member,
        unit=target,
        after={"from": t.from_unit.name, "arrived_on": arrived_on.isoformat()},
    )
    return t


@transaction.atomic
def end_temporary(*, actor, transfer: Transfer, on: dt.date) -> Transfer:
    """The temporary attachment ends (the member returns to the home cell's meetings)."""
    t = Transfer.objects.select_for_update().get(pk=transfer.pk)
    if t.kind != Kind.TEMPORARY or t.ended_on is not None:
        raise ValidationError(_("Chỉ kết thúc một lần sinh hoạt tạm thời đang diễn ra."))
    _check_actor(actor, t.from_unit, _("Bạn không có quyền với đảng viên của chi bộ này."))
    if on <= t.departed_on:
        raise ValidationError(_("Ngày kết thúc phải sau ngày bắt đầu sinh hoạt tạm thời."))
    if on > timezone.localdate():
        raise ValidationError(_("Ngày trở về không thể ở tương lai."))
    t.ended_on = on
    t.save(update_fields=["ended_on"])
    Placement.objects.filter(transfer=t, kind=Placement.Kind.TEMPORARY).update(valid_to=on)
    record(
        actor=actor,
        action="members.transfer.temporary_end",
        obj=t.member,
        unit=t.from_unit,
        after={"ended_on": on.isoformat()},
    )
    return t


def awaiting_arrival(unit: Unit):
    """Official transfers into `unit`'s subtree not yet confirmed."""
    return Transfer.objects.filter(
        kind=Kind.OFFICIAL, arrived_on__isnull=True, to_unit__path__startswith=unit.path
    ).select_related("member", "from_unit", "to_unit")
