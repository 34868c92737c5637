"""The decisions of a resolution: the lines under its "CHI BỘ QUYẾT NGHỊ:" heading, up to the
approval line ("Nghị quyết được 11/12 …") or the closing one ("Các đồng chí … có trách nhiệm
thực hiện nghị quyết này"). A resolution is not issued with none (issue 10, finding 3), and a
vote that passed is written into the meeting's resolution draft, whether the draft existed
before the vote (holding.record_vote calls vote_passed) or is written after it (papers)."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from chibo.audit.services import record

from .models import Meeting, Paper, Vote, VoteKind

HEADING = re.compile(r"QUYẾT NGHỊ\s*:\s*$", re.IGNORECASE)
APPROVAL = re.compile(r"^Nghị quyết (này )?được \d+/\d+", re.IGNORECASE)
CLOSING = re.compile(r"có trách nhiệm thực hiện nghị quyết", re.IGNORECASE)
NUMBERED = re.compile(r"^(\d{1,3})[.)]\s")


def _ends(line: str) -> bool:
    return bool(APPROVAL.search(line) or CLOSING.search(line))


def _section(lines: list[str]) -> tuple[int | None, int]:
    """(index of the heading line or None, index where the decisions end)."""
    head = next((i for i, ln in enumerate(lines) if HEADING.search(ln.strip())), None)
    if head is None:
        return None, next((i for i, ln in enumerate(lines) if _ends(ln)), len(lines))
    end = next((i for i in range(head + 1, len(lines)) if _ends(lines[i])), len(lines))
    return head, end


def of(body: str) -> list[str]:
    """The decision lines of a resolution's body (none without the heading)."""
    lines = body.splitlines()
    head, end = _section(lines)
    if head is None:
        return []
    return [ln.strip() for ln in lines[head + 1 : end] if ln.strip()]


def line(vote: Vote) -> str:
    """What a passed vote decided, as a line of the resolution."""
    if vote.kind == VoteKind.ADMISSION:
        return f"Đề nghị cấp ủy cấp trên xem xét kết nạp vào Đảng đối với {vote.subject_name}."
    if vote.kind == VoteKind.RECOGNITION:
        return (
            "Đề nghị cấp ủy cấp trên xem xét công nhận đảng viên chính thức đối với "
            f"{vote.subject_name}."
        )
    title = vote.title.strip()
    return title if title[-1:] in ".;:!?" else title + "."


def approval(vote: Vote) -> str:
    return f"Nghị quyết được {vote.yes}/{vote.base} đảng viên chính thức được tính tán thành."


def add(body: str, text: str, *, heading: str = "CHI BỘ QUYẾT NGHỊ:") -> str:
    """The body with `text` as its last decision (numbered on when the decisions are), the
    heading added where it was missing; unchanged when the line is there already."""
    lines = body.splitlines()
    head, end = _section(lines)
    if head is None:
        lines[end:end] = [heading]
        head, end = end, end + 1
    present = [ln.strip() for ln in lines[head + 1 : end] if ln.strip()]
    if any(NUMBERED.sub("", p) == text for p in present):
        return body
    numbers = [NUMBERED.match(p) for p in present]
    if present and all(numbers):
        text = f"{int(numbers[-1].group(1)) + 1}. {text}"
    while end > head + 1 and not lines[end - 1].strip():
        end -= 1  # after the last decision, not after blank lines
    lines[end:end] = [text]
    return "\n".join(lines)


def add_approval(body: str, vote: Vote) -> str:
    """The approval line after the decisions, where none is there yet."""
    lines = body.splitlines()
    if any(APPROVAL.search(ln) for ln in lines):
        return body
    _head, end = _section(lines)
    lines[end:end] = [approval(vote)]
    return "\n".join(lines)


def vote_passed(*, actor, meeting: Meeting, vote: Vote) -> Paper | None:
    """Write a vote that passed into the meeting's resolution draft (not issued: an issued one
    is corrected by an addendum), in the vote's transaction, with its audit row. The first
    ordinary resolution adopts the drafted decisions when there are some; any other passed vote
    adds its own line."""
    if not vote.passed:
        return None
    draft = (
        Paper.objects.select_for_update()
        .filter(meeting=meeting, kind=Paper.Kind.RESOLUTION, corrects__isnull=True)
        .filter(number__isnull=True)
        .first()
    )
    if draft is None:
        return None
    body = draft.body
    main = (
        vote.kind == VoteKind.ORDINARY
        and not meeting.votes.filter(kind=VoteKind.ORDINARY, passed=True, id__lt=vote.pk).exists()
    )
    if not (main and of(body)):
        body = add(body, line(vote))
    if main:
        body = add_approval(body, vote)
    if body == draft.body:
        return draft
    before = draft.body
    draft.body = body
    draft.save(update_fields=["body", "updated_at"])
    record(
        actor=actor,
        action="meetings.paper_edit",
        obj=meeting,
        unit=meeting.unit,
        before={"body": before},
        after={"body": body, "vote": vote.pk, "note": _("ghi kết quả biểu quyết vào dự thảo")},
    )
    return draft
