"""Members in the JSON API: list and record (sensitive fields masked as on the pages), events,
transfers and arrivals, seats, the roll, the statistical forms and the deadlines. Reads go through
restrict(); writes through the same services as the pages (403 without the "members" action)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from chibo.audit.services import record
from chibo.core.api_schemas import COMMON, Error, InSchema, IsoDate
from chibo.core.scope import can
from chibo.org.models import Unit
from chibo.org.selectors import unit_as_of

from . import admission, selectors, services, stats, transfers
from . import choices as c
from . import roll as roll_mod
from . import seats as seat_services
from .departures import UNKNOWN, former_shown, read
from .lifecycle import effective_events
from .models import Member, Seat, Transfer

router = Router(tags=["members"])


# Any ISO date is accepted. Reads clamp the dates they compute from into 0003–9998 (a period
# and the same period a year earlier, a deadline 60 days on), so no valid request fails; a
# write whose rule computes past year 9999 is answered 400 (the OverflowError handler).
Day = IsoDate
LOW, HIGH = dt.date(3, 1, 1), dt.date(9998, 12, 31)


def _clamp(d: dt.date) -> dt.date:
    return min(max(d, LOW), HIGH)


class MemberBrief(Schema):
    id: int
    full_name: str
    gender: str
    birth_year: int
    home_unit_id: int | None
    home_unit: str | None
    admitted_on: dt.date | None
    recognized_on: dt.date | None
    stage: str
    activity: str
    ended: str


class MemberPage(Schema):
    items: list[MemberBrief]
    next_after: int | None


class EventOut(Schema):
    id: int
    kind: str
    effective_date: dt.date
    recorded_date: dt.date
    decision_no: str
    issuer: str
    corrects_id: int | None
    in_effect: bool
    data: dict


class PlacementOut(Schema):
    unit_id: int
    unit: str
    kind: str
    valid_from: dt.date
    valid_to: dt.date | None


class SeatOut(Schema):
    id: int
    unit_id: int
    unit: str
    member_id: int
    member: str
    role: str
    valid_from: dt.date
    valid_to: dt.date | None


class TransferOut(Schema):
    id: int
    member_id: int
    member: str
    kind: str
    from_unit_id: int
    to_unit_id: int | None
    destination: str
    departed_on: dt.date
    report_deadline: dt.date | None
    arrived_on: dt.date | None
    letter_no: int | None
    letter_year: int | None


class MemberOut(MemberBrief):
    record: dict[str, str | int | bool | None]
    sensitive_masked: bool
    events: list[EventOut]
    placements: list[PlacementOut]
    seats: list[SeatOut]
    transfers: list[TransferOut]


def _brief(m: Member) -> dict:
    return {
        "id": m.pk,
        "full_name": m.full_name,
        "gender": m.gender,
        "birth_year": m.birth_year,
        "home_unit_id": m.home_unit_id,
        "home_unit": m.home_unit.name if m.home_unit_id else None,
        "admitted_on": m.admitted_on,
        "recognized_on": m.recognized_on,
        "stage": m.stage,
        "activity": m.activity,
        "ended": m.ended,
    }


def _unit(request, unit_id: int | None) -> Unit:
    if unit_id is None:
        return selectors.default_unit(request.user)
    # Today's lists and deadlines: the unit must lie in scope today.
    today = timezone.localdate()
    return get_object_or_404(Unit.objects.restrict(request.user, "view", on=today), pk=unit_id)


def _member(request, member_id: int) -> Member:
    return get_object_or_404(Member.objects.restrict(request.user, "view"), pk=member_id)


def _require(request, unit: Unit) -> None:
    if not can(request.user, "members", unit):
        raise PermissionDenied("Bạn chỉ có quyền xem.")


def _transfer(t: Transfer) -> dict:
    return {
        "id": t.pk,
        "member_id": t.member_id,
        "member": t.member.full_name,
        "kind": t.kind,
        "from_unit_id": t.from_unit_id,
        "to_unit_id": t.to_unit_id,
        "destination": t.destination,
        "departed_on": t.departed_on,
        "report_deadline": t.report_deadline,
        "arrived_on": t.arrived_on,
        "letter_no": t.letter_no,
        "letter_year": t.letter_year,
    }


def _seat(s: Seat) -> dict:
    return {
        "id": s.pk,
        "unit_id": s.unit_id,
        "unit": s.unit.name,
        "member_id": s.member_id,
        "member": s.member.full_name,
        "role": s.role,
        "valid_from": s.valid_from,
        "valid_to": s.valid_to,
    }


@router.get("/", response={**COMMON, 200: MemberPage, 404: Error}, summary="Danh sách đảng viên")
def list_members(
    request,
    unit_id: int | None = None,
    q: str = "",
    status: Literal["current", "former"] = "current",
    stage: Literal["", "probationary", "official"] = "",
    activity: Literal["", "active", "exempt", "suspended"] = "",
    gender: Literal["", "m", "f"] = "",
    after: int | None = None,
    limit: int = Query(50, ge=1, le=200),
):
    """Members under `unit_id` (default: the caller's first unit) in Vietnamese order, one
    keyset page at a time: pass the last id as `after` for the next page."""
    unit = _unit(request, unit_id)
    f = {"q": q, "status": status, "stage": stage, "activity": activity, "gender": gender}
    if status == "former":  # as they were on leaving (their copies), like the page
        shown = former_shown(unit, f, timezone.localdate())
        start = next((i + 1 for i, s in enumerate(shown) if s.pk == after), 0) if after else 0
        page = shown[start : start + limit + 1]
        more = len(page) > limit
        page = page[:limit]
        return {"items": [_brief(m) for m in page], "next_after": page[-1].pk if more else None}
    qs = selectors.for_list(selectors.filtered(unit, f, timezone.localdate()))
    cursor = qs.filter(pk=after).values_list("sort_key", "id").first() if after else None
    page = selectors.keyset_page(qs, cursor, limit + 1)
    more = len(page) > limit
    page = page[:limit]
    return {"items": [_brief(m) for m in page], "next_after": page[-1].pk if more else None}


@router.get(
    "/{member_id}",
    response={**COMMON, 200: MemberOut, 404: Error},
    summary="Hồ sơ một đảng viên (việc xem được ghi nhật ký)",
)
def get_member(request, member_id: int):
    real = _member(request, member_id)
    # The sending side: the member as they were on leaving, and the history up to then only.
    m, until, sensitive = read(request.user, real)
    fields = [
        "birth_date",
        "place_of_birth",
        "hometown",
        "residence",
        "ethnicity",
        "religion",
        "identity_type",
        "identity_no",
        "education_system",
        "education_grade",
        "qualification",
        "academic_title",
        "theory_level",
        "state_management",
        "foreign_language",
        "occupation_before",
        "occupation_now",
        "position",
        "card_no",
        "biography_no",
        "service_flag",
        "youth_union_at_admission",
        "private_business_owner",
    ]
    rec = {}
    for f in fields:
        v = getattr(m, f)
        if isinstance(v, dt.date):
            v = v.isoformat()
        if f in c.SENSITIVE_FIELDS and not sensitive and v not in ("", None):
            v = c.MASK
        if until is not None and f in m.unknown:
            v = str(UNKNOWN)
        rec[f] = v
    events = list(real.events.all())
    if until is not None:
        events = [e for e in events if e.effective_date <= until]
    live = {e.pk for e in effective_events(events)}
    out_events = []
    for e in events:
        data = dict(e.data)
        if data.get("health_reason") and not sensitive:
            data["health_reason"] = c.MASK
        out_events.append(
            {
                "id": e.pk,
                "kind": e.kind,
                "effective_date": e.effective_date,
                "recorded_date": e.recorded_date,
                "decision_no": e.decision_no,
                "issuer": e.issuer,
                "corrects_id": e.corrects_id,
                "in_effect": e.pk in live,
                "data": data,
            }
        )
    return {
        **_brief(m),
        "record": rec,
        "sensitive_masked": not sensitive,
        "events": out_events,
        "placements": [
            {
                "unit_id": p.unit_id,
                "unit": p.unit.name,
                "kind": p.kind,
                "valid_from": p.valid_from,
                "valid_to": p.valid_to,
            }
            for p in real.placements.select_related("unit").order_by("valid_from", "id")
            if until is None or p.valid_from < until
        ],
        "seats": [
            _seat(s)
            for s in real.seats.select_related("unit", "member")
            if until is None or s.valid_from < until
        ],
        "transfers": [
            _transfer(t)
            for t in real.transfers.select_related("member")
            if until is None or t.departed_on <= until
        ],
    }


EventKindIn = Literal[
    "recognition",
    "exemption",
    "return",
    "suspension",
    "discipline",
    "strike_off",
    "resignation",
    "death",
    "restoration",
    "card",
    "badge",
]


class EventIn(InSchema):
    kind: EventKindIn
    effective_date: Day = Field(..., description="recognition: the day it was decided")
    decision_no: str = Field("", max_length=80)
    issuer: str = Field("", max_length=255)
    ground: str = Field("", max_length=40, description="exemption / strike_off ground")
    health_reason: str = Field("", max_length=500)
    form: str = Field("", max_length=20, description="discipline form")
    decided_by: str = Field("", max_length=20, description="discipline: cell/committee/inspection")
    until: Day | None = None
    card_no: str = Field("", max_length=20)
    card_reason: Literal["new", "lost", "damaged"] = "new"
    years: int = Field(0, ge=0, le=100, description="badge: years of party age")
    badge_no: str = Field("", max_length=20)
    serious_illness: bool = False


def _record(request, m: Member, d: EventIn):
    common = {"actor": request.user, "member": m}
    on = d.effective_date
    k = d.kind
    if k == "recognition":
        return admission.recognize(
            decided_on=on, decision_no=d.decision_no, issuer=d.issuer, **common
        )
    if k == "exemption":
        return services.exempt(
            effective_date=on,
            resolution_no=d.decision_no,
            issuer=d.issuer,
            ground=d.ground,
            health_reason=d.health_reason,
            **common,
        )
    if k == "return":
        return services.return_to_activity(
            effective_date=on, decision_no=d.decision_no, issuer=d.issuer, **common
        )
    if k == "suspension":
        return services.suspend(
            effective_date=on, decision_no=d.decision_no, issuer=d.issuer, until=d.until, **common
        )
    if k == "discipline":
        return services.discipline(
            form=d.form,
            decided_by=d.decided_by,
            effective_date=on,
            decision_no=d.decision_no,
            issuer=d.issuer,
            **common,
        )
    if k == "strike_off":
        return services.strike_off(
            ground=d.ground, effective_date=on, decision_no=d.decision_no, issuer=d.issuer, **common
        )
    if k == "resignation":
        return services.resign(
            effective_date=on, decision_no=d.decision_no, issuer=d.issuer, **common
        )
    if k == "death":
        return services.record_death(died_on=on, **common)
    if k == "restoration":
        return services.restore(
            effective_date=on, decision_no=d.decision_no, issuer=d.issuer, **common
        )
    if k == "card":
        return services.issue_card(
            card_no=d.card_no,
            issued_on=on,
            reason=d.card_reason,
            decision_no=d.decision_no,
            issuer=d.issuer,
            **common,
        )
    return services.award_badge(
        years=d.years,
        awarded_on=on,
        badge_no=d.badge_no,
        decision_no=d.decision_no,
        issuer=d.issuer,
        serious_illness=d.serious_illness,
        **common,
    )


@router.post(
    "/{member_id}/events",
    response={**COMMON, 201: EventOut, 400: Error, 403: Error, 404: Error},
    summary="Ghi nhận một sự kiện (mỗi loại kiểm tra quy định của nó)",
)
def add_event(request, member_id: int, data: EventIn):
    m = _member(request, member_id)
    unit = m.home_unit or m.placements.order_by("-valid_from").first().unit
    _require(request, unit)
    e = _record(request, m, data)
    return Status(
        201,
        {
            **{
                f: getattr(e, f)
                for f in (
                    "id",
                    "kind",
                    "effective_date",
                    "recorded_date",
                    "decision_no",
                    "issuer",
                    "corrects_id",
                )
            },
            "in_effect": True,
            "data": e.data,
        },
    )


class TransferIn(InSchema):
    kind: Literal["official", "temporary", "internal", "abroad"]
    departed_on: Day
    moved_on: Day | None = None
    to_unit_id: int | None = None
    destination: str = Field("", max_length=255)
    reason: Literal["", "move", "residence_work", "study", "other"] = ""
    expected_return: Day | None = None
    fee_paid_until: Day | None = None


@router.post(
    "/{member_id}/transfers",
    response={**COMMON, 201: TransferOut, 400: Error, 403: Error, 404: Error},
    summary="Chuyển sinh hoạt đảng (chính thức, tạm thời, nội bộ, ra nước ngoài)",
)
def add_transfer(request, member_id: int, data: TransferIn):
    m = _member(request, member_id)
    if m.home_unit is None:
        from django.core.exceptions import ValidationError

        raise ValidationError("Đảng viên hiện không sinh hoạt ở chi bộ nào.")
    _require(request, m.home_unit)
    to_unit = None
    if data.to_unit_id is not None:
        # Any living cell may be a destination, as on the page (names only are revealed).
        to_unit = get_object_or_404(Unit.objects.filter(valid_to__isnull=True), pk=data.to_unit_id)
    t = transfers.transfer_out(
        actor=request.user,
        member=m,
        kind=data.kind,
        to_unit=to_unit,
        destination=data.destination,
        reason=data.reason,
        moved_on=data.moved_on,
        departed_on=data.departed_on,
        expected_return=data.expected_return,
        fee_paid_until=data.fee_paid_until,
    )
    return Status(201, _transfer(t))


class ArrivalIn(InSchema):
    arrived_on: Day
    late_reason: str = Field("", max_length=255)


@router.post(
    "/transfers/{transfer_id}/arrival",
    response={**COMMON, 200: TransferOut, 400: Error, 403: Error, 404: Error},
    summary="Nơi đến xác nhận đảng viên đã trình giấy giới thiệu",
)
def arrival(request, transfer_id: int, data: ArrivalIn):
    t = get_object_or_404(
        Transfer.objects.restrict(request.user, via="receiving")
        .filter(kind=Transfer.Kind.OFFICIAL)
        .select_related("member", "to_unit"),
        pk=transfer_id,
    )
    _require(request, t.to_unit)
    t = transfers.confirm_arrival(
        actor=request.user, transfer=t, arrived_on=data.arrived_on, late_reason=data.late_reason
    )
    return _transfer(t)


class RollRowOut(Schema):
    member_id: int
    columns: list[str]


@router.get(
    "/units/{unit_id}/roll",
    response={**COMMON, 200: list[RollRowOut], 400: Error, 404: Error},
    summary="Sổ danh sách đảng viên (7-HSĐV, 14 cột) vào một ngày",
    description="Theo cây tổ chức của ngày đó; tree=today: tính lại theo cây tổ chức hiện nay.",
)
def roll(
    request,
    unit_id: int,
    on: Day | None = None,
    tree: Literal["of_date", "today"] = "of_date",
):
    on = on or timezone.localdate()
    unit = unit_as_of(request.user, unit_id, on)
    sensitive = can(request.user, "sensitive", unit, on=max(on, unit.valid_from))
    restate = tree == "today"
    with transaction.atomic():
        record(
            actor=request.user,
            action="view.roll",
            unit=unit,
            after={"on": on.isoformat(), "restated": restate},
        )
    return [
        {"member_id": r.member_id, "columns": r.cells}
        for r in roll_mod.rows(unit, on, sensitive=sensitive, restate=restate)
    ]


class FormRowOut(Schema):
    code: str
    label: str
    indent: int
    value: float | None
    last_year: float | None
    note: str = Field("", description="chú thích của dòng (số đầu kỳ gồm cả tổ chức hợp nhất…)")


@router.get(
    "/units/{unit_id}/forms/{number}",
    response={**COMMON, 200: list[FormRowOut], 400: Error, 404: Error},
    summary="Biểu 1, 2, 3, 7 (phần đảng viên) cho một kỳ, so với cùng kỳ năm trước",
    description="`start` và `end` được đổi chỗ nếu ngược; ngày ngoài 0003–9998 được đưa về "
    "giới hạn đó.",
)
def form(request, unit_id: int, number: Literal["1", "2", "3", "7"], start: Day, end: Day):
    start, end = sorted((_clamp(start), _clamp(end)))
    unit = stats.unit_for_period(request.user, unit_id, end)
    form, rows = stats.with_last_year(int(number), unit, start, end)
    notes: dict[str, list[str]] = {}
    for code, text in form.notes:
        notes.setdefault(code, []).append(str(text))
    return [
        {
            "code": r.code,
            "label": str(r.label),
            "indent": r.indent,
            "value": v,
            "last_year": p,
            "note": " ".join(notes.get(r.code, [])),
        }
        for r, v, p in rows
    ]


class AlertOut(Schema):
    kind: str
    date: dt.date | None
    status: str
    text: str
    member_id: int | None
    transfer_id: int | None
    unit_id: int | None
    decision_id: int | None


@router.get(
    "/units/{unit_id}/deadlines",
    response={**COMMON, 200: list[AlertOut], 400: Error, 404: Error},
    summary="Việc đến hạn: công nhận chính thức, chuyển đến, huy hiệu, chi bộ dưới 3 đảng viên…",
)
def deadlines(request, unit_id: int, on: Day | None = None):
    unit = _unit(request, unit_id)
    return [a.__dict__ for a in selectors.deadlines(unit, _clamp(on or timezone.localdate()))]


@router.get(
    "/units/{unit_id}/seats",
    response={**COMMON, 200: list[SeatOut], 400: Error, 404: Error},
    summary="Cấp ủy của một tổ chức vào một ngày",
)
def list_seats(request, unit_id: int, on: Day | None = None):
    unit = _unit(request, unit_id)
    return [
        _seat(s)
        for s in seat_services.seats_on(unit, on or timezone.localdate()).select_related("unit")
    ]


class SeatIn(InSchema):
    member_id: int
    role: Literal[
        "secretary", "deputy_secretary", "standing", "committee", "inspection_chair", "inspection"
    ]
    valid_from: Day
    decision_no: str = Field("", max_length=80)


@router.post(
    "/units/{unit_id}/seats",
    response={**COMMON, 201: SeatOut, 400: Error, 403: Error, 404: Error},
    summary="Giao một chức danh cấp ủy (quyền của bí thư đi theo chức danh)",
)
def add_seat(request, unit_id: int, data: SeatIn):
    unit = _unit(request, unit_id)
    _require(request, unit)
    m = get_object_or_404(
        Member.objects.restrict(request.user).filter(home_unit__path__startswith=unit.path),
        pk=data.member_id,
    )
    s = seat_services.assign_seat(
        actor=request.user,
        unit=unit,
        member=m,
        role=data.role,
        valid_from=data.valid_from,
        decision_no=data.decision_no,
    )
    return Status(201, _seat(Seat.objects.select_related("unit", "member").get(pk=s.pk)))
