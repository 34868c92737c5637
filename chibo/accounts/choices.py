from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Quản trị hệ thống")
    OFFICIAL = "official", _("Cán bộ cấp ủy (xem và sửa)")
    VIEWER = "viewer", _("Cán bộ cấp ủy (chỉ xem)")
    INSPECTION = "inspection", _("Ủy ban kiểm tra")
    SECRETARY = "secretary", _("Bí thư chi bộ")
    FOLLOWER = "follower", _("Cấp ủy viên phụ trách")
    MEMBER = "member", _("Đảng viên")


# What each role may do on the units of its grant. "view" reads; "change" restructures and
# administers accounts; "audit" reads the audit log.
ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset({"view", "change", "audit", "accounts"}),
    Role.OFFICIAL: frozenset({"view", "change", "audit", "accounts"}),
    Role.VIEWER: frozenset({"view", "audit"}),
    Role.INSPECTION: frozenset({"view", "audit"}),
    Role.SECRETARY: frozenset({"view"}),
    Role.FOLLOWER: frozenset({"view"}),
    Role.MEMBER: frozenset({"view"}),
}
