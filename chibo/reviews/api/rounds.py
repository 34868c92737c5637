"""/api/v1/reviews/ — rounds."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["reviews"])
