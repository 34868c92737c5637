from __future__ import annotations

import datetime as dt

from ninja import Router, Schema

from chibo.core.api_schemas import COMMON

from .models import AuditLog

router = Router(tags=["audit"])


class AuditOut(Schema):
    id: int
    at: dt.datetime
    actor: str | None
    request_id: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    unit_id: int | None
    before: dict | None
    after: dict | None


@router.get("/", response={**COMMON, 200: list[AuditOut]}, summary="Nhật ký trong phạm vi")
def list_audit(request, action: str = "", limit: int = 100):
    qs = AuditLog.objects.restrict(request.user, "audit").select_related("actor")
    if action:
        qs = qs.filter(action__startswith=action)
    limit = max(1, min(limit, 500))
    return [
        {
            "id": r.pk,
            "at": r.at,
            "actor": r.actor.username if r.actor else None,
            "request_id": r.request_id,
            "action": r.action,
            "object_type": r.object_type,
            "object_id": r.object_id,
            "object_repr": r.object_repr,
            "unit_id": r.unit_id,
            "before": r.before,
            "after": r.after,
        }
        for r in qs[:limit]
    ]
