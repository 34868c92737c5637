"""/api/v1/reviews/criteria-sets — a committee's criteria sets: list, one set, create (from the
framework, from last year's, or as a copy of a given set) and edit. Reads through restrict();
writes through services.criteria (the pages' services)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from chibo.core.api_schemas import COMMON, Error, InSchema, IsoDate
from chibo.org.models import Unit

from .. import packs
from ..models import CriteriaSet
from ..services import criteria as svc

router = Router(tags=["reviews"])


class CriterionOut(Schema):
    code: str
    text: str
    max_points: float
    quantitative: bool


class GroupOut(Schema):
    code: str
    name: str
    max_points: float
    criteria: list[CriterionOut]


class CriterionIn(InSchema):
    code: str = Field("", max_length=16)
    text: str = Field(..., max_length=500)
    max_points: float
    quantitative: bool = False


class GroupIn(InSchema):
    code: str = Field("", max_length=16)
    name: str = Field(..., max_length=500)
    max_points: float
    criteria: list[CriterionIn] = Field(..., max_length=100)


class CriteriaSetBrief(Schema):
    id: int
    owner_id: int
    owner: str
    year: int
    pack: str
    subject: str
    org_type: str
    person_kind: str
    name: str
    max_points: float
    created_on: dt.date
    copied_from_id: int | None


class CriteriaSetOut(CriteriaSetBrief):
    pack_title: str
    framework_total: float
    uses: int
    can_edit: bool
    groups: list[GroupOut]


class CreateIn(InSchema):
    owner_id: int = Field(..., ge=1, le=2**31 - 1)
    year: int = Field(..., ge=1990, le=2100)
    # framework: the pack's common framework; last_year: the owner's own set of year - 1 with
    # the same subject and type; copy: the set `copy_from_id` (subject and type come from it).
    source: Literal["framework", "last_year", "copy"] = "framework"
    subject: Literal["org", "member"] = "org"
    org_type: str = Field("", max_length=32)
    person_kind: str = Field("", max_length=12)
    name: str = Field("", max_length=255)
    created_on: IsoDate | None = None
    copy_from_id: int | None = Field(None, ge=1, le=2**31 - 1)


class EditIn(InSchema):
    name: str | None = Field(None, max_length=255)
    groups: list[GroupIn] | None = Field(None, max_length=50)


def _brief(s: CriteriaSet) -> dict:
    return {
        "id": s.pk,
        "owner_id": s.owner_id,
        "owner": s.owner.name,
        "year": s.year,
        "pack": s.pack,
        "subject": s.subject,
        "org_type": s.org_type,
        "person_kind": s.person_kind,
        "name": s.name,
        "max_points": s.max_points,
        "created_on": s.created_on,
        "copied_from_id": s.copied_from_id,
    }


def _full(request, s: CriteriaSet) -> dict:
    pack = packs.BY_CODE.get(s.pack)
    return {
        **_brief(s),
        "pack_title": pack.title if pack else s.pack,
        "framework_total": float(svc.framework_total(pack, s.subject)) if pack else 0.0,
        "uses": svc.uses(s),
        "can_edit": svc.can_manage(request.user, s.owner),
        "groups": s.groups,
    }


def _set(request, set_id: int) -> CriteriaSet:
    return get_object_or_404(
        CriteriaSet.objects.restrict(request.user).select_related("owner"), pk=set_id
    )


def _manageable(request, owner: Unit) -> None:
    if not svc.can_manage(request.user, owner):
        raise PermissionDenied("Bạn chỉ có quyền xem.")


@router.get(
    "/criteria-sets/",
    response={**COMMON, 200: list[CriteriaSetBrief], 404: Error},
    summary="Các bộ tiêu chí đánh giá của một cấp ủy (theo năm)",
)
def list_criteria_sets(
    request,
    unit_id: int = Query(..., ge=1, le=2**31 - 1),
    year: int | None = Query(None, ge=1990, le=2100),
):
    unit = get_object_or_404(Unit.objects.restrict(request.user, "meetings"), pk=unit_id)
    qs = CriteriaSet.objects.restrict(request.user).filter(owner=unit).select_related("owner")
    if year is not None:
        qs = qs.filter(year=year)
    return [_brief(s) for s in qs]


@router.get(
    "/criteria-sets/{set_id}",
    response={**COMMON, 200: CriteriaSetOut, 404: Error},
    summary="Một bộ tiêu chí: các nhóm, tiêu chí, điểm tối đa",
)
def get_criteria_set(request, set_id: int):
    return _full(request, _set(request, set_id))


@router.post(
    "/criteria-sets/",
    response={**COMMON, 201: CriteriaSetOut, 400: Error, 403: Error, 404: Error},
    summary="Lập bộ tiêu chí: từ khung chung, từ bộ năm trước, hoặc sao chép một bộ",
)
def create_criteria_set(request, data: CreateIn):
    owner = get_object_or_404(Unit.objects.restrict(request.user, "meetings"), pk=data.owner_id)
    _manageable(request, owner)
    common = {"actor": request.user, "name": data.name, "created_on": data.created_on}
    if data.source == "copy":
        if data.copy_from_id is None:
            return Status(400, {"detail": ["Hãy chọn bộ tiêu chí để sao chép (copy_from_id)."]})
        source = _set(request, data.copy_from_id)
        s = svc.copy_set(source=source, year=data.year, owner=owner, **common)
    else:
        call = svc.copy_last_year if data.source == "last_year" else svc.create_from_framework
        s = call(
            owner=owner,
            year=data.year,
            subject=data.subject,
            org_type=data.org_type,
            person_kind=data.person_kind,
            **common,
        )
    return Status(201, _full(request, s))


@router.post(
    "/criteria-sets/{set_id}",
    response={**COMMON, 200: CriteriaSetOut, 400: Error, 403: Error, 404: Error},
    summary="Sửa tên, các nhóm và tiêu chí của một bộ tiêu chí",
)
def edit_criteria_set(request, set_id: int, data: EditIn):
    s = _set(request, set_id)
    _manageable(request, s.owner)
    groups = None if data.groups is None else [g.dict() for g in data.groups]
    s = svc.edit(actor=request.user, criteria_set=s, name=data.name, groups=groups)
    return _full(request, s)
