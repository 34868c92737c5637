"""The one way to write an audit row. Called by services inside their transaction."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from chibo.core.actors import is_system

from .context import current
from .models import AuditLog

# Reads and sessions may be logged on their own; every change is logged inside its transaction.
READ_ACTIONS = ("view", "export", "login", "logout")


def record(
    *,
    actor,
    action: str,
    obj: Any = None,
    unit=None,
    before: dict | None = None,
    after: dict | None = None,
) -> AuditLog:
    # Every row says who: a user, or core.actors.SYSTEM for what no person does.
    is_system(actor)  # refuses None (MissingActor)
    # A change's row must commit or roll back with the change itself.
    if not transaction.get_connection().in_atomic_block and not action.startswith(READ_ACTIONS):
        raise RuntimeError("audit rows for changes are written inside the service's transaction")
    ctx = current.get()
    return AuditLog.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        request_id=ctx.request_id,
        ip=ctx.ip,
        source=ctx.source,
        action=action,
        object_type=obj._meta.label_lower if obj is not None and hasattr(obj, "_meta") else "",
        object_id=str(getattr(obj, "pk", "") or ""),
        object_repr=str(obj)[:255] if obj is not None else "",
        # A unit, or a unit's id (the unit a reader reached an object through).
        unit_id=unit if isinstance(unit, int) or unit is None else unit.pk,
        before=before,
        after=after,
    )
