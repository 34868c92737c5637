"""/api/v1/reviews/ — criteria."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["reviews"])
