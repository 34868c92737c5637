"""One meeting: its preparation (agenda, draft resolution, documents, notices, printable notice
and attendance sheet), its holding on a phone (attendance, times, guests, speakers, votes,
quality, the signed minutes' scan), and the member's own meetings."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chibo.audit.services import record
from chibo.core.forms import run
from chibo.core.scope import can
from chibo.members.models import Member, Placement
from chibo.org.models import in_force

from .. import followup, holding, offline, preparation, rules, selectors
from ..forms import DocumentForm, HoldingForm, PrepareForm, SpeechForm, VoteForm
from ..models import Attendance, FollowUp, Meeting, MeetingDocument, Notice, Paper


def offline_text() -> dict:
    """The words of the offline script, translated on the server (the script has none)."""
    return {
        "synced": _("✓ Mọi thay đổi đã lên máy chủ."),
        "pending": _("● %(n)s thay đổi đang lưu trên máy này, chưa lên máy chủ."),
        "offline": _("Mất kết nối: sẽ tự gửi khi có mạng."),
        "login": _("Phiên đăng nhập đã hết: hãy đăng nhập lại để gửi."),
        "login_link": _("Đăng nhập lại"),
        "login_url": reverse("accounts:login"),
        "server": _("Máy chủ đang lỗi: sẽ thử lại."),
        "sending": _("Đang gửi…"),
        "saved_at": _("lưu lúc %(t)s"),
        "draft": _("Bản nháp trên máy này lúc %(t)s (chưa gửi; bấm Lưu để gửi)."),
        "needs_choice": _("cần chọn giữ bản nào"),
        "waiting_choice": _("Chờ đồng chí chọn giữ bản nào (bên dưới)."),
        "forbidden": _("Tài khoản không còn quyền ghi cuộc họp này; nội dung được giữ trên máy."),
        "gone": _("Không còn thấy cuộc họp này; nội dung được giữ trên máy."),
        "refused": _("Máy chủ không nhận thay đổi này; nội dung được giữ trên máy."),
        "probe_url": reverse("meetings:mine"),
        "conflict_title": _("Cuộc họp vừa được sửa ở nơi khác: chọn giữ bản nào"),
        "field": _("Nội dung"),
        "mine": _("Bản của tôi"),
        "theirs": _("Bản trên máy chủ"),
        "keep_mine": _("Giữ bản của tôi"),
        "keep_theirs": _("Dùng bản trên máy chủ"),
        "forms": {
            "attendance": _("Điểm danh"),
            "holding": _("Thời gian, khách mời, kết luận"),
            "speech": _("Ý kiến phát biểu"),
            "vote": _("Biểu quyết"),
            "prepare": _("Chuẩn bị"),
        },
        # The worker's own words follow the page's language (its script is fetched once).
        "sw_url": reverse("service_worker") + f"?lang={get_language() or 'vi'}",
    }


def _meeting(request, pk: int) -> Meeting:
    return get_object_or_404(Meeting.objects.restrict(request.user).select_related("unit"), pk=pk)


def _editable(request, pk: int) -> Meeting:
    meeting = _meeting(request, pk)
    if not can(request.user, "members", meeting.unit):
        raise PermissionDenied(_("Bạn chỉ có quyền xem."))
    return meeting


def _member(pk, allowed: dict[int, Member]) -> Member | None:
    if pk in (None, ""):
        return None
    if pk not in allowed:
        raise ValidationError(_("Người được chọn không thuộc danh sách của ngày họp."))
    return allowed[pk]


@login_required
def detail(request, pk: int):
    meeting = _meeting(request, pk)
    preparation.mark_read(request.user, meeting)
    people = [r.member for r in selectors.roster(meeting.unit, meeting.date)]
    form = PrepareForm(
        people=people,
        initial={
            "place": meeting.place,
            "starts_at": meeting.starts_at,
            "topic": meeting.topic,
            "chair": meeting.chair_id,
            "clerk": meeting.clerk_id,
            "agenda": "\n".join(meeting.agenda),
            "draft_resolution": meeting.draft_resolution,
        },
    )
    return render(
        request,
        "meetings/detail.html",
        {
            "nav": "tree",
            "meeting": meeting,
            "unit": meeting.unit,
            "can_edit": can(request.user, "members", meeting.unit),
            "form": form,
            "doc_form": DocumentForm(),
            "documents": meeting.documents.all(),
            "notices": meeting.notices.all(),
            "ready": preparation.readiness(meeting),
            "offline_text": offline_text(),
            "my_follow_up": followup.covering(meeting.unit, meeting.date)
            .filter(user=request.user)
            .first(),
            "my_visit": meeting.visits.filter(user=request.user).first(),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def prepare(request, pk: int):
    meeting = _editable(request, pk)
    people = {r.member.pk: r.member for r in selectors.roster(meeting.unit, meeting.date)}

    def call(data):
        form = PrepareForm(data, people=people.values())
        if not form.is_valid():
            raise offline.form_errors(form)
        data = form.cleaned_data
        preparation.prepare(
            actor=request.user,
            meeting=meeting,
            place=data["place"],
            starts_at=data["starts_at"],
            topic=data["topic"],
            chair=_member(data["chair"], people),
            clerk=_member(data["clerk"], people),
            agenda=data["agenda"],
            draft_resolution=data["draft_resolution"],
        )

    return offline.finish(
        request, meeting, "prepare", call, _("Đã lưu phần chuẩn bị."), "meetings:detail"
    )


@login_required
@require_POST
def agenda_template(request, pk: int):
    """ "Lập chương trình theo mẫu": fills an empty agenda; a saved one is replaced only after
    a confirmation page (without JavaScript) that shows both and says that notices already
    sent carry the old agenda."""
    meeting = _editable(request, pk)
    items = preparation.agenda_template(meeting)
    replace = request.POST.get("replace") == "1"
    if meeting.agenda and meeting.agenda != items and not replace:
        return render(
            request,
            "meetings/agenda_replace.html",
            {
                "nav": "tree",
                "meeting": meeting,
                "unit": meeting.unit,
                "items": items,
                "notified": meeting.notices.count() if meeting.notices_sent_at else 0,
            },
        )
    done = run(
        request,
        lambda: preparation.apply_agenda_template(
            actor=request.user, meeting=meeting, replace=replace
        ),
        _("Đã lập chương trình theo mẫu (%(n)d mục); có thể sửa lại.") % {"n": len(items)},
    )
    if done and replace and meeting.notices_sent_at:
        messages.warning(
            request,
            _(
                "Thông báo đã gửi lúc %(t)s mang chương trình cũ: hãy báo lại chương trình mới "
                "cho đảng viên."
            )
            % {"t": timezone.localtime(meeting.notices_sent_at).strftime("%H:%M %d/%m/%Y")},
        )
    return redirect("meetings:detail", pk=meeting.pk)


@login_required
@require_POST
def document_add(request, pk: int):
    meeting = _editable(request, pk)
    form = DocumentForm(request.POST, request.FILES)
    back = "meetings:hold" if request.POST.get("kind") == MeetingDocument.Kind.SCAN else None
    if not form.is_valid():
        messages.error(request, _("Hãy chọn tệp tài liệu."))
    else:
        run(
            request,
            lambda: preparation.add_document(
                actor=request.user,
                meeting=meeting,
                title=form.cleaned_data["title"],
                upload=form.cleaned_data["file"],
                kind=form.cleaned_data["kind"],
            ),
            _("Đã đăng tài liệu."),
        )
    return redirect(back or "meetings:detail", pk=meeting.pk)


def _notified_and_still_there(user, doc: MeetingDocument) -> bool:
    """The notice opens the meeting's material (not the signed minutes' scan) to a member
    without a grant on the cell while they still belong to it, and to a follower while an
    assignment covers it."""
    if doc.kind != MeetingDocument.Kind.MATERIAL:
        return False
    notice = Notice.objects.filter(meeting=doc.meeting, user=user).first()
    if notice is None:
        return False
    today = timezone.localdate()
    unit = doc.meeting.unit
    if notice.member_id is not None:
        return Placement.objects.filter(
            in_force(today), member_id=notice.member_id, unit=unit
        ).exists()
    return followup.covering(unit, today).filter(user=user).exists()


@login_required
def document(request, pk: int):
    """Download a meeting document: for those who see the meeting's unit, and for anyone the
    meeting was notified to (a member without a grant on the cell). Logged."""
    doc = get_object_or_404(MeetingDocument.objects.select_related("meeting__unit"), pk=pk)
    visible = Meeting.objects.restrict(request.user).filter(pk=doc.meeting_id).exists()
    if not visible and not _notified_and_still_there(request.user, doc):
        raise Http404
    try:
        fh = doc.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    with transaction.atomic():
        record(
            actor=request.user,
            action="export.meeting_document",
            obj=doc.meeting,
            unit=doc.meeting.unit,
            after={"document": doc.pk, "title": doc.title},
        )
    ext = doc.file.name.rsplit(".", 1)[-1]
    return FileResponse(
        fh, content_type=doc.content_type, as_attachment=True, filename=f"tai-lieu-{doc.pk}.{ext}"
    )


@login_required
@require_POST
def notices(request, pk: int):
    meeting = _editable(request, pk)
    result = {}

    def call():
        result["sent"] = preparation.send_notices(actor=request.user, meeting=meeting)

    if run(request, call, _("Đã gửi thông báo.")):
        s = result["sent"]
        messages.info(
            request,
            _("Trong ứng dụng: %(a)d; thư điện tử: %(e)d; cần in giấy mời: %(p)d.")
            % {"a": s.in_app, "e": s.email, "p": s.paper},
        )
    return redirect("meetings:detail", pk=meeting.pk)


@login_required
def print_notice(request, pk: int):
    """Printable notices (giấy mời), one per member without an account; logged."""
    meeting = _meeting(request, pk)
    paper = list(meeting.notices.filter(paper=True))
    with transaction.atomic():
        record(
            actor=request.user,
            action="export.meeting_notice",
            obj=meeting,
            unit=meeting.unit,
            after={"copies": max(1, len(paper))},
        )
    return render(
        request,
        "meetings/print_notice.html",
        {"meeting": meeting, "recipients": paper or [None], "unit": meeting.unit},
    )


@login_required
def print_sheet(request, pk: int):
    """The printable attendance sheet for signatures; logged."""
    meeting = _meeting(request, pk)
    rows = selectors.roster(meeting.unit, meeting.date)
    follow = selectors.followers(meeting.unit, meeting.date)
    with transaction.atomic():
        record(
            actor=request.user,
            action="export.meeting_sheet",
            obj=meeting,
            unit=meeting.unit,
            after={"rows": len(rows)},
        )
    return render(
        request,
        "meetings/print_sheet.html",
        {"meeting": meeting, "rows": rows, "followers": follow, "unit": meeting.unit},
    )


def _hold_context(request, meeting: Meeting, **forms_):
    rows = holding.attendance(meeting)
    seats = holding.seats(rows)
    count = holding.attendance_count(meeting, rows)
    present_people = [a.member for a in rows]
    probationary = [a.member for a in rows if not a.official and not a.guest_member]
    return {
        "nav": "tree",
        "meeting": meeting,
        "unit": meeting.unit,
        "rows": rows,
        "can_edit": can(request.user, "members", meeting.unit),
        "not_yet": meeting.date > timezone.localdate(),
        "quorum": rules.quorum(seats, meeting.date),
        "base": sum(1 for s in seats if rules.in_base(s)),
        "voters": sum(1 for s in seats if rules.may_vote(s)),
        "count": count,
        "probationary": count.roll - count.official,
        "length": holding.length(meeting),
        "statuses": Attendance.Status.choices,
        "holding_form": forms_.get("holding_form")
        or HoldingForm(
            initial={
                "held_on": meeting.held_on or meeting.planned_on,
                "started_at": meeting.started_at or meeting.starts_at,
                "ended_at": meeting.ended_at,
                "guests": meeting.guests,
                "conclusion": meeting.conclusion,
                "quality": meeting.quality,
            }
        ),
        "speech_form": SpeechForm(people=present_people),
        "vote_form": VoteForm(people=probationary),
        "speeches": meeting.speeches.all(),
        "votes": meeting.votes.select_related("subject_member"),
        "scans": meeting.documents.filter(kind=MeetingDocument.Kind.SCAN),
        "papers": meeting.papers.all(),
        "followers": list(followup.covering(meeting.unit, meeting.date)),
        "visited": set(meeting.visits.values_list("user_id", flat=True)),
        "matters": meeting.matters.select_related("routed_to"),
        "levels": followup.levels(meeting),
        "paper_kinds": Paper.Kind.choices,
        "doc_form": DocumentForm(initial={"kind": MeetingDocument.Kind.SCAN}),
        "offline_text": offline_text(),
    }


@login_required
def hold(request, pk: int):
    meeting = _meeting(request, pk)
    return render(request, "meetings/hold.html", _hold_context(request, meeting))


@login_required
@require_POST
def attendance(request, pk: int):
    meeting = _editable(request, pk)
    rows = holding.attendance(meeting)

    def call(data):
        marks = {
            a.member_id: (data[f"s{a.member_id}"], data.get(f"r{a.member_id}", ""))
            for a in rows
            if f"s{a.member_id}" in data
        }
        return holding.record_attendance(actor=request.user, meeting=meeting, marks=marks)

    return offline.finish(
        request,
        meeting,
        "attendance",
        call,
        _("Đã lưu điểm danh."),
        "meetings:hold",
    )


@login_required
@require_POST
def held(request, pk: int):
    meeting = _editable(request, pk)

    def call(data):
        form = HoldingForm(data)
        if not form.is_valid():
            raise offline.form_errors(form)
        holding.record_holding(actor=request.user, meeting=meeting, **form.cleaned_data)

    return offline.finish(
        request, meeting, "holding", call, _("Đã lưu diễn biến cuộc họp."), "meetings:hold"
    )


@login_required
@require_POST
def speech(request, pk: int):
    meeting = _editable(request, pk)
    people = {a.member_id: a.member for a in meeting.attendance.select_related("member")}

    def call(data):
        form = SpeechForm(data, people=people.values())
        if not form.is_valid():
            raise offline.form_errors(form)
        d = form.cleaned_data
        holding.add_speech(
            actor=request.user,
            meeting=meeting,
            member=_member(d["member"], people),
            name=d["name"],
            points=d["points"],
        )

    return offline.finish(
        request, meeting, "speech", call, _("Đã ghi ý kiến phát biểu."), "meetings:hold"
    )


@login_required
@require_POST
def vote(request, pk: int):
    meeting = _editable(request, pk)
    people = {
        a.member_id: a.member
        for a in meeting.attendance.select_related("member").filter(
            official=False, guest_member=False
        )
    }

    def call(data):
        form = VoteForm(data, people=people.values())
        if not form.is_valid():
            raise offline.form_errors(form)
        d = form.cleaned_data
        holding.record_vote(
            actor=request.user,
            meeting=meeting,
            kind=d["kind"],
            title=d["title"],
            yes=d["yes"],
            no=d["no"] or 0,
            subject_member=_member(d["subject_member"], people),
            subject_name=d["subject_name"],
        )

    return offline.finish(
        request, meeting, "vote", call, _("Đã ghi kết quả biểu quyết."), "meetings:hold"
    )


def _my_attendance(user, year: int) -> list[Attendance]:
    """The member's own attendance at the meetings held this year (their record, linked to
    the account)."""
    member = Member.objects.filter(user=user).first()
    if member is None:
        return []
    return list(
        Attendance.objects.filter(member=member, meeting__held_on__year=year)
        .exclude(status="")
        .select_related("meeting__unit")
        .order_by("-meeting__held_on")
    )


@login_required
def mine(request):
    """The meetings I was notified of: upcoming first, with their documents."""
    today = timezone.localdate()
    notes = list(
        Notice.objects.filter(user=request.user)
        .select_related("meeting__unit")
        .prefetch_related("meeting__documents")
        .order_by("-meeting__planned_on")
    )
    upcoming = [n for n in notes if n.meeting.date >= today]
    upcoming.reverse()
    past = [n for n in notes if n.meeting.date < today]
    return render(
        request,
        "meetings/mine.html",
        {
            "nav": "mine",
            "upcoming": upcoming,
            "past": past,
            "today": today,
            "following": followup.standings(
                FollowUp.objects.filter(user=request.user), today.year, today
            ),
            "my_attendance": _my_attendance(request.user, today.year),
        },
    )


def service_worker(request):
    """The service worker script, served from the site root so that it may keep the meeting
    pages (a worker only controls pages under its own path). Public, like any static file."""
    lang = request.GET.get("lang", "vi")
    if lang not in dict(settings.LANGUAGES):
        lang = "vi"
    with translation.override(lang):
        resp = render(
            request,
            "meetings/sw.js",
            {
                "static_prefix": settings.STATIC_URL,
                "offline_title": _("Mất kết nối"),
                "offline_text": _(
                    "Trang này chưa được lưu trên máy. Khi có mạng, hãy mở lại; những gì đã "
                    "nhập ở các trang cuộc họp vẫn được giữ trên máy."
                ),
            },
            content_type="text/javascript; charset=utf-8",
        )
    resp["Cache-Control"] = "no-cache"
    return resp
