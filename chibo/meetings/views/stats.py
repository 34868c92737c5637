"""Meeting statistics of a unit for a year, on the page and as Excel (logged)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.audit.exports import xlsx_response
from chibo.org.models import Unit

from .. import followup, stats
from ..models import Quality


def _pct(v) -> str:
    return "—" if v is None else f"{v:.1f}".replace(".", ",") + "%"


@login_required
def year_stats(request, pk: int):
    unit = get_object_or_404(Unit.objects.restrict(request.user), pk=pk)
    v = request.GET.get("year") or ""
    today = timezone.localdate()
    year = int(v) if v.isdigit() and 1900 <= int(v) <= 2100 else today.year
    report = stats.year_report(unit, year, today)
    standings = followup.compliance(unit, year, today)
    due = report.months_ended
    lines = []
    for r in [*report.rows, report.total]:
        lines.append(
            {
                "row": r,
                # Months still running are left out of both sides of the rate.
                # Cell-months of the tree of each month: a cell that moved counts where it was.
                "held": _pct(r.rate(sum(r.months[:due]), sum(r.cell_months[:due]))),
                "on_time": _pct(r.rate(r.on_time, r.meetings)),
                "attendance": _pct(r.attendance_rate),
                "thematic": [
                    _pct(r.rate(n, r.cell_months[3 * q + 2])) if q < report.quarters_ended else "…"
                    for q, n in enumerate(r.thematic)
                ],
                "quality": [r.quality.get(q, 0) for q in stats.QUALITY_ORDER],
            }
        )
    if request.GET.get("format") == "xlsx":
        headers = [
            _("Tổ chức"),
            _("Số chi bộ"),
            _("Sinh hoạt thường kỳ (chi bộ-tháng)"),
            _("Tỉ lệ đã sinh hoạt"),
            _("Tỉ lệ đúng tháng"),
            _("Tỉ lệ dự họp"),
            *[_("Chuyên đề quý %(q)d") % {"q": q} for q in range(1, 5)],
            *[str(label) for _q, label in Quality.choices],
            _("Đảng viên vắng không lý do từ 3 tháng"),
        ]
        data = [
            [
                x["row"].name,
                x["row"].cells,
                x["row"].held,
                x["held"],
                x["on_time"],
                x["attendance"],
                *x["thematic"],
                *x["quality"],
                x["row"].flagged,
            ]
            for x in lines
        ]
        return xlsx_response(
            actor=request.user,
            action="export.meeting_stats",
            filename=f"thong-ke-sinh-hoat-{year}.xlsx",
            title=_("Thống kê sinh hoạt chi bộ năm %(y)d — %(u)s") % {"y": year, "u": unit.name},
            headers=headers,
            rows=data,
            unit=unit,
            filters={"year": year},
        )
    return render(
        request,
        "meetings/stats.html",
        {
            "nav": "tree",
            "unit": unit,
            "year": year,
            "report": report,
            "lines": lines,
            "qualities": Quality.choices,
            "met": sum(1 for s in standings if s.met),
            "behind": sum(1 for s in standings if s.behind),
            "assignments": len(standings),
        },
    )
