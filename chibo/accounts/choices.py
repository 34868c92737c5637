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


# What each role may do on the units of its grant. "meetings" reads the life of a cell: its
# place in the tree, its counts, its meetings with their documents and attendance, follow-up
# (every role has it); "view" reads member records and accounts as well; "change" restructures and
# administers accounts; "audit" reads the audit log; "members" records member facts (record,
# events, transfers, seats); "sensitive" reads the sensitive personal data of members (ethnicity,
# religion, identity number, health reasons: Personal Data Protection Law 2025), masked for others.
# Least privilege (issue 11): a follower reads the meetings, attendance and counts of the cells
# they follow, never member records; a member reads their cell's meetings and their own record
# (the Member row's own account, see members.models.Member.scope); an ADMIN grant administers its
# own subtree only (a system administrator is a superuser).
STAFF = frozenset({"meetings", "view"})
ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.ADMIN: STAFF | {"change", "audit", "accounts", "members", "sensitive"},
    Role.OFFICIAL: STAFF | {"change", "audit", "accounts", "members", "sensitive"},
    Role.VIEWER: STAFF | {"audit"},
    Role.INSPECTION: STAFF | {"audit", "sensitive"},
    Role.SECRETARY: STAFF | {"members", "sensitive"},
    Role.FOLLOWER: frozenset({"meetings"}),
    Role.MEMBER: frozenset({"meetings"}),
}
