"""Pages of the review: reports — counts and shares by level of a unit's members or
organizations over one or more years, pooled or as a mean of years, with the committee's
sentence. Read-only: "view" on the unit as of the last year's end."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.audit.exports import xlsx_response
from chibo.org import selectors as org_selectors
from chibo.org.models import Unit

from ..services import form6
from ..services import reports as rep

MAX_YEARS = 10


def _int(value, default: int, low: int, high: int) -> int:
    try:
        n = int(value)
    except (TypeError, ValueError):
        return default
    return min(max(n, low), high)


@login_required
def report(request, pk: int):
    last_default = timezone.localdate().year - 1
    g = request.GET
    last = _int(g.get("to"), last_default, 1990, last_default + 1)
    first = _int(g.get("from"), last, 1990, last)
    errors = []
    if last - first + 1 > MAX_YEARS:
        errors.append(_("Chỉ xem được tối đa %(n)s năm một lần.") % {"n": MAX_YEARS})
        first = last - MAX_YEARS + 1
    method = g.get("method") if g.get("method") in (rep.POOLED, rep.MEAN) else rep.POOLED
    subject = g.get("subject") if g.get("subject") in (rep.MEMBERS, rep.ORGS) else rep.MEMBERS
    among = g.get("among") if g.get("among") in (rep.CELLS, rep.GRASSROOTS) else rep.CELLS
    decimals = _int(g.get("decimals"), 1, 0, 2)
    unit = org_selectors.unit_as_of(request.user, pk, rep.year_end(last))
    # Each year through the gate in its own tree: a cell that moved here is not this reader's
    # for the years it lay elsewhere (the last year alone was checked above).
    mine = set(
        y
        for y in range(first, last + 1)
        if Unit.objects.restrict(request.user, "view", on=max(rep.year_end(y), unit.valid_from))
        .filter(pk=unit.pk)
        .exists()
    )
    hidden = [y for y in range(first, last + 1) if y not in mine]
    if hidden:
        errors.append(
            _("Không có số liệu của tổ chức này trong phạm vi của bạn các năm: %(y)s.")
            % {"y": ", ".join(map(str, hidden))}
        )
    result = rep.report(unit, sorted(mine) or [last], subject, method, decimals, among)
    return render(
        request,
        "reviews/report.html",
        {
            "nav": "tree",
            "unit": unit,
            "r": result,
            "sentence": rep.sentence(result),
            "first": first,
            "last": last,
            "method": method,
            "subject": subject,
            "among": among,
            "decimals": decimals,
            "errors": errors,
            "years": [
                {
                    "year": y.year,
                    "pack": y.pack.title,
                    "base": y.base,
                    "outside": y.counts["outside"],
                }
                for y in result.years
            ],
        },
    )


@login_required
def form6_view(request, pk: int, year: int):
    """The rating rows of Biểu 6-BTCTW for a year, on the page or as Excel (logged)."""
    if not 1930 <= year <= timezone.localdate().year:
        raise Http404
    unit = org_selectors.unit_as_of(request.user, pk, rep.year_end(year))
    f = form6.form6(unit, year)
    # The unit as it was named on the year's 31/12 (the form is of that year's tree).
    then = unit.version_on(rep.year_end(year))
    name_then = then.name if then is not None else unit.name
    if request.GET.get("format") == "xlsx":
        headers = [_("Tiêu chí")]
        for name in f.columns:
            headers += [name, _("Tỷ lệ (%)")]
        rows = [
            ["    " * row.indent + str(row.label), *[v for n, t in cells for v in (n, t)]]
            for row, cells in f.rows
        ]
        rows += [
            [""],
            [
                _("Biểu số 6-BTCTW — năm %(y)s, %(u)s; theo %(p)s.")
                % {"y": year, "u": name_then, "p": f.pack_title}
            ],
        ]
        return xlsx_response(
            actor=request.user,
            action="export.form6",
            filename=f"bieu-6-{year}-{unit.pk}.xlsx",
            title=_("Biểu 6"),
            headers=headers,
            rows=rows,
            unit=unit,
            filters={"year": year},
            widths=[58, 14, 10, 14, 10, 14, 10],
        )
    return render(
        request, "reviews/form6.html", {"nav": "tree", "unit": unit, "f": f, "name_then": name_then}
    )


urls = [
    path("reports/<int:pk>/", report, name="report"),
    path("reports/<int:pk>/bieu-6/<int:year>/", form6_view, name="form6"),
]
