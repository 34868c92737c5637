"""Member writes. A member's state comes from dated events (lifecycle.py); every service that
records or corrects an event recomputes the stored state for today in the same transaction."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from chibo.audit.services import record
from chibo.core.scope import allowed
from chibo.core.text import search_key, sort_key
from chibo.org.choices import UnitKind
from chibo.org.models import Unit

from . import departures, lifecycle, rules
from .aggregates import restate
from .lifecycle import EventKind
from .locks import lock
from .models import Member, MemberEvent, Placement, given_key
from .reconciliation import flag
from .selectors import members_on

# Why an event cannot happen where it stands, in the words staff use.
REASONS = {
    "ended": _("Người này không còn là đảng viên vào ngày đó."),
    "already a member": _("Người này đã là đảng viên vào ngày đó."),
    "still a member": _("Người này vẫn đang là đảng viên; chỉ kết nạp lại người đã ra khỏi Đảng."),
    "not admitted": _("Người này chưa được kết nạp vào ngày đó."),
    "not probationary": _("Chỉ công nhận chính thức cho đảng viên dự bị."),
    "not active": _("Chỉ miễn sinh hoạt cho đảng viên đang sinh hoạt."),
    "already suspended": _("Đảng viên đang bị đình chỉ sinh hoạt."),
    "already active": _("Đảng viên đang sinh hoạt bình thường."),
    "deceased": _("Đảng viên đã từ trần."),
    "nothing to restore": _(
        "Chỉ phục hồi đảng tịch cho người bị xóa tên, khai trừ hoặc đã ra khỏi Đảng."
    ),
}


@transaction.atomic
def add_member(
    *,
    actor,
    unit: Unit,
    family_name: str,
    middle_name: str,
    given_name: str,
    gender: str,
    birth_year: int,
    admitted_on: dt.date,
    recognized_on: dt.date | None,
    placed_on: dt.date,
) -> Member:
    """A member as committees already know them: their admission (and recognition, if any)
    become events, so the state on every date derives from them like for anyone else."""
    if not allowed(actor, "members", unit):
        raise PermissionDenied(_("Bạn không có quyền ghi nhận thông tin đảng viên ở chi bộ này."))
    m = _place_new_member(
        unit,
        placed_on,
        family_name=family_name,
        middle_name=middle_name,
        given_name=given_name,
        gender=gender,
        birth_year=birth_year,
        admitted_on=admitted_on,
    )
    _add_event(m, EventKind.ADMISSION, admitted_on)
    if recognized_on is not None:
        _add_event(m, EventKind.RECOGNITION, recognized_on)
    _refresh_state(m)
    record(
        actor=actor,
        action="members.add",
        obj=m,
        unit=unit,
        after={"name": m.full_name, "stage": m.stage},
    )
    return m


def _place_new_member(unit: Unit, placed_on: dt.date, **fields) -> Member:
    """A new member record with its home cell's denormalized ancestors and its first placement."""
    m = Member.objects.create(
        home_unit=unit,
        province_id=unit.province_id,
        commune_id=unit.commune_id,
        grassroots_id=unit.grassroots_id,
        **fields,
    )
    Placement.objects.create(member=m, unit=unit, valid_from=placed_on)
    return m


# Events are facts that happened: none may be dated after today (a planned ceremony is a deadline
# on the deadlines page, not an event; a suspension's end is data of the suspension).
FUTURE = {
    EventKind.ADMISSION: _lazy(
        "Lễ kết nạp chưa diễn ra (%(d)s): hãy ghi nhận quyết định kết nạp để theo dõi hạn tổ "
        "chức lễ; ghi kết nạp khi đã làm lễ."
    ),
    EventKind.READMISSION: _lazy("Lễ kết nạp lại chưa diễn ra (%(d)s): ghi khi đã làm lễ."),
    EventKind.RECOGNITION: _lazy("Chưa đến ngày công nhận đảng viên chính thức (%(d)s)."),
    EventKind.DEATH: _lazy("Ngày từ trần (%(d)s) không thể ở tương lai."),
    EventKind.STRIKE_OFF: _lazy("Ngày xóa tên (%(d)s) không thể ở tương lai."),
    EventKind.EXPULSION: _lazy("Ngày khai trừ (%(d)s) không thể ở tương lai."),
    EventKind.RESIGNATION: _lazy("Ngày ra khỏi Đảng (%(d)s) không thể ở tương lai."),
}


def _not_in_future(kind: str, effective: dt.date) -> None:
    if effective > timezone.localdate():
        message = FUTURE.get(
            kind, _("Ngày hiệu lực %(d)s ở tương lai: chỉ ghi nhận sự việc đã xảy ra.")
        )
        raise ValidationError(message % {"d": f"{effective:%d/%m/%Y}"})


def _add_event(
    member: Member,
    kind: str,
    effective: dt.date,
    *,
    recorded: dt.date | None = None,
    decision_no: str = "",
    issuer: str = "",
    data: dict | None = None,
    corrects: MemberEvent | None = None,
) -> MemberEvent:

    _not_in_future(kind, effective)
    event = MemberEvent.objects.create(
        member=member,
        kind=kind,
        effective_date=effective,
        recorded_date=recorded or timezone.localdate(),
        decision_no=decision_no,
        issuer=issuer,
        data=data or {},
        corrects=corrects,
    )
    flag(event)
    return event


def _refresh_state(member: Member) -> lifecycle.State:
    """Store today's state (and the recognition date the counts use) from the events."""
    events = list(member.events.all())
    problem = lifecycle.history_is_valid(events)
    if problem is not None:
        reason = problem.split(": ", 1)[1]
        raise ValidationError(REASONS.get(reason, reason))
    state, ends = lifecycle.fold(events, timezone.localdate())
    live = lifecycle.effective_events(events)
    admissions = [e for e in live if e.kind in (EventKind.ADMISSION, EventKind.READMISSION)]
    recognitions = [e for e in live if e.kind == EventKind.RECOGNITION]
    member.stage = state.stage or ""
    member.activity = state.activity or ""
    member.ended = state.ended or ""
    member.activity_until = ends
    if admissions:  # a re-admission starts a new probation and a new party age
        member.admitted_on = admissions[-1].effective_date
        recognitions = [e for e in recognitions if e.effective_date >= member.admitted_on]
    member.recognized_on = recognitions[-1].effective_date if recognitions else None
    member.save(
        update_fields=[
            "stage",
            "activity",
            "activity_until",
            "ended",
            "recognized_on",
            "admitted_on",
        ]
    )

    restate([member.pk])
    return state


@transaction.atomic
def record_event(
    *,
    actor,
    member: Member,
    kind: str,
    effective_date: dt.date,
    decision_no: str = "",
    issuer: str = "",
    data: dict | None = None,
    recorded_date: dt.date | None = None,
) -> MemberEvent:
    """Record a lifecycle event; refused (nothing written) when the member's history would no
    longer hold, e.g. a recognition for someone already official."""
    lock(member)
    _require_members(actor, member)
    if kind not in EventKind.values or kind == EventKind.VOID:
        raise ValidationError(_("Loại sự kiện không hợp lệ."))
    event = _add_event(
        member,
        kind,
        effective_date,
        recorded=recorded_date,
        decision_no=decision_no,
        issuer=issuer,
        data=data,
    )
    before = {"stage": member.stage, "activity": member.activity, "ended": member.ended}
    _refresh_state(member)
    if kind in lifecycle.ENDING:
        unit = member.home_unit or _last_home_unit(member)
        departures.snapshot(member=member, unit=unit, left_on=effective_date, reason=kind)
    record(
        actor=actor,
        action=f"members.event.{kind}",
        obj=member,
        unit=member.home_unit,
        before=before,
        after={
            "stage": member.stage,
            "activity": member.activity,
            "ended": member.ended,
            "effective_date": effective_date.isoformat(),
        },
    )
    return event


@transaction.atomic
def correct_event(
    *,
    actor,
    event: MemberEvent,
    kind: str | None = None,
    effective_date: dt.date | None = None,
    decision_no: str | None = None,
    note: str = "",
) -> MemberEvent:
    """Correct a recorded event by a correcting event (never by editing or deleting it). With
    kind=VOID the event is annulled."""
    lock(event.member)
    event = MemberEvent.objects.select_related("member").get(pk=event.pk)
    _require_members(actor, event.member)
    if hasattr(event, "corrected_by"):
        raise ValidationError(_("Sự kiện này đã được đính chính; hãy đính chính bản mới nhất."))
    new_kind = kind or event.kind
    replacement = _add_event(
        event.member,
        new_kind,
        effective_date or event.effective_date,
        decision_no=event.decision_no if decision_no is None else decision_no,
        issuer=event.issuer,
        data={**event.data, "note": note},
        corrects=event,
    )
    member = event.member
    _refresh_state(member)
    record(
        actor=actor,
        action="members.event.correct",
        obj=member,
        unit=member.home_unit,
        before={
            "event": event.pk,
            "kind": event.kind,
            "effective_date": event.effective_date.isoformat(),
        },
        after={
            "event": replacement.pk,
            "kind": new_kind,
            "effective_date": replacement.effective_date.isoformat(),
            "note": note,
        },
    )
    return replacement


def move_placements(*, source: Unit, target: Unit, on: dt.date) -> int:
    """When cells merge: the absorbed cell's members continue in the target cell from `on`.
    Called inside the restructuring transaction."""
    moving = list(Placement.objects.filter(unit=source, valid_to__isnull=True))
    for p in moving:
        p.valid_to = on
    Placement.objects.bulk_update(moving, ["valid_to"])
    Placement.objects.bulk_create(
        [Placement(member_id=p.member_id, unit=target, kind=p.kind, valid_from=on) for p in moving]
    )
    target = Unit.objects.get(pk=target.pk)

    Member.objects.filter(
        pk__in=[p.member_id for p in moving if p.kind == Placement.Kind.HOME]
    ).update(
        home_unit=target,
        province_id=target.province_id,
        commune_id=target.commune_id,
        grassroots_id=target.grassroots_id,
    )
    restate([p.member_id for p in moving if p.kind == Placement.Kind.HOME])
    return len(moving)


def still_placed(*, unit: Unit, on: dt.date) -> list[str]:
    """Why `unit` cannot be dissolved on `on`: members placed there that day (selectors'
    members_on, one query) would belong to no organization; they are transferred, or the cell
    merged into another, first."""

    names = [
        p.member.full_name
        for p in members_on(on)
        .filter(unit=unit)
        .select_related("member")
        .order_by("member__sort_key", "member_id")
    ]
    if not names:
        return []
    shown = ", ".join(names[:5]) + ("…" if len(names) > 5 else "")
    return [
        _(
            "%(unit)s còn %(n)d đảng viên sinh hoạt ngày %(d)s (%(names)s): hãy chuyển sinh "
            "hoạt hoặc sáp nhập chi bộ vào chi bộ khác trước khi giải thể."
        )
        % {"unit": unit.name, "n": len(names), "d": f"{on:%d/%m/%Y}", "names": shown}
    ]


def later_events(*, on: dt.date, units) -> dict[int, str]:
    """For a restructuring's preview: per unit, how many member events dated on or after `on`
    concern members placed in its subtree then (they will follow the tree of their own dates)."""
    from django.db.models import F, Q

    out = {}
    for unit in units:
        n = (
            MemberEvent.objects.filter(
                effective_date__gte=on,
                member__placements__unit__path__startswith=unit.path,
                member__placements__valid_from__lte=F("effective_date"),
            )
            .filter(
                Q(member__placements__valid_to__isnull=True)
                | Q(member__placements__valid_to__gt=F("effective_date"))
            )
            .values("pk")
            .distinct()
            .count()
        )
        if n:
            out[unit.pk] = _("%(n)d sự kiện đảng viên") % {"n": n}
    return out


def refresh_denormalized(unit_ids) -> None:
    """After a subtree moves, members' province/commune/grassroots follow their home cell:
    one UPDATE per distinct combination (a moved subtree usually has one or two)."""
    groups: dict[tuple, list[int]] = {}
    for pk, p, c, g in Unit.objects.filter(pk__in=unit_ids).values_list(
        "pk", "province_id", "commune_id", "grassroots_id"
    ):
        groups.setdefault((p, c, g), []).append(pk)
    for (p, c, g), ids in groups.items():
        Member.objects.filter(home_unit_id__in=ids).update(
            province_id=p, commune_id=c, grassroots_id=g
        )


# --- The other lifecycle services: each checks its rule, then records its event ---------------


def _require_members(actor, member: Member) -> None:
    unit = member.home_unit or _last_home_unit(member)
    if not allowed(actor, "members", unit):
        raise PermissionDenied(_("Bạn không có quyền ghi nhận thông tin đảng viên ở chi bộ này."))


def _last_home_unit(member: Member) -> Unit:
    p = member.placements.filter(kind=Placement.Kind.HOME).order_by("-valid_from").first()
    return p.unit


@transaction.atomic
def exempt(
    *,
    actor,
    member: Member,
    effective_date: dt.date,
    resolution_no: str,
    ground: str,
    health_reason: str = "",
    issuer: str = "",
    until: dt.date | None = None,
) -> MemberEvent:
    """Exemption from work and meetings (miễn công tác và sinh hoạt đảng) by the cell's
    resolution: for age (beyond working age, a parameter) or health (the reason is sensitive
    data, masked for roles without the "sensitive" action); reversible by return_to_activity.
    With a term (`until`, its last day) it ends by itself the day after."""

    lock(member)
    _require_members(actor, member)
    errors = []
    if ground not in ("age", "health", "other"):
        errors.append(_("Hãy chọn lý do miễn sinh hoạt: tuổi cao, sức yếu hoặc khác."))
    if ground == "age" and not rules.exemption_age_ok(
        member.gender, member.birth_year, member.birth_date, effective_date
    ):
        errors.append(_("Đảng viên chưa quá tuổi lao động để miễn sinh hoạt vì tuổi cao."))
    if ground in ("health", "other") and not health_reason.strip():
        errors.append(_("Hãy ghi rõ lý do sức khỏe hoặc hoàn cảnh."))
    if not resolution_no.strip():
        errors.append(_("Miễn sinh hoạt do chi bộ quyết định bằng nghị quyết: hãy ghi số."))
    if until is not None and until < effective_date:
        errors.append(_("Thời hạn miễn sinh hoạt phải từ ngày bắt đầu trở đi."))
    if errors:
        raise ValidationError(errors)
    return record_event(
        actor=actor,
        member=member,
        kind=EventKind.EXEMPTION,
        effective_date=effective_date,
        decision_no=resolution_no,
        issuer=issuer or (member.home_unit.name if member.home_unit else ""),
        data={
            "ground": ground,
            "health_reason": health_reason.strip(),
            "until": until.isoformat() if until else None,
        },
    )


@transaction.atomic
def return_to_activity(
    *, actor, member: Member, effective_date: dt.date, decision_no: str = "", issuer: str = ""
) -> MemberEvent:
    lock(member)
    _require_members(actor, member)
    return record_event(
        actor=actor,
        member=member,
        kind=EventKind.RETURN_TO_ACTIVITY,
        effective_date=effective_date,
        decision_no=decision_no,
        issuer=issuer,
    )


@transaction.atomic
def suspend(
    *,
    actor,
    member: Member,
    effective_date: dt.date,
    decision_no: str,
    issuer: str,
    until: dt.date | None = None,
) -> MemberEvent:
    """Suspension of party activity (đình chỉ sinh hoạt): a committee's measure, not a
    discipline form."""
    lock(member)
    _require_members(actor, member)
    if not decision_no.strip() or not issuer.strip():
        raise ValidationError(_("Đình chỉ sinh hoạt cần số quyết định và cơ quan ban hành."))
    if until is not None and until <= effective_date:
        raise ValidationError(_("Thời hạn đình chỉ phải sau ngày bắt đầu."))
    return record_event(
        actor=actor,
        member=member,
        kind=EventKind.SUSPENSION,
        effective_date=effective_date,
        decision_no=decision_no,
        issuer=issuer,
        data={"until": until.isoformat() if until else None},
    )


@transaction.atomic
def discipline(
    *,
    actor,
    member: Member,
    form: str,
    decided_by: str,
    effective_date: dt.date,
    decision_no: str,
    issuer: str,
    reason: str = "",
) -> MemberEvent:
    """Discipline (Điều lệ Art. 35): the cell may reprimand or warn (effective when the vote is
    announced: `effective_date`); removal from post (post-holders only) and expulsion come from
    committees; a probationary member only the first two. Expulsion ends the membership."""

    lock(member)
    _require_members(actor, member)
    if decided_by not in ("cell", "committee", "inspection"):
        raise ValidationError(_("Hãy chọn cấp quyết định kỷ luật."))
    holds_post = (
        bool(member.position.strip())
        or member.seats.filter(valid_from__lte=effective_date)
        .exclude(valid_to__lte=effective_date)
        .exists()
    )
    stage = lifecycle.state_on(member.events.all(), effective_date).stage or ""
    problem = rules.discipline_error(form, decided_by, stage, holds_post)
    if problem:
        raise ValidationError(problem)
    if not decision_no.strip():
        raise ValidationError(_("Hãy ghi số quyết định hoặc nghị quyết kỷ luật."))
    kind = EventKind.EXPULSION if form == "expulsion" else EventKind.DISCIPLINE
    return record_event(
        actor=actor,
        member=member,
        kind=kind,
        effective_date=effective_date,
        decision_no=decision_no,
        issuer=issuer,
        data={"form": form, "decided_by": decided_by, "reason": reason.strip()},
    )


@transaction.atomic
def strike_off(
    *,
    actor,
    member: Member,
    ground: str,
    effective_date: dt.date,
    decision_no: str,
    issuer: str,
    note: str = "",
) -> MemberEvent:
    """Strike-off from the list (xóa tên): proposed by the cell, decided by the competent
    committee, on one of the Charter's grounds. Not a discipline form."""

    lock(member)
    _require_members(actor, member)
    if ground not in rules.STRIKE_OFF_GROUNDS:
        raise ValidationError(_("Hãy chọn một trong các trường hợp xóa tên theo quy định."))
    stage = lifecycle.state_on(member.events.all(), effective_date).stage
    if ground == "not_recognized" and stage != "probationary":
        raise ValidationError(
            _("Chỉ xóa tên vì không được công nhận chính thức với đảng viên dự bị.")
        )
    if not decision_no.strip() or not issuer.strip():
        raise ValidationError(
            _("Xóa tên do cấp ủy có thẩm quyền quyết định: hãy ghi số quyết định.")
        )
    return record_event(
        actor=actor,
        member=member,
        kind=EventKind.STRIKE_OFF,
        effective_date=effective_date,
        decision_no=decision_no,
        issuer=issuer,
        data={"ground": ground, "note": note.strip(), "stage": stage},
    )


@transaction.atomic
def resign(
    *, actor, member: Member, effective_date: dt.date, decision_no: str, issuer: str
) -> MemberEvent:
    lock(member)
    _require_members(actor, member)
    return record_event(
        actor=actor,
        member=member,
        kind=EventKind.RESIGNATION,
        effective_date=effective_date,
        decision_no=decision_no,
        issuer=issuer,
    )


@transaction.atomic
def record_death(*, actor, member: Member, died_on: dt.date, note: str = "") -> MemberEvent:
    lock(member)
    _require_members(actor, member)
    if member.birth_date and died_on < member.birth_date:
        raise ValidationError(_("Ngày từ trần không thể trước ngày sinh."))
    return record_event(
        actor=actor,
        member=member,
        kind=EventKind.DEATH,
        effective_date=died_on,
        data={"note": note.strip()},
    )


@transaction.atomic
def restore(
    *, actor, member: Member, effective_date: dt.date, decision_no: str, issuer: str
) -> MemberEvent:
    """Restoration of membership (phục hồi đảng tịch) by a competent committee's decision."""
    lock(member)
    _require_members(actor, member)
    if not decision_no.strip():
        raise ValidationError(_("Phục hồi đảng tịch cần số quyết định."))
    return record_event(
        actor=actor,
        member=member,
        kind=EventKind.RESTORATION,
        effective_date=effective_date,
        decision_no=decision_no,
        issuer=issuer,
    )


@transaction.atomic
def readmit(
    *,
    actor,
    member: Member,
    ceremony_on: dt.date,
    decision_no: str,
    issuer: str,
) -> MemberEvent:
    """Re-admission (kết nạp lại) of someone who left: a new 12-month probation from the
    ceremony."""
    lock(member)
    _require_members(actor, member)
    if not decision_no.strip():
        raise ValidationError(_("Kết nạp lại cần số quyết định."))
    return record_event(
        actor=actor,
        member=member,
        kind=EventKind.READMISSION,
        effective_date=ceremony_on,
        decision_no=decision_no,
        issuer=issuer,
    )


@transaction.atomic
def issue_card(
    *,
    actor,
    member: Member,
    card_no: str,
    issued_on: dt.date,
    reason: str = "new",
    decision_no: str = "",
    issuer: str = "",
) -> MemberEvent:
    """Party card: issued to new official members, re-issued when lost, exchanged when damaged
    (Biểu 7 III)."""
    lock(member)
    _require_members(actor, member)
    card_no = card_no.strip()
    if reason not in ("new", "lost", "damaged"):
        raise ValidationError(_("Hãy chọn: cấp mới, cấp lại do mất hoặc đổi do hỏng."))
    if not card_no.isdigit():
        raise ValidationError(_("Số thẻ đảng viên chỉ gồm chữ số."))
    if lifecycle.state_on(member.events.all(), issued_on).stage != "official":
        raise ValidationError(_("Thẻ đảng viên cấp cho đảng viên chính thức."))
    if Member.objects.exclude(card_no="").filter(card_no=card_no).exclude(pk=member.pk).exists():
        raise ValidationError(_("Số thẻ %(n)s đã thuộc về một đảng viên khác.") % {"n": card_no})
    event = record_event(
        actor=actor,
        member=member,
        kind=EventKind.CARD,
        effective_date=issued_on,
        decision_no=decision_no,
        issuer=issuer,
        data={"card_no": card_no, "reason": reason, "previous": member.card_no},
    )
    member.card_no = card_no
    member.save(update_fields=["card_no"])
    return event


@transaction.atomic
def set_card_number(*, actor, member: Member, card_no: str, note: str = "") -> Member:
    """The party card number as a roll records it (an import, the correction of a mistyped
    number): no card event, since the roll says neither when nor why the card was issued
    (issuing one is issue_card). Refused without an actor allowed to write the member's
    records, for anything but digits, and for a number another member holds; audited with the
    old and the new number."""
    lock(member)
    unit = member.home_unit or _last_home_unit(member)
    if not allowed(actor, "members", unit):
        raise PermissionDenied(_("Bạn không có quyền ghi nhận thông tin đảng viên ở chi bộ này."))
    card_no = card_no.strip()
    if not card_no.isdigit():
        raise ValidationError(_("Số thẻ đảng viên chỉ gồm chữ số."))
    if Member.objects.exclude(card_no="").filter(card_no=card_no).exclude(pk=member.pk).exists():
        raise ValidationError(_("Số thẻ %(n)s đã thuộc về một đảng viên khác.") % {"n": card_no})
    if card_no == member.card_no:
        return member
    before = member.card_no
    member.card_no = card_no
    member.save(update_fields=["card_no"])
    record(
        actor=actor,
        action="members.card_no",
        obj=member,
        unit=unit,
        before={"card_no": before},
        after={"card_no": card_no, "note": note},
    )
    return member


@transaction.atomic
def award_badge(
    *,
    actor,
    member: Member,
    years: int,
    awarded_on: dt.date,
    badge_no: str = "",
    decision_no: str = "",
    issuer: str = "",
    serious_illness: bool = False,
) -> MemberEvent:
    """A party badge for `years` of party age: at the milestone, early for serious illness
    within the allowed months, or posthumously (truy tặng)."""

    lock(member)
    _require_members(actor, member)
    events = list(member.events.all())
    if any(
        e.kind == EventKind.BADGE and e.data.get("years") == years
        for e in lifecycle.effective_events(events)
    ):
        raise ValidationError(_("Đảng viên đã được tặng Huy hiệu %(y)d năm.") % {"y": years})
    state = lifecycle.state_on(events, awarded_on)
    posthumous = state.ended == "deceased"
    on = awarded_on
    if posthumous:  # party age counts up to the death
        on = max(e.effective_date for e in events if e.kind == EventKind.DEATH)
    check = rules.badge_check(
        rules.party_age_months(events, on), years, awarded_on, serious_illness
    )
    if not check.ok:
        raise ValidationError(check.message)
    return record_event(
        actor=actor,
        member=member,
        kind=EventKind.BADGE,
        effective_date=awarded_on,
        decision_no=decision_no,
        issuer=issuer,
        data={
            "years": years,
            "badge_no": badge_no.strip(),
            "early_months": check.early_months,
            "posthumous": posthumous,
        },
    )


@transaction.atomic
def set_party_group(*, actor, member: Member, group: Unit | None, on: dt.date) -> Placement:
    """Put a member in one of their cell's party groups (tổ đảng) from `on`, or take them out
    (group=None). The home placement is split on that day so the history stays dated."""

    lock(member)
    _require_members(actor, member)
    home = member.placements.filter(kind=Placement.Kind.HOME, valid_to__isnull=True).first()
    if home is None:
        raise ValidationError(_("Đảng viên hiện không sinh hoạt ở chi bộ nào."))
    if group is not None and (
        group.kind != UnitKind.PARTY_GROUP
        or not group.is_alive
        or not group.path.startswith(home.unit.path)
    ):
        raise ValidationError(_("Tổ đảng phải thuộc chi bộ nơi đảng viên đang sinh hoạt."))
    if on < home.valid_from:
        raise ValidationError(_("Ngày này trước khi đảng viên đến chi bộ."))
    if (home.party_group_id or None) == (group.pk if group else None):
        return home
    before = {"party_group": home.party_group_id}
    if on == home.valid_from:
        home.party_group = group
        home.save(update_fields=["party_group"])
        new = home
    else:
        home.valid_to = on
        home.save(update_fields=["valid_to"])
        new = Placement.objects.create(
            member=member, unit=home.unit, kind=home.kind, valid_from=on, party_group=group
        )
    record(
        actor=actor,
        action="members.party_group",
        obj=member,
        unit=home.unit,
        before=before,
        after={"party_group": group.pk if group else None, "on": on.isoformat()},
    )
    return new


def rebuild_text_keys() -> tuple[int, str]:
    """Stored search, given-name and ICU sort keys of every member, rebuilt when ICU changes
    (`chibo rebuild_text_keys` asks every app through core's hooks)."""
    batch = []
    for m in Member.objects.only("pk", "family_name", "middle_name", "given_name").iterator(
        chunk_size=2000
    ):
        m.search_key = search_key(m.full_name)
        m.given_key = given_key(m.family_name, m.middle_name, m.given_name)
        m.sort_key = sort_key(m.family_name, m.middle_name, m.given_name)
        batch.append(m)
    Member.objects.bulk_update(batch, ["search_key", "given_key", "sort_key"], batch_size=2000)
    return len(batch), "khóa đảng viên"
