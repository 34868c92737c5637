"""Per-cell counts of today's members (models.UnitCount), refreshed inside the writing
transaction for the cells a write touched, and the counts of a unit's children summed from them.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Q, Sum
from django.db.models.functions import Substr

from chibo.org.models import Unit

from .models import Member, UnitCount


def refresh(unit_ids: Iterable[int | None]) -> None:
    ids = {i for i in unit_ids if i}
    if not ids:
        return
    rows = (
        Member.objects.filter(home_unit_id__in=ids, ended="")
        .values("home_unit_id")
        .annotate(
            n=Count("id"),
            official=Count("id", filter=Q(stage="official")),
            women=Count("id", filter=Q(gender="f")),
            exempt=Count("id", filter=Q(activity="exempt")),
        )
    )
    UnitCount.objects.filter(unit_id__in=ids).delete()
    UnitCount.objects.bulk_create(
        [
            UnitCount(
                unit_id=r["home_unit_id"],
                members=r["n"],
                official=r["official"],
                women=r["women"],
                exempt=r["exempt"],
            )
            for r in rows
        ]
    )


def rebuild() -> int:
    """Recompute every row in one set-based statement (after a bulk load, or to check the
    running counts)."""
    from django.db import connection

    UnitCount.objects.all().delete()
    with connection.cursor() as cur:
        cur.execute(
            f"""INSERT INTO {UnitCount._meta.db_table} (unit_id, members, official, women, exempt)
            SELECT home_unit_id, COUNT(*),
                   SUM(CASE WHEN stage = 'official' THEN 1 ELSE 0 END),
                   SUM(CASE WHEN gender = 'f' THEN 1 ELSE 0 END),
                   SUM(CASE WHEN activity = 'exempt' THEN 1 ELSE 0 END)
            FROM {Member._meta.db_table}
            WHERE ended = '' AND home_unit_id IS NOT NULL
            GROUP BY home_unit_id"""  # noqa: S608 (table names from the models)
        )
    return UnitCount.objects.count()


def children_counts(unit: Unit) -> dict[int, dict[str, int]]:
    """Today's members under each current child of `unit` (and directly in it, key unit.pk):
    one grouped sum over the cells of the subtree, by the child's path prefix."""
    depth = unit.depth + 1
    length = depth * Unit.steplen
    # A range on the path index (measured faster than the province column at national scale).
    cells = UnitCount.objects.filter(unit__path__gte=unit.path, unit__path__lt=unit.path + "~")
    rows = (
        cells.annotate(prefix=Substr("unit__path", 1, length))
        .values("prefix")
        .annotate(
            members=Sum("members"),
            official=Sum("official"),
            women=Sum("women"),
            exempt=Sum("exempt"),
        )
    )
    by_prefix = {r["prefix"]: r for r in rows}
    children = Unit.objects.filter(
        path__gte=unit.path, path__lt=unit.path + "~", depth=depth
    ).values_list("pk", "path")
    out = {}
    for pk, path in children:
        r = by_prefix.get(path)
        if r:
            out[pk] = {k: r[k] for k in ("members", "official", "women", "exempt")}
    own = by_prefix.get(unit.path)
    if own:
        out[unit.pk] = {k: own[k] for k in ("members", "official", "women", "exempt")}
    return out
