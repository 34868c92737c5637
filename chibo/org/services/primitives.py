"""Primitives of the tree's writes: the dated rows every restructuring action changes.

Periods are half-open (see models). Only the actions in `actions.py` call these."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.dispatch import Signal
from django.utils.translation import gettext as _

from ..choices import (
    ALLOWED_PARENTS,
    GRASSROOTS_KINDS,
    UnitKind,
)
from ..models import (
    RestructureEffect,
    RestructureEvent,
    Unit,
    UnitAncestry,
    UnitLink,
    UnitVersion,
)

Role = RestructureEffect.Role

# Sent inside the restructuring transaction so other apps keep their denormalized copies in step.
units_relocated = Signal()  # unit_ids: units whose province/commune/grassroots changed
unit_absorbed = Signal()  # source, target, on, repoint_grants: a merge ended `source` into `target`
unit_ended = Signal()  # unit, on: a dissolution or split ended `unit` with no single successor
# root, on: the subtree of `root` leaves its parent on `on` (a move, or the children of a merged
# unit going to its successor); sent before the tree changes, so the subtree of `on` − 1 is read.
subtree_leaving = Signal()
# unit, on: `unit` is to end on `on` with no successor (a dissolution). Each receiver answers a
# list of reasons to refuse it (members still placed there), in Vietnamese.
unit_ending_checked = Signal()
# Sent by preview(): on, moves [(unit, destination name)], absorbed [(unit, successor name)],
# ended [units]. Each receiver (members, meetings, accounts) answers {"later": {unit_pk: phrase}}
# for its records dated on or after `on` that will lie under the destination, and/or
# {"lines": [...]} (grant holders), so the tree app names them without importing those apps.
restructuring_previewed = Signal()


@dataclass(frozen=True)
class Decision:
    """The decision a change rests on: its number, issuing body and effective date."""

    effective_date: dt.date
    decision_no: str = ""
    issuer: str = ""
    note: str = ""


@dataclass
class UnitSpec:
    """What a new unit (or a new version of one) is."""

    kind: str
    name: str
    short_name: str = ""
    code: str = ""
    grassroots_type: str = ""
    cell_type: str = ""
    admin_era: str = ""
    admin_code: str = ""

    def fields(self) -> dict:
        return {k: getattr(self, k) for k in UnitVersion.VERSIONED_FIELDS}


def _d(d: dt.date) -> str:
    return d.strftime("%d/%m/%Y")


def kind_label(kind: str) -> str:
    return str(UnitKind(kind).label) if kind in UnitKind.values else kind


# --------------------------------------------------------------------------- primitives
def describe_event(event: RestructureEvent) -> str:
    """“Hợp nhất theo 15-QĐ/ĐU” — how a message names a restructuring."""
    label = str(event.get_kind_display())
    return (
        _("%(kind)s theo %(no)s") % {"kind": label, "no": event.decision_no}
        if event.decision_no
        else label
    )


def _last_change(unit: Unit) -> tuple[dt.date, str]:
    """The latest dated change of `unit` and what it was: its creation, a version, a parent
    link, or a restructuring event it took part in (a merge into it, a child moved under it).
    A new change may not precede it: history is appended in order, so every period stays
    consistent (member events and meetings do not count: they follow the tree of their dates)."""
    found = [(unit.valid_from, _("thành lập"))]
    v = unit.versions.select_related("event").order_by("-valid_from").first()
    if v is not None:
        found.append((v.valid_from, describe_event(v.event) if v.event else _("thay đổi")))
    link = unit.parent_links.select_related("parent").order_by("-valid_from").first()
    if link is not None:
        found.append((link.valid_from, _("trực thuộc %(p)s") % {"p": link.parent.name}))
    e = (
        RestructureEvent.objects.filter(effects__unit=unit)
        .order_by("-effective_date", "-id")
        .first()
    )
    if e is not None:
        found.append((e.effective_date, describe_event(e)))
    return max(found, key=lambda f: f[0])


def _check_date(unit: Unit, d: dt.date, errors: list[str]) -> None:
    if not unit.is_alive:
        errors.append(
            _("%(name)s đã chấm dứt hoạt động từ %(date)s.")
            % {"name": unit.name, "date": _d(unit.valid_to)}
        )
        return
    last, what = _last_change(unit)
    if d < last:
        errors.append(
            _(
                "Ngày hiệu lực %(d)s không được trước lần thay đổi gần nhất của %(name)s: "
                "%(what)s từ %(last)s."
            )
            % {"d": _d(d), "name": unit.name, "what": what, "last": _d(last)}
        )


def decision_errors(decision: Decision) -> list[str]:
    """A restructuring rests on a decision: its number, issuing body and effective date."""
    from django.utils import timezone

    errors = []
    if not isinstance(decision.effective_date, dt.date):
        errors.append(_("Hãy nhập ngày hiệu lực của quyết định."))
    elif decision.effective_date > timezone.localdate():
        # The tree records what is in force; a decision effective later is applied on its day
        # (today's names, places and scopes must never show a future that has not come).
        errors.append(
            _("Ngày hiệu lực %(d)s ở tương lai: hãy ghi quyết định vào ngày nó có hiệu lực.")
            % {"d": _d(decision.effective_date)}
        )
    if not decision.decision_no.strip():
        errors.append(_("Hãy nhập số quyết định (ví dụ 125-QĐ/TU)."))
    elif len(decision.decision_no.strip()) > 80:
        errors.append(_("Số quyết định dài quá 80 ký tự."))
    if not decision.issuer.strip():
        errors.append(_("Hãy nhập cơ quan ban hành quyết định."))
    elif len(decision.issuer.strip()) > 255:
        errors.append(_("Tên cơ quan ban hành dài quá 255 ký tự."))
    return errors


def _check_parent(kind: str, parent: Unit | None, errors: list[str], d: dt.date | None = None):
    """`parent` may hold a unit of `kind`; with `d`, the parent's own place may not change
    after `d` (the new unit's ancestry from `d` is read from the parent's)."""
    allowed = ALLOWED_PARENTS.get(kind, frozenset())
    if parent is not None and parent.is_alive and d is not None:
        _check_date(parent, d, errors)
    if parent is None:
        if kind not in (UnitKind.CENTRAL, UnitKind.PROVINCE):
            errors.append(
                _("%(kind)s phải trực thuộc một tổ chức cấp trên.") % {"kind": kind_label(kind)}
            )
        return
    if not parent.is_alive:
        errors.append(_("Tổ chức cấp trên %(name)s đã chấm dứt hoạt động.") % {"name": parent.name})
    if parent.kind not in allowed:
        errors.append(
            _("%(kind)s không thể trực thuộc %(pkind)s (%(pname)s).")
            % {"kind": kind_label(kind), "pkind": kind_label(parent.kind), "pname": parent.name}
        )


def _new_version(unit: Unit, d: dt.date, event: RestructureEvent, **changes) -> UnitVersion:
    current = unit.versions.filter(valid_to__isnull=True).first()
    values = {k: getattr(unit, k) for k in UnitVersion.VERSIONED_FIELDS}
    values.update(changes)
    if current and current.valid_from == d:
        # A second change on the same day amends that day's version instead of a 0-day one.
        for k, v in values.items():
            setattr(current, k, v)
        current.event = event
        current.save()
        version = current
    else:
        if current:
            current.valid_to = d
            current.save(update_fields=["valid_to"])
        version = UnitVersion.objects.create(unit=unit, valid_from=d, event=event, **values)
    for k, v in values.items():
        setattr(unit, k, v)
    # Only the versioned fields: the instance's path/numchild may be stale after tree changes.
    unit.save(update_fields=[*UnitVersion.VERSIONED_FIELDS, "search_key"])
    return version


def _open_ancestry_of(unit_id: int) -> list[UnitAncestry]:
    return list(UnitAncestry.objects.filter(unit_id=unit_id, valid_to__isnull=True))


def _attach(subtree_root: Unit, parent: Unit | None, d: dt.date) -> None:
    """Hang `subtree_root` (and its live subtree) under `parent` from `d`: a link row and one
    ancestry row per (subtree unit, new ancestor)."""
    if parent is None:
        return
    UnitLink.objects.create(child=subtree_root, parent=parent, valid_from=d)
    new_ancestors = _open_ancestry_of(parent.pk)  # parent's ancestors-or-self, with depths
    members = UnitAncestry.objects.filter(ancestor=subtree_root, valid_to__isnull=True).values_list(
        "unit_id", "depth"
    )
    root_depth = max((a.depth for a in new_ancestors), default=0) + 1
    rows = []
    for unit_id, _depth in members:
        for a in new_ancestors:
            rows.append(
                UnitAncestry(
                    unit_id=unit_id, ancestor_id=a.ancestor_id, depth=a.depth, valid_from=d
                )
            )
    UnitAncestry.objects.bulk_create(rows, batch_size=1000)
    _shift_depths(subtree_root, d, root_depth)


def _shift_depths(subtree_root: Unit, d: dt.date, root_depth: int) -> None:
    """Rows whose ancestor lies inside the moved subtree keep their ancestor but the ancestor's
    depth changes with the move; reopen them from `d` with the new depth."""
    inside = list(
        UnitAncestry.objects.filter(
            unit__in=UnitAncestry.objects.filter(
                ancestor=subtree_root, valid_to__isnull=True
            ).values("unit_id"),
            ancestor__in=UnitAncestry.objects.filter(
                ancestor=subtree_root, valid_to__isnull=True
            ).values("unit_id"),
            valid_to__isnull=True,
        )
    )
    old_root = next((r.depth for r in inside if r.ancestor_id == subtree_root.pk), root_depth)
    delta = root_depth - old_root
    if delta == 0:
        return
    replace = []
    for r in inside:
        if r.valid_from == d:
            r.depth += delta
            r.save(update_fields=["depth"])
        else:
            r.valid_to = d
            replace.append(r)
    UnitAncestry.objects.bulk_update(replace, ["valid_to"], batch_size=1000)
    UnitAncestry.objects.bulk_create(
        [
            UnitAncestry(
                unit_id=r.unit_id, ancestor_id=r.ancestor_id, depth=r.depth + delta, valid_from=d
            )
            for r in replace
        ],
        batch_size=1000,
    )


def _detach(subtree_root: Unit, d: dt.date) -> None:
    """End `subtree_root`'s parent link at `d` and the ancestry rows that pointed above it."""
    UnitLink.objects.filter(child=subtree_root, valid_to__isnull=True).update(valid_to=d)
    subtree_ids = UnitAncestry.objects.filter(ancestor=subtree_root, valid_to__isnull=True).values(
        "unit_id"
    )
    above = UnitAncestry.objects.filter(unit_id__in=subtree_ids, valid_to__isnull=True).exclude(
        ancestor_id__in=subtree_ids
    )
    # Rows opened and closed on the same day would be empty periods: drop them.
    above.filter(valid_from=d).delete()
    above.update(valid_to=d)


def _refresh_denormalized(subtree_root: Unit) -> None:
    """Recompute province/commune/grassroots for the current subtree of `subtree_root`."""
    subtree_root = Unit.objects.get(pk=subtree_root.pk)
    steplen = Unit.steplen
    prefixes = [subtree_root.path[:i] for i in range(steplen, len(subtree_root.path), steplen)]
    inherited = {"province": None, "commune": None, "grassroots": None}
    for pk, kind in (
        Unit.objects.filter(path__in=prefixes).order_by("path").values_list("pk", "kind")
    ):
        _apply_kind(inherited, pk, kind)
    by_path: dict[str, dict] = {}
    groups: dict[tuple, list[int]] = {}
    rows = (
        Unit.objects.filter(path__startswith=subtree_root.path)
        .order_by("path")
        .values_list("pk", "path", "kind", "province_id", "commune_id", "grassroots_id")
    )
    for pk, path, kind, *current in rows:
        base = by_path.get(path[:-steplen], inherited) if pk != subtree_root.pk else inherited
        mine = dict(base)
        _apply_kind(mine, pk, kind)
        by_path[path] = mine
        wanted = (mine["province"], mine["commune"], mine["grassroots"])
        if tuple(current) != wanted:
            groups.setdefault(wanted, []).append(pk)
    # One UPDATE per distinct combination (a moved subtree has a handful), not a CASE per row.
    for (p, c, g), ids in groups.items():
        Unit.objects.filter(pk__in=ids).update(province_id=p, commune_id=c, grassroots_id=g)
    if groups:
        units_relocated.send(sender=Unit, unit_ids=[i for ids in groups.values() for i in ids])


def _apply_kind(values: dict, pk: int, kind: str) -> None:
    if kind == UnitKind.PROVINCE:
        values.update(province=pk, commune=None, grassroots=None)
    elif kind == UnitKind.COMMUNE:
        values.update(commune=pk, grassroots=None)
    elif kind in GRASSROOTS_KINDS:
        values["grassroots"] = pk


def _create(spec: UnitSpec, parent: Unit | None, d: dt.date, event: RestructureEvent) -> Unit:
    fields = spec.fields()
    if parent is None:
        unit = Unit.objects.add_root(create_kwargs={"valid_from": d, **fields})
    else:
        parent = Unit.objects.get(pk=parent.pk)  # fresh path: earlier moves may have changed it
        unit = Unit.objects.add_child(parent, create_kwargs={"valid_from": d, **fields})
    UnitVersion.objects.create(unit=unit, valid_from=d, event=event, **fields)
    UnitAncestry.objects.create(unit=unit, ancestor=unit, depth=1, valid_from=d)
    _attach(unit, parent, d)
    _refresh_denormalized(unit)
    return Unit.objects.get(pk=unit.pk)


def _move(unit: Unit, new_parent: Unit, d: dt.date) -> None:
    unit = Unit.objects.get(pk=unit.pk)
    new_parent = Unit.objects.get(pk=new_parent.pk)
    subtree_leaving.send(sender=Unit, root=unit, on=d)
    _detach(unit, d)
    Unit.objects.move(unit, new_parent, pos="last-child")
    unit = Unit.objects.get(pk=unit.pk)
    _attach(unit, new_parent, d)
    _refresh_denormalized(unit)


def _end(unit: Unit, d: dt.date) -> None:
    UnitVersion.objects.filter(unit=unit, valid_to__isnull=True).update(valid_to=d)
    UnitLink.objects.filter(child=unit, valid_to__isnull=True).update(valid_to=d)
    UnitAncestry.objects.filter(unit=unit, valid_to__isnull=True).update(valid_to=d)
    Unit.objects.filter(pk=unit.pk).update(valid_to=d)


def live_children(unit: Unit) -> list[Unit]:
    return list(
        Unit.objects.get_children(Unit.objects.get(pk=unit.pk)).filter(valid_to__isnull=True)
    )
