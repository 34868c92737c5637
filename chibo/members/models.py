"""Members, as far as the organization tree needs them (counts and structural warnings).

The member registry issue extends this: lifecycle events become the source of the stage and
activity, and the record gains its many fields. The shape here is the one the data-model sketch
gives, so it is extended, not replaced."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from chibo.core.fields import BinaryCharField
from chibo.core.text import search_key, sort_key

from .lifecycle import Activity, Ended, EventKind, Stage


class Gender(models.TextChoices):
    MALE = "m", _("Nam")
    FEMALE = "f", _("Nữ")


class MemberQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view") -> MemberQuerySet:
        from chibo.accounts.scope import visible_unit_ids

        ids = visible_unit_ids(user, action)
        if ids is None:
            return self
        # A member is visible where any of their placements lay in scope (a member who left
        # stays visible to the unit for the period they were there).
        return self.filter(placements__unit_id__in=ids).distinct()


class Member(models.Model):
    family_name = models.CharField(_("họ"), max_length=60)
    middle_name = models.CharField(_("tên đệm"), max_length=60, blank=True)
    given_name = models.CharField(_("tên"), max_length=60)
    gender = models.CharField(_("giới tính"), max_length=1, choices=Gender.choices)
    birth_year = models.PositiveSmallIntegerField(_("năm sinh"))
    birth_date = models.DateField(_("ngày sinh"), null=True, blank=True)  # some old records lack it
    admitted_on = models.DateField(_("ngày vào Đảng"))
    recognized_on = models.DateField(_("ngày chính thức"), null=True, blank=True)
    # The state today, derived from the events and kept in step by the services.
    stage = models.CharField(_("giai đoạn"), max_length=16, choices=Stage.choices, blank=True)
    activity = models.CharField(_("sinh hoạt"), max_length=16, choices=Activity.choices, blank=True)
    ended = models.CharField(
        _("thôi là đảng viên"), max_length=16, choices=Ended.choices, blank=True
    )
    search_key = BinaryCharField(max_length=200, db_index=True, editable=False)
    # Three 60-character parts can give a long ICU key; 2,600 still fits a btree index entry.
    sort_key = BinaryCharField(max_length=2600, editable=False)
    # Current home cell and its denormalized ancestors (performance-floors: lists by column).
    home_unit = models.ForeignKey("org.Unit", null=True, on_delete=models.PROTECT, related_name="+")
    province = models.ForeignKey("org.Unit", null=True, on_delete=models.PROTECT, related_name="+")
    commune = models.ForeignKey("org.Unit", null=True, on_delete=models.PROTECT, related_name="+")
    grassroots = models.ForeignKey(
        "org.Unit", null=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = MemberQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["province", "sort_key", "id"], name="mem_province_sort"),
            models.Index(fields=["commune", "sort_key", "id"], name="mem_commune_sort"),
            models.Index(fields=["home_unit", "stage"], name="mem_home_stage"),
        ]

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.family_name, self.middle_name, self.given_name) if p)

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args, **kwargs):
        self.search_key = search_key(self.full_name)
        self.sort_key = sort_key(self.family_name, self.middle_name, self.given_name)
        super().save(*args, **kwargs)


class Placement(models.Model):
    """Where a member belongs during [valid_from, valid_to): the home cell, or a temporary one."""

    class Kind(models.TextChoices):
        HOME = "home", _("Sinh hoạt chính thức")
        TEMPORARY = "temporary", _("Sinh hoạt tạm thời")

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="placements")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="placements")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.HOME)
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["unit", "valid_from"], name="mem_place_unit_from")]


class MemberEvent(models.Model):
    """A dated fact of a membership: the source of truth for the member's state. Never
    deleted: a mistake is corrected by a correcting event (`corrects`), possibly a VOID."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("sự kiện"), max_length=16, choices=EventKind.choices)
    effective_date = models.DateField(_("ngày hiệu lực"))
    recorded_date = models.DateField(_("ngày ghi nhận"))
    decision_no = models.CharField(_("số quyết định"), max_length=80, blank=True)
    issuer = models.CharField(_("cơ quan ban hành"), max_length=255, blank=True)
    data = models.JSONField(default=dict, blank=True)
    corrects = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrected_by"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["member_id", "effective_date", "id"]
        indexes = [models.Index(fields=["member", "effective_date"], name="mem_event_member_date")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.effective_date:%d/%m/%Y}"
