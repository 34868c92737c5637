"""Excel import of a member roll (issue: member registry, point 9; issue 10).

read → map columns → validate every row → a plan with errors by row and column in Vietnamese →
commit all rows or none. `reading` turns the workbook into rows, `validating` checks them and
builds the plan, `committing` writes it through the members' services.
"""

from .committing import commit
from .reading import (
    EXCEL_EPOCH,
    FIELDS,
    LABELS,
    MAX_ROWS,
    ReadError,
    Sheet,
    auto_mapping,
    missing_required,
    parse_date,
    parse_education,
    read,
    split_name,
    template,
)
from .validating import (
    FIELD_LABELS,
    Plan,
    PlannedRow,
    plan_from_json,
    plan_to_json,
    same_person,
    validate,
)

__all__ = [
    "EXCEL_EPOCH",
    "FIELDS",
    "FIELD_LABELS",
    "LABELS",
    "MAX_ROWS",
    "Plan",
    "PlannedRow",
    "ReadError",
    "Sheet",
    "auto_mapping",
    "commit",
    "missing_required",
    "parse_date",
    "parse_education",
    "plan_from_json",
    "plan_to_json",
    "read",
    "same_person",
    "split_name",
    "template",
    "validate",
]
