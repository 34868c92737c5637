"""Follow-up by committee members (issue 4, point 7): dated assignments of who follows which
cells or organizations, their yearly attendance target by role (seed 002: at least 4 meetings a
year for town-level cadres, at least 6 for grassroots committee members; dated parameters), the
visits with notes, the compliance of the year, and the opinions and proposals raised in meetings,
routed to the competent level and tracked until answered (seed 001)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.audit.services import record
from chibo.core import params
from chibo.core.scope import allowed
from chibo.members.models import Member, Seat
from chibo.org.models import Unit

from .models import (
    COUNTS_AS_REGULAR,
    COUNTS_AS_THEMATIC,
    FollowUp,
    Meeting,
    MeetingKind,
    RaisedMatter,
    Visit,
)
from .preparation import require_editor
from .selectors import covering

CELL_MEETINGS = COUNTS_AS_REGULAR | COUNTS_AS_THEMATIC | {MeetingKind.EXTRAORDINARY}


def follower(meeting: Meeting, user_id: int):
    """The account of a follower of the meeting's cell on its day, or None (the only accounts
    that may be named for a visit: no probing of other ids)."""
    f = covering(meeting.unit, meeting.date).filter(user_id=user_id).first()
    return f.user if f else None


def levels(meeting: Meeting) -> list[Unit]:
    """Where an opinion raised at the meeting can go: the cell, then the committees above it
    (nearest first), as they stand today (units above show as names only)."""
    paths = meeting.unit.lineage_paths()
    units = {u.path: u for u in Unit.objects.filter(path__in=paths)}
    return [units[p] for p in reversed(paths) if p in units]


def derive_role(user, unit: Unit, on: dt.date) -> str | None:
    """The role from the follower's committee seat on `on`: a seat on the committee directly
    above the followed cell → grassroots committee member; a seat higher up → upper level.
    None when the follower's record holds no such seat (the role is then chosen by hand)."""

    member = Member.objects.filter(user=user).first()
    if member is None:
        return None
    seats = (
        Seat.objects.filter(member=member, valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=on))
        .select_related("unit")
    )
    above = set(unit.lineage_paths()[:-1])
    parent = unit.path[: -unit.steplen]
    roles = set()
    for s in seats:
        if s.unit.path == parent:
            roles.add(FollowUp.Role.GRASSROOTS)
        elif s.unit.path in above:
            roles.add(FollowUp.Role.UPPER)
    if FollowUp.Role.GRASSROOTS in roles:
        return FollowUp.Role.GRASSROOTS
    return FollowUp.Role.UPPER if roles else None


@transaction.atomic
def assign(
    *,
    actor,
    user,
    unit: Unit,
    valid_from: dt.date,
    role: str = "",
    decision_no: str = "",
) -> FollowUp:
    if not allowed(actor, "members", unit):
        raise PermissionDenied(_("Bạn không có quyền phân công theo dõi tổ chức này."))
    role = role or derive_role(user, unit, valid_from) or ""
    if role not in FollowUp.Role.values:
        raise ValidationError(
            _("Không suy ra được vai trò từ chức danh cấp ủy của người này: hãy chọn vai trò.")
        )
    if (
        covering(unit, valid_from).filter(user=user, unit=unit).exists()
        or FollowUp.objects.filter(user=user, unit=unit, valid_from__gt=valid_from).exists()
    ):
        raise ValidationError(_("Người này đã được phân công theo dõi tổ chức này."))
    f = FollowUp.objects.create(
        user=user, unit=unit, role=role, valid_from=valid_from, decision_no=decision_no.strip()
    )
    record(
        actor=actor,
        action="meetings.follow_up",
        obj=unit,
        unit=unit,
        after={"user": user.username, "role": role, "valid_from": valid_from.isoformat()},
    )
    return f


@transaction.atomic
def end_assignment(*, actor, follow_up: FollowUp, on: dt.date) -> FollowUp:
    if not allowed(actor, "members", follow_up.unit):
        raise PermissionDenied(_("Bạn không có quyền phân công theo dõi tổ chức này."))
    if on <= follow_up.valid_from:
        raise ValidationError(_("Ngày kết thúc phải sau ngày bắt đầu phân công."))
    follow_up.valid_to = on
    follow_up.save(update_fields=["valid_to"])
    record(
        actor=actor,
        action="meetings.follow_up_end",
        obj=follow_up.unit,
        unit=follow_up.unit,
        after={"user": follow_up.user.username, "valid_to": on.isoformat()},
    )
    return follow_up


@transaction.atomic
def set_visit(*, actor, meeting: Meeting, user, present: bool = True, note: str = "") -> None:
    """Record (or withdraw) a follower's attendance at a held meeting: by the cell's editors,
    or by the follower for themself when an assignment covers the cell on that day."""
    own = getattr(actor, "pk", None) == user.pk
    assigned = covering(meeting.unit, meeting.date).filter(user=user).exists()
    if not (allowed(actor, "members", meeting.unit) or (own and assigned)):
        raise PermissionDenied(_("Bạn không có quyền ghi nhận dự họp cho cuộc họp này."))
    if not assigned:
        raise ValidationError(_("Người này không được phân công theo dõi chi bộ vào ngày họp."))
    if meeting.held_on is None:
        raise ValidationError(_("Cuộc họp chưa diễn ra."))
    if present:
        v, created = Visit.objects.get_or_create(meeting=meeting, user=user)
        if note.strip() or created:
            v.note = note.strip() or v.note
            v.save(update_fields=["note"])
    else:
        Visit.objects.filter(meeting=meeting, user=user).delete()
    record(
        actor=actor,
        action="meetings.visit",
        obj=meeting,
        unit=meeting.unit,
        after={"user": user.username, "present": present},
    )


@dataclass
class Standing:
    follow_up: FollowUp
    target: int
    attended: int
    expected_now: int

    @property
    def met(self) -> bool:
        return self.attended >= self.target

    @property
    def behind(self) -> bool:
        return not self.met and self.attended < self.expected_now


def compliance(unit: Unit, year: int, today: dt.date) -> list[Standing]:
    """Every assignment overlapping `year` on `unit`'s subtree: the target of its role in force
    at the year's end (a province or commune may set its own), the meetings of the followed
    organization held that year within the assignment that the follower attended, and what a
    steady pace would have reached by now."""
    return standings(FollowUp.objects.filter(unit__path__startswith=unit.path), year, today)


def standings(assignments, year: int, today: dt.date) -> list[Standing]:
    start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    rows = (
        assignments.filter(valid_from__lt=end)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=start))
        .select_related("user", "unit")
        .order_by("unit__path", "user__full_name", "id")
    )
    out = []
    elapsed = 12 if today >= end else max(0, (today.year - year) * 12 + today.month - 1)
    for f in rows:
        key = "follow_up_target_" + f.role
        target = params.get(key, end - dt.timedelta(days=1), f.unit)
        lo = max(start, f.valid_from)
        hi = min(end, f.valid_to) if f.valid_to else end
        attended = (
            Visit.objects.filter(
                user=f.user,
                meeting__unit__path__startswith=f.unit.path,
                meeting__kind__in=list(CELL_MEETINGS),
                meeting__held_on__gte=lo,
                meeting__held_on__lt=hi,
            )
            .values("meeting_id")
            .distinct()
            .count()
        )
        out.append(Standing(f, target, attended, -(-target * elapsed // 12)))
    return out


@transaction.atomic
def raise_matter(
    *, actor, meeting: Meeting, text: str, routed_to: Unit, raised_by: str = ""
) -> RaisedMatter:
    """Record an opinion or proposal raised at the meeting, routed to the cell itself or to a
    committee above it (the level competent to answer)."""

    require_editor(actor, meeting)
    text = text.strip()
    if not text:
        raise ValidationError(_("Hãy ghi nội dung ý kiến, kiến nghị."))
    if routed_to.path not in meeting.unit.lineage_paths():
        raise ValidationError(_("Chỉ chuyển tới chi bộ hoặc cấp ủy cấp trên của chi bộ."))
    m = RaisedMatter.objects.create(
        meeting=meeting, text=text, raised_by=" ".join(raised_by.split())[:180], routed_to=routed_to
    )
    record(
        actor=actor,
        action="meetings.matter",
        obj=meeting,
        unit=meeting.unit,
        after={"routed_to": routed_to.name, "text": text[:200]},
    )
    return m


@transaction.atomic
def answer_matter(*, actor, matter: RaisedMatter, answer: str) -> RaisedMatter:
    if not allowed(actor, "members", matter.routed_to):
        raise PermissionDenied(_("Chỉ cấp được chuyển tới mới trả lời được ý kiến này."))
    answer = answer.strip()
    if not answer:
        raise ValidationError(_("Hãy ghi nội dung trả lời."))
    if matter.answered_on is not None:
        raise ValidationError(_("Ý kiến này đã được trả lời."))
    matter.answer = answer
    matter.answered_on = timezone.localdate()
    matter.answered_by = actor if getattr(actor, "is_authenticated", False) else None
    matter.save(update_fields=["answer", "answered_on", "answered_by"])
    record(
        actor=actor,
        action="meetings.matter_answer",
        obj=matter.meeting,
        unit=matter.routed_to,
        after={"answer": answer[:200]},
    )
    return matter
