"""/api/v1/reviews/ — duties: a unit's duties and pledges of a year; assigning a duty,
recording its outcome, a member's or an organization's pledge. Reads through restrict() ("view"
on the unit: 404 outside it); writes need "members" on the unit (403) and go through
services.duties, whose refusals are a 400 with the Vietnamese messages."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from chibo.core.api_schemas import COMMON, Error, InSchema, IsoDate
from chibo.core.scope import can
from chibo.members.models import Member
from chibo.org.models import Unit

from ..models import Duty, Pledge
from ..selectors import tasks_from
from ..services import duties as services

router = Router(tags=["reviews"])
BIG = 2**31 - 1
OUTCOMES = Literal["done", "late", "exceeded", "not_done"]
LEVELS = Literal["htxs", "htt", "ht", "khtnv"]


class DutyOut(Schema):
    id: int
    member_id: int
    member_name: str
    unit_id: int
    year: int
    text: str
    area: str
    target: str
    assigned_on: dt.date
    due_on: dt.date
    outcome: str
    outcome_on: dt.date | None
    outcome_note: str


class PledgeOut(Schema):
    id: int
    member_id: int | None
    unit_id: int
    year: int
    level: str
    text: str
    pledged_on: dt.date


class SharesOut(Schema):
    """The duties by outcome (the review's task conditions read these)."""

    done: int
    late: int
    exceeded: int
    not_done: int
    open: int
    total: int


class DutiesOut(Schema):
    unit_id: int
    year: int
    duties: list[DutyOut]
    pledges: list[PledgeOut]
    shares: SharesOut


class DutyIn(InSchema):
    unit_id: int = Field(..., ge=1, le=BIG)
    member_id: int = Field(..., ge=1, le=BIG)
    year: int = Field(..., ge=1900, le=2100)
    text: str = Field(..., max_length=500)
    area: str = Field("", max_length=255)
    target: str = Field("", max_length=255)
    due_on: IsoDate
    assigned_on: IsoDate | None = None


class OutcomeIn(InSchema):
    outcome: OUTCOMES
    outcome_on: IsoDate
    note: str = Field("", max_length=500)


class PledgeIn(InSchema):
    unit_id: int = Field(..., ge=1, le=BIG)
    member_id: int | None = Field(None, ge=1, le=BIG, description="empty: the unit's pledge")
    year: int = Field(..., ge=1900, le=2100)
    level: LEVELS
    text: str = Field("", max_length=4000)
    pledged_on: IsoDate | None = None


def _duty_out(d: Duty) -> dict:
    return {
        **{
            f: getattr(d, f)
            for f in (
                "id",
                "member_id",
                "unit_id",
                "year",
                "text",
                "area",
                "target",
                "assigned_on",
                "due_on",
                "outcome",
                "outcome_on",
                "outcome_note",
            )
        },
        "member_name": d.member.full_name,
    }


def _pledge_out(p: Pledge) -> dict:
    return {
        f: getattr(p, f)
        for f in ("id", "member_id", "unit_id", "year", "level", "text", "pledged_on")
    }


def _unit(request, unit_id: int) -> Unit:
    return get_object_or_404(Unit.objects.restrict(request.user, "view"), pk=unit_id)


def _editor(request, unit: Unit) -> None:
    if not can(request.user, "members", unit):
        raise PermissionDenied("Bạn chỉ có quyền xem.")


def _member(request, member_id: int) -> Member:
    return get_object_or_404(Member.objects.restrict(request.user, "view"), pk=member_id)


WRITE_DUTY = {**COMMON, 201: DutyOut, 400: Error, 403: Error, 404: Error}


@router.get(
    "/duties",
    response={**COMMON, 200: DutiesOut, 404: Error},
    summary="Nhiệm vụ được phân công và đăng ký phấn đấu của một tổ chức trong năm",
)
def list_duties(
    request,
    unit_id: int = Query(..., ge=1, le=BIG),
    year: int | None = Query(None, ge=1900, le=2100),
):
    unit = _unit(request, unit_id)
    year = year or timezone.localdate().year
    duties = list(
        Duty.objects.restrict(request.user, "view")
        .filter(unit=unit, year=year)
        .select_related("member")
        .order_by("member__sort_key", "member_id", "due_on", "id")
    )
    pledges = Pledge.objects.restrict(request.user, "view").filter(unit=unit, year=year)
    t = tasks_from(duties)
    return {
        "unit_id": unit.pk,
        "year": year,
        "duties": [_duty_out(d) for d in duties],
        "pledges": [_pledge_out(p) for p in pledges.order_by("member_id", "id")],
        "shares": {
            "done": t.done,
            "late": t.late,
            "exceeded": t.exceeded,
            "not_done": t.not_done,
            "open": t.open,
            "total": t.total,
        },
    }


@router.post("/duties", response=WRITE_DUTY, summary="Phân công nhiệm vụ cho một đảng viên")
def create_duty(request, data: DutyIn):
    unit = _unit(request, data.unit_id)
    _editor(request, unit)
    duty = services.assign_duty(
        actor=request.user,
        unit=unit,
        member=_member(request, data.member_id),
        year=data.year,
        text=data.text,
        area=data.area,
        target=data.target,
        due_on=data.due_on,
        assigned_on=data.assigned_on,
    )
    return Status(201, _duty_out(duty))


@router.post(
    "/duties/{duty_id}/outcome",
    response={**COMMON, 200: DutyOut, 400: Error, 403: Error, 404: Error},
    summary="Ghi kết quả thực hiện một nhiệm vụ",
)
def set_outcome(request, duty_id: int, data: OutcomeIn):
    duty = get_object_or_404(
        Duty.objects.restrict(request.user, "view").select_related("unit", "member"), pk=duty_id
    )
    _editor(request, duty.unit)
    duty = services.set_outcome(
        actor=request.user,
        duty=duty,
        outcome=data.outcome,
        outcome_on=data.outcome_on,
        note=data.note,
    )
    return _duty_out(duty)


@router.post(
    "/pledges",
    response={**COMMON, 200: PledgeOut, 400: Error, 403: Error, 404: Error},
    summary="Ghi (hoặc thay) đăng ký phấn đấu của đảng viên hoặc của tổ chức trong năm",
)
def pledge(request, data: PledgeIn):
    unit = _unit(request, data.unit_id)
    _editor(request, unit)
    common = {
        "actor": request.user,
        "unit": unit,
        "year": data.year,
        "level": data.level,
        "text": data.text,
        "pledged_on": data.pledged_on,
    }
    if data.member_id is None:
        p = services.pledge_unit(**common)
    else:
        p = services.pledge(member=_member(request, data.member_id), **common)
    return _pledge_out(p)
