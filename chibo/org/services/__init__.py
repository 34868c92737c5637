"""Writes to the organization tree (ARCHITECTURE invariant 2: one door for writes).

Every change is a restructuring action with check(), preview() and execute(actor=...); see
`actions.py`. The dated rows they change are written by `primitives.py`."""

from .actions import (
    ChangeKind,
    CreateUnit,
    DissolveUnit,
    MergeUnits,
    MoveUnit,
    RenameUnit,
    RestructureAction,
    SplitPart,
    SplitUnit,
)
from .primitives import (
    Decision,
    UnitSpec,
    kind_label,
    live_children,
    restructuring_previewed,
    subtree_leaving,
    unit_absorbed,
    unit_ended,
    unit_ending_checked,
    units_relocated,
)
from .terms import add_term, create_unit

__all__ = [
    "ChangeKind",
    "CreateUnit",
    "Decision",
    "DissolveUnit",
    "MergeUnits",
    "MoveUnit",
    "RenameUnit",
    "RestructureAction",
    "SplitPart",
    "SplitUnit",
    "UnitSpec",
    "add_term",
    "create_unit",
    "kind_label",
    "live_children",
    "restructuring_previewed",
    "subtree_leaving",
    "unit_absorbed",
    "unit_ending_checked",
    "unit_ended",
    "units_relocated",
]
