"""Preparing a meeting (HD 42): the agenda from the kind's template, the draft resolution, the
documents, the notices (in the app, by e-mail, on paper; the following committee member too) and
the check that the documents reached the members at least a day before."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.audit.services import record
from chibo.core import hooks, params
from chibo.core.scope import allowed
from chibo.members.selectors import deadlines

from . import agenda as agenda_lines
from . import selectors
from .models import (
    COUNTS_AS_REGULAR,
    COUNTS_AS_THEMATIC,
    Attendance,
    Meeting,
    MeetingDocument,
    MeetingKind,
    Notice,
)

log = logging.getLogger(__name__)
CELL_KINDS = COUNTS_AS_REGULAR | COUNTS_AS_THEMATIC | {MeetingKind.EXTRAORDINARY}
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
# Magic numbers of the files a committee posts: PDF, Office (zip), old Office, JPEG, PNG.
DOCUMENT_TYPES = {
    b"%PDF": ("application/pdf", "pdf"),
    b"PK\x03\x04": ("application/zip", "zip"),
    b"\xd0\xcf\x11\xe0": ("application/msword", "doc"),
    b"\xff\xd8\xff": ("image/jpeg", "jpg"),
    b"\x89PNG": ("image/png", "png"),
}
OFFICE_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


def require_editor(actor, meeting: Meeting) -> None:
    if not allowed(actor, "members", meeting.unit):
        raise PermissionDenied(_("Bạn không có quyền chuẩn bị, ghi cuộc họp của tổ chức này."))


def touch(meeting: Meeting, fields: list[str]) -> None:
    """Save the fields and bump the version the offline path compares against."""
    meeting.version = F("version") + 1
    meeting.save(update_fields=[*fields, "version", "updated_at"])
    meeting.refresh_from_db(fields=["version", "updated_at"])


def _month(d: dt.date) -> str:
    return f"{d.month}/{d.year}"


def agenda_template(meeting: Meeting) -> list[str]:
    """The agenda of the kind (HD 42 and the stdt/tuyloc 16-item agendas), with the party work
    due in the cell this month taken from the members' deadlines."""

    d = meeting.date
    prev = (d.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    nxt = (d.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    kind = meeting.kind
    items = [
        _(
            "Khai mạc; giới thiệu đại biểu; báo cáo số đảng viên dự họp (tổng số, chính thức, "
            "dự bị, miễn sinh hoạt, có mặt, vắng mặt và lý do); thông qua chương trình, cử "
            "thư ký"
        )
    ]
    if kind in CELL_KINDS:
        items.append(_("Thông tin thời sự; phổ biến văn bản, chỉ thị, nghị quyết của cấp trên"))
    if kind in COUNTS_AS_REGULAR:
        items += [
            _(
                "Đánh giá kết quả thực hiện nghị quyết tháng %(m)s: việc đã làm, chưa làm, "
                "nguyên nhân"
            )
            % {"m": _month(prev if d.day < 15 else d)},
            _("Ý kiến của các tổ đảng, đảng viên; ý kiến, kiến nghị của nhân dân"),
            _("Phương hướng, nhiệm vụ, giải pháp tháng %(m)s; phân công đảng viên thực hiện")
            % {"m": _month(d if d.day < 15 else nxt)},
        ]
    if kind in COUNTS_AS_THEMATIC:
        items.append(
            _("Sinh hoạt chuyên đề: %(t)s") % {"t": meeting.topic or _("(chưa ghi chủ đề)")}
        )
    if kind in COUNTS_AS_REGULAR:
        work = [
            a.text
            for a in deadlines(meeting.unit, d, within_days=31)
            if a.kind in ("recognition", "ceremony", "arrival", "outgoing", "temporary")
        ]
        items += [_("Công tác đảng: %(w)s") % {"w": w} for w in work]
        items.append(_("Thu đảng phí tháng %(m)s") % {"m": _month(d)})
    if kind == MeetingKind.CELL_COMMITTEE:
        items = [
            _("Đánh giá tình hình, kết quả tháng %(m)s") % {"m": _month(prev)},
            _("Chuẩn bị nội dung, dự thảo nghị quyết sinh hoạt chi bộ tháng %(m)s")
            % {"m": _month(d)},
            _("Phân công chuẩn bị và chủ trì sinh hoạt chi bộ"),
        ]
    if kind in COUNTS_AS_REGULAR:
        # Lines later apps propose for the month (a member's duties due, a review's step):
        # they register under hooks.MEETING_AGENDA_LINES; meetings imports none of them.
        items += [line for fn in hooks.get(hooks.MEETING_AGENDA_LINES) for line in fn(meeting)]
    if kind in CELL_KINDS:
        items += [
            _("Thảo luận; chủ trì kết luận; biểu quyết thông qua nghị quyết"),
            _("Tự đánh giá chất lượng buổi sinh hoạt; thông qua biên bản"),
        ]
    items.append(_("Bế mạc"))
    return items


@transaction.atomic
def apply_agenda_template(*, actor, meeting: Meeting, replace: bool = False) -> list[str]:
    """Fill the agenda from the kind's template. A saved agenda is replaced only when the user
    said so (`replace`, after being asked — and told that notices already sent carry the old
    one); otherwise it is refused and nothing changes. Returns the template's items."""
    require_editor(actor, meeting)
    items = agenda_template(meeting)
    if meeting.agenda and meeting.agenda != items and not replace:
        raise ValidationError(
            _(
                "Cuộc họp đã có chương trình (%(n)d mục): chỉ thay bằng chương trình theo mẫu "
                "khi đồng chí xác nhận."
            )
            % {"n": len(meeting.agenda)}
        )
    prepare(
        actor=actor,
        meeting=meeting,
        place=meeting.place,
        starts_at=meeting.starts_at,
        chair=meeting.chair,
        clerk=meeting.clerk,
        agenda=items,
    )
    return items


def _clean_agenda(agenda) -> list[str]:
    if isinstance(agenda, str):
        agenda = agenda.splitlines()
    items = agenda_lines.items(agenda)  # the papers number them: the user's numbers go
    if len(items) > 40 or any(len(a) > 500 for a in items):
        raise ValidationError(_("Chương trình tối đa 40 mục, mỗi mục tối đa 500 ký tự."))
    return items


@transaction.atomic
def prepare(
    *,
    actor,
    meeting: Meeting,
    place: str = "",
    starts_at: dt.time | None = None,
    topic: str | None = None,
    chair=None,
    clerk=None,
    agenda=None,
    draft_resolution: str | None = None,
) -> Meeting:
    """Record the meeting's preparation. Chair and clerk must be on the day's roster."""
    require_editor(actor, meeting)
    if meeting.held_on is not None and meeting.votes.exists():
        raise ValidationError(_("Cuộc họp đã biểu quyết: không sửa phần chuẩn bị nữa."))
    ids = {r.member.pk for r in selectors.roster(meeting.unit, meeting.date)}
    absent = set(
        meeting.attendance.filter(
            status__in=[Attendance.Status.EXCUSED, Attendance.Status.UNEXCUSED]
        ).values_list("member_id", flat=True)
    )
    for who, role in ((chair, _("chủ trì")), (clerk, _("thư ký"))):
        if who is not None and who.pk not in ids:
            raise ValidationError(
                _("%(n)s không sinh hoạt ở %(u)s vào ngày họp.")
                % {"n": who.full_name, "u": meeting.unit.name}
            )
        if who is not None and who.pk in absent:
            raise ValidationError(
                _("Đồng chí %(n)s đã được điểm danh vắng mặt: không làm %(r)s cuộc họp được.")
                % {"n": who.full_name, "r": role}
            )
    before = {
        "place": meeting.place,
        "agenda": meeting.agenda,
        "draft_resolution": meeting.draft_resolution,
    }
    fields = ["place", "starts_at", "chair", "clerk"]
    meeting.place = " ".join(place.split())
    meeting.starts_at = starts_at
    meeting.chair, meeting.clerk = chair, clerk
    if topic is not None:
        if meeting.kind in COUNTS_AS_THEMATIC and not topic.strip():
            raise ValidationError(_("Sinh hoạt chuyên đề cần ghi chủ đề."))
        meeting.topic = topic.strip()
        fields.append("topic")
    if agenda is not None:
        meeting.agenda = _clean_agenda(agenda)
        fields.append("agenda")
    if draft_resolution is not None and draft_resolution.strip() != meeting.draft_resolution:
        meeting.draft_resolution = draft_resolution.strip()
        meeting.draft_posted_at = timezone.now() if meeting.draft_resolution else None
        fields += ["draft_resolution", "draft_posted_at"]
    touch(meeting, fields)
    record(
        actor=actor,
        action="meetings.prepare",
        obj=meeting,
        unit=meeting.unit,
        before=before,
        after={
            "place": meeting.place,
            "agenda": meeting.agenda,
            "draft_resolution": meeting.draft_resolution,
        },
    )
    return meeting


def document_type(head: bytes, name: str) -> tuple[str, str] | None:
    for magic, (ctype, ext) in DOCUMENT_TYPES.items():
        if head.startswith(magic):
            if ext == "zip":
                ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
                return (OFFICE_TYPES[ext], ext) if ext in OFFICE_TYPES else None
            return ctype, ext
    return None


@transaction.atomic
def add_document(
    *, actor, meeting: Meeting, title: str, upload, kind: str = MeetingDocument.Kind.MATERIAL
) -> MeetingDocument:
    """Post a document (PDF, Word, Excel, PowerPoint, JPEG or PNG, at most 10 MB)."""
    require_editor(actor, meeting)
    if upload is None or not upload.size:
        raise ValidationError(_("Hãy chọn tệp tài liệu."))
    if upload.size > MAX_DOCUMENT_BYTES:
        raise ValidationError(_("Tệp lớn hơn 10 MB."))
    head = upload.read(8)
    upload.seek(0)
    found = document_type(head, upload.name or "")
    if found is None:
        raise ValidationError(
            _("Chỉ nhận tệp PDF, Word (.docx, .doc), Excel (.xlsx), PowerPoint (.pptx), JPEG, PNG.")
        )
    if kind == MeetingDocument.Kind.SCAN and meeting.held_on is None:
        raise ValidationError(_("Chỉ đính kèm biên bản đã ký sau khi cuộc họp diễn ra."))
    title = " ".join((title or "").split()) or (upload.name or _("Tài liệu"))[:255]
    ctype, ext = found
    doc = MeetingDocument(
        meeting=meeting,
        kind=kind,
        title=title[:255],
        content_type=ctype,
        size=upload.size,
        posted_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    doc.file.save(f"m{meeting.pk}.{ext}", upload, save=False)
    doc.save()
    touch(meeting, [])
    record(
        actor=actor,
        action="meetings.document",
        obj=meeting,
        unit=meeting.unit,
        after={"title": doc.title, "kind": kind, "size": doc.size},
    )
    return doc


@dataclass(frozen=True)
class Readiness:
    """Whether the documents reached the members in time (HD 42: ≥ 1 day before)."""

    lead_days: int | None
    deadline: dt.datetime | None
    on_time: list[str]
    late: list[str]
    notices_sent: bool

    @property
    def ok(self) -> bool:
        return self.notices_sent and bool(self.on_time) and not self.late


def readiness(meeting: Meeting) -> Readiness:
    lead = params.get("meeting_documents_lead_days", meeting.date, meeting.unit)
    deadline = None
    if lead is not None:
        start = dt.datetime.combine(meeting.date, meeting.starts_at or dt.time(0, 0))
        deadline = timezone.make_aware(start - dt.timedelta(days=int(lead)))
    posted = [
        (d.title, d.posted_at)
        for d in meeting.documents.all()
        if d.kind == MeetingDocument.Kind.MATERIAL
    ]
    if meeting.draft_resolution and meeting.draft_posted_at:
        posted.append((_("Dự thảo nghị quyết"), meeting.draft_posted_at))
    on_time = [t for t, at in posted if deadline is None or at <= deadline]
    late = [t for t, at in posted if deadline is not None and at > deadline]
    return Readiness(lead, deadline, on_time, late, meeting.notices_sent_at is not None)


@dataclass
class Sent:
    in_app: int = 0
    email: int = 0
    paper: int = 0


@transaction.atomic
def send_notices(*, actor, meeting: Meeting) -> Sent:
    """Notify everyone on the day's roster and the committee members who follow the cell:
    in the app for those with an account, by e-mail where the account has an address, on the
    printable notice for the others. Sending again reaches only people not yet notified (and
    records the new sending time); the e-mails leave after the commit."""
    require_editor(actor, meeting)
    if meeting.starts_at is None or not meeting.place:
        raise ValidationError(_("Hãy ghi giờ họp và địa điểm trước khi gửi thông báo."))
    now = timezone.now()
    sent = Sent()
    mails: list[tuple[str, str]] = []
    have_members = set(
        meeting.notices.filter(member__isnull=False).values_list("member_id", flat=True)
    )
    have_users = set(meeting.notices.filter(member__isnull=True).values_list("user_id", flat=True))
    rows = selectors.roster(meeting.unit, meeting.date)
    for r in rows:
        m = r.member
        if r.away or r.suspended or m.pk in have_members:
            continue
        user = m.user
        n = Notice(meeting=meeting, member=m, user=user, name=m.full_name, sent_at=now)
        if user is not None and user.is_active:
            n.in_app = True
            sent.in_app += 1
            if user.email:
                n.email = user.email
                mails.append((user.email, m.full_name))
                sent.email += 1
        else:
            n.user = None
            n.paper = True
            sent.paper += 1
        n.save()
    member_users = {r.member.user_id for r in rows if r.member.user_id}
    for f in selectors.followers(meeting.unit, meeting.date):
        if f.user_id in have_users or f.user_id in member_users:
            continue
        Notice.objects.create(
            meeting=meeting,
            user_id=f.user_id,
            name=f.name,
            follower=True,
            in_app=True,
            email=f.email,
            sent_at=now,
        )
        sent.in_app += 1
        if f.email:
            mails.append((f.email, f.name))
            sent.email += 1
    meeting.notices_sent_at = now
    touch(meeting, ["notices_sent_at"])
    record(
        actor=actor,
        action="meetings.notices",
        obj=meeting,
        unit=meeting.unit,
        after={"in_app": sent.in_app, "email": sent.email, "paper": sent.paper},
    )
    subject, body = notice_text(meeting)
    transaction.on_commit(lambda: _mail(subject, body, [to for to, _n in mails]))
    return sent


def _mail(subject: str, body: str, recipients: list[str]) -> None:
    """Send each notice separately; a mail server that is down must not undo the notices (they
    are in the app already), so a failure is logged, not raised."""
    for to in recipients:
        try:
            send_mail(subject, body, None, [to])
        except Exception:  # noqa: BLE001 — any transport error
            log.warning("meeting notice to %s not sent", to, exc_info=True)


def notice_text(meeting: Meeting) -> tuple[str, str]:
    when = f"{meeting.starts_at:%H:%M} " if meeting.starts_at else ""
    subject = _("Thông báo %(k)s %(d)s") % {
        "k": meeting.get_kind_display().lower(),
        "d": f"{meeting.date:%d/%m/%Y}",
    }
    lines = [
        _("%(u)s thông báo %(k)s.") % {"u": meeting.unit.name, "k": meeting.get_kind_display()},
        _("Thời gian: %(t)sngày %(d)s.") % {"t": when, "d": f"{meeting.date:%d/%m/%Y}"},
        _("Địa điểm: %(p)s.") % {"p": meeting.place},
    ]
    if meeting.topic:
        lines.append(_("Chủ đề: %(t)s.") % {"t": meeting.topic})
    if meeting.agenda:
        lines.append(_("Nội dung:"))
        lines += agenda_lines.numbered(meeting.agenda)
    lines.append(_("Tài liệu xem trong chibo, mục Cuộc họp của tôi."))
    return subject, "\n".join(lines)


def mark_read(user, meeting: Meeting) -> None:
    """The person opened the meeting: their notice is read (not an audited change)."""
    Notice.objects.filter(meeting=meeting, user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
