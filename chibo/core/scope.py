"""The one read gate (ARCHITECTURE invariant 1), after NetBox's RestrictedQuerySet.

It knows no model. Each scoped model declares where it sits in the tree over time — its
`scope` attribute, made of the placements below (a unit by its dated ancestry, a member by
their placements' periods, a meeting by its unit and date, a document through its meeting…) —
and the accounts app registers at start-up the provider of a user's coverage: the roots of
the grants active *today* for an action (their units and the units' lineage predecessors) and
how to ask "did unit U lie under one of those roots on day D / during a period?".

The rule (issue 9): a grant counts only while it is active on the day of the request; while
active, it covers, for any date D, what lay on D under its unit or under a lineage predecessor
of its unit in that predecessor's own period. The grant's own dates never narrow the history it
shows. A member is visible only for the overlap of their placements with those periods.

A user's coverage is computed once per request (at most one query) and kept in a context
variable that `ScopeCacheMiddleware` opens and closes; any grant or lineage change forgets it.
"""

from __future__ import annotations

import contextvars
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from .actors import is_system

FAR = dt.date(9999, 12, 31)  # an open period's end, for comparisons in SQL


# --- Coverage: what a user may read, from the registered provider ---------------------------


@dataclass(frozen=True)
class Coverage:
    """One user's reach for one action today. `everything` for system administrators;
    otherwise `roots` (unit ids) and two questions the tree answers in SQL."""

    roots: frozenset[int] = frozenset()
    everything: bool = False
    # (unit expression, day expression) -> a queryset that exists when the unit lay under a
    # root that day; (unit, start, end) -> … during some day of [start, end) (end may be null).
    lay_under_on: Callable[..., models.QuerySet] | None = field(default=None, compare=False)
    lay_under_during: Callable[..., models.QuerySet] | None = field(default=None, compare=False)
    # on -> a subquery of the unit ids that lay under a root on `on` (None: at any time).
    unit_ids: Callable[..., models.QuerySet] | None = field(default=None, compare=False)
    # unit ids -> {unit id: [(from, to), …]}: when each lay under a root (to None: still).
    periods_of: Callable[..., dict] | None = field(default=None, compare=False)

    # The action this coverage answers for (an Own placement may admit only some actions).
    action: str = field(default="", compare=False)

    @property
    def nothing(self) -> bool:
        return not self.everything and not self.roots


NOTHING = Coverage()
EVERYTHING = Coverage(everything=True)

_provider: Callable[[Any, str], Coverage] | None = None


def register(provider: Callable[[Any, str], Coverage]) -> None:
    """The accounts app hands over how a user's grants cover the tree (called in ready())."""
    global _provider
    _provider = provider


_cache: contextvars.ContextVar[dict | None] = contextvars.ContextVar("chibo_scope", default=None)


def coverage(user, action: str) -> Coverage:
    """The user's coverage for `action` today; computed once per request."""
    if not getattr(user, "is_authenticated", False):
        return NOTHING
    if _provider is None:  # pragma: no cover - a configuration error, loudly
        raise RuntimeError("no scope provider registered (is chibo.accounts installed?)")
    key = (user.pk, action, timezone.localdate())
    cache = _cache.get()
    if cache is not None and key in cache:
        return cache[key]
    cov = replace(_provider(user, action), action=action)
    if cache is not None:
        cache[key] = cov
    return cov


def per_request(key, compute):
    """`compute()` once per request for `key` (every time outside a request)."""
    cache = _cache.get()
    if cache is None:
        return compute()
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def forget() -> None:
    """Grants or lineage changed: coverages computed earlier in this request are stale."""
    cache = _cache.get()
    if cache is not None:
        cache.clear()


class ScopeCacheMiddleware:
    """One coverage cache per request (a user's roots are read once, whatever the page asks)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _cache.set({})
        try:
            return self.get_response(request)
        finally:
            _cache.reset(token)


# --- Placements: how a model declares where its rows sit in the tree over time --------------


def _expr(value, today: dt.date, model):
    """A row's day for the tree's subquery: a field name, an expression over the row's fields,
    or a callable of today (e.g. "arrived, else today"); field references point at the outer
    row and keep their type (TruncDate needs to know it truncates a datetime)."""
    if callable(value) and not isinstance(value, models.Expression):
        value = value(today)
    if isinstance(value, str):
        value = models.F(value)
    if isinstance(value, dt.date):
        return models.Value(value, output_field=models.DateField())
    return _outer(value, model)


def _outer(expression, model):
    if isinstance(expression, models.F) and not isinstance(expression, OuterRef):
        field = model._meta.get_field(expression.name)
        return models.ExpressionWrapper(OuterRef(field.attname), output_field=field)
    if not isinstance(expression, models.Expression):
        return expression
    expression = expression.copy()
    expression.set_source_expressions(
        [_outer(e, model) for e in expression.get_source_expressions()]
    )
    return expression


class Placement:
    """Where a model's rows sit in the tree over time. At, Period and Own answer with a filter
    of their own; Related, Via and Either combine others (see _build)."""

    def q(self, cov: Coverage, *, model, user, on: dt.date | None, today: dt.date) -> Q:
        raise NotImplementedError


class At(Placement):
    """The row sits at one unit on one day: a meeting at its unit on its date, an audit row at
    the unit it is filed under on its day. Without a day: at the unit whenever it lay in scope
    (a unit itself, by its dated ancestry); with `on`, only if it lay there on that date."""

    def __init__(self, unit: str, day=None):
        self.unit, self.day = unit, day

    def q(self, cov, *, model, user, on, today):
        if self.day is None:
            return Q(**{f"{self.unit}__in": cov.unit_ids(on)})
        day = _expr(self.day, today, model)
        return Q(Exists(cov.lay_under_on(OuterRef(self.unit), day)))


class Period(Placement):
    """The row sits at a unit during [start, end): a member's placement. With `on`, only a
    period in force on that date, and only if the unit lay in scope then."""

    def __init__(self, unit: str = "unit_id", start: str = "valid_from", end: str = "valid_to"):
        self.unit, self.start, self.end = unit, start, end

    def q(self, cov, *, model, user, on, today):
        if on is not None:
            in_force = Q(**{f"{self.start}__lte": on}) & (
                Q(**{f"{self.end}__isnull": True}) | Q(**{f"{self.end}__gt": on})
            )
            at = cov.lay_under_on(OuterRef(self.unit), models.Value(on))
            return in_force & Q(Exists(at))
        during = cov.lay_under_during(OuterRef(self.unit), OuterRef(self.start), OuterRef(self.end))
        return Q(Exists(during))


class Related(Placement):
    """Through related rows, one of which is placed in scope: a member by their placements, an
    account by its grants active today (`where` narrows the related rows; it may take today)."""

    def __init__(self, relation: str, placement: Placement, where=None):
        self.relation, self.placement, self.where = relation, placement, where


class Via(Placement):
    """Through the parent row: a meeting's documents, papers, votes and visits by their
    meeting; the parent's own scope decides."""

    def __init__(self, parent: str):
        self.parent = parent


class Own(Placement):
    """The row belongs to the reader (their own account, the log of what they did, their own
    member record). `only`: the actions it admits (a member reads their record, never edits
    it through being its owner); None: every action."""

    def __init__(self, field_name: str, only: frozenset[str] | None = None):
        self.field_name, self.only = field_name, only

    def q(self, cov, *, model, user, on, today):
        if self.only is not None and cov.action not in self.only:
            return Q(pk__in=[])
        return Q(**{self.field_name: user.pk})


class Either(Placement):
    """Any of the placements (a transfer by its sending or its receiving side). Named parts can
    be chosen alone: restrict(user, via="receiving")."""

    def __init__(self, *parts: Placement, **named: Placement):
        self.parts, self.named = parts, named


# --- The restricted queryset -----------------------------------------------------------------


class RestrictedQuerySet(models.QuerySet):
    """`restrict(user, action, on=…, via=…)`: the rows the user may `action` today, as the
    model's `scope` declares; `on` asks for what lay in scope on that date."""

    def restrict(
        self, user, action: str | None = None, *, on: dt.date | None = None, via: str | None = None
    ):
        cov = coverage(user, action or getattr(self.model, "scope_action", "view"))
        if cov.everything:
            return self
        if cov.nothing and not _has_own(self.model.scope):
            return self.none()
        return self.filter(scope_q(self.model, cov, user=user, on=on, via=via))


def _has_own(placement: Placement) -> bool:
    if isinstance(placement, Own):
        return True
    if isinstance(placement, Either):
        return any(_has_own(p) for p in [*placement.parts, *placement.named.values()])
    return False


def scope_q(model, cov: Coverage, *, user, on=None, via=None) -> Q:
    """The filter that `model`'s scope declaration means for this coverage."""
    today = timezone.localdate()
    return _build(model, model.scope, cov, user=user, on=on, today=today, via=via)


def _build(model, placement: Placement, cov, *, user, on, today, via) -> Q:
    if isinstance(placement, Either):
        chosen = [placement.named[via]] if via else [*placement.parts, *placement.named.values()]
        out = Q(pk__in=[])
        for p in chosen:
            if cov.nothing and not isinstance(p, Own):
                continue
            out |= _build(model, p, cov, user=user, on=on, today=today, via=None)
        return out
    if isinstance(placement, Via):
        parent = model._meta.get_field(placement.parent).related_model
        inner = _build(parent, parent.scope, cov, user=user, on=on, today=today, via=None)
        return Q(**{f"{placement.parent}__in": parent._default_manager.filter(inner).values("pk")})
    if isinstance(placement, Related):
        rel = model._meta.get_field(placement.relation)
        related = rel.related_model
        qs = related._default_manager.filter(**{rel.field.name: OuterRef("pk")}).filter(
            _build(related, placement.placement, cov, user=user, on=on, today=today, via=None)
        )
        if placement.where is not None:
            where = placement.where
            qs = qs.filter(where(today) if callable(where) else where)
        return Q(Exists(qs))
    return placement.q(cov, model=model, user=user, on=on, today=today)


def can(user, action: str, obj, on: dt.date | None = None) -> bool:
    """May `user` `action` this object now (or on `on`): it lies in their scope on that day —
    a unit under a root today, a member placed there today — so a cell that moved away is
    no longer the old commune's to change. One query once the coverage is known."""
    if obj is None or getattr(obj, "pk", None) is None:
        return False
    day = on or timezone.localdate()
    return type(obj)._default_manager.restrict(user, action, on=day).filter(pk=obj.pk).exists()


def allowed(actor, action: str, obj, on: dt.date | None = None) -> bool:
    """The write door's check: the system acting (core.actors.SYSTEM) may; a user needs `action`
    on the object (`can`); no actor at all is refused with MissingActor."""
    return is_system(actor) or can(actor, action, obj, on)


def everything(user, action: str = "view") -> bool:
    """A system administrator (nothing is outside their scope)."""
    return coverage(user, action).everything


is_system_admin = everything


def visible_periods(user, obj, action: str = "view") -> list[tuple] | None:
    """For a row placed over periods (a member by their placements): the periods of it that the
    reader's scope covers, [(unit id, from, to)] with to None while it lasts, in order; None
    means all of it."""
    placement = type(obj).scope
    if isinstance(placement, Either):  # one's own record is all of it; else by its placements
        own = [p for p in placement.parts if isinstance(p, Own)]
        if any(
            (p.only is None or action in p.only)
            and getattr(user, "pk", None) is not None
            and getattr(obj, p.field_name) == user.pk
            for p in own
        ):
            return None
        placement = next(p for p in placement.parts if isinstance(p, Related))
    cov = coverage(user, action)
    if cov.everything:
        return None
    if cov.nothing:
        return []
    if not isinstance(placement, Related) or not isinstance(placement.placement, Period):
        raise TypeError(f"{type(obj).__name__} is not placed over periods")
    p = placement.placement
    rows = list(getattr(obj, placement.relation).values_list(p.unit, p.start, p.end))
    covered = cov.periods_of({u for u, _s, _e in rows})
    out = []
    for unit, start, end in rows:
        for a_from, a_to in covered.get(unit, []):
            lo = max(start, a_from)
            hi = min(end or FAR, a_to or FAR)
            if lo < hi:
                out.append((unit, lo, None if hi == FAR else hi))
    return sorted(out, key=lambda p: (p[1], p[2] or FAR))


def roots(user, action: str = "view") -> frozenset[int]:
    """The units of the user's grants active today for `action` and their predecessors."""
    return coverage(user, action).roots


def unit_ids(user, action: str = "view", on: dt.date | None = None):
    """A subquery of the unit ids the user's scope reaches (on `on`, or at any time); None
    means every unit. Kept in SQL: a province's scope is thousands of ids."""
    cov = coverage(user, action)
    if cov.everything:
        return None
    if cov.nothing:
        return []
    return cov.unit_ids(on)
