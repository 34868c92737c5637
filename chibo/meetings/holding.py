"""Holding a meeting: the attendance (on the roster of the day, frozen when first taken), the
times and their minimum, guests, speakers, the votes with the rule of their kind, the quality
self-assessment. Every write checks the "members" action and leaves an audit row."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.audit.services import record
from chibo.core.text import search_key

from . import decisions, rules, selectors
from .models import Attendance, Meeting, Quality, Speech, Vote, VoteKind
from .preparation import require_editor, touch

ABSENT = (Attendance.Status.EXCUSED, Attendance.Status.UNEXCUSED)


def _rows_for(meeting: Meeting, on) -> list[Attendance]:
    return [
        Attendance(
            meeting=meeting,
            member=r.member,
            official=r.official,
            exempt=r.exempt,
            suspended=r.suspended,
            away=r.away,
            guest_member=r.guest_member,
        )
        for r in selectors.roster(meeting.unit, on)
    ]


def attendance(meeting: Meeting) -> list[Attendance]:
    """The attendance rows. Once the meeting has a held date they are saved, made from the
    roster of that day (not audited: a read that fixes who was expected); before that they are
    the roster of the planned day as it stands, unsaved."""
    rows = list(meeting.attendance.select_related("member").order_by("member__sort_key", "id"))
    if rows or meeting.held_on is None:
        return rows or _rows_for(meeting, meeting.date)
    with transaction.atomic():
        Attendance.objects.bulk_create(_rows_for(meeting, meeting.held_on), ignore_conflicts=True)
    return list(meeting.attendance.select_related("member").order_by("member__sort_key", "id"))


def refreeze(meeting: Meeting, held_on) -> None:
    """The held date changed before any vote: the roster becomes that day's; marks are kept
    for people still on it."""
    if meeting.votes.exists():
        raise ValidationError(_("Cuộc họp đã biểu quyết: không đổi ngày họp được."))
    kept = {a.member_id: (a.status, a.reason) for a in meeting.attendance.all()}
    meeting.attendance.all().delete()
    fresh = _rows_for(meeting, held_on)
    for a in fresh:
        a.status, a.reason = kept.get(a.member_id, ("", ""))
    Attendance.objects.bulk_create(fresh)


@dataclass(frozen=True)
class Count:
    """Who was present and out of whom, on the cell's own roster of the meeting's day: the one
    count the page, the minutes, the resolution, the API and the statistics give.

    `of` is the cell's own members summoned (rules.summoned: not attached to another cell for
    now, not suspended, exempt ones only when they came) and marked; `present` are those of
    them who came. Members attached here temporarily (sinh hoạt tạm thời) and guests are
    listed apart and never counted in either."""

    present: list[Attendance]
    excused: list[Attendance]
    unexcused: list[Attendance]
    unmarked: list[Attendance]  # summoned, not marked yet
    attached: list[Attendance]  # attached here temporarily, came
    attached_absent: list[Attendance]
    away: list[Attendance]  # the cell's own, attached temporarily to another cell
    suspended: list[Attendance]
    exempt_absent: list[Attendance]  # exempt from meetings (miễn sinh hoạt) and did not come
    guests: list[str]
    roll: int  # the cell's own members on the day
    official: int
    exempt: int
    order: list[int]  # member ids in the roster's order

    @property
    def of(self) -> int:
        return len(self.present) + len(self.excused) + len(self.unexcused)

    @property
    def absent(self) -> list[Attendance]:
        """The absences in the roster's order (the minutes name them)."""
        return sorted(self.excused + self.unexcused, key=lambda a: self.order.index(a.member_id))

    @property
    def marked(self) -> bool:
        return self.of > 0


def attendance_count(meeting: Meeting, rows: list[Attendance] | None = None) -> Count:
    """The count of `meeting` over its attendance rows (those of holding.attendance)."""
    rows = attendance(meeting) if rows is None else rows
    own = [a for a in rows if not a.guest_member]
    buckets: dict[str, list[Attendance]] = {
        k: []
        for k in (
            "present",
            "excused",
            "unexcused",
            "unmarked",
            "attached",
            "attached_absent",
            "away",
            "suspended",
            "exempt_absent",
        )
    }
    for a, s in zip(rows, seats(rows), strict=True):
        if a.guest_member:
            buckets["attached" if s.present else "attached_absent"].append(a)
        elif a.away:
            buckets["away"].append(a)
        elif a.suspended:
            buckets["suspended"].append(a)
        elif not rules.summoned(s):
            buckets["exempt_absent"].append(a)
        else:
            buckets[a.status or "unmarked"].append(a)
    return Count(
        **buckets,
        guests=[g for g in meeting.guests.splitlines() if g.strip()],
        roll=len(own),
        official=sum(1 for a in own if a.official),
        exempt=sum(1 for a in own if a.exempt),
        order=[a.member_id for a in rows],
    )


def seats(rows: list[Attendance]) -> list[rules.Seat]:
    return [
        rules.Seat(
            official=a.official,
            exempt=a.exempt,
            suspended=a.suspended,
            away=a.away,
            guest_member=a.guest_member,
            status=a.status,
        )
        for a in rows
    ]


@transaction.atomic
def record_attendance(*, actor, meeting: Meeting, marks: dict[int, tuple[str, str]]) -> int:
    """Set attendance: `marks` maps a member id to (status, reason). Members not on the day's
    roster are refused; an absence with a reason needs the reason. Returns rows changed."""
    require_editor(actor, meeting)
    if meeting.date > timezone.localdate():
        raise ValidationError(_("Chưa đến ngày họp: chưa điểm danh được."))
    if meeting.held_on is None:
        # Taking the attendance means the meeting is being held on its planned day; the day
        # can still be corrected in the holding record (the roster follows it).
        meeting.held_on = meeting.planned_on
        touch(meeting, ["held_on"])
    rows = {a.member_id: a for a in attendance(meeting)}
    roles = {meeting.chair_id: _("chủ trì"), meeting.clerk_id: _("thư ký")}
    changed = []
    for member_id, (status, reason) in marks.items():
        a = rows.get(member_id)
        if a is None:
            raise ValidationError(_("Có người không thuộc danh sách đảng viên của ngày họp."))
        if status not in Attendance.Status.values and status != "":
            raise ValidationError(_("Trạng thái điểm danh không hợp lệ."))
        if status in ABSENT and member_id in roles:
            # The minutes name them as chairing and keeping the record (HD 42): an absent
            # chair would make the paper say two contrary things.
            raise ValidationError(
                _(
                    "Đồng chí %(n)s là %(r)s cuộc họp nên không thể vắng mặt: hãy đổi người "
                    "%(r)s ở phần Chuẩn bị trước khi điểm danh."
                )
                % {"n": a.member.full_name, "r": roles[member_id]}
            )
        reason = " ".join((reason or "").split())[:255]
        if status == Attendance.Status.EXCUSED and not reason:
            raise ValidationError(
                _("%(n)s vắng có lý do: hãy ghi lý do.") % {"n": a.member.full_name}
            )
        if status != Attendance.Status.EXCUSED:
            reason = ""
        if (a.status, a.reason) != (status, reason):
            a.status, a.reason = status, reason
            changed.append(a)
    Attendance.objects.bulk_update(changed, ["status", "reason"])
    if changed:
        touch(meeting, [])
        record(
            actor=actor,
            action="meetings.attendance",
            obj=meeting,
            unit=meeting.unit,
            after={str(a.member_id): [a.status, a.reason] for a in changed},
        )
    return len(changed)


@dataclass(frozen=True)
class Length:
    minutes: int | None
    minimum: int | None

    @property
    def short(self) -> bool:
        return self.minutes is not None and self.minimum is not None and self.minutes < self.minimum


def length(meeting: Meeting) -> Length:
    minutes = None
    if meeting.started_at and meeting.ended_at:
        minutes = rules.minutes_between(meeting.started_at, meeting.ended_at)
    return Length(minutes, rules.min_minutes(meeting.kind, meeting.date, meeting.unit))


@transaction.atomic
def record_holding(
    *,
    actor,
    meeting: Meeting,
    held_on: dt.date,
    started_at: dt.time | None = None,
    ended_at: dt.time | None = None,
    guests: str = "",
    conclusion: str = "",
    quality: str = "",
) -> Meeting:
    """The meeting as held: day, times, guests, the chair's conclusion and the self-assessed
    quality. A meeting shorter than the minimum of its day is recorded and shown as short."""
    require_editor(actor, meeting)
    if held_on > timezone.localdate():
        raise ValidationError(_("Ngày họp không thể ở tương lai."))
    if started_at and ended_at and rules.minutes_between(started_at, ended_at) <= 0:
        raise ValidationError(_("Giờ kết thúc phải sau giờ bắt đầu."))
    if quality and quality not in Quality.values:
        raise ValidationError(_("Mức tự đánh giá không hợp lệ."))
    if meeting.held_on is not None and held_on != meeting.held_on:
        refreeze(meeting, held_on)
    before = {
        "held_on": meeting.held_on.isoformat() if meeting.held_on else None,
        "quality": meeting.quality,
    }
    meeting.held_on = held_on
    meeting.started_at, meeting.ended_at = started_at, ended_at
    meeting.guests = "\n".join(" ".join(g.split()) for g in guests.splitlines() if g.strip())
    meeting.conclusion = conclusion.strip()
    meeting.quality = quality
    touch(meeting, ["held_on", "started_at", "ended_at", "guests", "conclusion", "quality"])
    record(
        actor=actor,
        action="meetings.holding",
        obj=meeting,
        unit=meeting.unit,
        before=before,
        after={"held_on": held_on.isoformat(), "quality": quality},
    )
    return meeting


@transaction.atomic
def add_speech(*, actor, meeting: Meeting, points: str, member=None, name: str = "") -> Speech:
    require_editor(actor, meeting)
    points = points.strip()
    if not points:
        raise ValidationError(_("Hãy ghi nội dung phát biểu."))
    if member is not None:
        if not meeting.attendance.filter(member=member).exists():
            raise ValidationError(_("Người phát biểu không có trong danh sách dự họp."))
        name = member.full_name
    name = " ".join(name.split())
    if not name:
        raise ValidationError(_("Hãy chọn hoặc ghi tên người phát biểu."))
    s = Speech.objects.create(meeting=meeting, member=member, name=name[:180], points=points)
    touch(meeting, [])
    record(
        actor=actor, action="meetings.speech", obj=meeting, unit=meeting.unit, after={"name": name}
    )
    return s


def failed_before(meeting: Meeting, kind: str, subject_member, subject_name: str) -> int:
    """Failed votes on the same person and matter in the same cell, at meetings held up to this
    one, since the last vote on them that passed. (For an admission the person is known by name
    only: two candidates of the same name in one cell would share the count [M].)"""
    if kind == VoteKind.ORDINARY:
        return 0
    qs = Vote.objects.filter(
        meeting__unit=meeting.unit, kind=kind, meeting__held_on__lte=meeting.held_on
    ).order_by("meeting__held_on", "id")
    if subject_member is not None:
        votes = list(qs.filter(subject_member=subject_member))
    else:
        key = search_key(subject_name)
        votes = [
            v for v in qs.filter(subject_member__isnull=True) if search_key(v.subject_name) == key
        ]
    failed = 0
    for v in votes:
        failed = 0 if v.passed else failed + 1
    return failed


@transaction.atomic
def record_vote(
    *,
    actor,
    meeting: Meeting,
    kind: str,
    title: str,
    yes: int,
    no: int = 0,
    subject_member=None,
    subject_name: str = "",
) -> Vote:
    """A show-of-hands vote, judged by the rule of its kind in force on the meeting day over the
    recorded attendance; the base, the needed number and the rule are stored with it."""
    require_editor(actor, meeting)
    if kind not in VoteKind.values:
        raise ValidationError(_("Loại biểu quyết không hợp lệ."))
    if meeting.held_on is None:
        raise ValidationError(_("Hãy ghi ngày họp trước khi ghi kết quả biểu quyết."))
    title = " ".join(title.split())
    if not title:
        raise ValidationError(_("Hãy ghi nội dung biểu quyết."))
    if kind != VoteKind.ORDINARY:
        if subject_member is not None:
            subject_name = subject_member.full_name
        subject_name = " ".join(subject_name.split())
        if not subject_name:
            raise ValidationError(_("Hãy ghi người được xét."))
        if kind == VoteKind.RECOGNITION and subject_member is None:
            raise ValidationError(_("Hãy chọn đảng viên dự bị được xét công nhận."))
    rows = attendance(meeting)
    if kind == VoteKind.RECOGNITION and not any(
        a.member_id == subject_member.pk and not a.official and not a.guest_member for a in rows
    ):
        raise ValidationError(_("Chỉ xét công nhận đảng viên dự bị của chi bộ."))
    if not any(a.status for a in rows):
        raise ValidationError(_("Hãy điểm danh trước khi ghi kết quả biểu quyết."))
    before = failed_before(meeting, kind, subject_member, subject_name)
    try:
        outcome = rules.judge(kind, seats(rows), yes, no, meeting.date, failed_before=before)
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc
    rule = rules.Rule.of(kind, meeting.date)
    v = Vote.objects.create(
        meeting=meeting,
        kind=kind,
        title=title[:255],
        subject_member=subject_member,
        subject_name=subject_name[:180],
        attempt=before + 1,
        yes=yes,
        no=no,
        abstain=outcome.voters - yes - no,
        base=outcome.base,
        required=outcome.required,
        rule={
            "fraction": [rule.numerator, rule.denominator],
            "strict": rule.strict,
            "explanation": outcome.explanation,
        },
        passed=outcome.passed,
        escalated=outcome.escalated,
    )
    touch(meeting, [])
    record(
        actor=actor,
        action="meetings.vote",
        obj=meeting,
        unit=meeting.unit,
        after={"kind": kind, "title": v.title, "yes": yes, "no": no, "passed": v.passed},
    )
    # A resolution drafted before the vote gets what the vote decided (issue 10, finding 3).
    decisions.vote_passed(actor=actor, meeting=meeting, vote=v)
    return v
