"""/api/v1/reviews/ — duties."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["reviews"])
