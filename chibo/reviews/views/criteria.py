"""Pages of the review: criteria sets — a committee's sets per year, one set, create (from the
framework or from last year's), edit (one text area per group: a phone-sized row editor) and
delete after a confirmation. Reads through restrict(); writes through services.criteria."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chibo.core.forms import add_errors
from chibo.core.text import search_key
from chibo.org.models import Unit

from .. import packs
from ..choices import PersonKind
from ..models import CriteriaSet
from ..services import criteria as svc


def _year(request) -> int:
    value = request.GET.get("year") or request.POST.get("year") or ""
    if value.isdigit() and 1990 <= int(value) <= 2100:
        return int(value)
    return timezone.localdate().year


def _unit(request, pk: int) -> Unit:
    return get_object_or_404(Unit.objects.restrict(request.user, "meetings"), pk=pk)


def _set(request, pk: int) -> CriteriaSet:
    return get_object_or_404(
        CriteriaSet.objects.restrict(request.user).select_related("owner"), pk=pk
    )


def _manageable(request, owner: Unit) -> None:
    if not svc.can_manage(request.user, owner):
        raise PermissionDenied(_("Bạn chỉ có quyền xem."))


def _framework(year: int) -> list[dict]:
    """The framework of the year's pack per subject, for the list page."""
    try:
        pack = packs.for_year(year)
    except LookupError:
        return []
    return [
        {
            "subject": CriteriaSet.Subject(subject).label,
            "groups": svc.framework_groups(pack, subject),
            "total": svc.framework_total(pack, subject),
        }
        for subject in svc.SUBJECTS
        if pack.framework.get(subject)
    ]


def _describe(s: CriteriaSet) -> dict:
    return {
        "set": s,
        "type": svc.org_type_label(s.org_type),
        "kind": svc.person_kind_label(s.person_kind) if s.subject == packs.MEMBER else "",
    }


@login_required
def criteria_list(request, pk: int):
    unit = _unit(request, pk)
    year = _year(request)
    visible = CriteriaSet.objects.restrict(request.user).filter(owner=unit)
    try:
        pack = packs.for_year(year)
    except LookupError:
        pack = None
    return render(
        request,
        "reviews/criteria_list.html",
        {
            "nav": "tree",
            "unit": unit,
            "year": year,
            "pack": pack,
            "sets": [_describe(s) for s in visible.filter(year=year)],
            "last_year": [_describe(s) for s in visible.filter(year=year - 1)],
            "framework": _framework(year),
            "can_edit": svc.can_manage(request.user, unit),
        },
    )


@login_required
def criteria_detail(request, pk: int):
    s = _set(request, pk)
    copied = s.copied_from
    if copied is not None and not CriteriaSet.objects.restrict(request.user).filter(pk=copied.pk):
        copied = None
    return render(
        request,
        "reviews/criteria_detail.html",
        {
            "nav": "tree",
            **_describe(s),
            "unit": s.owner,
            "pack": packs.BY_CODE.get(s.pack),
            "copied": copied,
            "uses": svc.uses(s),
            "can_edit": svc.can_manage(request.user, s.owner),
        },
    )


class CreateForm(forms.Form):
    source = forms.ChoiceField(
        label=gettext_lazy("Lập từ"),
        choices=[
            ("framework", gettext_lazy("Khung tiêu chí chung của quy định")),
            ("copy", gettext_lazy("Bộ tiêu chí năm trước của cấp ủy (cùng đối tượng, loại hình)")),
        ],
        widget=forms.RadioSelect,
        initial="framework",
    )
    year = forms.IntegerField(label=gettext_lazy("Năm đánh giá"), min_value=1990, max_value=2100)
    subject = forms.ChoiceField(
        label=gettext_lazy("Đối tượng"), choices=CriteriaSet.Subject.choices
    )
    org_type = forms.ChoiceField(label=gettext_lazy("Loại hình tổ chức"), required=False)
    person_kind = forms.ChoiceField(
        label=gettext_lazy("Loại đảng viên (chỉ với đảng viên)"),
        required=False,
        choices=[("", gettext_lazy("Mọi đảng viên")), *PersonKind.choices],
    )
    name = forms.CharField(
        label=gettext_lazy("Tên bộ tiêu chí (bỏ trống: tự đặt)"), required=False, max_length=255
    )
    created_on = forms.DateField(
        label=gettext_lazy("Ngày ban hành"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_type"].choices = svc.org_type_choices()


@login_required
def criteria_create(request, pk: int):
    unit = _unit(request, pk)
    _manageable(request, unit)
    today = timezone.localdate()
    if request.method == "POST":
        form = CreateForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            call = svc.copy_last_year if d["source"] == "copy" else svc.create_from_framework
            try:
                s = call(
                    actor=request.user,
                    owner=unit,
                    year=d["year"],
                    subject=d["subject"],
                    org_type=d["org_type"],
                    person_kind=d["person_kind"] if d["subject"] == packs.MEMBER else "",
                    name=d["name"],
                    created_on=d["created_on"],
                )
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("Đã lập bộ tiêu chí; hãy xem lại và sửa nếu cần."))
                return redirect("reviews:criteria_detail", pk=s.pk)
        status = 400
    else:
        form = CreateForm(
            initial={
                "year": _year(request),
                "created_on": today,
                "source": request.GET.get("source", "framework"),
                "subject": request.GET.get("subject", packs.ORG),
                "org_type": request.GET.get("org_type", ""),
                "person_kind": request.GET.get("person_kind", ""),
            }
        )
        status = 200
    return render(
        request,
        "reviews/criteria_create.html",
        {"nav": "tree", "unit": unit, "form": form},
        status=status,
    )


# --- The row editor: one text area per group, one criterion a line ----------------------------

QUANT_WORDS = {search_key(w) for w in ("định lượng", "đl", "x", "có", "1")}
EXTRA_GROUPS = 2  # empty slots to add groups


def _lines(group: dict) -> str:
    out = []
    for c in group.get("criteria", []):
        points = str(c["max_points"]).replace(".", ",")
        out.append(f"{c['text']} | {points}" + (" | định lượng" if c.get("quantitative") else ""))
    return "\n".join(out)


def _rows_of(s: CriteriaSet) -> list[dict]:
    rows = [
        {"name": g["name"], "max": str(g["max_points"]).replace(".", ","), "lines": _lines(g)}
        for g in s.groups
    ]
    return rows + [{"name": "", "max": "", "lines": ""} for _ in range(EXTRA_GROUPS)]


def _posted_rows(request) -> list[dict]:
    n = request.POST.get("groups", "")
    count = min(int(n), 50) if n.isdigit() else 0
    return [
        {
            "name": request.POST.get(f"g{i}-name", ""),
            "max": request.POST.get(f"g{i}-max", ""),
            "lines": request.POST.get(f"g{i}-lines", ""),
        }
        for i in range(count)
    ]


def parse_rows(rows: list[dict]) -> list[dict]:
    """The groups the editor's rows describe (empty rows dropped), or a ValidationError for a
    line that is not "nội dung | điểm tối đa [| định lượng]"."""
    groups, errors = [], []
    for row in rows:
        lines = [ln.strip() for ln in row["lines"].splitlines() if ln.strip()]
        if not (row["name"].strip() or row["max"].strip() or lines):
            continue
        gi = len(groups) + 1
        criteria = []
        for ci, line in enumerate(lines, start=1):
            parts = [p.strip() for p in line.split("|")]
            if len(parts) < 2 or len(parts) > 3:
                errors.append(
                    _(
                        "Nhóm %(i)s, tiêu chí %(j)s: hãy ghi “nội dung | điểm tối đa” (thêm "
                        "“| định lượng” nếu là tiêu chí định lượng)."
                    )
                    % {"i": gi, "j": ci}
                )
                continue
            flag = parts[2] if len(parts) == 3 else ""
            if flag and search_key(flag) not in QUANT_WORDS:
                errors.append(
                    _("Nhóm %(i)s, tiêu chí %(j)s: cột thứ ba chỉ ghi “định lượng” hoặc để trống.")
                    % {"i": gi, "j": ci}
                )
                continue
            criteria.append({"text": parts[0], "max_points": parts[1], "quantitative": bool(flag)})
        groups.append({"name": row["name"], "max_points": row["max"], "criteria": criteria})
    if errors:
        raise ValidationError(errors)
    return groups


@login_required
def criteria_edit(request, pk: int):
    s = _set(request, pk)
    _manageable(request, s.owner)
    status, errors = 200, []
    name, rows = s.name, _rows_of(s)
    if request.method == "POST":
        name, rows = request.POST.get("name", ""), _posted_rows(request)
        try:
            svc.edit(actor=request.user, criteria_set=s, name=name, groups=parse_rows(rows))
        except ValidationError as exc:
            errors, status = exc.messages, 400
        else:
            messages.success(request, _("Đã lưu bộ tiêu chí."))
            return redirect("reviews:criteria_detail", pk=s.pk)
    pack = packs.BY_CODE.get(s.pack)
    return render(
        request,
        "reviews/criteria_edit.html",
        {
            "nav": "tree",
            **_describe(s),
            "unit": s.owner,
            "name": name,
            "rows": rows,
            "errors": errors,
            "total": svc.framework_total(pack, s.subject) if pack else None,
            "uses": svc.uses(s),
        },
        status=status,
    )


@login_required
def criteria_delete(request, pk: int):
    s = _set(request, pk)
    _manageable(request, s.owner)
    if request.method == "POST" and request.POST.get("confirm") == "1":
        owner, year = s.owner, s.year
        try:
            svc.delete(actor=request.user, criteria_set=s)
        except ValidationError as exc:
            for m in exc.messages:
                messages.error(request, m)
            return redirect("reviews:criteria_detail", pk=s.pk)
        messages.success(request, _("Đã xóa bộ tiêu chí."))
        return redirect(reverse("reviews:criteria_list", args=[owner.pk]) + f"?year={year}")
    return render(
        request,
        "reviews/criteria_delete.html",
        {"nav": "tree", **_describe(s), "unit": s.owner, "uses": svc.uses(s)},
    )


urls = [
    path("units/<int:pk>/criteria/", criteria_list, name="criteria_list"),
    path("units/<int:pk>/criteria/new/", criteria_create, name="criteria_create"),
    path("criteria/<int:pk>/", criteria_detail, name="criteria_detail"),
    path("criteria/<int:pk>/edit/", criteria_edit, name="criteria_edit"),
    path("criteria/<int:pk>/delete/", criteria_delete, name="criteria_delete"),
]
