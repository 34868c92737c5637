"""Reading a roll as a committee saves it (issue 10, finding 1): an empty roll, formulas with
and without the result Excel stores, a title above the header."""

import pytest
from django.core.exceptions import ValidationError

from chibo.audit.models import AuditLog
from chibo.members import imports
from chibo.members.models import Member

from .books import book


def _plan(world, buf):
    sheet = imports.read(buf)
    return imports.validate(sheet, imports.auto_mapping(sheet.headers), world.commune_a)


# --- an empty roll ----------------------------------------------------------------------------


def test_an_empty_roll_is_refused_before_any_commit_and_writes_no_audit_row(world):
    plan = _plan(world, book([]))
    assert plan.errors == [
        (1, "", "Không có dòng đảng viên nào dưới dòng tên cột (dòng 1): chưa ghi gì.")
    ]
    with pytest.raises(ValidationError):
        imports.commit(plan, actor=world.official_a)
    # Even a plan without errors (built by hand) that holds no row is refused.
    with pytest.raises(ValidationError, match="không có dòng đảng viên nào"):
        imports.commit(imports.Plan(unit_id=world.commune_a.pk), actor=world.official_a)
    assert not AuditLog.objects.filter(action="members.import").exists()
    assert not Member.objects.exists()
