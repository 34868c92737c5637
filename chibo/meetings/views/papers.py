"""The meeting's minutes and resolution: draft, edit in the browser, issue (number and lock),
addenda, and the Word/PDF files (logged exports)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chibo.audit.services import record
from chibo.core.documents import to_docx, to_pdf
from chibo.core.forms import run
from chibo.core.scope import can

from .. import papers
from ..models import Meeting, Paper

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _paper(request, pk: int) -> Paper:
    return get_object_or_404(
        Paper.objects.restrict(request.user).select_related("meeting__unit", "issuer"), pk=pk
    )


def _editable(request, pk: int) -> Paper:
    paper = _paper(request, pk)
    if not can(request.user, "members", paper.meeting.unit):
        raise PermissionDenied(_("Bạn chỉ có quyền xem."))
    return paper


@login_required
@require_POST
def start(request, pk: int, kind: str):
    meeting = get_object_or_404(Meeting.objects.restrict(request.user), pk=pk)
    if not can(request.user, "members", meeting.unit):
        raise PermissionDenied(_("Bạn chỉ có quyền xem."))
    if kind not in Paper.Kind.values:
        raise Http404
    paper = run(
        request,
        lambda: papers.draft(actor=request.user, meeting=meeting, kind=kind),
        _("Đã lập dự thảo từ nội dung cuộc họp; có thể sửa trước khi ban hành."),
    )
    return (
        redirect("meetings:paper", pk=paper.value.pk) if paper else redirect("meetings:hold", pk=pk)
    )


TYPED = ("summary", "body", "recipients")  # the draft's fields on its page


def _page(request, p: Paper, typed: dict[str, str] | None = None, status: int = 200):
    """The paper's page; `typed`: what the user had typed, shown back when it was refused
    (a refusal never throws typed text away)."""
    return render(
        request,
        "meetings/paper.html",
        {
            "nav": "tree",
            "paper": p,
            "meeting": p.meeting,
            "unit": p.meeting.unit,
            "doc": papers.as_doc(p),
            "can_edit": can(request.user, "members", p.meeting.unit),
            "addenda": p.addenda.all(),
            "typed": typed or {f: getattr(p, f) for f in TYPED},
        },
        status=status,
    )


@login_required
def paper(request, pk: int):
    return _page(request, _paper(request, pk))


def _typed(request, p: Paper) -> dict[str, str]:
    """The draft's fields as posted (a field the form did not carry keeps the saved value)."""
    return {f: request.POST.get(f, getattr(p, f)) for f in TYPED}


def _save(request, p: Paper) -> Paper:
    """Save what was on the screen through the edit service (nothing written if unchanged)."""
    return papers.edit(actor=request.user, paper=p, **_typed(request, p))


def _refused(request, p: Paper, exc: ValidationError):
    for msg in exc.messages:
        messages.error(request, msg)
    return _page(request, p, _typed(request, p), status=400)


@login_required
@require_POST
def edit(request, pk: int):
    p = _editable(request, pk)
    try:
        _save(request, p)
    except ValidationError as exc:
        return _refused(request, p, exc)
    messages.success(request, _("Đã lưu dự thảo."))
    return redirect("meetings:paper", pk=p.pk)


def _confirm(request, p: Paper, number: int):
    """The question before a paper is numbered and locked, with the number it will take; the
    answer posts the text it shows, so what is issued is what was confirmed."""
    return render(
        request,
        "meetings/paper_confirm.html",
        {
            "nav": "tree",
            "paper": p,
            "meeting": p.meeting,
            "unit": p.meeting.unit,
            "doc": papers.as_doc(p),
            "number": number,
            "number_text": papers.number_text(p, number),
            "seen": p.updated_at.isoformat(),
        },
    )


@login_required
@require_POST
def issue(request, pk: int):
    """Ban hành: first save what is on the screen, then ask with the number the paper will
    take; the confirmation (confirm=1 with that number) issues it. Works without JavaScript."""
    p = _editable(request, pk)
    if p.issued:
        messages.error(request, _("Văn bản đã ban hành (%(n)s).") % {"n": papers.number_label(p)})
        return redirect("meetings:paper", pk=p.pk)
    confirming = request.POST.get("confirm") == "1"
    if confirming and request.POST.get("seen") != p.updated_at.isoformat():
        # The answer must be to this draft as it stands: without the question's mark, or after
        # the draft changed since it was asked (a vote's decision written in, another editor's
        # save), ask again on what it is now, never issue or overwrite unseen text.
        if request.POST.get("seen"):
            messages.warning(
                request,
                _("Dự thảo đã thay đổi sau khi bạn xem; hãy xem lại nội dung trước khi ban hành."),
            )
        return _confirm(request, p, papers.next_number(p)[1])
    try:
        if not confirming:  # the answer issues what the question showed, as saved
            saved_at = p.updated_at
            p = _save(request, p)
            if p.updated_at != saved_at:
                messages.info(request, _("Đã lưu dự thảo."))
        papers.check_issue(p)
    except ValidationError as exc:
        return _refused(request, p, exc)
    if not confirming:
        return _confirm(request, p, papers.next_number(p)[1])
    raw = request.POST.get("number", "")
    try:
        done = papers.issue(actor=request.user, paper=p, expect=int(raw) if raw.isdigit() else -1)
    except papers.NumberChanged as exc:
        messages.warning(request, exc.messages[0])
        return _confirm(request, p, exc.number)
    except ValidationError as exc:
        return _refused(request, p, exc)
    messages.success(
        request,
        _("Đã ban hành %(k)s số %(n)s.")
        % {"k": done.get_kind_display().lower(), "n": papers.number_text(done)},
    )
    return redirect("meetings:paper", pk=p.pk)


@login_required
@require_POST
def addendum(request, pk: int):
    p = _editable(request, pk)
    a = run(
        request,
        lambda: papers.addendum(actor=request.user, paper=p),
        _("Đã lập dự thảo văn bản bổ sung, đính chính."),
    )
    return redirect("meetings:paper", pk=a.value.pk if a else p.pk)


@login_required
def download(request, pk: int, fmt: str):
    p = _paper(request, pk)
    if fmt not in ("docx", "pdf"):
        raise Http404
    doc = papers.as_doc(p)
    content = to_docx(doc) if fmt == "docx" else to_pdf(doc)
    with transaction.atomic():
        record(
            actor=request.user,
            action="export.meeting_paper",
            obj=p.meeting,
            unit=p.meeting.unit,
            after={"paper": p.pk, "number": doc.number, "format": fmt, "draft": doc.draft},
        )
    name = f"{'bien-ban' if p.kind == Paper.Kind.MINUTES else 'nghi-quyet'}-{p.meeting.pk}"
    if p.issued:
        name += f"-so-{p.number:02d}"
    resp = HttpResponse(content, content_type=DOCX if fmt == "docx" else "application/pdf")
    resp["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return resp
