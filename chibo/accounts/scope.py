"""The provider of the scope gate (chibo.core.scope): what a user's grants cover.

Registered with the gate in AccountsConfig.ready(). A grant counts only while it is active on the
day of the request. Its roots are its unit and that unit's lineage predecessors (transitively);
UnitAncestry holds every ancestor-or-self period, so "unit U lay under a root on day D" or
"during [a, b)" is one indexed semi-join, and a predecessor covers only its own period (its
ancestry rows end when it does). The grant's own dates never narrow the history it shows.
"""

from __future__ import annotations

import datetime as dt
from functools import partial

from django.db import connection
from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from chibo.core import scope as gate
from chibo.core.actors import is_system
from chibo.org.models import Lineage, Unit, UnitAncestry
from chibo.org.selectors import lineage_of

from .choices import ROLE_ACTIONS, Role
from .models import Grant


def active_grants(user, on: dt.date | None = None) -> QuerySet:
    if not getattr(user, "is_authenticated", False):
        return Grant.objects.none()
    return Grant.objects.filter(user=user).active(on)


def roles_for(action: str) -> list[str]:
    return [r for r, actions in ROLE_ACTIONS.items() if action in actions]


def _rows(user) -> list[tuple[int, str]]:
    """(unit, role) of the user's grants active today and of their units' lineage
    predecessors: one recursive query, the same on SQLite and PostgreSQL."""

    today = timezone.localdate()
    grant, lineage = Grant._meta.db_table, Lineage._meta.db_table
    sql = f"""
        WITH RECURSIVE r(unit_id, role) AS (
            SELECT unit_id, role FROM {grant}
            WHERE user_id = %s AND valid_from <= %s AND (valid_to IS NULL OR valid_to > %s)
          UNION
            SELECT l.predecessor_id, r.role FROM {lineage} l JOIN r ON l.successor_id = r.unit_id
        )
        SELECT unit_id, role FROM r"""  # noqa: S608 (table names from the models)
    with connection.cursor() as cur:
        cur.execute(sql, [user.pk, today, today])
        return [(u, role) for u, role in cur.fetchall()]


def coverage(user, action: str) -> gate.Coverage:
    """The gate's provider: everything for a system administrator (a superuser), else the
    roots of the grants active today whose role allows `action`, with the tree's answers in
    SQL."""
    if not getattr(user, "is_active", True):
        return gate.NOTHING  # a deactivated account reaches nothing (its codes die with it)
    if getattr(user, "is_superuser", False):
        return gate.EVERYTHING  # the system administrator, and only they
    rows = gate.per_request(("grants", user.pk, timezone.localdate()), partial(_rows, user))
    # An ADMIN grant administers its own subtree, like any other grant (issue 11).
    allowed = set(roles_for(action))
    roots = frozenset(u for u, role in rows if role in allowed)
    if not roots:
        return gate.NOTHING
    return gate.Coverage(
        roots=roots,
        lay_under_on=partial(_lay_under_on, roots),
        lay_under_during=partial(_lay_under_during, roots),
        unit_ids=partial(_unit_ids, roots),
        periods_of=partial(_periods_of, roots),
    )


def _ancestry(roots):
    return UnitAncestry.objects.filter(ancestor_id__in=sorted(roots))


def _lay_under_on(roots, unit, day) -> QuerySet:
    return (
        _ancestry(roots)
        .filter(unit_id=unit, valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day))
    )


def _lay_under_during(roots, unit, start, end) -> QuerySet:
    return (
        _ancestry(roots)
        .filter(unit_id=unit, valid_from__lt=Coalesce(end, Value(gate.FAR)))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=start))
    )


def _unit_ids(roots, on: dt.date | None = None) -> QuerySet:
    """Units that lay under a root on `on` — or, for a unit that had ended by then, in its
    last period (a merged commune's final state stays readable by its successor); without
    `on`, at any time up to today, never only in a future not yet come."""
    from django.db.models import F

    qs = _ancestry(roots)
    if on is None:
        return qs.filter(valid_from__lte=timezone.localdate()).values("unit_id")
    in_force = Q(valid_from__lte=on) & (Q(valid_to__isnull=True) | Q(valid_to__gt=on))
    final = Q(valid_to__lte=on, valid_to=F("unit__valid_to"))
    return qs.filter(in_force | final).values("unit_id")


def _periods_of(roots, units) -> dict[int, list[tuple]]:
    out: dict[int, list[tuple]] = {}
    for unit, start, end in (
        _ancestry(roots)
        .filter(unit_id__in=list(units))
        .values_list("unit_id", "valid_from", "valid_to")
    ):
        out.setdefault(unit, []).append((start, end))
    return out


def is_system_admin(user) -> bool:
    return gate.everything(user)


def reaches_all_of(actor, unit, action: str = "accounts") -> bool:
    """Does the actor's scope cover everything a grant on `unit` would reach: the unit (and so
    its subtree) for its whole life, and each of its lineage predecessors for theirs? A cell
    that moved in from another commune, or a cell merged from elsewhere, carries a history the
    commune never covered; a grant on it is for the level that did (found by a probe: a grant
    minted on a moved cell read a departed member's identity number its creator could not)."""
    if is_system(actor):
        return True
    cov = gate.coverage(actor, action)
    if cov.everything:
        return True
    if cov.nothing:
        return False
    units = lineage_of(unit.pk)
    covered = cov.periods_of(units)
    for u, start, end in Unit.objects.filter(pk__in=units).values_list(
        "pk", "valid_from", "valid_to"
    ):
        if not _covers(covered.get(u, []), start, end):
            return False
    return True


def _covers(periods: list[tuple], start, end) -> bool:
    """Do the periods [(from, to or None)] together cover [start, end or open)?"""
    at, stop = start, end or gate.FAR
    for a, b in sorted(periods, key=lambda p: p[0]):
        if a > at:
            return False
        at = max(at, b or gate.FAR)
        if at >= stop:
            return True
    return at >= stop


def administers(actor, account) -> bool:
    """May `actor` administer `account` (issue a code, change or end its grants, hand it over,
    reset its second factor, unlock it)? Only if every grant the account ever held — live,
    future or ended — lies within the actor's "accounts" scope for all that the grant reached
    (reaches_all_of), whoever created it: an account that once held a higher level's grant
    carries that level's audit trail (its own rows), so it stays that level's. An account with
    an ADMIN grant or superuser rights, or with no grant at all, only a system administrator.
    One's own account is not administered through these pages (a code for oneself would
    bypass the password)."""
    if is_system(actor):
        return True
    if not getattr(actor, "is_authenticated", False) or actor.pk == account.pk:
        return False
    if not getattr(actor, "is_active", True):
        return False
    grants = list(Grant.objects.filter(user=account).select_related("unit"))
    if account.is_superuser or any(g.role == Role.ADMIN for g in grants) or not grants:
        return is_system_admin(actor)
    return all(reaches_all_of(actor, unit) for unit in {g.unit for g in grants})


def visible_grants(viewer, account) -> list:
    """The account's grants on units the viewer can see; grants elsewhere are not shown (their
    units would leak names and structure outside the viewer's scope)."""

    qs = Grant.objects.filter(user=account).select_related("unit")
    ids = gate.unit_ids(viewer, "view")
    if ids is not None:
        qs = qs.filter(unit_id__in=ids)
    return list(qs)
