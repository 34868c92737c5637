"""Quarterly reconciliation of the roll (domain-rules §6.3: counts are reconciled with the upper
and lower levels every 3 months) and the flag on backdated events.

A submitted reconciliation is frozen. An event entered later whose effective date falls in a
quarter some unit above the member has already submitted is flagged on the event
(data["reported_quarter"]), and the reconciliation page shows the submitted figures beside the
figures recomputed today.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.audit.services import record
from chibo.core.scope import allowed
from chibo.org.models import Unit, UnitAncestry, in_force

from . import stats
from .models import MemberEvent, Placement, Reconciliation


def quarter_of(d: dt.date) -> tuple[int, int]:
    return d.year, (d.month - 1) // 3 + 1


def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    start = dt.date(year, 3 * quarter - 2, 1)
    nxt = dt.date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)
    return start, nxt - dt.timedelta(days=1)


def figures(unit: Unit, year: int, quarter: int) -> dict:
    start, end = quarter_bounds(year, quarter)
    form = stats.movement(unit, start, end)
    out = {r.code: r.value for r in form.rows}
    stock = stats.stock(unit, end)
    out["probationary"] = stock.get("probationary")
    return out


@transaction.atomic
def submit(*, actor, unit: Unit, year: int, quarter: int) -> Reconciliation:
    if not allowed(actor, "members", unit):
        raise PermissionDenied(_("Bạn không có quyền nộp đối chiếu của tổ chức này."))
    if quarter not in (1, 2, 3, 4):
        raise ValidationError(_("Quý phải từ 1 đến 4."))
    end = quarter_bounds(year, quarter)[1]
    if end >= timezone.localdate():
        raise ValidationError(_("Chỉ nộp đối chiếu khi quý đã kết thúc."))
    if Reconciliation.objects.filter(unit=unit, year=year, quarter=quarter).exists():
        raise ValidationError(_("Quý này đã nộp đối chiếu; số liệu đã khóa."))
    try:
        with transaction.atomic():
            rec = Reconciliation.objects.create(
                unit=unit,
                year=year,
                quarter=quarter,
                figures=figures(unit, year, quarter),
                submitted_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
    except IntegrityError as exc:  # submitted at the same moment elsewhere
        raise ValidationError(_("Quý này đã nộp đối chiếu; số liệu đã khóa.")) from exc
    record(
        actor=actor,
        action="members.reconciliation.submit",
        obj=rec,
        unit=unit,
        after={"year": year, "quarter": quarter, **rec.figures},
    )
    return rec


def reported_quarter(member_id: int, d: dt.date) -> str | None:
    """ "Q/YYYY" when a unit above the member's home cell already submitted the reconciliation
    of the quarter containing `d`. The cell is the one of `d` or of the day before (a transfer
    out ends the placement on its own day)."""
    year, quarter = quarter_of(d)
    reported = Reconciliation.objects.filter(year=year, quarter=quarter)
    if not reported.exists():  # the usual case: one cheap query
        return None
    days = (d, d - dt.timedelta(days=1))
    above = set()
    for day in days:
        units = Placement.objects.filter(in_force(day), member_id=member_id, kind="home").values(
            "unit_id"
        )
        above |= set(
            UnitAncestry.objects.filter(in_force(day), unit_id__in=units).values_list(
                "ancestor_id", flat=True
            )
        )
    if (
        above
        and Reconciliation.objects.filter(year=year, quarter=quarter, unit_id__in=above).exists()
    ):
        return f"{quarter}/{year}"
    return None


def flag(event: MemberEvent) -> None:
    """Called for every new event: mark it when it changes a quarter already reported."""
    q = reported_quarter(event.member_id, event.effective_date)
    if q is not None:
        event.data = {**event.data, "reported_quarter": q}
        event.save(update_fields=["data"])


def overview(unit: Unit, today: dt.date, years: int = 2) -> list[dict]:
    """The quarters of this and last year: submitted (frozen) figures, today's figures, and the
    events entered late into each."""
    submitted = {
        (r.year, r.quarter): r
        for r in Reconciliation.objects.filter(unit=unit, year__gte=today.year - years + 1)
    }
    out = []
    for year in range(today.year, today.year - years, -1):
        for quarter in (4, 3, 2, 1):
            start, end = quarter_bounds(year, quarter)
            if start > today:
                continue
            rec = submitted.get((year, quarter))
            now = figures(unit, year, quarter) if end < today else None
            late = []
            if rec is not None:
                late = list(
                    MemberEvent.objects.filter(
                        data__reported_quarter=f"{quarter}/{year}",
                        member__placements__unit__path__startswith=unit.path,
                    )
                    .distinct()
                    .select_related("member")
                )
            out.append(
                {
                    "year": year,
                    "quarter": quarter,
                    "start": start,
                    "end": end,
                    "ended": end < today,
                    "rec": rec,
                    "now": now,
                    "changed": rec is not None
                    and now is not None
                    and _core(now) != _core(rec.figures),
                    "late": late,
                }
            )
    return out


def _core(f: dict) -> tuple:
    return tuple(f.get(k) for k in ("A", "B", "C", "D"))
