from __future__ import annotations

import datetime as dt
from typing import Literal

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from chibo.core.api_schemas import COMMON, Error, InSchema, IsoDate
from chibo.core.scope import can, unit_ids
from chibo.core.text import search_key

from . import selectors
from .choices import UnitKind
from .models import Unit
from .services import (
    ChangeKind,
    CreateUnit,
    Decision,
    DissolveUnit,
    MergeUnits,
    MoveUnit,
    RenameUnit,
    SplitPart,
    SplitUnit,
    UnitSpec,
)

router = Router(tags=["units"])


class NodeOut(Schema):
    id: int
    name: str
    kind: str
    code: str
    alive_today: bool
    child_count: int


class VersionOut(Schema):
    valid_from: dt.date
    valid_to: dt.date | None
    kind: str
    name: str
    code: str
    grassroots_type: str
    cell_type: str
    admin_era: str
    admin_code: str


class LineageOut(Schema):
    predecessor_id: int
    predecessor: str
    successor_id: int
    successor: str
    date: dt.date
    decision_no: str


class UnitOut(Schema):
    id: int
    name: str
    kind: str
    code: str
    valid_from: dt.date
    valid_to: dt.date | None
    on: dt.date
    name_on_date: str | None
    kind_on_date: str | None
    ancestors_on_date: list[NodeOut]
    children_on_date: list[NodeOut]
    versions: list[VersionOut]
    predecessors: list[LineageOut]
    successors: list[LineageOut]


def _node(n: selectors.NodeOnDate) -> dict:
    return {
        "id": n.unit_id,
        "name": n.name,
        "kind": n.kind,
        "code": n.code,
        "alive_today": n.alive_today,
        "child_count": n.child_count,
    }


def _visible(user, on: dt.date):
    # A subquery, never a Python set: a province's scope is thousands of ids.
    return unit_ids(user, "meetings", on=on)


def _lineage(rows) -> list[dict]:
    return [
        {
            "predecessor_id": r.predecessor_id,
            "predecessor": r.predecessor.name,
            "successor_id": r.successor_id,
            "successor": r.successor.name,
            "date": r.date,
            "decision_no": r.event.decision_no,
        }
        for r in rows
    ]


@router.get("/", response={**COMMON, 200: list[NodeOut], 404: Error}, summary="Tổ chức theo ngày")
def list_units(request, on: IsoDate | None = None, parent: int | None = None, q: str = ""):
    """Without `parent`: the top units the caller may see on `on` (default today); with
    `parent`: its children on that date; with `q`: accent-free name search."""
    on = on or timezone.localdate()
    visible = _visible(request.user, on)
    if q:
        key = search_key(q)
        hits = selectors.search(key, on=on, visible=visible) if key else []
        return [
            {
                "id": h.unit_id,
                "name": h.name,
                "kind": h.kind,
                "code": h.code,
                "alive_today": h.unit.valid_to is None,
                "child_count": 0,
            }
            for h in hits
        ]
    if parent is not None:
        get_object_or_404(Unit.objects.restrict(request.user, "meetings", on=on), pk=parent)
        return [_node(n) for n in selectors.children_on(parent, on, visible)]
    return [_node(n) for n in selectors.tops_for(request.user, on)[0]]


@router.get(
    "/{unit_id}",
    response={**COMMON, 200: UnitOut, 404: Error},
    summary="Một tổ chức, như vào một ngày",
)
def get_unit(request, unit_id: int, on: IsoDate | None = None):
    on = on or timezone.localdate()
    unit = selectors.unit_as_of(request.user, unit_id, on, "meetings")
    visible = _visible(request.user, on)
    v = unit.version_on(on)
    return {
        "id": unit.pk,
        "name": unit.name,
        "kind": unit.kind,
        "code": unit.code,
        "valid_from": unit.valid_from,
        "valid_to": unit.valid_to,
        "on": on,
        "name_on_date": v.name if v else None,
        "kind_on_date": v.kind if v else None,
        "ancestors_on_date": [_node(n) for n in selectors.ancestors_on(unit.pk, on)],
        "children_on_date": [_node(n) for n in selectors.children_on(unit.pk, on, visible)],
        "versions": list(unit.versions.all()),
        "predecessors": _lineage(selectors.predecessors(unit)),
        "successors": _lineage(selectors.successors(unit)),
    }


class SplitPartIn(InSchema):
    name: str = Field(..., max_length=255)
    children: list[int] = Field(default_factory=list)


class RestructureIn(InSchema):
    kind: Literal["create", "rename", "change_kind", "move", "merge", "split", "dissolve"]
    unit_id: int = Field(..., description="the unit acted on (the parent, for create)")
    effective_date: IsoDate
    decision_no: str = Field(
        ..., max_length=80, description="the decision's number, e.g. 125-QĐ/TU"
    )
    issuer: str = Field(..., max_length=255, description="the issuing body")
    note: str = Field("", max_length=2000)
    name: str = Field("", max_length=255)
    short_name: str = Field("", max_length=120)
    code: str = Field("", max_length=40)
    new_kind: Literal[tuple(UnitKind.values)] | None = None  # type: ignore[valid-type]
    grassroots_type: str = ""
    cell_type: str = ""
    new_parent_id: int | None = None
    others: list[int] = Field(default_factory=list, description="merge: the other sources")
    into_self: bool = Field(True, description="merge: absorb into unit_id (else a new unit)")
    parts: list[SplitPartIn] = Field(
        default_factory=list, description="split: the new units and the children each receives"
    )


class RestructureOut(Schema):
    ok: bool
    errors: list[str]
    effects: list[str]
    event_id: int | None = None
    result_unit_id: int | None = None


def _units(request, ids: list[int]) -> list[Unit]:
    scope = Unit.objects.restrict(request.user, "view")
    return [get_object_or_404(scope, pk=i) for i in ids]


def _build(request, data: RestructureIn):
    (unit,) = _units(request, [data.unit_id])
    d = Decision(data.effective_date, data.decision_no, data.issuer, data.note)
    if data.kind == "create":
        return CreateUnit(
            d,
            parent=unit,
            spec=UnitSpec(
                kind=data.new_kind or "",
                name=data.name,
                code=data.code,
                grassroots_type=data.grassroots_type,
                cell_type=data.cell_type,
            ),
        )
    if data.kind == "rename":
        return RenameUnit(
            d, unit=unit, name=data.name, short_name=data.short_name or None, code=data.code or None
        )
    if data.kind == "change_kind":
        return ChangeKind(
            d,
            unit=unit,
            new_kind=data.new_kind or unit.kind,
            name=data.name or None,
            grassroots_type=data.grassroots_type or None,
        )
    if data.kind == "move":
        if data.new_parent_id is None:
            return _Invalid(["Hãy chọn tổ chức cấp trên mới (new_parent_id)."])
        (parent,) = _units(request, [data.new_parent_id])
        return MoveUnit(d, unit=unit, new_parent=parent)
    if data.kind == "merge":
        others = _units(request, data.others)
        if data.into_self:
            return MergeUnits(d, sources=[unit, *others], into=unit)
        if data.new_parent_id is None:
            return _Invalid(["Hãy chọn tổ chức cấp trên của tổ chức mới (new_parent_id)."])
        (parent,) = _units(request, [data.new_parent_id])
        spec = UnitSpec(
            kind=data.new_kind or unit.kind,
            name=data.name,
            grassroots_type=data.grassroots_type or unit.grassroots_type,
            cell_type=data.cell_type or unit.cell_type,
        )
        return MergeUnits(d, sources=[unit, *others], new_spec=spec, new_parent=parent)
    if data.kind == "split":
        parent = Unit.objects.get_parent(unit)
        if parent is None:
            return _Invalid(["Không thể chia tách tổ chức cấp cao nhất."])
        parts = [
            SplitPart(
                UnitSpec(
                    kind=unit.kind,
                    name=p.name,
                    grassroots_type=unit.grassroots_type,
                    cell_type=unit.cell_type,
                ),
                parent,
                _units(request, p.children),
            )
            for p in data.parts
        ]
        return SplitUnit(d, source=unit, parts=parts)
    return DissolveUnit(d, unit=unit)


class _Invalid:
    def __init__(self, errors):
        self.errors = errors

    def check(self):
        return self.errors

    def touched_units(self):
        return []


def _authorize(request, action) -> None:
    from django.core.exceptions import PermissionDenied

    if not all(can(request.user, "change", u) for u in action.touched_units()):
        raise PermissionDenied("Bạn chỉ có quyền xem các tổ chức này.")


@router.post(
    "/restructure/preview",
    response={**COMMON, 200: RestructureOut, 400: Error, 403: Error, 404: Error},
    summary="Xem trước một thay đổi tổ chức (không ghi gì)",
)
def preview(request, data: RestructureIn):
    action = _build(request, data)
    _authorize(request, action)
    errors = action.check()
    return {"ok": not errors, "errors": errors, "effects": [] if errors else action.preview()}


@router.post(
    "/restructure/apply",
    response={
        **COMMON,
        201: RestructureOut,
        400: RestructureOut,
        401: Error,
        403: Error,
        404: Error,
    },
    summary="Áp dụng một thay đổi tổ chức",
)
def apply(request, data: RestructureIn):
    action = _build(request, data)
    _authorize(request, action)
    errors = action.check()
    if errors:
        return Status(400, {"ok": False, "errors": errors, "effects": []})
    effects = action.preview()
    event = action.execute(actor=request.user)
    result = getattr(action, "created", None) or getattr(action, "target", None)
    if isinstance(result, list):
        result = result[0] if result else None
    return Status(
        201,
        {
            "ok": True,
            "errors": [],
            "effects": effects,
            "event_id": event.pk,
            "result_unit_id": result.pk if isinstance(result, Unit) else None,
        },
    )
