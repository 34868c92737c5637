"""The offline path of the meeting forms (issue 4, point 5).

The page's script (static/chibo/offline.js) keeps what the secretary types on the device and
sends each submission with a client-generated id (header X-Chibo-Client-Id) and, for every
field, the value it started from (`base.<field>`). Here a submission is applied exactly once: a
repeat of an id returns the stored answer. A field changed elsewhere meanwhile (the server's
value differs from both the base and the new value) is a conflict: nothing is applied and both
versions go back to the device, which lets the secretary choose. Without the header the views
answer as ordinary HTML forms (redirect with messages)."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from chibo.core.forms import messages_of
from chibo.members.models import Member

from . import holding
from .models import AppliedWrite, Attendance, Meeting, Quality

HEADER = "HTTP_X_CHIBO_CLIENT_ID"


def _norm(value: str) -> str:
    return "\n".join(" ".join(line.split()) for line in str(value).strip().splitlines())


def _t(value) -> str:
    return f"{value:%H:%M}" if value else ""


def state(meeting: Meeting, form: str) -> dict[str, str]:
    """The server's current values of a form's fields, as the form writes them."""
    if form == "attendance":
        out = {}
        for a in holding.attendance(meeting):
            out[f"s{a.member_id}"] = a.status
            out[f"r{a.member_id}"] = a.reason
        return out
    if form == "holding":
        # As the form shows them: the planned day and time until the meeting is recorded.
        held_on = meeting.held_on or meeting.planned_on
        return {
            "held_on": held_on.isoformat(),
            "started_at": _t(meeting.started_at or meeting.starts_at),
            "ended_at": _t(meeting.ended_at),
            "guests": meeting.guests,
            "conclusion": meeting.conclusion,
            "quality": meeting.quality,
        }
    if form == "prepare":
        return {
            "place": meeting.place,
            "starts_at": _t(meeting.starts_at),
            "topic": meeting.topic,
            "chair": str(meeting.chair_id or ""),
            "clerk": str(meeting.clerk_id or ""),
            "agenda": "\n".join(meeting.agenda),
            "draft_resolution": meeting.draft_resolution,
        }
    return {}  # speeches and votes only add: nothing to collide with


def _label(meeting: Meeting, form: str, field: str) -> tuple[str, dict[str, str]]:
    """What to call a field in the conflict panel, and how to show its values."""
    if form == "attendance":
        member = Member.objects.filter(pk=int(field[1:])).first()
        name = member.full_name if member else field
        if field.startswith("s"):
            return _("Điểm danh: %(n)s") % {"n": name}, dict(Attendance.Status.choices)
        return _("Lý do vắng: %(n)s") % {"n": name}, {}
    labels = {
        "held_on": _("Ngày họp"),
        "started_at": _("Giờ bắt đầu"),
        "ended_at": _("Giờ kết thúc"),
        "guests": _("Khách mời"),
        "conclusion": _("Kết luận của chủ trì"),
        "quality": _("Tự đánh giá chất lượng"),
        "place": _("Địa điểm"),
        "starts_at": _("Giờ họp"),
        "topic": _("Chủ đề"),
        "chair": _("Chủ trì"),
        "clerk": _("Thư ký"),
        "agenda": _("Chương trình"),
        "draft_resolution": _("Dự thảo nghị quyết"),
    }
    shown = dict(Quality.choices) if field == "quality" else {}
    if field in ("chair", "clerk"):
        shown = {str(m.pk): m.full_name for m in Member.objects.filter(pk__in=_ids(meeting))}
    return str(labels.get(field, field)), shown


def _ids(meeting: Meeting) -> list[int]:
    return [a.member_id for a in holding.attendance(meeting)] + [
        i for i in (meeting.chair_id, meeting.clerk_id) if i
    ]


def merge(post, meeting: Meeting, form: str) -> tuple[dict, list[dict]]:
    """Three-way merge of a submission with what the server holds now. Per field: unchanged on
    the device (its value is still its base) → the server's current value stays, even if it
    was changed elsewhere; changed on the device only → the device's value; changed on both
    sides to different values → a conflict (both versions returned, nothing applied)."""
    data = post.copy()
    current = state(meeting, form)
    for field, theirs in current.items():
        if field in post and f"base.{field}" in post:
            if _norm(post[field]) == _norm(post[f"base.{field}"]):
                data[field] = theirs
    return data, conflicts(post, meeting, form, current)


def conflicts(post, meeting: Meeting, form: str, current=None) -> list[dict]:
    out = []
    for field, theirs in (current if current is not None else state(meeting, form)).items():
        if field not in post or f"base.{field}" not in post:
            continue
        mine, base, theirs = _norm(post[field]), _norm(post[f"base.{field}"]), _norm(theirs)
        if mine != base and theirs != base and theirs != mine:
            label, shown = _label(meeting, form, field)
            out.append(
                {
                    "field": field,
                    "label": label,
                    "mine": mine,
                    "theirs": theirs,
                    "mine_text": str(shown.get(mine, mine)) or "—",
                    "theirs_text": str(shown.get(theirs, theirs)) or "—",
                }
            )
    return out


def apply_once(user, meeting: Meeting, form: str, client_id, fields, call, ok: str):
    """Apply `call(data)` once for `client_id`: (status, answer). `data` is `fields` merged with
    the server's current values (see merge). A repeat returns the stored answer; a field changed
    on both sides is a 409 with both versions and nothing applied; bad input is a 422."""
    done = AppliedWrite.objects.filter(client_id=client_id).first()
    if done is not None:
        if done.user_id != user.pk or done.meeting_id != meeting.pk:
            return 400, {"ok": False, "errors": [_("Mã thay đổi không hợp lệ.")]}
        return 200, {**done.response, "repeat": True}
    try:
        with transaction.atomic():
            # The meeting's row is locked while merging and applying, and read again under
            # the lock (in place: `call` writes through this same object): two devices saving
            # the same form at once are merged one after the other, the second against what
            # the first wrote, never both against the copy the view read before.
            meeting.refresh_from_db(from_queryset=Meeting.objects.select_for_update())
            data, clash = merge(fields, meeting, form)
            if clash:
                return 409, {
                    "ok": False,
                    "conflict": True,
                    "conflicts": clash,
                    "version": meeting.version,
                    "errors": [_("Cuộc họp vừa được sửa ở nơi khác: hãy chọn giữ bản nào.")],
                }
            result = call(data)
            meeting.refresh_from_db()
            answer = {"ok": True, "message": ok, "version": meeting.version}
            answer["state"] = state(meeting, form)
            if isinstance(result, dict):
                answer.update(result)
            AppliedWrite.objects.create(
                client_id=client_id, user=user, meeting=meeting, action=form, response=answer
            )
    except ValidationError as exc:
        return 422, {"ok": False, "errors": exc.messages}
    except IntegrityError:  # the same id arrived twice at once: the first one won
        done = AppliedWrite.objects.filter(client_id=client_id).first()
        if done is None:
            return 422, {"ok": False, "errors": [_("Không lưu được; hãy thử lại.")]}
        return 200, {**done.response, "repeat": True}
    return 200, answer


def finish(request, meeting: Meeting, form: str, call, ok: str, back: str):
    """Answer a form post: as JSON for the device's script (once per client id, conflicts
    refused), else as an HTML form (redirect with messages)."""
    raw = request.META.get(HEADER)
    if not raw:
        try:
            call(request.POST)
        except ValidationError as exc:
            for msg in exc.messages:
                messages.error(request, msg)
        else:
            messages.success(request, ok)
        return redirect(back, pk=meeting.pk)
    try:
        client_id = uuid.UUID(raw)
    except ValueError:
        return JsonResponse({"ok": False, "errors": [_("Mã thay đổi không hợp lệ.")]}, status=400)
    status, answer = apply_once(request.user, meeting, form, client_id, request.POST, call, ok)
    return JsonResponse(answer, status=status)


def form_errors(form) -> ValidationError:
    """A bound form's errors as the ValidationError `finish` answers with."""
    return ValidationError(messages_of(form))
