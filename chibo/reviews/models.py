"""The annual review and rating (issue 12): duties and pledges, criteria sets, rounds, the
assessments of each step, the decided ratings with their explanation, the facts the caps read
that no other app records (state rating, conclusions, peer bodies), quota exceptions and
complaints. Rules live in `packs` (by regulation version); the engine in `engine`."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from chibo.core.scope import At, Either, Own, RestrictedQuerySet, Via

from .choices import (
    Finding,
    Level,
    NotRated,
    Outcome,
    PeerBody,
    PersonKind,
    RoundStatus,
    Source,
    Step,
)


def year_end(year: int) -> dt.date:
    return dt.date(year, 12, 31)


class Duty(models.Model):
    """A duty the cell assigns a member at the start of the year (phân công nhiệm vụ): the
    text, the area or households followed, a measurable target with a due date, and its outcome
    recorded through the year. The basis of the year's review (seed 000)."""

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="duties")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("năm"))
    text = models.CharField(_("nhiệm vụ"), max_length=500)
    area = models.CharField(_("địa bàn, hộ phụ trách"), max_length=255, blank=True)
    target = models.CharField(_("chỉ tiêu đo được"), max_length=255, blank=True)
    due_on = models.DateField(_("thời hạn"))
    assigned_on = models.DateField(_("ngày phân công"))
    outcome = models.CharField(_("kết quả"), max_length=10, choices=Outcome.choices, blank=True)
    outcome_on = models.DateField(_("ngày ghi kết quả"), null=True, blank=True)
    outcome_note = models.CharField(_("ghi chú kết quả"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()
    # The cell's on the day it was assigned; the member reads their own.
    scope = Either(At("unit_id", "assigned_on"), Own("member__user_id", only=frozenset({"view"})))

    class Meta:
        ordering = ["year", "due_on", "id"]
        indexes = [models.Index(fields=["member", "year"], name="rev_duty_member_year")]

    def __str__(self) -> str:
        return self.text


class Pledge(models.Model):
    """The level a member or an organization pledges to reach (đăng ký phấn đấu) and its
    commitment to self-improvement (cam kết tu dưỡng, rèn luyện)."""

    year = models.PositiveSmallIntegerField(_("năm"))
    member = models.ForeignKey(
        "members.Member", null=True, blank=True, on_delete=models.CASCADE, related_name="pledges"
    )
    # The member's cell that day, or the organization that pledges.
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    level = models.CharField(_("mức phấn đấu"), max_length=8, choices=Level.choices)
    text = models.TextField(_("cam kết tu dưỡng, rèn luyện"), blank=True)
    pledged_on = models.DateField(_("ngày đăng ký"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()
    scope = Either(At("unit_id", "pledged_on"), Own("member__user_id", only=frozenset({"view"})))

    class Meta:
        ordering = ["year", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "member"],
                condition=models.Q(member__isnull=False),
                name="rev_pledge_member_year",
            ),
            models.UniqueConstraint(
                fields=["year", "unit"],
                condition=models.Q(member__isnull=True),
                name="rev_pledge_unit_year",
            ),
        ]


class CriteriaSet(models.Model):
    """A detailed criteria set a province or commune committee builds from its version's common
    framework, for one type of organization or one kind of person, for a year; copied from last
    year's and edited. `groups` = [{code, name, max_points, criteria: [{code, text,
    max_points, quantitative}]}] (validated by `criteria.validate`)."""

    class Subject(models.TextChoices):
        ORG = "org", _("Tổ chức đảng")
        MEMBER = "member", _("Đảng viên")

    owner = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("năm"))
    pack = models.CharField(_("quy định"), max_length=16)
    subject = models.CharField(_("đối tượng"), max_length=8, choices=Subject.choices)
    # For organizations: a Biểu 5 grassroots type or a cell type (org.choices); blank = any.
    org_type = models.CharField(_("loại hình tổ chức"), max_length=32, blank=True)
    person_kind = models.CharField(
        _("loại đảng viên"), max_length=12, choices=PersonKind.choices, blank=True
    )
    name = models.CharField(_("tên bộ tiêu chí"), max_length=255)
    groups = models.JSONField(_("nhóm tiêu chí"), default=list)
    copied_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_on = models.DateField(_("ngày ban hành"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RestrictedQuerySet.as_manager()
    scope = At("owner_id", "created_on")
    scope_action = "meetings"  # criteria are public to those who are rated by them

    class Meta:
        ordering = ["-year", "subject", "org_type", "person_kind", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "year", "subject", "org_type", "person_kind"],
                name="rev_criteria_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.year})"

    @property
    def max_points(self) -> float:
        return sum(float(g.get("max_points", 0)) for g in self.groups)


class Round(models.Model):
    """A unit's review round for a year: its members (for a cell) and itself as a collective
    go from self-assessment to decision. The pack is the one in force that year."""

    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("năm"))
    pack = models.CharField(_("quy định"), max_length=16)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=RoundStatus.choices, default=RoundStatus.OPEN
    )
    opened_on = models.DateField(_("ngày mở"))
    closes_on = models.DateField(_("hạn hoàn thành"), null=True, blank=True)
    # The cell's review meeting (a meeting of the meetings module with the round's agenda).
    meeting = models.ForeignKey(
        "meetings.Meeting", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()
    scope = At("unit_id", "opened_on")

    class Meta:
        ordering = ["-year", "unit_id"]
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="rev_round_unit_year")]

    def __str__(self) -> str:
        return f"Đánh giá, xếp loại năm {self.year}"


class Assessment(models.Model):
    """One step's view of one subject (a member, or the unit itself when `member` is empty):
    the self-assessment (scores per criterion, a chosen level), the cell's proposal (with the
    vote on the rules' base) or the organization board's verification."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="assessments")
    member = models.ForeignKey(
        "members.Member", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    step = models.CharField(_("bước"), max_length=12, choices=Step.choices)
    person_kind = models.CharField(
        _("loại đảng viên"), max_length=12, choices=PersonKind.choices, blank=True
    )
    criteria_set = models.ForeignKey(
        CriteriaSet, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    scores = models.JSONField(_("điểm theo tiêu chí"), default=dict, blank=True)
    points = models.DecimalField(
        _("tổng điểm"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    level = models.CharField(_("mức"), max_length=8, choices=Level.choices, blank=True)
    comment = models.TextField(_("nhận xét"), blank=True)
    votes_for = models.PositiveSmallIntegerField(null=True, blank=True)
    votes_base = models.PositiveSmallIntegerField(null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RestrictedQuerySet.as_manager()
    scope = Either(Via("round"), Own("member__user_id", only=frozenset({"view", "meetings"})))

    class Meta:
        ordering = ["round_id", "member_id", "step"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "member", "step"],
                condition=models.Q(member__isnull=False),
                name="rev_assess_member_step",
            ),
            models.UniqueConstraint(
                fields=["round", "unit", "step"],
                condition=models.Q(member__isnull=True),
                name="rev_assess_unit_step",
            ),
        ]


class ReviewComment(models.Model):
    """A comment on a member's review at the cell's review meeting."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="comments")
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")
    by_name = models.CharField(_("người góp ý"), max_length=180)
    text = models.TextField(_("ý kiến"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()
    scope = Via("round")

    class Meta:
        ordering = ["created_at", "id"]


class QuotaException(models.Model):
    """The competent level's exception to the HTXS quota for a unit and year (number, date)."""

    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("năm"))
    subject = models.CharField(max_length=8, choices=CriteriaSet.Subject.choices)
    extra = models.PositiveSmallIntegerField(_("số HTXSNV được vượt"))
    decision_no = models.CharField(_("số văn bản"), max_length=80)
    decided_on = models.DateField(_("ngày văn bản"))
    issuer = models.CharField(_("cấp cho phép"), max_length=255)
    reason = models.CharField(_("lý do"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()
    scope = At("unit_id", "decided_on")

    class Meta:
        ordering = ["-year", "id"]


class Rating(models.Model):
    """A decided (or imported) rating of a member or an organization for a year, with the label
    written verbatim as its era had it, today's level it maps to, and the explanation stored
    with it. A re-rating keeps this row (`superseded_by`) and adds a new one with its reason."""

    year = models.PositiveSmallIntegerField(_("năm"))
    pack = models.CharField(_("quy định"), max_length=16)
    member = models.ForeignKey(
        "members.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="ratings"
    )
    # The member's cell that year, or the rated organization.
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    person_kind = models.CharField(max_length=12, choices=PersonKind.choices, blank=True)
    label_code = models.CharField(max_length=16, blank=True)
    label = models.CharField(_("mức (nguyên văn)"), max_length=120, blank=True)
    level = models.CharField(_("mức quy đổi"), max_length=8, choices=Level.choices, blank=True)
    # Candidates when the old label's mapping is ambiguous ("htxs htt"); empty otherwise.
    could_be = models.CharField(max_length=32, blank=True)
    not_rated = models.CharField(
        _("không xếp loại"), max_length=16, choices=NotRated.choices, blank=True
    )
    points = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    # What was proposed before the decision (the cell's or the board's), for the record.
    proposed_level = models.CharField(max_length=8, choices=Level.choices, blank=True)
    explanation = models.JSONField(default=dict, blank=True)
    decided_on = models.DateField(_("ngày quyết định"))
    decision_no = models.CharField(_("số quyết định"), max_length=80, blank=True)
    decided_by = models.ForeignKey(
        "org.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    issuer = models.CharField(_("cấp quyết định"), max_length=255, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.ROUND)
    round = models.ForeignKey(
        Round, null=True, blank=True, on_delete=models.PROTECT, related_name="ratings"
    )
    exception = models.ForeignKey(
        QuotaException, null=True, blank=True, on_delete=models.PROTECT, related_name="ratings"
    )
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    reason = models.TextField(_("lý do đánh giá lại"), blank=True)
    current = models.BooleanField(default=True)
    as_of = models.DateField(editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()
    # At the unit on the year's last day (the tree of that year); members read their own.
    scope = Either(At("unit_id", "as_of"), Own("member__user_id", only=frozenset({"view"})))

    class Meta:
        ordering = ["year", "unit_id", "member_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "member"],
                condition=models.Q(member__isnull=False, current=True),
                name="rev_rating_member_year",
            ),
            models.UniqueConstraint(
                fields=["year", "unit"],
                condition=models.Q(member__isnull=True, current=True),
                name="rev_rating_unit_year",
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "year"], name="rev_rating_unit_year_i"),
            models.Index(fields=["member", "year"], name="rev_rating_member_year_i"),
        ]

    def save(self, *args, **kwargs):
        self.as_of = year_end(self.year)
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return f"{self.year}: {self.label or self.get_not_rated_display()}"

    @property
    def subject(self) -> str:
        return "member" if self.member_id else "org"


class Complaint(models.Model):
    """A complaint against a decided rating; it opens a re-rating by the competent level."""

    rating = models.ForeignKey(Rating, on_delete=models.PROTECT, related_name="complaints")
    filed_on = models.DateField(_("ngày khiếu nại"))
    text = models.TextField(_("nội dung"))
    resolved_by = models.OneToOneField(
        Rating, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()
    scope = Via("rating")


class StateRating(models.Model):
    """A cadre's or civil servant's rating in the state system for a year, recorded on the
    member (a KHTNV there caps the party rating; the state HTXS share may not exceed the
    party's)."""

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("năm"))
    level = models.CharField(_("mức"), max_length=8, choices=Level.choices)
    agency = models.CharField(_("cơ quan đánh giá"), max_length=255, blank=True)
    recorded_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "year"], name="rev_state_member_year")
        ]


class Conclusion(models.Model):
    """A conclusion of the competent level that caps a rating: degradation, breaking the
    "must not", disunity (of a collective)."""

    member = models.ForeignKey(
        "members.Member", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kết luận"), max_length=16, choices=Finding.choices)
    concluded_on = models.DateField(_("ngày kết luận"))
    decision_no = models.CharField(_("số văn bản"), max_length=80)
    issuer = models.CharField(_("cấp kết luận"), max_length=255)

    objects = RestrictedQuerySet.as_manager()
    scope = At("unit_id", "concluded_on")


class PeerRating(models.Model):
    """The rating of a body at the same level (government, Front, a mass organization), rated
    before the party organization where recorded."""

    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("năm"))
    body = models.CharField(_("cơ quan"), max_length=12, choices=PeerBody.choices)
    name = models.CharField(_("tên"), max_length=255)
    level = models.CharField(_("mức"), max_length=8, choices=Level.choices)
    recorded_on = models.DateField()

    objects = RestrictedQuerySet.as_manager()
    scope = At("unit_id", "recorded_on")
