"""The scope gate's core: which units a user's grants cover.

A grant on unit U covers, for any date, whatever lay in U's subtree or in the subtree of a
predecessor of U by lineage (transitively). UnitAncestry holds every ancestor-or-self period,
so "ever lay under one of the roots" is one indexed semi-join.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from .choices import ROLE_ACTIONS, Role


def is_system_admin(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    return active_grants(user).filter(role=Role.ADMIN).exists()


def active_grants(user, on: dt.date | None = None) -> QuerySet:
    from .models import Grant

    if not getattr(user, "is_authenticated", False):
        return Grant.objects.none()
    return Grant.objects.filter(user=user).active(on)


def roles_for(user, action: str) -> list[str]:
    return [r for r, actions in ROLE_ACTIONS.items() if action in actions]


def grant_roots(user, action: str) -> set[int]:
    """Units of the user's active grants that allow `action`, plus their predecessors."""
    from chibo.org.models import Lineage

    roots = set(
        active_grants(user)
        .filter(role__in=roles_for(user, action))
        .values_list("unit_id", flat=True)
    )
    frontier = set(roots)
    while frontier:  # lineage is shallow (a few merges deep); each step is one query
        preds = set(
            Lineage.objects.filter(successor_id__in=frontier).values_list(
                "predecessor_id", flat=True
            )
        )
        frontier = preds - roots
        roots |= frontier
    return roots


def visible_unit_ids(user, action: str = "view", on: dt.date | None = None):
    """A subquery of unit ids the user may `action`, or None for "everything" (system admin).
    With `on`, only units that lay in scope on that date."""
    from chibo.org.models import Unit, UnitAncestry, in_force

    if not getattr(user, "is_authenticated", False):
        return Unit.objects.none().values("id")
    if is_system_admin(user):
        return None
    roots = grant_roots(user, action)
    qs = UnitAncestry.objects.filter(ancestor_id__in=roots)
    if on is not None:
        qs = qs.filter(in_force(on))
    return qs.values("unit_id")


def visible_among(user, unit_ids, action: str = "view") -> set[int] | None:
    """Which of a few unit ids the user may open (for links in breadcrumbs and lineage);
    None means all of them. Never materializes the whole scope."""
    ids = visible_unit_ids(user, action)
    if ids is None:
        return None
    from chibo.org.models import Unit

    return set(
        Unit.objects.filter(id__in=list(unit_ids)).filter(id__in=ids).values_list("id", flat=True)
    )


def can(user, action: str, unit) -> bool:
    from chibo.org.models import Unit

    return Unit.objects.restrict(user, action).filter(pk=unit.pk).exists()


def today() -> dt.date:
    return timezone.localdate()


def visible_grants(viewer, account) -> list:
    """The account's grants on units the viewer can see; grants elsewhere are not shown (their
    units would leak names and structure outside the viewer's scope)."""
    from .models import Grant

    qs = Grant.objects.filter(user=account).select_related("unit")
    ids = visible_unit_ids(viewer, "view")
    if ids is not None:
        qs = qs.filter(unit_id__in=ids)
    return list(qs)
