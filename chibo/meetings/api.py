"""Meetings in the JSON API: the year's meetings of a unit, one meeting with its attendance,
speakers, votes, documents and papers; attendance, the holding record, speakers, votes and
follower visits as writes that a device may send more than once (`client_id`: applied once, a
repeat gets the first answer; `base`: the values the device started from, so a field changed
elsewhere meanwhile is a 409 with both versions); the follow-up compliance and the statistics.
Reads go through restrict(); writes through the same services as the pages."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from chibo.core.api_schemas import COMMON, Error, InSchema
from chibo.core.scope import can
from chibo.members.models import Member
from chibo.org.models import Unit

from . import followup, holding, offline, stats
from .models import Meeting, Quality
from .papers import number_label

router = Router(tags=["meetings"])
BIG = 2**31 - 1


class MeetingBrief(Schema):
    id: int
    unit_id: int
    kind: str
    planned_on: dt.date
    held_on: dt.date | None
    topic: str
    version: int


class AttendanceOut(Schema):
    member_id: int
    name: str
    status: str
    reason: str
    official: bool
    exempt: bool
    suspended: bool
    away: bool
    guest_member: bool


class SpeechOut(Schema):
    id: int
    member_id: int | None
    name: str
    points: str


class VoteOut(Schema):
    id: int
    kind: str
    title: str
    subject_member_id: int | None
    subject_name: str
    attempt: int
    yes: int
    no: int
    abstain: int
    base: int
    required: int
    passed: bool
    escalated: bool
    explanation: str


class DocumentOut(Schema):
    id: int
    kind: str
    title: str
    size: int
    posted_at: dt.datetime
    url: str


class PaperOut(Schema):
    id: int
    kind: str
    number: str
    issued: bool
    corrects_id: int | None


class PersonOut(Schema):
    member_id: int
    name: str
    reason: str = ""


class CountOut(Schema):
    """holding.attendance_count: the cell's own members present out of those summoned and
    marked (`of`); members attached here temporarily and guests apart, never counted."""

    present: int
    of: int
    excused: list[PersonOut]
    unexcused: list[PersonOut]
    unmarked: list[PersonOut]
    attached: list[PersonOut]
    away: list[PersonOut]
    guests: list[str]


class MeetingOut(MeetingBrief):
    place: str
    starts_at: dt.time | None
    started_at: dt.time | None
    ended_at: dt.time | None
    agenda: list[str]
    draft_resolution: str
    guests: str
    conclusion: str
    quality: str
    attendance: list[AttendanceOut]
    count: CountOut
    speeches: list[SpeechOut]
    votes: list[VoteOut]
    documents: list[DocumentOut]
    papers: list[PaperOut]


class Applied(Schema):
    """The answer to a device's write: `repeat` when the id had been applied already."""

    ok: bool
    message: str = ""
    version: int
    state: dict[str, str] = {}
    repeat: bool = False
    vote_id: int | None = None
    speech_id: int | None = None


class Conflict(Schema):
    ok: bool
    conflict: bool
    conflicts: list[dict[str, str]]
    version: int
    errors: list[str]


class Refused(Schema):
    ok: bool
    errors: list[str]


def _meeting(request, meeting_id: int) -> Meeting:
    return get_object_or_404(
        Meeting.objects.restrict(request.user).select_related("unit"), pk=meeting_id
    )


def _editable(request, meeting_id: int) -> Meeting:
    m = _meeting(request, meeting_id)
    if not can(request.user, "members", m.unit):
        raise PermissionDenied("Bạn chỉ có quyền xem.")
    return m


def _brief(m: Meeting) -> dict:
    return {
        f: getattr(m, f)
        for f in ("id", "unit_id", "kind", "planned_on", "held_on", "topic", "version")
    }


@router.get(
    "/",
    response={**COMMON, 200: list[MeetingBrief], 404: Error},
    summary="Các cuộc họp của một tổ chức trong năm",
)
def list_meetings(
    request, unit_id: int = Query(...), year: int | None = Query(None, ge=1900, le=2100)
):
    unit = get_object_or_404(Unit.objects.restrict(request.user), pk=unit_id)
    year = year or timezone.localdate().year
    qs = Meeting.objects.restrict(request.user).filter(unit=unit, planned_on__year=year)
    return [_brief(m) for m in qs.order_by("planned_on", "id")]


def _vote(v) -> dict:
    return {
        **{
            f: getattr(v, f)
            for f in (
                "id",
                "kind",
                "title",
                "subject_member_id",
                "subject_name",
                "attempt",
                "yes",
                "no",
                "abstain",
                "base",
                "required",
                "passed",
                "escalated",
            )
        },
        "explanation": v.rule.get("explanation", ""),
    }


WRITE = {**COMMON, 200: Applied, 400: Refused, 403: Error, 404: Error, 409: Conflict}
WRITE[422] = Error  # a malformed body (ninja) or input the rules refuse (Refused's shape)


def _answer(request, m: Meeting, form: str, client_id, fields: dict[str, str], call, ok: str):
    status, answer = offline.apply_once(
        request.user, m, form, client_id or uuid.uuid4(), fields, call, ok
    )
    if status == 422:
        return Status(422, {"detail": answer["errors"]})
    return Status(status, answer)


class Mark(InSchema):
    member_id: int = Field(..., ge=1, le=BIG)
    status: Literal["", "present", "excused", "unexcused"]
    reason: str = Field("", max_length=255)


class AttendanceIn(InSchema):
    client_id: uuid.UUID | None = None
    marks: list[Mark] = Field(..., max_length=1000)
    base: list[Mark] = Field([], max_length=1000)


@router.post(
    "/{meeting_id}/attendance",
    response=WRITE,
    summary="Điểm danh (gửi lại cùng client_id chỉ được ghi một lần)",
)
def post_attendance(request, meeting_id: int, data: AttendanceIn):
    m = _editable(request, meeting_id)
    fields: dict[str, str] = {}
    for mk in data.marks:
        fields[f"s{mk.member_id}"], fields[f"r{mk.member_id}"] = mk.status, mk.reason
    for b in data.base:
        fields[f"base.s{b.member_id}"], fields[f"base.r{b.member_id}"] = b.status, b.reason
    ids = [mk.member_id for mk in data.marks]
    return _answer(
        request,
        m,
        "attendance",
        data.client_id,
        fields,
        lambda merged: holding.record_attendance(
            actor=request.user,
            meeting=m,
            marks={i: (merged[f"s{i}"], merged.get(f"r{i}", "")) for i in ids},
        ),
        "Đã lưu điểm danh.",
    )


class HoldingBase(InSchema):
    """The values the device started from, for the fields it changes (as the form writes
    them: dates YYYY-MM-DD, times HH:MM)."""

    held_on: str = Field("", max_length=10)
    started_at: str = Field("", max_length=5)
    ended_at: str = Field("", max_length=5)
    guests: str = Field("", max_length=2000)
    conclusion: str = Field("", max_length=20000)
    quality: str = Field("", max_length=8)


class HoldingIn(InSchema):
    client_id: uuid.UUID | None = None
    held_on: dt.date
    started_at: dt.time | None = None
    ended_at: dt.time | None = None
    guests: str = Field("", max_length=2000)
    conclusion: str = Field("", max_length=20000)
    quality: Literal["", "good", "fair", "average", "poor"] = ""
    base: HoldingBase | None = None


@router.post(
    "/{meeting_id}/holding",
    response=WRITE,
    summary="Ngày, giờ, khách mời, kết luận, tự đánh giá chất lượng",
)
def post_holding(request, meeting_id: int, data: HoldingIn):
    m = _editable(request, meeting_id)
    current = offline.state(m, "holding")
    values = {
        "held_on": data.held_on.isoformat(),
        "started_at": f"{data.started_at:%H:%M}" if data.started_at else "",
        "ended_at": f"{data.ended_at:%H:%M}" if data.ended_at else "",
        "guests": data.guests,
        "conclusion": data.conclusion,
        "quality": data.quality,
    }
    given = data.base.model_dump(exclude_unset=True) if data.base else {}
    fields = {**values, **{f"base.{k}": v for k, v in given.items()}}
    for name in values:
        if name not in data.model_fields_set:  # not sent: left as the server has it
            fields[name] = fields[f"base.{name}"] = current[name]
    return _answer(
        request,
        m,
        "holding",
        data.client_id,
        fields,
        lambda merged: _record_holding(request, m, merged),
        "Đã lưu diễn biến cuộc họp.",
    )


def _record_holding(request, m: Meeting, merged: dict):
    """The holding record from the merged values (the form's string forms)."""
    from django.core.exceptions import ValidationError

    def day(v: str):
        return dt.date.fromisoformat(v) if v else None

    def hm(v: str):
        return dt.time.fromisoformat(v) if v else None

    try:
        held_on = day(merged["held_on"])
        started, ended = hm(merged["started_at"]), hm(merged["ended_at"])
    except ValueError as exc:
        raise ValidationError("Ngày hoặc giờ không hợp lệ.") from exc
    if held_on is None:
        raise ValidationError("Hãy ghi ngày họp.")
    return holding.record_holding(
        actor=request.user,
        meeting=m,
        held_on=held_on,
        started_at=started,
        ended_at=ended,
        guests=merged["guests"],
        conclusion=merged["conclusion"],
        quality=merged["quality"] if merged["quality"] in ("", *Quality.values) else "",
    )


class SpeechIn(InSchema):
    client_id: uuid.UUID | None = None
    member_id: int | None = Field(None, ge=1, le=BIG)
    name: str = Field("", max_length=180)
    points: str = Field(..., max_length=20000)


def _attendee(m: Meeting, member_id: int | None) -> Member | None:
    if member_id is None:
        return None
    row = m.attendance.select_related("member").filter(member_id=member_id).first()
    if row is None:
        raise Http404
    return row.member


@router.post("/{meeting_id}/speeches", response=WRITE, summary="Ghi một ý kiến phát biểu")
def post_speech(request, meeting_id: int, data: SpeechIn):
    m = _editable(request, meeting_id)
    who = _attendee(m, data.member_id)
    return _answer(
        request,
        m,
        "speech",
        data.client_id,
        {},
        lambda _merged: {
            "speech_id": holding.add_speech(
                actor=request.user, meeting=m, member=who, name=data.name, points=data.points
            ).pk
        },
        "Đã ghi ý kiến phát biểu.",
    )


class VoteIn(InSchema):
    client_id: uuid.UUID | None = None
    kind: Literal["ordinary", "admission", "recognition"]
    title: str = Field(..., max_length=255)
    yes: int = Field(..., ge=0, le=100000)
    no: int = Field(0, ge=0, le=100000)
    subject_member_id: int | None = Field(None, ge=1, le=BIG)
    subject_name: str = Field("", max_length=180)


@router.post(
    "/{meeting_id}/votes",
    response=WRITE,
    summary="Ghi kết quả một biểu quyết (hợp lệ theo quy định của loại biểu quyết)",
)
def post_vote(request, meeting_id: int, data: VoteIn):
    m = _editable(request, meeting_id)
    subject = _attendee(m, data.subject_member_id)
    return _answer(
        request,
        m,
        "vote",
        data.client_id,
        {},
        lambda _merged: {
            "vote_id": holding.record_vote(
                actor=request.user,
                meeting=m,
                kind=data.kind,
                title=data.title,
                yes=data.yes,
                no=data.no,
                subject_member=subject,
                subject_name=data.subject_name,
            ).pk
        },
        "Đã ghi kết quả biểu quyết.",
    )


class VisitIn(InSchema):
    user_id: int | None = Field(None, ge=1, le=BIG)
    present: bool = True
    note: str = Field("", max_length=20000)


class VisitOut(Schema):
    user_id: int
    present: bool


@router.post(
    "/{meeting_id}/visits",
    response={**COMMON, 200: VisitOut, 400: Error, 403: Error, 404: Error},
    summary="Ghi nhận cấp ủy viên phụ trách dự họp (người đó tự ghi, hoặc chi bộ ghi)",
)
def post_visit(request, meeting_id: int, data: VisitIn):
    m = _meeting(request, meeting_id)
    user = request.user
    if data.user_id is not None and data.user_id != request.user.pk:
        if not can(request.user, "members", m.unit):
            raise PermissionDenied("Bạn chỉ có quyền xem.")
        user = followup.follower(m, data.user_id)
        if user is None:
            raise Http404
    followup.set_visit(
        actor=request.user, meeting=m, user=user, present=data.present, note=data.note
    )
    return {"user_id": user.pk, "present": data.present}


class StandingOut(Schema):
    follow_up_id: int
    user_id: int
    follower: str
    role: str
    unit_id: int
    unit: str
    target: int
    attended: int
    expected_now: int
    met: bool
    behind: bool


@router.get(
    "/follow-up",
    response={**COMMON, 200: list[StandingOut], 404: Error},
    summary="Cấp ủy viên theo dõi: đã dự bao nhiêu buổi so với chỉ tiêu trong năm",
)
def follow_up(request, unit_id: int = Query(...), year: int | None = Query(None, ge=1900, le=2100)):
    unit = get_object_or_404(Unit.objects.restrict(request.user), pk=unit_id)
    today = timezone.localdate()
    return [
        {
            "follow_up_id": s.follow_up.pk,
            "user_id": s.follow_up.user_id,
            "follower": str(s.follow_up.user),
            "role": s.follow_up.role,
            "unit_id": s.follow_up.unit_id,
            "unit": s.follow_up.unit.name,
            "target": s.target,
            "attended": s.attended,
            "expected_now": s.expected_now,
            "met": s.met,
            "behind": s.behind,
        }
        for s in followup.compliance(unit, year or today.year, today)
    ]


class StatsRow(Schema):
    unit_id: int | None
    name: str
    cells: int
    cell_months: list[int]
    held: int
    meetings: int
    on_time: int
    months: list[int]
    present: int
    expected: int
    thematic: list[int]
    quality: dict[str, int]
    flagged: int


class StatsOut(Schema):
    year: int
    months_ended: int
    quarters_ended: int
    thematic_required: list[int]
    rows: list[StatsRow]
    total: StatsRow


@router.get(
    "/stats",
    response={**COMMON, 200: StatsOut, 404: Error},
    summary="Thống kê sinh hoạt chi bộ của một tổ chức trong năm",
)
def meeting_stats(
    request, unit_id: int = Query(...), year: int | None = Query(None, ge=1900, le=2100)
):
    unit = get_object_or_404(Unit.objects.restrict(request.user), pk=unit_id)
    today = timezone.localdate()
    r = stats.year_report(unit, year or today.year, today, list_flagged=0)

    def row(x) -> dict[str, Any]:
        return {f: getattr(x, f) for f in StatsRow.model_fields}

    return {
        "year": r.year,
        "months_ended": r.months_ended,
        "quarters_ended": r.quarters_ended,
        "thematic_required": r.thematic_required,
        "rows": [row(x) for x in r.rows],
        "total": row(r.total),
    }


# Declared last: "/{meeting_id}" would otherwise catch "/follow-up" and "/stats".
@router.get(
    "/{meeting_id}",
    response={**COMMON, 200: MeetingOut, 404: Error},
    summary="Một cuộc họp: điểm danh, phát biểu, biểu quyết, tài liệu, văn bản",
)
def get_meeting(request, meeting_id: int):
    from django.urls import reverse

    m = _meeting(request, meeting_id)
    rows = holding.attendance(m)
    n = holding.attendance_count(m, rows)

    def people(xs) -> list[dict]:
        return [
            {"member_id": a.member_id, "name": a.member.full_name, "reason": a.reason} for a in xs
        ]

    return {
        **_brief(m),
        **{
            f: getattr(m, f)
            for f in (
                "place",
                "starts_at",
                "started_at",
                "ended_at",
                "agenda",
                "draft_resolution",
                "guests",
                "conclusion",
                "quality",
            )
        },
        "attendance": [
            {
                "member_id": a.member_id,
                "name": a.member.full_name,
                **{
                    f: getattr(a, f)
                    for f in (
                        "status",
                        "reason",
                        "official",
                        "exempt",
                        "suspended",
                        "away",
                        "guest_member",
                    )
                },
            }
            for a in rows
        ],
        "count": {
            "present": len(n.present),
            "of": n.of,
            **{
                k: people(getattr(n, k))
                for k in ("excused", "unexcused", "unmarked", "attached", "away")
            },
            "guests": n.guests,
        },
        "speeches": [
            {"id": s.id, "member_id": s.member_id, "name": s.name, "points": s.points}
            for s in m.speeches.all()
        ],
        "votes": [_vote(v) for v in m.votes.all()],
        "documents": [
            {
                "id": d.id,
                "kind": d.kind,
                "title": d.title,
                "size": d.size,
                "posted_at": d.posted_at,
                "url": reverse("meetings:document", args=[d.id]),
            }
            for d in m.documents.all()
        ],
        "papers": [
            {
                "id": p.id,
                "kind": p.kind,
                "number": number_label(p),
                "issued": p.issued,
                "corrects_id": p.corrects_id,
            }
            for p in m.papers.all()
        ],
    }
