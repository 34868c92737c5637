"""Pages of the review: the historical import of ratings (check, then write after a
confirmation, all or nothing)."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

from chibo.audit.services import record
from chibo.core.documents import to_docx, to_pdf
from chibo.core.scope import can
from chibo.members.imports.reading import ReadError
from chibo.members.views.records import _unit
from chibo.org.selectors import unit_as_of

from .. import papers
from ..services import imports

SESSION_KEY = "reviews_imports"
KEEP_SECONDS = 24 * 3600  # a checked file not written by then is deleted
MAX_BYTES = 10 * 1024 * 1024


def _folder() -> Path:
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _forget_old_files() -> None:
    limit = time.time() - KEEP_SECONDS
    for f in _folder().glob("ratings-*.xlsx"):
        if f.stat().st_mtime < limit:
            f.unlink(missing_ok=True)


@login_required
def import_ratings(request):
    unit = _unit(request)  # 404 outside the user's scope
    if not can(request.user, "change", unit):
        raise PermissionDenied(_("Bạn chỉ có quyền xem tổ chức này."))
    ctx = {"nav": "org", "unit": unit, "fields": imports.FIELDS}
    waiting = request.session.get(SESSION_KEY, {})
    if request.method == "POST" and request.POST.get("action") == "commit":
        token = request.POST.get("token", "")
        entry = waiting.pop(token, None)
        request.session[SESSION_KEY] = waiting
        if entry is None or entry.get("unit") != unit.pk:
            ctx["error"] = _("Lần kiểm tra này đã hết hạn hoặc đã được ghi: hãy tải tệp lên lại.")
            return render(request, "reviews/import.html", ctx)
        file = Path(entry["path"])
        try:
            n = imports.commit(imports.read_sheet(str(file)), unit, actor=request.user)
        except (ValidationError, ReadError, OSError) as exc:
            ctx["error"] = "; ".join(getattr(exc, "messages", [str(exc)]))
            return render(request, "reviews/import.html", ctx)
        finally:
            file.unlink(missing_ok=True)
        messages.success(request, _("Đã ghi %(n)d kết quả xếp loại.") % {"n": n})
        return redirect(f"{request.path}?unit={unit.pk}")
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            ctx["error"] = _("Hãy chọn tệp Excel.")
        elif upload.size > MAX_BYTES:
            ctx["error"] = _("Tệp lớn hơn 10 MB.")
        else:
            _forget_old_files()
            token = get_random_string(24)
            file = _folder() / f"ratings-{token}.xlsx"
            with file.open("wb") as fh:
                for chunk in upload.chunks():
                    fh.write(chunk)
            try:
                plan = imports.plan(imports.read_sheet(str(file)), unit, actor=request.user)
            except ReadError as exc:
                plan = None
                ctx["error"] = str(exc)
            if plan is not None and plan.ok:
                waiting[token] = {"path": str(file), "unit": unit.pk}
                request.session[SESSION_KEY] = waiting
                ctx.update(plan=plan, token=token)
            else:
                file.unlink(missing_ok=True)
                ctx["plan"] = plan
    return render(request, "reviews/import.html", ctx)


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@login_required
def decision_paper(request, pk: int, year: int, fmt: str):
    """The committee's decision recognizing its members' ratings of `year`, with the list, as
    Word or PDF: in the unit's tree of that year's 31/12, read through the gate, logged."""
    if fmt not in ("docx", "pdf") or not 1930 <= year <= timezone.localdate().year:
        raise Http404
    unit = unit_as_of(request.user, pk, dt.date(year, 12, 31))
    doc = papers.decision_doc(request.user, unit, year, number=request.GET.get("no", "")[:40])
    if doc is None:
        raise Http404(_("Chưa có kết quả xếp loại đảng viên năm %(y)s.") % {"y": year})
    content = to_docx(doc) if fmt == "docx" else to_pdf(doc)
    with transaction.atomic():
        record(
            actor=request.user,
            action="export.rating_decision",
            obj=unit,
            unit=unit,
            after={"year": year, "rows": len(doc.annex_rows), "format": fmt},
        )
    resp = HttpResponse(content, content_type=DOCX if fmt == "docx" else "application/pdf")
    resp["Content-Disposition"] = (
        f'attachment; filename="quyet-dinh-xep-loai-{year}-{unit.pk}.{fmt}"'
    )
    return resp


urls: list = [
    path("history/import/", import_ratings, name="import"),
    path("units/<int:pk>/<int:year>/decision.<str:fmt>", decision_paper, name="decision_paper"),
]
