from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.audit.exports import file_response
from chibo.core import hooks
from chibo.core.scope import can, is_system_admin, roots, unit_ids
from chibo.core.text import search_key

from . import admin_units, excel, selectors
from .forms import ACTION_FORMS, AsOfForm, ImportForm, TermForm
from .models import Unit
from .services import Decision
from .services import add_term as add_term_service


def _scope_on(user, on):
    """A subquery of the units that lay in the user's scope on `on` (None: everything). Kept
    in SQL: a province's scope is thousands of ids."""
    return unit_ids(user, "meetings", on=on)  # the tree: every role reads its units' place


def _context_chain(unit_id: int, on, user) -> list[dict]:
    """Ancestors on `on`, root first; those outside the viewer's scope are names only."""
    nodes = selectors.ancestors_on(unit_id, on)
    links = selectors.linkable(user, [n.unit_id for n in nodes])
    return [{"node": n, "link": links is None or n.unit_id in links} for n in nodes]


@login_required
def tree(request):
    form = AsOfForm(request.GET or None)
    on = form.on_date()
    tops, visible = selectors.tops_for(request.user, on)
    today = timezone.localdate()
    ctx = {
        "nav": "tree",
        "form": form,
        "on": on,
        "is_past": on != today,
        "today": today,
        "can_import": is_system_admin(request.user) or bool(roots(request.user, "change")),
    }
    q = form.cleaned_data.get("q") if form.is_valid() else ""
    if q:
        key = search_key(q)
        hits = selectors.search(key, on=on, visible=visible)
        ctx["results"] = (
            [
                {
                    "unit_id": h.unit_id,
                    "name": h.name,
                    "kind": h.get_kind_display(),
                    "chain": _context_chain(h.unit_id, on, request.user),
                }
                for h in hits
            ]
            if key
            else []
        )
        ctx["q"] = q
    else:
        groups: dict[tuple, dict] = {}
        for node in tops:
            chain = _context_chain(node.unit_id, on, request.user)
            k = tuple(c["node"].unit_id for c in chain)
            groups.setdefault(k, {"chain": chain, "nodes": []})["nodes"].append(node)
        ctx["groups"] = list(groups.values())
    return render(request, "org/tree.html", ctx)


@login_required
def children(request, pk: int):
    on = AsOfForm(request.GET or None).on_date()
    get_object_or_404(Unit.objects.restrict(request.user, "meetings", on=on), pk=pk)
    nodes = selectors.children_on(pk, on, _scope_on(request.user, on))
    return render(request, "org/_children.html", {"nodes": nodes, "on": on})


@login_required
def unit_detail(request, pk: int):
    form = AsOfForm(request.GET or None)
    on = form.on_date()
    # The page shows the unit as of `on`: it must lie in the reader's scope that day (a cell
    # that moved away is the old commune's only up to the move; a planned one nobody's yet).
    unit = selectors.unit_as_of(request.user, pk, on, "meetings")
    visible = _scope_on(request.user, on)
    version = unit.version_on(on)
    admin_name = ""
    if version and version.admin_code:
        level = {"province": "province", "district": "district"}.get(version.kind, "commune")
        adm = admin_units.get(version.admin_era, version.admin_code, level)
        admin_name = adm.name if adm else ""
    children = selectors.children_on(unit.pk, on, visible) if version else []
    # The subtree, counts and warnings of the page's date, by the rules in force that day.
    counts = selectors.subtree_counts(unit, on) if version else {}
    predecessors, successors = selectors.predecessors(unit), selectors.successors(unit)
    # The members', meetings' (and later apps') sections come through the registry: org knows
    # none of them (core/hooks.py).
    panels = hooks.panels(hooks.UNIT_PAGE_PANELS, request, unit, on, version)
    shown = hooks.render(panels, request, {"unit": unit, "on": on})
    ctx = {
        "nav": "tree",
        "unit": unit,
        "on": on,
        "form": form,
        "version": version,
        "admin_name": admin_name,
        "versions": list(unit.versions.all()),
        "chain": _context_chain(unit.pk, on, request.user),
        "children": children,
        "counts": [
            (selectors.NodeOnDate(0, "", k, "", True).kind_label, n) for k, n in counts.items()
        ],
        "panels": shown,
        "warnings": [w for p in panels for w in p.warnings],
        "history": selectors.history(unit),
        "predecessors": predecessors,
        "successors": successors,
        "terms": list(unit.terms.all()),
        "lineage_links": selectors.linkable(
            request.user,
            [lk.predecessor_id for lk in predecessors] + [lk.successor_id for lk in successors],
        ),
        "can_change": unit.is_alive and can(request.user, "change", unit),
        "actions": [(k, f.title) for k, f in ACTION_FORMS.items()],
    }
    return render(request, "org/unit_detail.html", ctx)


@login_required
def restructure(request, pk: int, kind: str):
    scope = Unit.objects.restrict(request.user, "view")
    unit = get_object_or_404(scope, pk=pk)
    form_class = ACTION_FORMS.get(kind)
    if form_class is None:
        raise Http404
    if not unit.is_alive or not can(request.user, "change", unit):
        raise PermissionDenied(_("Bạn chỉ có quyền xem tổ chức này."))
    change_scope = Unit.objects.restrict(request.user, "change")
    form = form_class(request.POST or None, unit=unit, scope=change_scope)
    preview, errors = None, []
    if request.method == "POST" and form.is_valid():
        action = form.action()
        errors = action.check()
        if not errors and "apply" in request.POST:
            try:
                action.execute(actor=request.user)
            except ValidationError as exc:
                errors = exc.messages
            except PermissionDenied as exc:
                errors = [str(exc) or _("Bạn không có quyền thay đổi các tổ chức này.")]
            else:
                messages.success(
                    request, _("Đã áp dụng: %(s)s") % {"s": " ".join(action.preview())}
                )
                target = getattr(action, "created", None) or getattr(action, "target", None)
                if isinstance(target, list):
                    target = target[0] if target else None
                if isinstance(target, Unit) and target.pk:
                    return redirect("org:unit", pk=target.pk)
                return redirect("org:unit", pk=unit.pk)
        if not errors:
            preview = action.preview()
    return render(
        request,
        "org/restructure.html",
        {
            "nav": "tree",
            "unit": unit,
            "form": form,
            "kind": kind,
            "title": form_class.title,
            "preview": preview,
            "errors": errors,
        },
    )


@login_required
def import_tree(request):
    if not is_system_admin(request.user) and not roots(request.user, "change"):
        raise PermissionDenied(_("Bạn chỉ có quyền xem."))
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        result = excel.import_tree(
            c["file"],
            actor=request.user,
            decision=Decision(c["effective_date"], c["decision_no"], c["issuer"]),
        )
        if result.created:
            messages.success(request, _("Đã nhập %(n)d tổ chức.") % {"n": result.created})
            return redirect("org:tree")
    return render(request, "org/import.html", {"nav": "tree", "form": form, "result": result})


@login_required
def import_template(request):
    return file_response(excel.template, "mau-nhap-to-chuc.xlsx")


@login_required
def export_tree(request):
    on = AsOfForm(request.GET or None).on_date()
    tops, visible = selectors.tops_for(request.user, on)
    roots = [n.unit_id for n in tops]
    return file_response(
        lambda file: excel.export(file, actor=request.user, root_ids=roots, on=on, visible=visible),
        f"to-chuc-{on:%Y-%m-%d}.xlsx",
    )


@login_required
def add_term(request, pk: int):
    unit = get_object_or_404(Unit.objects.restrict(request.user, "view"), pk=pk)
    if not unit.is_alive or not can(request.user, "change", unit):
        raise PermissionDenied(_("Bạn chỉ có quyền xem tổ chức này."))
    form = TermForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            add_term_service(
                actor=request.user,
                unit=unit,
                label=c["label"],
                start=c["start"],
                end=c["end"],
                congress_date=c["congress_date"],
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("Đã thêm nhiệm kỳ."))
            return redirect("org:unit", pk=pk)
    return render(request, "org/term.html", {"nav": "tree", "unit": unit, "form": form})
