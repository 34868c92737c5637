"""Pages of the review: reports — counts and shares by level of a unit's members or
organizations over one or more years, pooled or as a mean of years, with the committee's
sentence. Read-only: "view" on the unit as of the last year's end."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.org import selectors as org_selectors

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
    result = rep.report(unit, range(first, last + 1), subject, method, decimals, among)
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


urls = [path("reports/<int:pk>/", report, name="report")]
