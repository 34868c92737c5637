from __future__ import annotations

import datetime as dt

from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from chibo.core.api_schemas import COMMON, Error, InSchema, IsoDate
from chibo.org.models import Unit

from . import services
from .choices import Role
from .models import User
from .scope import visible_grants

router = Router(tags=["accounts"])


class GrantOut(Schema):
    id: int
    unit_id: int
    unit: str
    role: str
    valid_from: dt.date
    valid_to: dt.date | None


class AccountOut(Schema):
    id: int
    username: str
    full_name: str
    phone: str
    grants: list[GrantOut]


class AccountIn(InSchema):
    username: str
    full_name: str
    unit_id: int
    role: str = Role.SECRETARY
    valid_from: IsoDate | None = None
    phone: str = ""


class AccountCreated(Schema):
    account: AccountOut
    one_time_code: str | None


class GrantIn(InSchema):
    unit_id: int
    role: str
    valid_from: IsoDate
    valid_to: IsoDate | None = None


def _out(u: User, viewer) -> dict:
    return {
        "id": u.pk,
        "username": u.username,
        "full_name": u.full_name,
        "phone": u.phone,
        "grants": [
            {
                "id": g.pk,
                "unit_id": g.unit_id,
                "unit": g.unit.name,
                "role": g.role,
                "valid_from": g.valid_from,
                "valid_to": g.valid_to,
            }
            for g in visible_grants(viewer, u)
        ],
    }


@router.get("/", response={**COMMON, 200: list[AccountOut]}, summary="Tài khoản trong phạm vi")
def list_accounts(request):
    return [
        _out(u, request.user)
        for u in User.objects.restrict(request.user, "view").order_by("username")
    ]


@router.get("/{account_id}", response={**COMMON, 200: AccountOut, 404: Error})
def get_account(request, account_id: int):
    account = get_object_or_404(User.objects.restrict(request.user, "view"), pk=account_id)
    return _out(account, request.user)


@router.post(
    "/",
    response={**COMMON, 201: AccountCreated, 400: Error, 403: Error, 404: Error},
    summary="Tạo tài khoản (không cần e-mail); trả mã một lần",
)
def create_account(request, data: AccountIn):
    unit = get_object_or_404(Unit.objects.restrict(request.user, "view"), pk=data.unit_id)
    user, code = services.create_account(
        actor=request.user,
        username=data.username,
        full_name=data.full_name,
        unit=unit,
        role=data.role,
        valid_from=data.valid_from,
        phone=data.phone,
    )
    return Status(201, {"account": _out(user, request.user), "one_time_code": code})


@router.post(
    "/{account_id}/grants",
    response={**COMMON, 201: GrantOut, 400: Error, 403: Error, 404: Error},
    summary="Cấp quyền",
)
def add_grant(request, account_id: int, data: GrantIn):
    user = get_object_or_404(User.objects.restrict(request.user, "view"), pk=account_id)
    unit = get_object_or_404(Unit.objects.restrict(request.user, "view"), pk=data.unit_id)
    g = services.add_grant(
        actor=request.user,
        user=user,
        unit=unit,
        role=data.role,
        valid_from=data.valid_from,
        valid_to=data.valid_to,
    )
    return Status(
        201,
        {
            "id": g.pk,
            "unit_id": g.unit_id,
            "unit": unit.name,
            "role": g.role,
            "valid_from": g.valid_from,
            "valid_to": g.valid_to,
        },
    )
