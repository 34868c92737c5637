"""Cell meetings (sinh hoạt chi bộ), first increment: the kinds, each cell's dated fixed
meeting day and the year's plan (issue 4, points 1–2). Preparation, holding, votes, documents
and the offline path come in the next increments."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class MeetingKind(models.TextChoices):
    REGULAR = "regular", _("Sinh hoạt chi bộ thường kỳ")
    THEMATIC = "thematic", _("Sinh hoạt chuyên đề")
    COMBINED = "combined", _("Sinh hoạt thường kỳ kết hợp chuyên đề")
    CELL_COMMITTEE = "cell_committee", _("Họp chi ủy")
    GRASSROOTS_COMMITTEE = "grassroots_committee", _("Họp đảng ủy cơ sở")
    GENERAL = "general", _("Hội nghị toàn đảng bộ cơ sở")
    BRIEFING = "briefing", _("Giao ban bí thư chi bộ")
    EXTRAORDINARY = "extraordinary", _("Sinh hoạt bất thường")


# Which kinds count as the month's regular meeting, and as the quarter's thematic one.
COUNTS_AS_REGULAR = frozenset({MeetingKind.REGULAR, MeetingKind.COMBINED})
COUNTS_AS_THEMATIC = frozenset({MeetingKind.THEMATIC, MeetingKind.COMBINED})


class MeetingDay(models.Model):
    """A unit's fixed meeting day of the month (seed 003: the 3rd), dated: the day in force on
    a date generates that month's regular meeting."""

    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")
    day = models.PositiveSmallIntegerField(_("ngày sinh hoạt cố định trong tháng"))
    valid_from = models.DateField(_("từ ngày"))
    valid_to = models.DateField(_("đến trước ngày"), null=True, blank=True)

    class Meta:
        ordering = ["unit_id", "-valid_from"]


class MeetingQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view") -> MeetingQuerySet:
        from chibo.accounts.scope import visible_unit_ids

        ids = visible_unit_ids(user, action)
        return self if ids is None else self.filter(unit_id__in=ids)


class Meeting(models.Model):
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="meetings")
    kind = models.CharField(_("loại"), max_length=24, choices=MeetingKind.choices)
    planned_on = models.DateField(_("ngày dự kiến"))
    held_on = models.DateField(_("ngày họp"), null=True, blank=True)
    topic = models.CharField(_("chủ đề"), max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["planned_on", "id"]
        indexes = [models.Index(fields=["unit", "planned_on"], name="meet_unit_planned")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.planned_on:%d/%m/%Y}"

    @property
    def date(self):
        return self.held_on or self.planned_on
