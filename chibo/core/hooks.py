"""A small registry through which a higher app adds to a lower app's pages and commands, so that
dependencies run one way (Wagtail's hooks are the model).

An app registers its functions in its `AppConfig.ready()`:

    hooks.register(hooks.UNIT_PAGE_PANELS, unit_panel, order=10)

and the lower app asks for them without knowing who answers:

    for panel in hooks.get(hooks.UNIT_PAGE_PANELS): ...

The names are the contract; each documents what its functions receive and return. Order is by
`order`, then by registration. Registration is idempotent for the same function (a test that
reloads an app does not get a panel twice).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.template.loader import render_to_string

# fn(request, unit, on, version) -> Panel | None — a section of the unit page (org's page);
# `version` is the unit's version on `on` (None when it did not exist that day).
UNIT_PAGE_PANELS = "unit_page_panels"
# fn(request, member, on) -> Panel | None — a section of the member page: `member` is the
# record the reader may see (for a unit the member left, the departure's copy as it was then)
# and `on` today or the copy's last day; a panel reads its own rows through the gate.
MEMBER_PAGE_PANELS = "member_page_panels"
# fn(user, unit, on) -> iterable of deadline items for the unit's "Việc đến hạn" page, each with
# `status` ("overdue", "due" or "soon"), `date`, `text` and `url` (the app's own dataclass).
DEADLINE_ITEMS = "deadline_items"
# fn(request) -> Panel | None — a card of the home page.
HOME_CARDS = "home_cards"
# fn(meeting) -> iterable of str — agenda lines another app proposes for a cell's meeting
# (added before the closing lines of the agenda template).
MEETING_AGENDA_LINES = "meeting_agenda_lines"
# fn() -> (count, label) — rebuild the app's stored text keys (inside the command's
# transaction); returns how many rows were rewritten and what they are ("khóa tổ chức").
REBUILD_TEXT_KEYS = "rebuild_text_keys"
# fn() -> int — settle the app's background jobs whose worker stopped beating (re-queue or
# fail them, each exactly once, under the job's row lock); returns how many. `chibo worker`
# calls them when it starts and while it has nothing to do (core.jobs).
STALE_JOBS = "stale_jobs"

NAMES = frozenset(
    {
        UNIT_PAGE_PANELS,
        MEMBER_PAGE_PANELS,
        DEADLINE_ITEMS,
        HOME_CARDS,
        MEETING_AGENDA_LINES,
        REBUILD_TEXT_KEYS,
        STALE_JOBS,
    }
)


@dataclass(frozen=True)
class Panel:
    """A section a page includes: a template and its context, placed by `order`."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 100
    # Where on the page: "main" (the body's column) or "aside" (the side column).
    slot: str = "main"
    # Warnings the panel raises about the object, shown at the top of the page.
    warnings: tuple[str, ...] = ()


_registry: dict[str, list[tuple[int, int, Callable]]] = {}
_seq = 0


def register(name: str, fn: Callable | None = None, *, order: int = 100):
    """Register `fn` under `name` (also usable as a decorator: `@hooks.register(NAME)`)."""
    if name not in NAMES:
        raise ValueError(f"unknown hook {name!r}; the names are in chibo.core.hooks")

    def add(f: Callable) -> Callable:
        global _seq
        entries = _registry.setdefault(name, [])
        if not any(existing is f for _, _, existing in entries):
            _seq += 1
            entries.append((order, _seq, f))
            entries.sort(key=lambda e: (e[0], e[1]))
        return f

    return add(fn) if fn is not None else add


def get(name: str) -> list[Callable]:
    if name not in NAMES:
        raise ValueError(f"unknown hook {name!r}; the names are in chibo.core.hooks")
    return [f for _, _, f in _registry.get(name, [])]


def panels(name: str, *args) -> list[Panel]:
    """Call every function of a panel hook and keep the panels they return, in order."""
    out = [p for f in get(name) if (p := f(*args)) is not None]
    return sorted(out, key=lambda p: p.order)


def render(shown: list[Panel], request, context: dict | None = None) -> dict[str, list[str]]:
    """Panels rendered for the page: {slot: [html, …]} in order, each template given `context`
    (the page's object and date) and its own context."""
    out: dict[str, list[str]] = {"main": [], "aside": []}
    for p in shown:
        html = render_to_string(p.template, {**(context or {}), **p.context}, request=request)
        out.setdefault(p.slot, []).append(html)
    return out
