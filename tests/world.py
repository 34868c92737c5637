"""The test world: a small province built through the services, and the users and members the
scope tests (anonymous / out of scope / read-only / allowed) run against. It sits above every
app (it builds units, grants and members), so it lives in the project's tests, not in core."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from chibo.accounts.choices import Role
from chibo.accounts.models import Grant, User
from chibo.core.actors import SYSTEM
from chibo.members.services import add_member
from chibo.org.choices import CellType, GrassrootsType, UnitKind
from chibo.org.models import Unit
from chibo.org.services import CreateUnit, Decision, UnitSpec

START = dt.date(2020, 1, 1)


PASSWORD = "Mat-khau-thu-2026"


def decision(on: dt.date, number: str = "01-QĐ/TEST") -> Decision:
    """A restructuring decision for tests: every one needs a number and an issuing body."""
    return Decision(on, number, "Ban Thường vụ (thử nghiệm)")


def make_unit(parent: Unit | None, kind: str, name: str, on: dt.date = START, **extra) -> Unit:
    action = CreateUnit(decision(on), parent=parent, spec=UnitSpec(kind=kind, name=name, **extra))
    action.execute(actor=SYSTEM)
    return action.created


def make_user(
    username: str,
    unit: Unit | None = None,
    role: str = Role.OFFICIAL,
    valid_from: dt.date = START,
    valid_to: dt.date | None = None,
) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, full_name=username)
    if unit is not None:
        Grant.objects.create(
            user=user, unit=unit, role=role, valid_from=valid_from, valid_to=valid_to
        )
    return user


@dataclass
class World:
    province: Unit
    commune_a: Unit
    commune_b: Unit
    cells_a: list[Unit]
    cell_b: Unit
    admin: User
    official_a: User
    viewer_a: User
    official_b: User
    extra: dict[str, Any] = field(default_factory=dict)


def build_world() -> World:
    p = make_unit(None, UnitKind.PROVINCE, "Đảng bộ tỉnh Thử")
    a = make_unit(
        p, UnitKind.COMMUNE, "Đảng bộ xã Đồng Tâm", grassroots_type=GrassrootsType.COMMUNE
    )
    b = make_unit(
        p, UnitKind.COMMUNE, "Đảng bộ phường Bắc Sơn", grassroots_type=GrassrootsType.WARD
    )
    cells_a = [
        make_unit(a, UnitKind.CELL, f"Chi bộ thôn {n}", cell_type=CellType.VILLAGE)
        for n in ("Đông", "Tây", "Nam")
    ]
    cell_b = make_unit(
        b, UnitKind.CELL, "Chi bộ tổ dân phố 1", cell_type=CellType.RESIDENTIAL_GROUP
    )
    admin = make_user("quantri", p, Role.ADMIN)
    admin.is_superuser = True  # the system administrator; an ADMIN grant alone is its subtree's
    admin.save(update_fields=["is_superuser"])
    return World(
        province=p,
        commune_a=a,
        commune_b=b,
        cells_a=cells_a,
        cell_b=cell_b,
        admin=admin,
        official_a=make_user("canbo.a", a, Role.OFFICIAL),
        viewer_a=make_user("xem.a", a, Role.VIEWER),
        official_b=make_user("canbo.b", b, Role.OFFICIAL),
    )


def make_member(
    unit: Unit,
    name: str = "Lò Văn Pọm",
    *,
    gender: str = "m",
    birth_year: int = 1970,
    admitted: dt.date = dt.date(2000, 5, 19),
    recognized: dt.date | None = dt.date(2001, 5, 19),
    placed: dt.date = START,
):
    """A member through the service (admission and recognition events, placement), for tests."""
    family, *middle, given = name.split()
    return add_member(
        actor=SYSTEM,
        unit=unit,
        family_name=family,
        middle_name=" ".join(middle),
        given_name=given,
        gender=gender,
        birth_year=birth_year,
        admitted_on=admitted,
        recognized_on=recognized,
        placed_on=placed,
    )
