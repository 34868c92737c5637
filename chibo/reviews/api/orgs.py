"""/api/v1/reviews/ — orgs."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["reviews"])
