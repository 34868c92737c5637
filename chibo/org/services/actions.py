"""Restructuring actions: check() lists what is wrong (Vietnamese, writes nothing), preview()
lists the effects, execute(actor=...) applies them in one transaction with the event, its
effects, the lineage and the audit row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chibo.audit.services import record
from chibo.core.actors import is_system
from chibo.core.scope import allowed, is_system_admin

from ..choices import ALLOWED_PARENTS, RestructureKind, UnitKind
from ..models import Lineage, RestructureEffect, RestructureEvent, Unit, UnitVersion
from .primitives import (
    Decision,
    Role,
    UnitSpec,
    _check_date,
    _check_parent,
    _create,
    _d,
    _end,
    _move,
    _new_version,
    _refresh_denormalized,
    decision_errors,
    kind_label,
    live_children,
    restructuring_previewed,
    unit_absorbed,
    unit_ended,
    unit_ending_checked,
)

VERSIONED = UnitVersion.VERSIONED_FIELDS


def _effect(event: RestructureEvent, unit: Unit, role: str, description: str) -> None:
    """One line of the unit's history page for this event."""
    RestructureEffect.objects.create(event=event, unit=unit, role=role, description=description)


class RestructureAction:
    """Base of the restructuring actions: check() lists what is wrong (Vietnamese, changes
    nothing), preview() lists the effects, execute(actor=...) applies them atomically."""

    kind: str = ""
    actor = None
    summary: list[str] = []

    def __init__(self, decision: Decision):
        self.decision = decision

    @property
    def date(self) -> dt.date:
        return self.decision.effective_date

    def check(self) -> list[str]:
        """Everything that stands in the way, in Vietnamese; writes nothing."""
        errors = decision_errors(self.decision)
        if errors and not isinstance(self.decision.effective_date, dt.date):
            return errors
        return list(dict.fromkeys(errors + self._check()))  # a shared parent is named once

    def _check(self) -> list[str]:
        raise NotImplementedError

    def preview(self) -> list[str]:
        """The effects, then what the other apps' records dated on or after the effective date
        will belong to, and whose grants move or end (from the receivers of
        restructuring_previewed: the tree app imports none of those apps)."""
        return self._preview() + self._consequences()

    def _preview(self) -> list[str]:
        raise NotImplementedError

    def _fates(self) -> dict:
        """moves [(unit, destination name)]: subtrees whose later records will lie under the
        destination; absorbed [(unit, successor name)]; ended [units ending with no successor]."""
        return {"moves": [], "absorbed": [], "ended": []}

    def _consequences(self) -> list[str]:
        fates = self._fates()
        if not any(fates.values()):
            return []
        later: dict[int, list[str]] = {}
        lines: list[str] = []
        for _receiver, answer in restructuring_previewed.send(sender=Unit, on=self.date, **fates):
            for pk, phrase in (answer or {}).get("later", {}).items():
                later.setdefault(pk, []).append(phrase)
            lines += (answer or {}).get("lines", [])
        out = []
        for unit, dest in fates["moves"]:
            if later.get(unit.pk):
                out.append(
                    _("%(what)s của %(unit)s từ ngày %(d)s trở đi sẽ thuộc về %(dest)s.")
                    % {
                        "what": _(" và ").join(later[unit.pk]),
                        "unit": unit.name,
                        "d": _d(self.date),
                        "dest": dest,
                    }
                )
        return out + lines

    def touched_units(self) -> list[Unit]:
        """Units the actor must be allowed to change (scope check)."""
        raise NotImplementedError

    def primary_unit(self) -> Unit | None:
        return (self.touched_units() or [None])[0]

    def _apply(self, event: RestructureEvent) -> None:
        raise NotImplementedError

    def _lock(self) -> None:
        """Lock the touched units' rows and read them again, so check() judges the tree as it
        is now and two restructurings of the same units run one after the other. FOR NO KEY
        UPDATE: member writes in these units at the same moment insert rows that point at
        them (count rows, placements, audit rows) and must not wait for this lock while it
        waits for their member's (a deadlock; members.locks)."""
        units = [u for u in self.touched_units() if u is not None and u.pk]
        fresh = {
            u.pk: u
            for u in Unit.objects.select_for_update(no_key=True)
            .filter(pk__in=[u.pk for u in units])
            .order_by("pk")
        }
        for u in units:
            f = fresh[u.pk]
            for name in ("path", "depth", "numchild", "valid_from", "valid_to", *VERSIONED):
                setattr(u, name, getattr(f, name))

    def execute(self, *, actor) -> RestructureEvent:
        self.actor = actor
        with transaction.atomic():
            self._lock()
            errors = self.check()
            if errors:
                raise ValidationError(errors)
            if not all(allowed(actor, "change", u) for u in self.touched_units()):
                raise PermissionDenied(_("Bạn không có quyền thay đổi các tổ chức này."))
            summary = self.summary = self.preview()  # before anything changes
            event = RestructureEvent.objects.create(
                kind=self.kind,
                effective_date=self.date,
                decision_no=self.decision.decision_no.strip(),
                issuer=self.decision.issuer.strip(),
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
                    "decision_no": event.decision_no,
                    "issuer": event.issuer,
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

    def _check(self) -> list[str]:
        errors: list[str] = []
        if not self.spec.name.strip():
            errors.append(_("Tên tổ chức không được để trống."))
        if self.spec.kind not in UnitKind.values:
            errors.append(_("Loại tổ chức không hợp lệ."))
            return errors
        _check_parent(self.spec.kind, self.parent, errors, self.date)
        if self.parent is not None and self.parent.is_alive and self.date < self.parent.valid_from:
            errors.append(_("Ngày thành lập không được trước ngày thành lập của tổ chức cấp trên."))
        return errors

    def _preview(self) -> list[str]:
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
        _effect(event, self.created, Role.CREATED, self.summary[0])

    def execute(self, *, actor) -> RestructureEvent:
        if self.parent is None and not is_system(actor):
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

    def _check(self) -> list[str]:
        errors: list[str] = []
        if not self.name:
            errors.append(_("Tên mới không được để trống."))
        _check_date(self.unit, self.date, errors)
        if self.name == self.unit.name and self.code in (None, self.unit.code):
            errors.append(_("Tên mới trùng tên hiện tại."))
        return errors

    def _preview(self) -> list[str]:
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
        _effect(event, self.unit, Role.CHANGED, self.summary[0])


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

    def _check(self) -> list[str]:
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

    def _preview(self) -> list[str]:
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
        _effect(event, self.unit, Role.CHANGED, self.summary[0])


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

    def _check(self) -> list[str]:
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
        _check_parent(kind, self.new_parent, errors, self.date)
        if self.new_parent.is_alive and self.date < self.new_parent.valid_from:
            errors.append(_("Tổ chức nhận chưa tồn tại vào ngày hiệu lực."))
        return errors

    def _preview(self) -> list[str]:
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

    def _fates(self) -> dict:
        return {"moves": [(self.unit, self.new_parent.name)], "absorbed": [], "ended": []}

    def _apply(self, event: RestructureEvent) -> None:
        changes = dict(self.changes)
        if self.new_kind and self.new_kind != self.unit.kind:
            changes["kind"] = self.new_kind
        if changes:
            _new_version(self.unit, self.date, event, **changes)
        _move(self.unit, self.new_parent, self.date)
        _effect(event, self.unit, Role.MOVED, self.summary[0])


class DissolveUnit(RestructureAction):
    kind = RestructureKind.DISSOLVE

    def __init__(self, decision: Decision, *, unit: Unit):
        super().__init__(decision)
        self.unit = unit

    def _check(self) -> list[str]:
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
        # Members still placed in it would belong to no organization any more.
        for _receiver, answer in unit_ending_checked.send(
            sender=Unit, unit=self.unit, on=self.date
        ):
            errors += list(answer or [])
        return errors

    def _preview(self) -> list[str]:
        return [
            _("Giải thể %(name)s từ %(d)s; hồ sơ và lịch sử vẫn được lưu.")
            % {"name": self.unit.name, "d": _d(self.date)}
        ]

    def touched_units(self) -> list[Unit]:
        return [self.unit]

    def _fates(self) -> dict:
        return {"moves": [], "absorbed": [], "ended": [self.unit]}

    def _apply(self, event: RestructureEvent) -> None:
        unit_ended.send(sender=Unit, unit=self.unit, on=self.date, actor=self.actor)
        _end(self.unit, self.date)
        _effect(event, self.unit, Role.ENDED, self.summary[0])


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
        self.sources = list({s.pk: s for s in sources}.values())  # each unit once
        self.into = into
        self.new_spec, self.new_parent = new_spec, new_parent
        self.target: Unit | None = into

    @property
    def absorbed(self) -> list[Unit]:
        return [s for s in self.sources if self.into is None or s.pk != self.into.pk]

    def _check(self) -> list[str]:
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
            _check_parent(self.new_spec.kind, self.new_parent, errors, self.date)
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

    def _preview(self) -> list[str]:
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

    def _fates(self) -> dict:
        name = self.into.name if self.into is not None else getattr(self.new_spec, "name", "")
        return {
            "moves": [(s, name) for s in self.absorbed],
            "absorbed": [(s, name) for s in self.absorbed] if self.repoint else [],
            "ended": [],
        }

    def _apply(self, event: RestructureEvent) -> None:
        if self.into is None:
            self.target = _create(self.new_spec, self.new_parent, self.date, event)
            _effect(
                event,
                self.target,
                Role.TARGET,
                _("Thành lập do hợp nhất %(src)s.")
                % {"src": ", ".join(s.name for s in self.sources)},
            )
        else:
            _effect(
                event,
                self.into,
                Role.TARGET,
                _("Tiếp nhận %(src)s.") % {"src": ", ".join(s.name for s in self.absorbed)},
            )
        for s in self.absorbed:
            for child in live_children(s):
                _move(child, self.target, self.date)
                _effect(
                    event,
                    child,
                    Role.MOVED,
                    _("Chuyển từ %(s)s về %(t)s.") % {"s": s.name, "t": self.target.name},
                )
            unit_absorbed.send(
                sender=Unit,
                source=s,
                target=self.target,
                on=self.date,
                actor=self.actor,
                repoint_grants=self.repoint,
            )
            _end(s, self.date)
            Lineage.objects.create(
                event=event, predecessor=s, successor=self.target, date=self.date
            )
            _effect(
                event,
                s,
                Role.SOURCE,
                _("Hợp nhất vào %(t)s.") % {"t": self.target.name},
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

    def _check(self) -> list[str]:
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
            _check_parent(p.spec.kind, p.parent, errors, self.date)
            if p.parent.path.startswith(self.source.path):
                errors.append(_("Tổ chức mới không được trực thuộc tổ chức bị chia tách."))
            for c in p.children:
                if p.spec.kind not in ALLOWED_PARENTS[c.kind]:
                    errors.append(
                        _("%(child)s không thể trực thuộc %(kind)s.")
                        % {"child": c.name, "kind": kind_label(p.spec.kind)}
                    )
        return errors

    def _preview(self) -> list[str]:
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

    def _fates(self) -> dict:
        moves = [(c, p.spec.name) for p in self.parts for c in p.children]
        return {"moves": moves, "absorbed": [], "ended": [self.source]}

    def _apply(self, event: RestructureEvent) -> None:
        for p in self.parts:
            new = _create(p.spec, p.parent, self.date, event)
            self.created.append(new)
            _effect(
                event,
                new,
                Role.TARGET,
                _("Thành lập do chia tách %(s)s.") % {"s": self.source.name},
            )
            for c in p.children:
                _move(c, new, self.date)
                _effect(
                    event,
                    c,
                    Role.MOVED,
                    _("Chuyển từ %(s)s về %(t)s.") % {"s": self.source.name, "t": new.name},
                )
            Lineage.objects.create(
                event=event, predecessor=self.source, successor=new, date=self.date
            )
        unit_ended.send(sender=Unit, unit=self.source, on=self.date, actor=self.actor)
        _end(self.source, self.date)
        _effect(
            event,
            self.source,
            Role.SOURCE,
            _("Chia tách thành %(list)s.") % {"list": ", ".join(u.name for u in self.created)},
        )
