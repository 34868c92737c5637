"""One case of the reusable scope test (tests/scope_cases.py lists them)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tests.world import World


@dataclass(frozen=True)
class Case:
    route: str  # URL name ("org:unit") or API operation ("GET /api/v1/units/{unit_id}")
    url: Callable[[World], str]
    method: str = "get"
    body: Callable[[World], dict] | None = None
    write: bool = False
    list_marker: Callable[[World], str] | None = None  # lists: what official_b must not see
    self_service: bool = False  # acts only on the caller's own data (no other scope)
    # Not tied to one object: a form whose choices (or a file whose references) are resolved
    # inside the caller's scope; out of scope, the reference is refused and nothing is written.
    form_scoped: bool = False
    ok_status: int = 200

    @property
    def is_api(self) -> bool:
        return self.route.split(" ", 1)[-1].startswith("/api/")
