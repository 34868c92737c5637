"""/api/v1/reviews/: one router per area, mounted together (reads through restrict(), writes
through the same services as the pages)."""

from __future__ import annotations

from ninja import Router

from . import criteria, duties, history, orgs, reports, rounds

router = Router(tags=["reviews"])
for _area in (duties, criteria, rounds, orgs, reports, history):
    router.add_router("", _area.router)
