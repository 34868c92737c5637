"""The organization tree: the current tree (materialized path) plus its dated history.

Periods are half-open: a row is in force on day D when valid_from <= D < valid_to (valid_to
null = still in force). "Until 30/6/2025" is stored as valid_to = 2025-07-01, so consecutive
versions share a boundary and never overlap.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from chibo.core.fields import BinaryCharField
from chibo.core.scope import At, RestrictedQuerySet
from chibo.core.text import search_key

from .choices import AdminEra, CellType, GrassrootsType, RestructureKind, UnitKind


def in_force(d: dt.date, prefix: str = "") -> Q:
    """Q for rows in force on day d (half-open periods)."""
    return Q(**{f"{prefix}valid_from__lte": d}) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gt": d})
    )


class UnitQuerySet(MP_NodeQuerySet, RestrictedQuerySet):
    def alive(self, on: dt.date | None = None) -> UnitQuerySet:
        if on is None:
            return self.filter(valid_to__isnull=True)
        return self.filter(in_force(on))


class UnitManager(MP_NodeManager.from_queryset(UnitQuerySet)):
    def get_queryset(self) -> UnitQuerySet:
        # treebeard's manager builds its own queryset class; keep ours (restrict, alive).
        return UnitQuerySet(self.model, using=self._db).order_by("path")


class Unit(MP_Node):
    """A party organization. Its place in the *current* tree is the materialized path; what it
    was called, what kind it was and where it hung on any earlier date is in UnitVersion and
    UnitLink. The fields below copy the current version so current lists need no join."""

    steplen = 4  # 36**4 = 1.6M siblings per parent; depth <= 8 → paths of <= 32 chars
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    node_order_by: list[str] = []

    kind = models.CharField(_("loại tổ chức"), max_length=32, choices=UnitKind.choices)
    name = models.CharField(_("tên"), max_length=255)
    short_name = models.CharField(_("tên ngắn"), max_length=120, blank=True)
    code = models.CharField(_("mã"), max_length=40, blank=True, db_index=True)
    grassroots_type = models.CharField(
        _("loại hình cơ sở"), max_length=32, choices=GrassrootsType.choices, blank=True
    )
    cell_type = models.CharField(
        _("loại chi bộ"), max_length=32, choices=CellType.choices, blank=True
    )
    admin_era = models.CharField(max_length=8, choices=AdminEra.choices, blank=True)
    admin_code = models.CharField(_("mã đơn vị hành chính"), max_length=10, blank=True)
    search_key = BinaryCharField(max_length=255, db_index=True, editable=False)
    valid_from = models.DateField(_("từ ngày"))
    valid_to = models.DateField(_("đến trước ngày"), null=True, blank=True)
    # Denormalized ancestors-or-self (performance-floors: scope lists by column, not by join).
    province = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    commune = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    grassroots = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = UnitManager()
    # In scope when it lay under a root (at any time; `on`: on that day), by its ancestry.
    scope = At("pk")
    scope_action = "meetings"  # a unit's name, place and counts; its people need "view"

    class Meta:
        verbose_name = _("tổ chức đảng")
        verbose_name_plural = _("tổ chức đảng")
        indexes = [
            # LIKE 'prefix%' as an index range scan on PostgreSQL whatever the database collation.
            models.Index(
                fields=["path"], name="org_unit_path_like", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["province", "kind"], name="org_unit_province_kind"),
            models.Index(fields=["commune", "kind"], name="org_unit_commune_kind"),
        ]

    def lineage_paths(self) -> list[str]:
        """The paths of every unit above this one and of the unit itself, root first (the
        prefixes of its materialized path): "on this unit or above it" in one IN (…)."""
        return [self.path[:i] for i in range(self.steplen, len(self.path) + 1, self.steplen)]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.search_key = search_key(f"{self.name} {self.short_name} {self.code}")
        super().save(*args, **kwargs)

    @property
    def is_alive(self) -> bool:
        return self.valid_to is None

    def version_on(self, d: dt.date) -> UnitVersion | None:
        return self.versions.filter(in_force(d)).first()


class UnitVersion(models.Model):
    """What a unit was on a date: kind, names, code, type and administrative link."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="versions")
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
    kind = models.CharField(max_length=32, choices=UnitKind.choices)
    name = models.CharField(max_length=255)
    short_name = models.CharField(max_length=120, blank=True)
    code = models.CharField(max_length=40, blank=True)
    grassroots_type = models.CharField(max_length=32, choices=GrassrootsType.choices, blank=True)
    cell_type = models.CharField(max_length=32, choices=CellType.choices, blank=True)
    # (era, code) because vietnam-provinces reuses codes for other territories after 1/7/2025.
    admin_era = models.CharField(max_length=8, choices=AdminEra.choices, blank=True)
    admin_code = models.CharField(max_length=10, blank=True)
    search_key = BinaryCharField(max_length=255, db_index=True, editable=False)
    event = models.ForeignKey(
        "RestructureEvent", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["unit_id", "valid_from"]
        indexes = [models.Index(fields=["unit", "valid_from"], name="org_version_unit_from")]
        constraints = [
            models.UniqueConstraint(fields=["unit", "valid_from"], name="org_version_unique_start")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.valid_from}–{self.valid_to or '…'})"

    def save(self, *args, **kwargs):
        self.search_key = search_key(f"{self.name} {self.short_name} {self.code}")
        super().save(*args, **kwargs)

    VERSIONED_FIELDS = (
        "kind",
        "name",
        "short_name",
        "code",
        "grassroots_type",
        "cell_type",
        "admin_era",
        "admin_code",
    )


class UnitLink(models.Model):
    """Where a unit hung in the tree over time: its parent during [valid_from, valid_to)."""

    child = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="parent_links")
    parent = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="child_links")
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["parent", "valid_from"], name="org_link_parent_from"),
            models.Index(fields=["child", "valid_from"], name="org_link_child_from"),
        ]


class UnitAncestry(models.Model):
    """Temporal closure: `ancestor` was an ancestor-or-self of `unit` during the period.

    Why, beside the path: the scope gate must answer "did X ever lie under U (or under a
    predecessor of U)?" and "what were X's ancestors on 31/12/2018?" in one indexed query each,
    while the path only knows today's tree. Rows are written only by restructuring events
    (≈ depth rows per unit per move), never per member."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="ancestry")
    ancestor = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="descendancy")
    depth = models.PositiveSmallIntegerField()  # ancestor's depth in the tree of that period
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["ancestor", "unit"], name="org_anc_ancestor_unit"),
            models.Index(fields=["unit", "valid_from"], name="org_anc_unit_from"),
        ]


class RestructureEvent(models.Model):
    """A decision that changes the tree: create, rename, move, merge, split, dissolve, change
    of kind. Effects and lineage hang off it."""

    kind = models.CharField(_("loại"), max_length=16, choices=RestructureKind.choices)
    effective_date = models.DateField(_("ngày hiệu lực"))
    decision_no = models.CharField(_("số quyết định"), max_length=80, blank=True)
    issuer = models.CharField(_("cơ quan ban hành"), max_length=255, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    summary = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-effective_date", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.effective_date:%d/%m/%Y} {self.decision_no}"


class RestructureEffect(models.Model):
    """One unit touched by an event, with what changed, for the unit's history page."""

    class Role(models.TextChoices):
        SOURCE = "source", _("tổ chức nguồn")
        TARGET = "target", _("tổ chức kết quả")
        MOVED = "moved", _("được điều chuyển")
        CHANGED = "changed", _("được thay đổi")
        CREATED = "created", _("được thành lập")
        ENDED = "ended", _("chấm dứt hoạt động")

    event = models.ForeignKey(RestructureEvent, on_delete=models.CASCADE, related_name="effects")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="effects")
    role = models.CharField(max_length=16, choices=Role.choices)
    description = models.CharField(max_length=500)


class Lineage(models.Model):
    """Predecessor → successor through a merge or split (or an absorption)."""

    event = models.ForeignKey(RestructureEvent, on_delete=models.CASCADE, related_name="lineage")
    predecessor = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="successor_links")
    successor = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="predecessor_links")
    date = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="org_lineage_pair")
        ]


class Term(models.Model):
    """A committee term (nhiệm kỳ): document numbers and committee seats run per term."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="terms")
    label = models.CharField(_("nhiệm kỳ"), max_length=40)  # "2020–2025"
    congress_date = models.DateField(_("ngày đại hội"), null=True, blank=True)
    start = models.DateField(_("bắt đầu"))
    end = models.DateField(_("kết thúc"), null=True, blank=True)

    class Meta:
        ordering = ["unit_id", "-start"]

    def __str__(self) -> str:
        return f"{self.unit} — {self.label}"


class Parameter(models.Model):
    """A dated rule parameter (ARCHITECTURE invariant 4: unconfirmed rules are parameters).
    Defaults live in chibo.core.params; a row here overrides them for its period, for everyone
    or for a unit's subtree. It lives in org because of that unit (core knows no domain model);
    org answers core's `params.get` through the source it registers (`org.params`). The table
    kept its name when the model moved from core (migrations core 0003, org 0002)."""

    key = models.CharField(_("tham số"), max_length=64)
    value = models.JSONField(_("giá trị"))
    valid_from = models.DateField(_("từ ngày"))
    valid_to = models.DateField(_("đến trước ngày"), null=True, blank=True)
    source = models.CharField(_("căn cứ"), max_length=255, blank=True)
    # A committee's own value for a unit and its subtree (e.g. a shorter minimum meeting length
    # for a very small cell, HD 42); empty = everyone.
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        db_table = "core_parameter"
        ordering = ["key", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["key", "valid_from"],
                condition=models.Q(unit__isnull=True),
                name="core_param_key_from",
            ),
            models.UniqueConstraint(
                fields=["key", "unit", "valid_from"],
                condition=models.Q(unit__isnull=False),
                name="core_param_key_unit_from",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key}={self.value} ({self.valid_from})"
