"""Heavy reads of the tree: as of a date, ancestors, lineage, counts, warnings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef

from chibo.core import params, scope
from chibo.core.scope import everything
from chibo.core.text import part_key

from .choices import CELL_KINDS, GRASSROOTS_KINDS, UnitKind
from .models import (
    Lineage,
    RestructureEffect,
    Unit,
    UnitAncestry,
    UnitLink,
    UnitVersion,
    in_force,
)

ROOT_KINDS = (UnitKind.CENTRAL, UnitKind.PROVINCE)  # the only kinds allowed without a parent


@dataclass(frozen=True)
class NodeOnDate:
    """A unit as it was on a date (name/kind from that date's version)."""

    unit_id: int
    name: str
    kind: str
    code: str
    alive_today: bool
    child_count: int = 0

    @property
    def kind_label(self) -> str:
        return str(UnitKind(self.kind).label) if self.kind in UnitKind.values else self.kind


def _nodes(unit_ids, on: dt.date, child_counts: dict[int, int] | None = None) -> list[NodeOnDate]:
    versions = UnitVersion.objects.filter(in_force(on), unit_id__in=unit_ids).select_related("unit")
    nodes = [
        NodeOnDate(
            v.unit_id,
            v.name,
            v.kind,
            v.code,
            v.unit.valid_to is None,
            (child_counts or {}).get(v.unit_id, 0),
        )
        for v in versions
    ]
    # Vietnamese order (ICU), not code-point order ("Chi bộ bản …" before "Chi bộ Công an …").
    return sorted(nodes, key=lambda n: (_kind_rank(n.kind), part_key(n.name)))


_RANK = {k: i for i, k in enumerate(UnitKind.values)}


def _kind_rank(kind: str) -> int:
    return _RANK.get(kind, 99)


def child_counts_on(parent_ids, on: dt.date, visible=None) -> dict[int, int]:
    links = UnitLink.objects.filter(in_force(on), parent_id__in=parent_ids)
    if visible is not None:
        links = links.filter(child_id__in=visible)
    rows = links.values("parent_id").annotate(n=Count("id"))
    return {r["parent_id"]: r["n"] for r in rows}


def children_on(unit_id: int, on: dt.date, visible=None) -> list[NodeOnDate]:
    ids = UnitLink.objects.filter(in_force(on), parent_id=unit_id)
    if visible is not None:
        ids = ids.filter(child_id__in=visible)
    child_ids = list(ids.values_list("child_id", flat=True))
    return _nodes(child_ids, on, child_counts_on(child_ids, on, visible))


def roots_on(on: dt.date, visible=None, candidates=None) -> list[NodeOnDate]:
    """The top of the tree on `on` as the viewer may browse it: the top-most units they can see
    (a commune official's tree starts at the commune). `visible` is a subquery or None.

    `candidates` are the only units that can be on top: the viewer's grant units and their
    predecessors (every unit in scope on a date lies, on that date, under one of them that was
    in force). Without it, the tops of the whole forest are its provinces (and the centre):
    only those kinds may stand without a parent."""
    if candidates is None:
        candidates = UnitVersion.objects.filter(in_force(on), kind__in=ROOT_KINDS).values("unit_id")
    alive = Unit.objects.filter(in_force(on), id__in=candidates)
    links = UnitLink.objects.filter(in_force(on), child_id=OuterRef("pk"))
    if visible is not None:
        alive = alive.filter(id__in=visible)
        links = links.filter(parent_id__in=visible)
    tops = list(alive.filter(~Exists(links)).values_list("id", flat=True))
    return _nodes(tops, on, child_counts_on(tops, on, visible))


def tops_for(user, on: dt.date):
    """(the top units the user browses on `on`, the scope subquery of that date)."""

    visible = scope.unit_ids(user, "meetings", on=on)
    candidates = None if visible is None else sorted(scope.roots(user, "meetings"))
    return roots_on(on, visible, candidates), visible


def unit_as_of(user, pk: int, on: dt.date, action: str = "view") -> Unit:
    """The unit a page about `on` is asked for, if it lay in the reader's scope that day (for
    a date before it existed, on its first day: the page is then empty, not missing). A cell
    that moved away is the old commune's up to the move only, and the new one's from it."""
    from django.http import Http404

    first = Unit.objects.filter(pk=pk).values_list("valid_from", flat=True).first()
    if first is None:
        raise Http404
    unit = Unit.objects.restrict(user, action, on=max(on, first)).filter(pk=pk).first()
    if unit is None:
        raise Http404
    return unit


def linkable(user, unit_ids) -> set[int] | None:
    """Which of a few units the user may open (links in breadcrumbs and lineage); None means
    all of them. Never materializes the whole scope."""

    if everything(user):
        return None
    return set(
        Unit.objects.restrict(user).filter(id__in=list(unit_ids)).values_list("id", flat=True)
    )


def ancestors_on(unit_id: int, on: dt.date) -> list[NodeOnDate]:
    """Ancestors (root first, excluding the unit) on a date: one query joining the temporal
    closure to the versions of that date."""
    rows = (
        UnitVersion.objects.filter(in_force(on))
        .filter(
            in_force(on, "unit__descendancy__"),
            unit__descendancy__unit_id=unit_id,
        )
        .exclude(unit_id=unit_id)
        .order_by("unit__descendancy__depth")
        .values_list("unit_id", "name", "kind", "code", "unit__valid_to")
    )
    return [NodeOnDate(i, n, k, c, vt is None) for i, n, k, c, vt in rows]


def current_ancestors(unit: Unit) -> list[Unit]:
    return list(Unit.objects.get_ancestors(unit))


def search(query_key: str, on: dt.date | None = None, visible=None, limit: int = 50):
    """Units whose name (on `on`, or today) contains the accent-free key."""
    if on is None:
        qs = Unit.objects.alive().filter(search_key__contains=query_key)
        if visible is not None:
            qs = qs.filter(id__in=visible)
        return list(qs.order_by("path")[:limit])
    qs = UnitVersion.objects.filter(in_force(on), search_key__contains=query_key)
    if visible is not None:
        qs = qs.filter(unit_id__in=visible)
    return list(qs.select_related("unit").order_by("unit__path")[:limit])


def predecessors(unit: Unit) -> list[Lineage]:
    return list(Lineage.objects.filter(successor=unit).select_related("predecessor", "event"))


def lineage_of(unit_id: int) -> set[int]:
    """The unit and its lineage predecessors, transitively (what a grant on it reaches; whose
    records a merged commune carries)."""
    seen, todo = {unit_id}, [unit_id]
    while todo:
        preds = set(
            Lineage.objects.filter(successor_id__in=todo).values_list("predecessor_id", flat=True)
        )
        todo = list(preds - seen)
        seen |= preds
    return seen


def successors(unit: Unit) -> list[Lineage]:
    return list(Lineage.objects.filter(predecessor=unit).select_related("successor", "event"))


def history(unit: Unit) -> list[RestructureEffect]:
    return list(
        RestructureEffect.objects.filter(unit=unit)
        .select_related("event")
        .order_by("-event__effective_date", "-event_id")
    )


def subtree_counts(unit: Unit, on: dt.date | None = None) -> dict[str, int]:
    """Units in the subtree by kind: today's (live units under today's path), or on `on` the
    subtree of that day with each unit's kind of that day."""
    if on is None:
        rows = (
            Unit.objects.filter(path__startswith=unit.path, valid_to__isnull=True)
            .exclude(pk=unit.pk)
            .values("kind")
            .annotate(n=Count("id"))
        )
        return {r["kind"]: r["n"] for r in rows}
    under = UnitAncestry.objects.filter(in_force(on), ancestor=unit).exclude(unit=unit)
    rows = (
        UnitVersion.objects.filter(in_force(on), unit_id__in=under.values("unit_id"))
        .values("kind")
        .annotate(n=Count("id"))
    )
    return {r["kind"]: r["n"] for r in rows}


def warnings_for(
    unit: Unit,
    member_count: int | None = None,
    official_count: int | None = None,
    on: dt.date | None = None,
    kind: str | None = None,
) -> list[str]:
    """Structural warnings (domain-rules §3.6), judged by the parameters in force on `on`
    (today by default) for the unit's kind on that day."""
    out: list[str] = []
    kind = kind or unit.kind
    min_cell = params.get("cell_min_official_members", on, unit)
    min_committee = params.get("grassroots_committee_min_members", on, unit)
    if kind in CELL_KINDS and official_count is not None and official_count < min_cell:
        out.append(f"Chi bộ chỉ có {official_count} đảng viên chính thức (cần ít nhất {min_cell}).")
    if kind in GRASSROOTS_KINDS and member_count is not None:
        if kind == UnitKind.GRASSROOTS_CELL and member_count >= min_committee:
            out.append(
                f"Chi bộ cơ sở có {member_count} đảng viên (từ {min_committee} trở lên nên lập "
                "đảng bộ cơ sở)."
            )
        if kind == UnitKind.GRASSROOTS_COMMITTEE and member_count < min_committee:
            out.append(
                f"Đảng bộ cơ sở chỉ có {member_count} đảng viên (dưới {min_committee} nên là "
                "chi bộ cơ sở)."
            )
    return out
