"""Per-cell counts as dated deltas (models.CountDelta; decisions §29).

A member counts in a cell while a home placement there overlaps a day on which they are a
member; as official, as a woman and as exempt by the state of that day (lifecycle.state_on, so
an exemption's term ends the count by itself). Each such span writes +1 on its first day and −1
on the day after its last, inside the writing transaction: the count on D is the sum of the
rows up to D, whatever the clock says, and nothing ever refreshes it.

`restate(member_ids)` rewrites the rows of the members a write touched (after it, before the
transaction ends); `on(unit, day)` and `children_on(unit, day)` read the tree of that day.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.db.models import Q, Sum
from django.db.models.functions import Coalesce

from chibo.org.models import Unit, UnitAncestry, UnitLink, in_force

from . import lifecycle
from .lifecycle import Activity, Stage
from .models import CountDelta, Member, MemberEvent, Placement

MEASURES = ("members", "official", "women", "exempt")
Vec = tuple[int, int, int, int]
_ZERO: Vec = (0, 0, 0, 0)


def _vec(state: lifecycle.State, woman: bool) -> Vec:
    if not state.is_member:
        return _ZERO
    return (
        1,
        int(state.stage == Stage.OFFICIAL),
        int(woman),
        int(state.activity == Activity.EXEMPT),
    )


def deltas(
    placements: Iterable[tuple[int, dt.date, dt.date | None]],
    events: Sequence,
    woman: bool,
) -> dict[tuple[int, dt.date], Vec]:
    """A member's rows: {(cell, day): (members, official, women, exempt)} from their home
    placements (cell, from, to), their events and their gender. Pure (the migration that
    backfills the rows calls it with historical models)."""
    live = lifecycle.effective_events(events)
    points = {e.effective_date for e in live}
    points |= {
        u for e in live if e.kind in lifecycle.ENDS_BY_ITSELF and (u := lifecycle.term_end(e))
    }
    # The state is constant between two of these days: it changes only at an event or at the
    # end of a term.
    days = sorted(points)
    segments = [(d, _vec(lifecycle.state_on(events, d), woman)) for d in days]
    out: dict[tuple[int, dt.date], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for unit_id, start, stop in placements:
        for i, (seg_start, vec) in enumerate(segments):
            if vec == _ZERO:
                continue
            seg_stop = segments[i + 1][0] if i + 1 < len(segments) else None
            lo = max(start, seg_start)
            hi = min((d for d in (stop, seg_stop) if d is not None), default=None)
            if hi is not None and hi <= lo:
                continue
            row = out[(unit_id, lo)]
            for k in range(4):
                row[k] += vec[k]
            if hi is not None:
                row = out[(unit_id, hi)]
                for k in range(4):
                    row[k] -= vec[k]
    return {key: tuple(v) for key, v in out.items() if any(v)}


def restate(member_ids: Iterable[int | None], *, batch: int = 500) -> int:
    """Rewrite the count rows of these members from their events and placements, inside the
    caller's transaction. The members' rows are locked first (FOR NO KEY UPDATE: it does not
    wait for the key-share locks of the caller's own inserts) so that two concurrent writes
    on one member cannot both add their rows."""

    ids = sorted({i for i in member_ids if i})
    written = 0
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        genders = dict(
            Member.objects.select_for_update(no_key=True)
            .filter(pk__in=chunk)
            .order_by("pk")
            .values_list("pk", "gender")
        )
        places: dict[int, list] = defaultdict(list)
        for member_id, unit_id, vf, vt in Placement.objects.filter(
            member_id__in=chunk, kind=Placement.Kind.HOME
        ).values_list("member_id", "unit_id", "valid_from", "valid_to"):
            places[member_id].append((unit_id, vf, vt))
        events: dict[int, list] = defaultdict(list)
        for e in MemberEvent.objects.filter(member_id__in=chunk).only(
            "id", "member_id", "kind", "effective_date", "corrects_id", "data"
        ):
            events[e.member_id].append(e)
        rows = [
            CountDelta(member_id=m, unit_id=u, day=d, **dict(zip(MEASURES, v, strict=True)))
            for m, gender in genders.items()
            for (u, d), v in deltas(places[m], events[m], gender == "f").items()
        ]
        CountDelta.objects.filter(member_id__in=chunk).delete()
        CountDelta.objects.bulk_create(rows, batch_size=1000)
        written += len(rows)
    return written


def rebuild() -> int:
    """Every member's rows from their events (after a bulk load, or to check the running
    counts): the same function the writes use, in batches."""
    from django.db import transaction

    with transaction.atomic():
        CountDelta.objects.all().delete()
        return restate(Member.objects.order_by("pk").values_list("pk", flat=True))


def _sums(prefix: str = "", cond: Q | None = None) -> dict:
    return {
        f"{prefix}{m}": Coalesce(Sum(m, filter=cond), 0) if cond else Coalesce(Sum(m), 0)
        for m in MEASURES
    }


def on(unit: Unit, day: dt.date) -> dict[str, int]:
    """The unit's members on `day`, in its subtree of that day (the tree of D, not today's)
    and directly in it: one aggregate over the rows up to D."""

    under = UnitAncestry.objects.filter(in_force(day), ancestor=unit).values("unit_id")
    # The unit's own rows count even for a day its ancestry does not reach (as the placement does).
    row = CountDelta.objects.filter(
        Q(unit_id__in=under) | Q(unit_id=unit.pk), day__lte=day
    ).aggregate(**_sums("total_"), **_sums("direct_", Q(unit_id=unit.pk)))
    return {
        "total": row["total_members"],
        "total_official": row["total_official"],
        "women": row["total_women"],
        "exempt": row["total_exempt"],
        "direct": row["direct_members"],
        "direct_official": row["direct_official"],
    }


def children_on(unit: Unit, day: dt.date) -> dict[int, dict[str, int]]:
    """The members on `day` under each child the unit had that day (and directly in it, key
    unit.pk): the rows up to D joined to the cells' ancestry of D, grouped by the child, in
    the database."""

    kids = UnitLink.objects.filter(in_force(day), parent=unit).values("child_id")
    rows = (
        CountDelta.objects.filter(
            in_force(day, "unit__ancestry__"),
            day__lte=day,
            unit__ancestry__ancestor_id__in=kids,
        )
        .order_by()
        .values("unit__ancestry__ancestor_id")
        .annotate(**_sums())
    )
    out = {r["unit__ancestry__ancestor_id"]: {m: r[m] for m in MEASURES} for r in rows}
    own = CountDelta.objects.filter(unit_id=unit.pk, day__lte=day).aggregate(**_sums())
    if any(own.values()):
        out[unit.pk] = own
    return {k: v for k, v in out.items() if any(v.values())}
