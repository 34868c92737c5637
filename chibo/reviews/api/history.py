"""/api/v1/reviews/ — history: the decided ratings of a unit's year (its own and its
members'), read through the scope gate in the tree of that year's 31/12, and logged."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from ninja import Query, Router, Schema

from chibo.audit.services import record
from chibo.core.api_schemas import COMMON, Error
from chibo.org.selectors import unit_as_of

from ..models import Rating

router = Router(tags=["reviews"])


class RatingOut(Schema):
    id: int
    year: int
    pack: str
    unit_id: int
    member_id: int | None
    member: str
    label: str  # verbatim, in the words of its year
    level: str  # today's level ("" when the old label is ambiguous: see could_be)
    could_be: str
    not_rated: str
    decided_on: dt.date
    decision_no: str
    issuer: str
    source: str


@router.get(
    "/ratings",
    response={**COMMON, 200: list[RatingOut], 404: Error},
    summary="Kết quả xếp loại của một tổ chức và đảng viên của nó trong một năm",
    description="Theo cây tổ chức ngày 31/12 của năm ấy; chỉ kết quả hiện hành (sau đánh giá lại).",
)
def ratings(request, unit_id: int = Query(...), year: int = Query(..., ge=1930, le=2100)):
    if year > timezone.localdate().year:
        year = timezone.localdate().year  # nothing is decided for a future year
    unit = unit_as_of(request.user, unit_id, dt.date(year, 12, 31), "meetings")
    rows = (
        Rating.objects.restrict(request.user, "view")
        .filter(unit=unit, year=year, current=True)
        .select_related("member")
        .order_by("member__sort_key", "member_id", "id")
    )
    with transaction.atomic():
        record(actor=request.user, action="view.ratings", unit=unit, after={"year": year})
    return [
        {
            "id": r.pk,
            "year": r.year,
            "pack": r.pack,
            "unit_id": r.unit_id,
            "member_id": r.member_id,
            "member": r.member.full_name if r.member else "",
            "label": r.label,
            "level": r.level,
            "could_be": r.could_be,
            "not_rated": r.not_rated,
            "decided_on": r.decided_on,
            "decision_no": r.decision_no,
            "issuer": r.issuer,
            "source": r.source,
        }
        for r in rows
    ]
