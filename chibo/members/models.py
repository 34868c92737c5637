"""The member registry: the record, dated placements, lifecycle events (the source of the
stage, activity and end of membership), transfers, committee seats and quarterly
reconciliations. The shape extends the data-model sketch's (see docs/decisions.md §8, §11, §12)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chibo.core.fields import BinaryCharField
from chibo.core.jobs import Job
from chibo.core.scope import At, Either, Own, Period, Related, RestrictedQuerySet
from chibo.core.text import search_key, sort_key
from chibo.org.choices import AdminEra

from . import choices as c
from .lifecycle import Activity, Ended, EventKind, Stage


def given_key(family: str, middle: str, given: str) -> str:
    return search_key(" ".join(p for p in (given, family, middle) if p))


class Gender(models.TextChoices):
    MALE = "m", _("Nam")
    FEMALE = "f", _("Nữ")


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
    # The day the stored activity ends by itself (an exemption's term, a suspension's end):
    # from then on the member reads as active without any job rewriting the row (from_db and
    # selectors.activity_is), so the stored state never differs from the derived one.
    activity_until = models.DateField(null=True, blank=True, editable=False)
    # The record committees keep (1-HSĐV, 2-HSĐV, 7-HSĐV) and what Biểu 2/3 count.
    birth_name = models.CharField(_("họ tên khai sinh"), max_length=180, blank=True)
    aliases = models.CharField(_("bí danh, tên gọi khác"), max_length=180, blank=True)
    place_of_birth = models.CharField(_("nơi sinh"), max_length=255, blank=True)
    # Places as written in the file (old names stay as they were) and, when known, linked to the
    # administrative unit as (era, code) so the new name can be shown beside the old.
    hometown = models.CharField(_("quê quán"), max_length=255, blank=True)
    hometown_era = models.CharField(max_length=8, choices=AdminEra.choices, blank=True)
    hometown_code = models.CharField(max_length=10, blank=True)
    residence = models.CharField(_("nơi cư trú"), max_length=255, blank=True)
    residence_era = models.CharField(max_length=8, choices=AdminEra.choices, blank=True)
    residence_code = models.CharField(max_length=10, blank=True)
    ethnicity = models.CharField(_("dân tộc"), max_length=2, choices=c.ETHNICITIES, blank=True)
    religion = models.CharField(
        _("tôn giáo"), max_length=16, choices=c.Religion.choices, blank=True
    )
    identity_type = models.CharField(
        _("loại giấy tờ"), max_length=4, choices=c.IdentityType.choices, blank=True
    )
    identity_no = models.CharField(_("số định danh"), max_length=12, blank=True)
    education_system = models.PositiveSmallIntegerField(
        _("hệ phổ thông"), choices=c.EducationSystem.choices, null=True, blank=True
    )
    education_grade = models.PositiveSmallIntegerField(_("lớp đã học xong"), null=True, blank=True)
    qualification = models.CharField(
        _("chuyên môn nghiệp vụ"), max_length=16, choices=c.Qualification.choices, blank=True
    )
    qualification_field = models.CharField(_("ngành đào tạo"), max_length=120, blank=True)
    academic_title = models.CharField(
        _("học hàm"), max_length=4, choices=c.AcademicTitle.choices, blank=True
    )
    theory_level = models.CharField(
        _("lý luận chính trị"), max_length=16, choices=c.TheoryLevel.choices, blank=True
    )
    state_management = models.CharField(
        _("quản lý nhà nước"), max_length=16, choices=c.StateManagement.choices, blank=True
    )
    foreign_language = models.CharField(_("ngoại ngữ"), max_length=120, blank=True)
    occupation_before = models.CharField(
        _("nghề nghiệp khi vào Đảng"), max_length=24, choices=c.Occupation.choices, blank=True
    )
    occupation_now = models.CharField(
        _("nghề nghiệp hiện nay"), max_length=24, choices=c.Occupation.choices, blank=True
    )
    position = models.CharField(_("chức vụ"), max_length=255, blank=True)
    youth_union_at_admission = models.BooleanField(_("đoàn viên khi vào Đảng"), default=False)
    private_business_owner = models.BooleanField(_("chủ doanh nghiệp tư nhân"), default=False)
    married_to_foreigner = models.BooleanField(
        _("có quan hệ hôn nhân với người nước ngoài"), default=False
    )
    service_flag = models.CharField(
        _("bộ đội / công an / hưu trí"), max_length=8, choices=c.ServiceFlag.choices, blank=True
    )
    card_no = models.CharField(_("số thẻ đảng viên"), max_length=20, blank=True)
    biography_no = models.CharField(_("số lý lịch"), max_length=20, blank=True)
    photo = models.FileField(_("ảnh"), upload_to="photos/", blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="member",
    )
    search_key = BinaryCharField(max_length=200, db_index=True, editable=False)
    # The same name given-name first ("binh nguyen van"): people search by the given name too;
    # both keys are searched by prefix, an index range on either database.
    given_key = BinaryCharField(max_length=200, db_index=True, editable=False, default="")
    # Three 60-character parts can give a long ICU key; 2,600 still fits a btree index entry.
    sort_key = BinaryCharField(max_length=2600, editable=False)
    # Current home cell and its denormalized ancestors (performance-floors: lists by column).
    home_unit = models.ForeignKey("org.Unit", null=True, on_delete=models.PROTECT, related_name="+")
    province = models.ForeignKey("org.Unit", null=True, on_delete=models.PROTECT, related_name="+")
    commune = models.ForeignKey("org.Unit", null=True, on_delete=models.PROTECT, related_name="+")
    grassroots = models.ForeignKey(
        "org.Unit", null=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()
    # In scope through a placement whose period overlaps a period in which its cell lay in
    # scope (a member who left stays visible for the time they were there); and to the member
    # themself, to read (issue 11: a member's grant reads meetings, not their cell's records).
    scope = Either(
        Related("placements", Period("unit_id", "valid_from", "valid_to")),
        Own("user_id", only=frozenset({"view", "sensitive"})),
    )

    class Meta:
        indexes = [
            models.Index(fields=["province", "sort_key", "id"], name="mem_province_sort"),
            models.Index(fields=["commune", "sort_key", "id"], name="mem_commune_sort"),
            models.Index(fields=["home_unit", "stage"], name="mem_home_stage"),
            # The nation-wide list (system administrators) and name searches sorted by name.
            models.Index(fields=["sort_key", "id"], name="mem_sort"),
        ]
        constraints = [
            # Nullable in practice (elderly or deceased members may have none), unique when present.
            models.UniqueConstraint(
                fields=["identity_no"],
                condition=~models.Q(identity_no=""),
                name="mem_identity_unique",
            ),
            models.UniqueConstraint(
                fields=["card_no"], condition=~models.Q(card_no=""), name="mem_card_unique"
            ),
        ]

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.family_name, self.middle_name, self.given_name) if p)

    def __str__(self) -> str:
        return self.full_name

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs):
        m = super().from_db(db, field_names, values, **kwargs)
        until = m.__dict__.get("activity_until")
        if until is not None and until <= timezone.localdate():
            m.activity, m.activity_until = Activity.ACTIVE, None  # the term is over
        return m

    def save(self, *args, **kwargs):
        self.search_key = search_key(self.full_name)
        self.given_key = given_key(self.family_name, self.middle_name, self.given_name)
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
    # A cell may divide its members into party groups (tổ đảng, units under the cell).
    party_group = models.ForeignKey(
        "org.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
    transfer = models.ForeignKey(
        "Transfer", null=True, blank=True, on_delete=models.PROTECT, related_name="placements"
    )

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


class Transfer(models.Model):
    """A transfer of party activity (chuyển sinh hoạt đảng, domain-rules §3.4) and its letter.

    Official: the home placement ends on the departure date; the member reports to the receiving
    side within 30 days and is on its roll from the confirmed arrival. Temporary: a temporary
    placement at the host while the member stays on the home roll. Internal: inside one grassroots
    organization, immediate. Abroad: the member leaves for the party organization abroad."""

    class Kind(models.TextChoices):
        OFFICIAL = "official", _("Chuyển sinh hoạt đảng chính thức")
        TEMPORARY = "temporary", _("Chuyển sinh hoạt đảng tạm thời")
        INTERNAL = "internal", _("Chuyển sinh hoạt nội bộ")
        ABROAD = "abroad", _("Chuyển sinh hoạt đảng ra nước ngoài")

    class Reason(models.TextChoices):
        MOVE = "move", _("Chuyển công tác, nghỉ hưu, thôi việc, xuất ngũ hoặc chuyển nơi cư trú")
        RESIDENCE_WORK = "residence_work", _("Thay đổi nơi cư trú hoặc nơi làm việc")
        STUDY = "study", _("Đi học tập trung trong nước")
        OTHER = "other", _("Khác")

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="transfers")
    kind = models.CharField(_("loại"), max_length=16, choices=Kind.choices)
    reason = models.CharField(_("lý do"), max_length=16, choices=Reason.choices, blank=True)
    from_unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    # Null when the destination lies outside this system (another province, abroad).
    to_unit = models.ForeignKey(
        "org.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    destination = models.CharField(_("nơi đến"), max_length=255, blank=True)
    departed_on = models.DateField(_("ngày chuyển đi"))
    moved_on = models.DateField(_("ngày có quyết định hoặc chuyển nơi ở"))
    file_deadline = models.DateField(_("hạn làm thủ tục"), null=True, blank=True)
    report_deadline = models.DateField(_("hạn trình giấy giới thiệu"), null=True, blank=True)
    expected_return = models.DateField(_("dự kiến trở về"), null=True, blank=True)
    arrived_on = models.DateField(_("ngày đến"), null=True, blank=True)
    ended_on = models.DateField(_("ngày kết thúc"), null=True, blank=True)  # temporary: returned
    late_reason = models.CharField(_("lý do trình muộn"), max_length=255, blank=True)
    letter_no = models.PositiveIntegerField(_("số giấy giới thiệu"), null=True, blank=True)
    letter_year = models.PositiveSmallIntegerField(null=True, blank=True)
    issuer = models.ForeignKey(
        "org.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    fee_paid_until = models.DateField(_("đã đóng đảng phí hết tháng"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()
    # The sending side by where the member left from, on the day they left; the receiving side
    # by where they go, on arrival (today while awaited). restrict(user, via="receiving").
    scope = Either(
        sending=At("from_unit_id", "departed_on"),
        receiving=At("to_unit_id", lambda today: Coalesce("arrived_on", Value(today))),
    )

    class Meta:
        ordering = ["-departed_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "letter_year", "letter_no"], name="mem_transfer_letter_unique"
            )
        ]
        indexes = [
            models.Index(fields=["to_unit", "arrived_on"], name="mem_transfer_to"),
            models.Index(fields=["from_unit", "departed_on"], name="mem_transfer_from"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.member} {self.departed_on:%d/%m/%Y}"

    @property
    def awaiting_arrival(self) -> bool:
        return self.kind == self.Kind.OFFICIAL and self.to_unit_id and self.arrived_on is None


class Seat(models.Model):
    """A dated seat on a unit's committee in a term (ủy viên, bí thư…). A secretary's account
    grants follow the seat (services.assign_seat)."""

    class Role(models.TextChoices):
        SECRETARY = "secretary", _("Bí thư")
        DEPUTY_SECRETARY = "deputy_secretary", _("Phó Bí thư")
        STANDING = "standing", _("Ủy viên Ban Thường vụ")
        COMMITTEE = "committee", _("Cấp ủy viên")
        INSPECTION_CHAIR = "inspection_chair", _("Chủ nhiệm Ủy ban kiểm tra")
        INSPECTION = "inspection", _("Ủy viên Ủy ban kiểm tra")

    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="seats")
    term = models.ForeignKey(
        "org.Term", null=True, blank=True, on_delete=models.PROTECT, related_name="seats"
    )
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="seats")
    role = models.CharField(_("chức danh"), max_length=20, choices=Role.choices)
    valid_from = models.DateField(_("từ ngày"))
    valid_to = models.DateField(_("đến trước ngày"), null=True, blank=True)
    decision_no = models.CharField(_("số quyết định"), max_length=80, blank=True)

    class Meta:
        ordering = ["unit_id", "role", "-valid_from"]
        indexes = [models.Index(fields=["unit", "valid_from"], name="mem_seat_unit_from")]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.unit}: {self.member}"


class Reconciliation(models.Model):
    """A quarterly reconciliation of a unit's roll (đối chiếu sổ danh sách, every 3 months),
    submitted upward. Its figures are frozen when submitted: later (backdated) events never
    change them; they are flagged instead and the page shows the difference."""

    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    quarter = models.PositiveSmallIntegerField()
    figures = models.JSONField()
    submitted_at = models.DateTimeField(auto_now_add=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-year", "-quarter"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "quarter"], name="mem_recon_unique")
        ]

    def __str__(self) -> str:
        return f"Quý {self.quarter}/{self.year} — {self.unit}"


class CountDelta(models.Model):
    """One member's change to one cell's counts on one day (decisions §29, invariant 3 as
    refined there): +1 on the day a counted state starts in the cell, −1 on the day it ends,
    written by the services in the same transaction as the events and placements they follow,
    a term's end included. A cell's count on D is the sum of its rows up to D, a subtree's the
    sum over the cells under it on D; no job ever refreshes a count (aggregates.py)."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    # Indexed by the covering index below, which starts with it.
    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+", db_index=False)
    day = models.DateField()
    members = models.SmallIntegerField(default=0)
    official = models.SmallIntegerField(default=0)
    women = models.SmallIntegerField(default=0)
    exempt = models.SmallIntegerField(default=0)

    class Meta:
        # Covering, with the counts as trailing key columns (both databases; INCLUDE is
        # PostgreSQL's only): an index-only scan per cell of the subtree, a province's 320k
        # rows in about 0.16 s instead of a 1.1 s scan of the nation's table.
        indexes = [
            models.Index(
                fields=["unit", "day", "members", "official", "women", "exempt"],
                name="mem_delta_unit_day",
            )
        ]


class AdmissionDecision(models.Model):
    """A received admission decision whose ceremony has not been held yet: the ceremony is due
    within 30 working days of receipt (later only with the upper committee's consent). Holding
    the ceremony admits the person (admission.admit) and links the member here."""

    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    family_name = models.CharField(_("họ"), max_length=60)
    middle_name = models.CharField(_("tên đệm"), max_length=60, blank=True)
    given_name = models.CharField(_("tên"), max_length=60)
    gender = models.CharField(_("giới tính"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("ngày sinh"))
    considered_on = models.DateField(_("ngày chi bộ xét"))
    decision_no = models.CharField(_("số quyết định"), max_length=80)
    issuer = models.CharField(_("cơ quan ban hành"), max_length=255)
    decision_received_on = models.DateField(_("ngày nhận quyết định"))
    ceremony_deadline = models.DateField(_("hạn tổ chức lễ kết nạp"))
    decided_by_higher_committee = models.BooleanField(default=False)
    member = models.OneToOneField(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["ceremony_deadline", "id"]

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.family_name, self.middle_name, self.given_name) if p)

    def __str__(self) -> str:
        return f"{self.full_name} ({self.decision_no})"


class Departure(models.Model):
    """The member as the unit they left knew them on leaving (a transfer out of the cell, the
    end of the membership, or their cell leaving with a reorganization), frozen in the same
    transaction: that unit sees this, never the
    present record (ARCHITECTURE invariant 1). Fields the system could not know at the time
    (backfilled departures) are listed in `unknown` and shown as such."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="departures")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    left_on = models.DateField(_("ngày rời"))
    reason = models.CharField(max_length=16)  # transfer kind, or the ending event's kind
    transfer = models.ForeignKey(
        Transfer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    record = models.JSONField(default=dict)
    unknown = models.JSONField(default=list, blank=True)
    photo = models.FileField(upload_to="departures/", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["member_id", "left_on", "id"]
        indexes = [models.Index(fields=["member", "left_on"], name="mem_departure_member")]

    def __str__(self) -> str:
        return f"{self.member_id} {self.left_on:%d/%m/%Y}"


class ImportJob(Job):
    """A member roll import (members/imports): the uploaded file, what was read of it, the
    validated plan the review page shows, and the commit's result. Replaces the per-process
    cache: every server process and the worker see the same job (issue 11, part 4).

    uploaded (choose the columns) → validating → validated / invalid → committing →
    committed / failed; cancelled by the owner or by the 24-hour clean-up."""

    UPLOADED = "uploaded"
    VALIDATING = "validating"
    VALIDATED = "validated"
    INVALID = "invalid"
    COMMITTING = "committing"
    COMMITTED = "committed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    STATES = [
        (UPLOADED, _("Đã tải lên")),
        (VALIDATING, _("Đang kiểm tra")),
        (VALIDATED, _("Đã kiểm tra")),
        (INVALID, _("Có lỗi")),
        (COMMITTING, _("Đang ghi")),
        (COMMITTED, _("Đã ghi")),
        (FAILED, _("Không ghi được")),
        (CANCELLED, _("Đã huỷ")),
    ]
    RUNNING_STATES = (VALIDATING, COMMITTING)
    FINAL_STATES = (COMMITTED, FAILED, CANCELLED)

    token = models.CharField(max_length=32, unique=True)  # the page's address: not guessable
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    path = models.CharField(max_length=500)  # the uploaded file under MEDIA_ROOT/imports
    name = models.CharField(max_length=255)  # the file's name as uploaded
    file_deleted_at = models.DateTimeField(null=True, blank=True)
    # What was read of the sheet (Sheet): the header row, the rows skipped above it, the first
    # rows to choose another header row from, the number of rows, the columns chosen.
    header_row = models.PositiveIntegerField(default=1)
    headers = models.JSONField(default=list)
    skipped = models.JSONField(default=list)
    top = models.JSONField(default=list)
    rows = models.PositiveIntegerField(default=0)
    mapping = models.JSONField(default=dict)
    # The validation's Plan (validating.plan_to_json), kept until the commit or the clean-up.
    plan = models.JSONField(null=True, blank=True)
    decisions = models.JSONField(default=dict)  # row number → "same" | "new"
    summary = models.JSONField(null=True, blank=True)  # the commit's counts

    class Meta:
        indexes = [models.Index(fields=["state", "heartbeat_at"], name="importjob_running")]

    def __str__(self) -> str:
        return f"{self.name} ({self.state})"
