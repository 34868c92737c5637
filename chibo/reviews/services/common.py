"""What the review's services share: the permission checks and where a member sat."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from chibo.core.scope import allowed
from chibo.members.models import Member, Placement
from chibo.org.choices import GRASSROOTS_KINDS
from chibo.org.models import Unit, UnitAncestry, in_force


def require(actor, action: str, unit: Unit, on: dt.date | None = None, message: str = "") -> None:
    """The actor may `action` on `unit` (on `on`, default today), or PermissionDenied."""
    if not allowed(actor, action, unit, on):
        raise PermissionDenied(message or _("Bạn không có quyền thực hiện việc này ở tổ chức này."))


def cell_of(member: Member, on: dt.date) -> Unit | None:
    """The member's home cell on `on` (None when they had no home placement that day)."""
    p = (
        Placement.objects.filter(in_force(on), member=member, kind=Placement.Kind.HOME)
        .select_related("unit")
        .first()
    )
    return p.unit if p else None


def grassroots_of(unit: Unit, on: dt.date) -> Unit | None:
    """The grassroots organization (đảng bộ cơ sở or chi bộ cơ sở) `unit` lay in on `on`, in
    the tree of that date: the unit itself or its nearest such ancestor."""
    rows = (
        UnitAncestry.objects.filter(in_force(on), unit=unit)
        .select_related("ancestor")
        .order_by("-depth")
    )
    for row in rows:
        version = row.ancestor.version_on(on)
        if version is not None and version.kind in GRASSROOTS_KINDS:
            return row.ancestor
    return None


def parent_on(unit: Unit, on: dt.date) -> Unit | None:
    """The unit's parent in the tree of `on`."""
    link = unit.parent_links.filter(in_force(on)).select_related("parent").first()
    return link.parent if link else None
