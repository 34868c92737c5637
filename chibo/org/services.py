"""Writes to the organization tree. Every change is a restructuring action with check(),
preview() and execute(actor=...): one transaction that moves the current tree (paths and
denormalized columns), closes and opens the dated rows (versions, links, ancestry), records the
event, its effects and lineage, and writes the audit row.

Dates are effective dates; periods are half-open (see models)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.dispatch import Signal
from django.utils.translation import gettext as _

from chibo.audit.services import record

from .choices import (
    ALLOWED_PARENTS,
    GRASSROOTS_KINDS,
    RestructureKind,
    UnitKind,
)
from .models import (
    Lineage,
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
unit_absorbed = Signal()  # source, target, on: a merge ended `source` into `target`


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
def _last_change(unit: Unit) -> dt.date:
    """The latest date on which something about `unit` started; a new change may not precede
    it (history is appended in order, so every period stays consistent)."""
    dates = [unit.valid_from]
    v = unit.versions.order_by("-valid_from").values_list("valid_from", flat=True).first()
    link = unit.parent_links.order_by("-valid_from").values_list("valid_from", flat=True).first()
    dates += [x for x in (v, link) if x]
    return max(dates)


def _check_date(unit: Unit, d: dt.date, errors: list[str]) -> None:
    if not unit.is_alive:
        errors.append(
            _("%(name)s đã chấm dứt hoạt động từ %(date)s.")
            % {"name": unit.name, "date": _d(unit.valid_to)}
        )
        return
    last = _last_change(unit)
    if d < last:
        errors.append(
            _("Ngày hiệu lực %(d)s không được trước lần thay đổi gần nhất của %(name)s (%(last)s).")
            % {"d": _d(d), "name": unit.name, "last": _d(last)}
        )


def _check_parent(kind: str, parent: Unit | None, errors: list[str]) -> None:
    allowed = ALLOWED_PARENTS.get(kind, frozenset())
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


# --------------------------------------------------------------------------- actions
class RestructureAction:
    """Base of the restructuring actions: check() lists what is wrong (Vietnamese, changes
    nothing), preview() lists the effects, execute(actor=...) applies them atomically."""

    kind: str = ""
    actor = None

    def __init__(self, decision: Decision):
        self.decision = decision

    @property
    def date(self) -> dt.date:
        return self.decision.effective_date

    def check(self) -> list[str]:
        raise NotImplementedError

    def preview(self) -> list[str]:
        raise NotImplementedError

    def touched_units(self) -> list[Unit]:
        """Units the actor must be allowed to change (scope check)."""
        raise NotImplementedError

    def primary_unit(self) -> Unit | None:
        return (self.touched_units() or [None])[0]

    def _apply(self, event: RestructureEvent) -> None:
        raise NotImplementedError

    def execute(self, *, actor) -> RestructureEvent:
        from chibo.accounts.scope import can

        errors = self.check()
        if errors:
            raise ValidationError(errors)
        if actor is not None and not all(can(actor, "change", u) for u in self.touched_units()):
            raise PermissionDenied(_("Bạn không có quyền thay đổi các tổ chức này."))
        self.actor = actor
        with transaction.atomic():
            summary = self.preview()
            event = RestructureEvent.objects.create(
                kind=self.kind,
                effective_date=self.date,
                decision_no=self.decision.decision_no,
                issuer=self.decision.issuer,
                note=self.decision.note,
                summary="\n".join(summary),
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
            self._apply(event)
            primary = self.primary_unit()
            record(
                actor=actor,
                action=f"org.{self.kind}",
                obj=event,
                unit=Unit.objects.get(pk=primary.pk) if primary else None,
                after={
                    "effective_date": self.date.isoformat(),
                    "decision_no": self.decision.decision_no,
                    "issuer": self.decision.issuer,
                    "effects": summary,
                },
            )
        return event


class CreateUnit(RestructureAction):
    kind = RestructureKind.CREATE

    def __init__(self, decision: Decision, *, parent: Unit | None, spec: UnitSpec):
        super().__init__(decision)
        self.parent = parent
        self.spec = spec
        self.created: Unit | None = None

    def check(self) -> list[str]:
        errors: list[str] = []
        if not self.spec.name.strip():
            errors.append(_("Tên tổ chức không được để trống."))
        if self.spec.kind not in UnitKind.values:
            errors.append(_("Loại tổ chức không hợp lệ."))
            return errors
        _check_parent(self.spec.kind, self.parent, errors)
        if self.parent is not None and self.parent.is_alive and self.date < self.parent.valid_from:
            errors.append(_("Ngày thành lập không được trước ngày thành lập của tổ chức cấp trên."))
        return errors

    def preview(self) -> list[str]:
        where = self.parent.name if self.parent else _("cấp cao nhất")
        return [
            _("Thành lập %(kind)s “%(name)s” trực thuộc %(parent)s từ %(d)s.")
            % {
                "kind": kind_label(self.spec.kind),
                "name": self.spec.name,
                "parent": where,
                "d": _d(self.date),
            }
        ]

    def touched_units(self) -> list[Unit]:
        return [self.parent] if self.parent else []

    def primary_unit(self) -> Unit | None:
        return self.created

    def _apply(self, event: RestructureEvent) -> None:
        self.created = _create(self.spec, self.parent, self.date, event)
        RestructureEffect.objects.create(
            event=event, unit=self.created, role=Role.CREATED, description=self.preview()[0]
        )

    def execute(self, *, actor) -> RestructureEvent:
        if self.parent is None and actor is not None:
            from chibo.accounts.scope import is_system_admin

            if not is_system_admin(actor):
                raise PermissionDenied(_("Chỉ quản trị hệ thống được lập tổ chức cấp cao nhất."))
        return super().execute(actor=actor)


class RenameUnit(RestructureAction):
    kind = RestructureKind.RENAME

    def __init__(
        self,
        decision: Decision,
        *,
        unit: Unit,
        name: str,
        short_name: str | None = None,
        code: str | None = None,
    ):
        super().__init__(decision)
        self.unit, self.name, self.short_name, self.code = unit, name.strip(), short_name, code

    def check(self) -> list[str]:
        errors: list[str] = []
        if not self.name:
            errors.append(_("Tên mới không được để trống."))
        _check_date(self.unit, self.date, errors)
        if self.name == self.unit.name and self.code in (None, self.unit.code):
            errors.append(_("Tên mới trùng tên hiện tại."))
        return errors

    def preview(self) -> list[str]:
        return [
            _("Đổi tên “%(old)s” thành “%(new)s” từ %(d)s.")
            % {"old": self.unit.name, "new": self.name, "d": _d(self.date)}
        ]

    def touched_units(self) -> list[Unit]:
        return [self.unit]

    def _apply(self, event: RestructureEvent) -> None:
        changes = {"name": self.name}
        if self.short_name is not None:
            changes["short_name"] = self.short_name
        if self.code is not None:
            changes["code"] = self.code
        _new_version(self.unit, self.date, event, **changes)
        RestructureEffect.objects.create(
            event=event, unit=self.unit, role=Role.CHANGED, description=self.preview()[0]
        )


class ChangeKind(RestructureAction):
    """Change of kind (e.g. chi bộ cơ sở → đảng bộ cơ sở when it reaches 30 members, or a
    grassroots committee becoming a commune đảng bộ in 2025), optionally with a new name."""

    kind = RestructureKind.CHANGE_KIND

    def __init__(
        self,
        decision: Decision,
        *,
        unit: Unit,
        new_kind: str,
        name: str | None = None,
        grassroots_type: str | None = None,
        cell_type: str | None = None,
        admin_era: str | None = None,
        admin_code: str | None = None,
    ):
        super().__init__(decision)
        self.unit, self.new_kind, self.name = unit, new_kind, name
        self.extra = {
            k: v
            for k, v in {
                "grassroots_type": grassroots_type,
                "cell_type": cell_type,
                "admin_era": admin_era,
                "admin_code": admin_code,
            }.items()
            if v is not None
        }

    def check(self) -> list[str]:
        errors: list[str] = []
        _check_date(self.unit, self.date, errors)
        if self.new_kind not in UnitKind.values:
            errors.append(_("Loại tổ chức không hợp lệ."))
            return errors
        if (
            self.new_kind == self.unit.kind
            and not self.name
            and all(getattr(self.unit, k) == v for k, v in self.extra.items())
        ):
            errors.append(_("Không có gì thay đổi."))
        parent = Unit.objects.get_parent(self.unit)
        if parent is not None and parent.kind not in ALLOWED_PARENTS[self.new_kind]:
            errors.append(
                _("%(kind)s không thể trực thuộc %(pkind)s; hãy điều chuyển trước hoặc cùng lúc.")
                % {"kind": kind_label(self.new_kind), "pkind": kind_label(parent.kind)}
            )
        for child in live_children(self.unit):
            if self.new_kind not in ALLOWED_PARENTS[child.kind]:
                errors.append(
                    _("%(child)s (%(ckind)s) không thể trực thuộc %(kind)s.")
                    % {
                        "child": child.name,
                        "ckind": kind_label(child.kind),
                        "kind": kind_label(self.new_kind),
                    }
                )
        return errors

    def preview(self) -> list[str]:
        text = _("%(name)s chuyển từ %(old)s thành %(new)s từ %(d)s.") % {
            "name": self.unit.name,
            "old": kind_label(self.unit.kind),
            "new": kind_label(self.new_kind),
            "d": _d(self.date),
        }
        if self.name and self.name != self.unit.name:
            text += " " + _("Tên mới: “%(n)s”.") % {"n": self.name}
        return [text]

    def touched_units(self) -> list[Unit]:
        return [self.unit]

    def _apply(self, event: RestructureEvent) -> None:
        changes = {"kind": self.new_kind, **self.extra}
        if self.name:
            changes["name"] = self.name
        _new_version(self.unit, self.date, event, **changes)
        _refresh_denormalized(self.unit)
        RestructureEffect.objects.create(
            event=event, unit=self.unit, role=Role.CHANGED, description=self.preview()[0]
        )


class MoveUnit(RestructureAction):
    """Re-attach a unit (with its subtree) under another parent."""

    kind = RestructureKind.MOVE

    def __init__(
        self,
        decision: Decision,
        *,
        unit: Unit,
        new_parent: Unit,
        new_kind: str | None = None,
        changes: dict | None = None,
    ):
        super().__init__(decision)
        self.unit, self.new_parent = unit, new_parent
        # A move may change the kind, name or administrative link in the same decision (the
        # 2025 reform: Quảng Lâm became a commune đảng bộ under the province).
        self.new_kind = new_kind
        self.changes = {
            k: v
            for k, v in (changes or {}).items()
            if k in UnitVersion.VERSIONED_FIELDS and k != "kind"
        }

    def check(self) -> list[str]:
        errors: list[str] = []
        _check_date(self.unit, self.date, errors)
        kind = self.new_kind or self.unit.kind
        if self.new_parent.pk == self.unit.pk or self.new_parent.path.startswith(self.unit.path):
            errors.append(
                _("Không thể chuyển một tổ chức vào chính nó hoặc tổ chức cấp dưới của nó.")
            )
            return errors
        current_parent = Unit.objects.get_parent(self.unit)
        if (
            current_parent is not None
            and current_parent.pk == self.new_parent.pk
            and not self.new_kind
        ):
            errors.append(
                _("%(name)s đã trực thuộc %(p)s.")
                % {"name": self.unit.name, "p": self.new_parent.name}
            )
        _check_parent(kind, self.new_parent, errors)
        if self.new_parent.is_alive and self.date < self.new_parent.valid_from:
            errors.append(_("Tổ chức nhận chưa tồn tại vào ngày hiệu lực."))
        return errors

    def preview(self) -> list[str]:
        old = Unit.objects.get_parent(self.unit)
        count = (
            Unit.objects.filter(path__startswith=self.unit.path, valid_to__isnull=True).count() - 1
        )
        lines = [
            _("%(name)s chuyển từ %(old)s sang trực thuộc %(new)s từ %(d)s.")
            % {
                "name": self.unit.name,
                "old": old.name if old else "—",
                "new": self.new_parent.name,
                "d": _d(self.date),
            }
        ]
        if count:
            lines.append(
                _("Cùng %(n)d tổ chức trực thuộc của %(name)s.")
                % {"n": count, "name": self.unit.name}
            )
        if self.new_kind and self.new_kind != self.unit.kind:
            lines.append(
                _("Loại tổ chức: %(old)s → %(new)s.")
                % {"old": kind_label(self.unit.kind), "new": kind_label(self.new_kind)}
            )
        if self.changes.get("name") and self.changes["name"] != self.unit.name:
            lines.append(_("Tên mới: “%(n)s”.") % {"n": self.changes["name"]})
        return lines

    def touched_units(self) -> list[Unit]:
        return [self.unit, self.new_parent]

    def _apply(self, event: RestructureEvent) -> None:
        changes = dict(self.changes)
        if self.new_kind and self.new_kind != self.unit.kind:
            changes["kind"] = self.new_kind
        if changes:
            _new_version(self.unit, self.date, event, **changes)
        _move(self.unit, self.new_parent, self.date)
        RestructureEffect.objects.create(
            event=event, unit=self.unit, role=Role.MOVED, description=self.preview()[0]
        )


class DissolveUnit(RestructureAction):
    kind = RestructureKind.DISSOLVE

    def __init__(self, decision: Decision, *, unit: Unit):
        super().__init__(decision)
        self.unit = unit

    def check(self) -> list[str]:
        errors: list[str] = []
        _check_date(self.unit, self.date, errors)
        children = live_children(self.unit)
        if children:
            errors.append(
                _(
                    "%(name)s còn %(n)d tổ chức trực thuộc (%(list)s); "
                    "hãy điều chuyển, sáp nhập hoặc "
                    "giải thể các tổ chức đó trước."
                )
                % {
                    "name": self.unit.name,
                    "n": len(children),
                    "list": ", ".join(c.name for c in children[:5]),
                }
            )
        return errors

    def preview(self) -> list[str]:
        return [
            _("Giải thể %(name)s từ %(d)s; hồ sơ và lịch sử vẫn được lưu.")
            % {"name": self.unit.name, "d": _d(self.date)}
        ]

    def touched_units(self) -> list[Unit]:
        return [self.unit]

    def _apply(self, event: RestructureEvent) -> None:
        _end(self.unit, self.date)
        RestructureEffect.objects.create(
            event=event, unit=self.unit, role=Role.ENDED, description=self.preview()[0]
        )


class MergeUnits(RestructureAction):
    """n sources → 1 target. The target is either one of the sources, which continues (the
    others are absorbed), or a new unit described by `new_spec` under `new_parent`. Live
    children of the absorbed units move under the target; the absorbed units end; lineage
    records source → target so the target's holders keep seeing the sources' history."""

    kind = RestructureKind.MERGE

    def __init__(
        self,
        decision: Decision,
        *,
        sources: Iterable[Unit],
        into: Unit | None = None,
        new_spec: UnitSpec | None = None,
        new_parent: Unit | None = None,
        repoint_grants: bool = True,
    ):
        super().__init__(decision)
        self.repoint = repoint_grants
        self.sources = list(sources)
        self.into = into
        self.new_spec, self.new_parent = new_spec, new_parent
        self.target: Unit | None = into

    @property
    def absorbed(self) -> list[Unit]:
        return [s for s in self.sources if self.into is None or s.pk != self.into.pk]

    def check(self) -> list[str]:
        errors: list[str] = []
        ids = {s.pk for s in self.sources}
        if len(ids | ({self.into.pk} if self.into else set())) < 2:
            errors.append(_("Cần ít nhất hai tổ chức để hợp nhất."))
        if (self.into is None) == (self.new_spec is None):
            errors.append(_("Chọn tổ chức tiếp nhận hoặc mô tả tổ chức mới (chỉ một trong hai)."))
            return errors
        for s in self.sources + ([self.into] if self.into else []):
            _check_date(s, self.date, errors)
        for a in self.sources:
            for b in self.sources:
                if a.pk != b.pk and b.path.startswith(a.path):
                    errors.append(
                        _("%(b)s là tổ chức cấp dưới của %(a)s.") % {"a": a.name, "b": b.name}
                    )
        if self.new_spec is not None:
            if not self.new_spec.name.strip():
                errors.append(_("Tên tổ chức mới không được để trống."))
            _check_parent(self.new_spec.kind, self.new_parent, errors)
            if self.new_parent is not None and any(
                self.new_parent.path.startswith(s.path) for s in self.sources
            ):
                errors.append(
                    _(
                        "Tổ chức cấp trên của tổ chức mới không được nằm trong các tổ chức "
                        "bị hợp nhất."
                    )
                )
        target_kind = self.into.kind if self.into else (self.new_spec.kind if self.new_spec else "")
        for s in self.absorbed:
            for child in live_children(s):
                if target_kind not in ALLOWED_PARENTS[child.kind]:
                    errors.append(
                        _("%(child)s (%(ckind)s) không thể trực thuộc %(kind)s.")
                        % {
                            "child": child.name,
                            "ckind": kind_label(child.kind),
                            "kind": kind_label(target_kind),
                        }
                    )
        return errors

    def preview(self) -> list[str]:
        if self.into is not None:
            target_name = self.into.name
            lines = [
                _("Sáp nhập %(src)s vào %(t)s từ %(d)s.")
                % {
                    "src": ", ".join(s.name for s in self.absorbed),
                    "t": target_name,
                    "d": _d(self.date),
                }
            ]
        else:
            target_name = self.new_spec.name
            lines = [
                _("Hợp nhất %(src)s thành %(kind)s “%(t)s” trực thuộc %(p)s từ %(d)s.")
                % {
                    "src": ", ".join(s.name for s in self.sources),
                    "t": target_name,
                    "kind": kind_label(self.new_spec.kind),
                    "p": self.new_parent.name if self.new_parent else "—",
                    "d": _d(self.date),
                }
            ]
        for s in self.absorbed:
            children = live_children(s)
            if children:
                lines.append(
                    _("%(n)d tổ chức trực thuộc %(s)s chuyển về %(t)s: %(list)s.")
                    % {
                        "n": len(children),
                        "s": s.name,
                        "t": target_name,
                        "list": ", ".join(c.name for c in children),
                    }
                )
        lines.append(
            _("%(src)s chấm dứt hoạt động; lịch sử được kế thừa bởi %(t)s.")
            % {"src": ", ".join(s.name for s in self.absorbed), "t": target_name}
        )
        return lines

    def touched_units(self) -> list[Unit]:
        units = list(self.sources)
        if self.into is not None and all(s.pk != self.into.pk for s in units):
            units.insert(0, self.into)
        if self.new_parent is not None:
            units.append(self.new_parent)
        return units

    def primary_unit(self) -> Unit | None:
        return self.target

    def _apply(self, event: RestructureEvent) -> None:
        if self.into is None:
            self.target = _create(self.new_spec, self.new_parent, self.date, event)
            RestructureEffect.objects.create(
                event=event,
                unit=self.target,
                role=Role.TARGET,
                description=_("Thành lập do hợp nhất %(src)s.")
                % {"src": ", ".join(s.name for s in self.sources)},
            )
        else:
            RestructureEffect.objects.create(
                event=event,
                unit=self.into,
                role=Role.TARGET,
                description=_("Tiếp nhận %(src)s.")
                % {"src": ", ".join(s.name for s in self.absorbed)},
            )
        for s in self.absorbed:
            for child in live_children(s):
                _move(child, self.target, self.date)
                RestructureEffect.objects.create(
                    event=event,
                    unit=child,
                    role=Role.MOVED,
                    description=_("Chuyển từ %(s)s về %(t)s.")
                    % {"s": s.name, "t": self.target.name},
                )
            unit_absorbed.send(sender=Unit, source=s, target=self.target, on=self.date)
            _end(s, self.date)
            Lineage.objects.create(
                event=event, predecessor=s, successor=self.target, date=self.date
            )
            if self.repoint:
                from chibo.accounts.services import repoint_grants

                repoint_grants(actor=self.actor, predecessor=s, successor=self.target, on=self.date)
            RestructureEffect.objects.create(
                event=event,
                unit=s,
                role=Role.SOURCE,
                description=_("Hợp nhất vào %(t)s.") % {"t": self.target.name},
            )


@dataclass
class SplitPart:
    spec: UnitSpec
    parent: Unit
    children: list[Unit] = field(default_factory=list)


class SplitUnit(RestructureAction):
    """1 source → n new units; each live child of the source goes to exactly one part."""

    kind = RestructureKind.SPLIT

    def __init__(self, decision: Decision, *, source: Unit, parts: list[SplitPart]):
        super().__init__(decision)
        self.source, self.parts = source, parts
        self.created: list[Unit] = []

    def check(self) -> list[str]:
        errors: list[str] = []
        _check_date(self.source, self.date, errors)
        if len(self.parts) < 2:
            errors.append(_("Chia tách cần ít nhất hai tổ chức mới."))
        assigned = [c.pk for p in self.parts for c in p.children]
        live = {c.pk: c for c in live_children(self.source)}
        if len(assigned) != len(set(assigned)):
            errors.append(_("Một tổ chức trực thuộc được giao cho hai tổ chức mới."))
        missing = set(live) - set(assigned)
        if missing:
            errors.append(
                _("Chưa giao các tổ chức trực thuộc: %(list)s.")
                % {"list": ", ".join(live[i].name for i in missing)}
            )
        if set(assigned) - set(live):
            errors.append(
                _("Có tổ chức được giao không trực thuộc %(s)s.") % {"s": self.source.name}
            )
        for p in self.parts:
            if not p.spec.name.strip():
                errors.append(_("Tên tổ chức mới không được để trống."))
            _check_parent(p.spec.kind, p.parent, errors)
            if p.parent.path.startswith(self.source.path):
                errors.append(_("Tổ chức mới không được trực thuộc tổ chức bị chia tách."))
            for c in p.children:
                if p.spec.kind not in ALLOWED_PARENTS[c.kind]:
                    errors.append(
                        _("%(child)s không thể trực thuộc %(kind)s.")
                        % {"child": c.name, "kind": kind_label(p.spec.kind)}
                    )
        return errors

    def preview(self) -> list[str]:
        lines = [
            _("Chia tách %(s)s thành %(list)s từ %(d)s.")
            % {
                "s": self.source.name,
                "list": ", ".join(f"“{p.spec.name}”" for p in self.parts),
                "d": _d(self.date),
            }
        ]
        for p in self.parts:
            if p.children:
                lines.append(
                    _("%(n)d tổ chức chuyển về “%(t)s”: %(list)s.")
                    % {
                        "n": len(p.children),
                        "t": p.spec.name,
                        "list": ", ".join(c.name for c in p.children),
                    }
                )
        lines.append(_("%(s)s chấm dứt hoạt động.") % {"s": self.source.name})
        return lines

    def touched_units(self) -> list[Unit]:
        return [self.source] + [p.parent for p in self.parts]

    def _apply(self, event: RestructureEvent) -> None:
        for p in self.parts:
            new = _create(p.spec, p.parent, self.date, event)
            self.created.append(new)
            RestructureEffect.objects.create(
                event=event,
                unit=new,
                role=Role.TARGET,
                description=_("Thành lập do chia tách %(s)s.") % {"s": self.source.name},
            )
            for c in p.children:
                _move(c, new, self.date)
                RestructureEffect.objects.create(
                    event=event,
                    unit=c,
                    role=Role.MOVED,
                    description=_("Chuyển từ %(s)s về %(t)s.")
                    % {"s": self.source.name, "t": new.name},
                )
            Lineage.objects.create(
                event=event, predecessor=self.source, successor=new, date=self.date
            )
        _end(self.source, self.date)
        RestructureEffect.objects.create(
            event=event,
            unit=self.source,
            role=Role.SOURCE,
            description=_("Chia tách thành %(list)s.")
            % {"list": ", ".join(u.name for u in self.created)},
        )


def create_unit(*, actor, parent: Unit | None, spec: UnitSpec, decision: Decision) -> Unit:
    action = CreateUnit(decision, parent=parent, spec=spec)
    action.execute(actor=actor)
    return action.created


@transaction.atomic
def add_term(
    *,
    actor,
    unit: Unit,
    label: str,
    start: dt.date,
    end: dt.date | None = None,
    congress_date: dt.date | None = None,
):
    """A committee term (nhiệm kỳ): document numbers and committee seats run per term."""
    from chibo.accounts.scope import can

    from .models import Term

    if actor is not None and not can(actor, "change", unit):
        raise PermissionDenied(_("Bạn không có quyền thay đổi tổ chức này."))
    if not label.strip():
        raise ValidationError({"label": _("Hãy ghi nhiệm kỳ, ví dụ 2025–2030.")})
    if end is not None and end <= start:
        raise ValidationError({"end": _("Ngày kết thúc phải sau ngày bắt đầu.")})
    overlapping = Term.objects.filter(unit=unit, start__lt=end or dt.date.max).exclude(
        end__isnull=False, end__lte=start
    )
    if overlapping.exists():
        raise ValidationError(
            _("Nhiệm kỳ này trùng thời gian với nhiệm kỳ %(t)s.") % {"t": overlapping.first().label}
        )
    term = Term.objects.create(
        unit=unit, label=label.strip(), start=start, end=end, congress_date=congress_date
    )
    record(
        actor=actor,
        action="org.term_add",
        obj=term,
        unit=unit,
        after={
            "label": term.label,
            "start": start.isoformat(),
            "end": end.isoformat() if end else None,
        },
    )
    return term
