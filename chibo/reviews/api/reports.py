"""/api/v1/reviews/ — reports."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["reviews"])
