"""Cell meetings (sinh hoạt chi bộ): the kinds, each cell's dated fixed meeting day and the
year's plan; the preparation (agenda, draft resolution, documents, notices); the meeting as held
(attendance with the roster of the day, guests, times, speakers, votes, quality)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chibo.core.scope import At, Either, Period, RestrictedQuerySet, Via

from . import agenda


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


class Quality(models.TextChoices):
    """The meeting's quality self-assessment (HD 12-HD/BTCTW 2018 levels) [M]."""

    GOOD = "good", _("Tốt")
    FAIR = "fair", _("Khá")
    AVERAGE = "average", _("Trung bình")
    POOR = "poor", _("Kém")


class Meeting(models.Model):
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="meetings")
    kind = models.CharField(_("loại"), max_length=24, choices=MeetingKind.choices)
    planned_on = models.DateField(_("ngày dự kiến"))
    held_on = models.DateField(_("ngày họp"), null=True, blank=True)
    topic = models.CharField(_("chủ đề"), max_length=255, blank=True)
    # Preparation (HD 42).
    place = models.CharField(_("địa điểm"), max_length=255, blank=True)
    starts_at = models.TimeField(_("giờ họp"), null=True, blank=True)
    chair = models.ForeignKey(
        "members.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    clerk = models.ForeignKey(  # thư ký cuộc họp
        "members.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    agenda = models.JSONField(_("chương trình"), default=list, blank=True)
    draft_resolution = models.TextField(_("dự thảo nghị quyết"), blank=True)
    draft_posted_at = models.DateTimeField(null=True, blank=True)
    notices_sent_at = models.DateTimeField(null=True, blank=True)
    # As held.
    started_at = models.TimeField(_("giờ bắt đầu"), null=True, blank=True)
    ended_at = models.TimeField(_("giờ kết thúc"), null=True, blank=True)
    guests = models.TextField(_("khách mời"), blank=True)
    conclusion = models.TextField(_("kết luận của chủ trì"), blank=True)
    quality = models.CharField(
        _("tự đánh giá chất lượng"), max_length=8, choices=Quality.choices, blank=True
    )
    # Bumped by every change: the offline path sends the version it started from.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RestrictedQuerySet.as_manager()
    # In scope when its unit lay in scope on the day it was held (or is planned).
    scope = At("unit_id", Coalesce("held_on", "planned_on"))
    scope_action = "meetings"

    class Meta:
        ordering = ["planned_on", "id"]
        indexes = [models.Index(fields=["unit", "planned_on"], name="meet_unit_planned")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.planned_on:%d/%m/%Y}"

    @property
    def date(self):
        return self.held_on or self.planned_on

    @property
    def agenda_items(self) -> list[str]:
        """The agenda as the pages list it (numbered by the list, never twice)."""
        return agenda.items(self.agenda)


class MeetingDocument(models.Model):
    """A document for a meeting: material posted for the members before it (HD 42: at least
    a day before), or the scan/photo of the signed paper minutes afterwards."""

    class Kind(models.TextChoices):
        MATERIAL = "material", _("Tài liệu sinh hoạt")
        SCAN = "scan", _("Bản chụp biên bản giấy đã ký")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="documents")

    objects = RestrictedQuerySet.as_manager()
    scope = Via("meeting")  # in scope through its meeting
    scope_action = "meetings"
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.MATERIAL)
    title = models.CharField(_("tên tài liệu"), max_length=255)
    file = models.FileField(upload_to="meetings/%Y/")
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    posted_at = models.DateTimeField(default=timezone.now)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["posted_at", "id"]


class Notice(models.Model):
    """The notice of a meeting to one person: a member of the cell (in the app when they have
    an account, by e-mail when the account has an address, on paper otherwise) or the
    upper-level committee member who follows the cell."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="notices")
    member = models.ForeignKey(
        "members.Member", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="meeting_notices",
    )
    name = models.CharField(max_length=180)
    follower = models.BooleanField(default=False)
    in_app = models.BooleanField(default=False)
    email = models.EmailField(blank=True)
    paper = models.BooleanField(default=False)
    sent_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["follower", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "member"],
                condition=models.Q(member__isnull=False),
                name="meet_notice_member",
            ),
            models.UniqueConstraint(
                fields=["meeting", "user"],
                condition=models.Q(member__isnull=True),
                name="meet_notice_user",
            ),
        ]


class Attendance(models.Model):
    """One member's attendance, with their standing on the day (the roster is frozen when the
    attendance is first recorded, so later events never change who counted)."""

    class Status(models.TextChoices):
        PRESENT = "present", _("Có mặt")
        EXCUSED = "excused", _("Vắng có lý do")
        UNEXCUSED = "unexcused", _("Vắng không lý do")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")

    objects = RestrictedQuerySet.as_manager()
    scope = Via("meeting")  # in scope through its meeting
    scope_action = "meetings"
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, blank=True)
    reason = models.CharField(_("lý do vắng"), max_length=255, blank=True)
    official = models.BooleanField(default=True)
    exempt = models.BooleanField(default=False)
    suspended = models.BooleanField(default=False)
    away = models.BooleanField(default=False)  # attached temporarily to another cell
    guest_member = models.BooleanField(default=False)  # attached here temporarily

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="meet_att_member")
        ]


class Speech(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="speeches")

    objects = RestrictedQuerySet.as_manager()
    scope = Via("meeting")  # in scope through its meeting
    scope_action = "meetings"
    member = models.ForeignKey(
        "members.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(_("người phát biểu"), max_length=180)
    points = models.TextField(_("nội dung"))

    class Meta:
        ordering = ["id"]


class VoteKind(models.TextChoices):
    ORDINARY = "ordinary", _("Nghị quyết, kết luận thông thường")
    ADMISSION = "admission", _("Xét kết nạp đảng viên")
    RECOGNITION = "recognition", _("Xét công nhận đảng viên chính thức")


class Vote(models.Model):
    """A show-of-hands vote on one matter, with the rule of its kind in force on the day and
    the counted base frozen with it, so the page can say why it is or is not valid."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="votes")

    objects = RestrictedQuerySet.as_manager()
    scope = Via("meeting")  # in scope through its meeting
    scope_action = "meetings"
    kind = models.CharField(max_length=12, choices=VoteKind.choices)
    title = models.CharField(_("nội dung biểu quyết"), max_length=255)
    subject_member = models.ForeignKey(
        "members.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    subject_name = models.CharField(_("người được xét"), max_length=180, blank=True)
    attempt = models.PositiveSmallIntegerField(default=1)
    yes = models.PositiveIntegerField(_("tán thành"))
    no = models.PositiveIntegerField(_("không tán thành"), default=0)
    abstain = models.PositiveIntegerField(_("không biểu quyết"), default=0)
    base = models.PositiveIntegerField()
    required = models.PositiveIntegerField()
    rule = models.JSONField()
    passed = models.BooleanField()
    escalated = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]


class Paper(models.Model):
    """The meeting's minutes (biên bản) or resolution (nghị quyết) as a party document in the
    HD 36 layout: a draft edited in the browser, then issued with the next number of its type in
    the committee's term ("Số 05-NQ/CB") and locked. A correction is an addendum (a new paper
    that `corrects` the issued one), never an overwrite."""

    class Kind(models.TextChoices):
        MINUTES = "minutes", _("Biên bản")
        RESOLUTION = "resolution", _("Nghị quyết")

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="papers")

    objects = RestrictedQuerySet.as_manager()
    scope = Via("meeting")  # in scope through its meeting
    scope_action = "meetings"
    kind = models.CharField(max_length=10, choices=Kind.choices)
    issuer = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    summary = models.CharField(_("trích yếu"), max_length=255)
    body = models.TextField(_("nội dung"))
    recipients = models.TextField(_("nơi nhận"), blank=True)
    signers = models.JSONField(default=list)  # [[authority, position, name], …] when issued
    corrects = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="addenda"
    )
    # Set when issued: the numbering series (the committee term, else the year) and number.
    series = models.CharField(max_length=24, blank=True)
    number = models.PositiveIntegerField(null=True, blank=True)
    issued_on = models.DateField(null=True, blank=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["meeting_id", "kind", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "kind", "series", "number"],
                condition=models.Q(number__isnull=False),
                name="meet_paper_number",
            )
        ]

    @property
    def issued(self) -> bool:
        return self.number is not None


class AppliedWrite(models.Model):
    """A change sent from a device with its client-generated id: applied once; a repeat of the
    same id (the device did not hear the answer) gets the stored answer back."""

    client_id = models.UUIDField(unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=24)
    response = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)


class FollowUp(models.Model):
    """A dated assignment (phân công theo dõi): a committee member follows a cell or an
    organization with its cells, and owes it a number of meeting attendances a year."""

    class Role(models.TextChoices):
        UPPER = "upper", _("Cấp ủy viên cấp trên phụ trách")
        GRASSROOTS = "grassroots", _("Đảng ủy viên cơ sở phụ trách chi bộ")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="follow_ups"
    )
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("vai trò"), max_length=12, choices=Role.choices)
    valid_from = models.DateField(_("từ ngày"))
    valid_to = models.DateField(_("đến trước ngày"), null=True, blank=True)
    decision_no = models.CharField(_("số quyết định phân công"), max_length=80, blank=True)

    objects = RestrictedQuerySet.as_manager()
    # In scope while its unit lay in scope during the assignment.
    scope = Period("unit_id", "valid_from", "valid_to")
    scope_action = "meetings"

    class Meta:
        ordering = ["unit_id", "-valid_from"]


class Visit(models.Model):
    """A following committee member at one meeting, with their notes."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="visits")

    objects = RestrictedQuerySet.as_manager()
    scope = Via("meeting")  # in scope through its meeting
    scope_action = "meetings"
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("ghi chép"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], name="meet_visit_user")]


class RaisedMatter(models.Model):
    """An opinion or proposal raised at a meeting (ý kiến, kiến nghị), routed to the level
    competent to answer it and tracked until answered."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="matters")

    objects = RestrictedQuerySet.as_manager()
    # In scope through its meeting, and for the level it was routed to (which must answer it)
    # if that level lay in scope on the day it was raised.
    scope = Either(Via("meeting"), routed=At("routed_to_id", TruncDate("created_at")))
    scope_action = "meetings"
    text = models.TextField(_("nội dung"))
    raised_by = models.CharField(_("người nêu"), max_length=180, blank=True)
    routed_to = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    answer = models.TextField(_("trả lời"), blank=True)
    answered_on = models.DateField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["answered_on", "-id"]
