"""The annual review's vocabulary (domain-rules §1.1, §1.6; domain-rules-2 §6)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    """Today's four levels (identical for members and collectives since 2018)."""

    EXCELLENT = "htxs", _("Hoàn thành xuất sắc nhiệm vụ")
    GOOD = "htt", _("Hoàn thành tốt nhiệm vụ")
    DONE = "ht", _("Hoàn thành nhiệm vụ")
    FAILED = "khtnv", _("Không hoàn thành nhiệm vụ")


# Higher is better; "at least HTNV" is rank >= RANK[DONE].
RANK = {Level.FAILED: 0, Level.DONE: 1, Level.GOOD: 2, Level.EXCELLENT: 3}
SHORT = {Level.EXCELLENT: "HTXSNV", Level.GOOD: "HTTNV", Level.DONE: "HTNV", Level.FAILED: "KHTNV"}


def at_least(level: str, floor: str) -> bool:
    return level in RANK and RANK[level] >= RANK[floor]


class Outcome(models.TextChoices):
    """What became of a duty or target assigned at the start of the year."""

    DONE = "done", _("Hoàn thành")
    LATE = "late", _("Hoàn thành chậm")
    EXCEEDED = "exceeded", _("Vượt mức")
    NOT_DONE = "not_done", _("Không hoàn thành")


class NotRated(models.TextChoices):
    """Why someone required to be rated has no level this year (Biểu 6F rows 3.1, 3.2)."""

    EXEMPT = "exempt", _("Miễn công tác và sinh hoạt đảng")
    SUSPENDED = "suspended", _("Đình chỉ sinh hoạt đảng")
    NEW_MEMBER = "new_member", _("Kết nạp chưa đủ 6 tháng")
    NEW_COLLECTIVE = "new_collective", _("Tổ chức mới thành lập")
    OTHER = "other", _("Lý do khác đã ghi nhận")


class PersonKind(models.TextChoices):
    """Which individual form applies (Mẫu 2A/2B/2C split [M])."""

    MEMBER = "member", _("Đảng viên không giữ chức vụ")
    LEADER = "leader", _("Đảng viên giữ chức vụ lãnh đạo, quản lý")
    COMMITTEE = "committee", _("Cấp ủy viên")


class Step(models.TextChoices):
    """Where an assessment stands in the round."""

    SELF = "self", _("Tự đánh giá")
    PROPOSAL = "proposal", _("Chi bộ đề xuất")
    VERIFICATION = "verification", _("Thẩm định")


class RoundStatus(models.TextChoices):
    OPEN = "open", _("Đang tự đánh giá")
    REVIEWING = "reviewing", _("Chi bộ đang kiểm điểm")
    DECIDING = "deciding", _("Chờ cấp có thẩm quyền quyết định")
    DECIDED = "decided", _("Đã quyết định")


class Source(models.TextChoices):
    ROUND = "round", _("Đợt đánh giá")
    IMPORT = "import", _("Nhập số liệu cũ")
    REVISION = "revision", _("Đánh giá lại")


class PeerBody(models.TextChoices):
    """Bodies at the same level rated before the party organization (where recorded)."""

    GOVERNMENT = "government", _("Chính quyền")
    FRONT = "front", _("Mặt trận Tổ quốc")
    MASS = "mass", _("Đoàn thể chính trị - xã hội")
    UNIT = "unit", _("Cơ quan, đơn vị (chuyên môn)")


class Finding(models.TextChoices):
    """A conclusion of the competent level that caps a rating (domain-rules §1.4)."""

    DEGRADATION = "degradation", _("Suy thoái, tự diễn biến, tự chuyển hóa")
    MUST_NOT = "must_not", _("Vi phạm những điều đảng viên không được làm")
    NOT_EXEMPLARY = "not_exemplary", _("Không thực hiện trách nhiệm nêu gương")
    DISUNITY = "disunity", _("Mất đoàn kết nội bộ")
