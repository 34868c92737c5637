"""Other writes about units: terms; a convenience wrapper for creating a unit."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chibo.audit.services import record
from chibo.core.scope import allowed

from ..models import Term, Unit
from .actions import CreateUnit
from .primitives import Decision, UnitSpec


def create_unit(*, actor, parent: Unit | None, spec: UnitSpec, decision: Decision) -> Unit:
    action = CreateUnit(decision, parent=parent, spec=spec)
    action.execute(actor=actor)
    return action.created


@transaction.atomic
def add_term(
    *,
    actor,
    unit: Unit,
    label: str,
    start: dt.date,
    end: dt.date | None = None,
    congress_date: dt.date | None = None,
):
    """A committee term (nhiệm kỳ): document numbers and committee seats run per term."""

    if not allowed(actor, "change", unit):
        raise PermissionDenied(_("Bạn không có quyền thay đổi tổ chức này."))
    if not label.strip():
        raise ValidationError({"label": _("Hãy ghi nhiệm kỳ, ví dụ 2025–2030.")})
    if end is not None and end <= start:
        raise ValidationError({"end": _("Ngày kết thúc phải sau ngày bắt đầu.")})
    overlapping = Term.objects.filter(unit=unit, start__lt=end or dt.date.max).exclude(
        end__isnull=False, end__lte=start
    )
    if overlapping.exists():
        raise ValidationError(
            _("Nhiệm kỳ này trùng thời gian với nhiệm kỳ %(t)s.") % {"t": overlapping.first().label}
        )
    term = Term.objects.create(
        unit=unit, label=label.strip(), start=start, end=end, congress_date=congress_date
    )
    record(
        actor=actor,
        action="org.term_add",
        obj=term,
        unit=unit,
        after={
            "label": term.label,
            "start": start.isoformat(),
            "end": end.isoformat() if end else None,
        },
    )
    return term
