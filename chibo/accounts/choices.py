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
# administers accounts; "audit" reads the audit log; "members" records member facts (record,
# events, transfers, seats); "sensitive" reads the sensitive personal data of members (ethnicity,
# religion, identity number, health reasons: Personal Data Protection Law 2025), masked for others.
ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset({"view", "change", "audit", "accounts", "members", "sensitive"}),
    Role.OFFICIAL: frozenset({"view", "change", "audit", "accounts", "members", "sensitive"}),
    Role.VIEWER: frozenset({"view", "audit"}),
    Role.INSPECTION: frozenset({"view", "audit", "sensitive"}),
    Role.SECRETARY: frozenset({"view", "members", "sensitive"}),
    Role.FOLLOWER: frozenset({"view"}),
    Role.MEMBER: frozenset({"view"}),
}
