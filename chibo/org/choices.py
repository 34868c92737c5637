"""Kinds and types of party units (glossary.md; domain-rules §3.6, §8; domain-rules-2 §1.2)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    CENTRAL = "central", _("Trung ương")
    PROVINCE = "province", _("Đảng bộ tỉnh/thành phố")
    DISTRICT = "district", _("Đảng bộ huyện/thị xã/thành phố thuộc tỉnh")  # before 1/7/2025
    COMMUNE = "commune", _("Đảng bộ xã/phường/đặc khu")  # under the province since 1/7/2025
    # Non-territorial superior organizations at province level.
    AGENCIES = "agencies", _("Đảng bộ các cơ quan Đảng tỉnh")
    GOVERNMENT = "government", _("Đảng bộ Ủy ban nhân dân tỉnh")
    MILITARY = "military", _("Đảng bộ Quân sự tỉnh")
    POLICE = "police", _("Đảng bộ Công an tỉnh")
    BORDER_GUARD = "border_guard", _("Đảng bộ Bộ đội Biên phòng tỉnh")
    BLOC = "bloc", _("Đảng bộ khối")  # the pre-2025 đảng bộ khối
    GRASSROOTS_COMMITTEE = "grassroots_committee", _("Đảng bộ cơ sở")
    GRASSROOTS_CELL = "grassroots_cell", _("Chi bộ cơ sở")
    PARTIAL_COMMITTEE = "partial_committee", _("Đảng bộ bộ phận")
    CELL = "cell", _("Chi bộ trực thuộc")
    PARTY_GROUP = "party_group", _("Tổ đảng")


SUPERIOR_KINDS = frozenset(
    {
        UnitKind.CENTRAL,
        UnitKind.PROVINCE,
        UnitKind.DISTRICT,
        UnitKind.COMMUNE,
        UnitKind.AGENCIES,
        UnitKind.GOVERNMENT,
        UnitKind.MILITARY,
        UnitKind.POLICE,
        UnitKind.BORDER_GUARD,
        UnitKind.BLOC,
    }
)
GRASSROOTS_KINDS = frozenset({UnitKind.GRASSROOTS_COMMITTEE, UnitKind.GRASSROOTS_CELL})
# Units whose members sit directly in them (a cell's roll): the leaves that hold members.
CELL_KINDS = frozenset({UnitKind.GRASSROOTS_CELL, UnitKind.CELL})

# Which kinds may sit under which. Kept permissive where practice varies between provinces
# (a commune đảng bộ since 2025 holds village cells directly and grassroots units of agencies).
ALLOWED_PARENTS: dict[str, frozenset[str]] = {
    UnitKind.CENTRAL: frozenset(),
    UnitKind.PROVINCE: frozenset({UnitKind.CENTRAL}),
    UnitKind.DISTRICT: frozenset({UnitKind.PROVINCE}),
    UnitKind.COMMUNE: frozenset({UnitKind.PROVINCE}),
    UnitKind.AGENCIES: frozenset({UnitKind.PROVINCE}),
    UnitKind.GOVERNMENT: frozenset({UnitKind.PROVINCE}),
    UnitKind.MILITARY: frozenset({UnitKind.PROVINCE}),
    UnitKind.POLICE: frozenset({UnitKind.PROVINCE}),
    UnitKind.BORDER_GUARD: frozenset({UnitKind.PROVINCE}),
    UnitKind.BLOC: frozenset({UnitKind.PROVINCE}),
    UnitKind.GRASSROOTS_COMMITTEE: SUPERIOR_KINDS - {UnitKind.CENTRAL},
    UnitKind.GRASSROOTS_CELL: SUPERIOR_KINDS - {UnitKind.CENTRAL},
    UnitKind.PARTIAL_COMMITTEE: frozenset({UnitKind.GRASSROOTS_COMMITTEE}),
    UnitKind.CELL: frozenset(
        {UnitKind.GRASSROOTS_COMMITTEE, UnitKind.PARTIAL_COMMITTEE, UnitKind.COMMUNE}
    ),
    UnitKind.PARTY_GROUP: frozenset(CELL_KINDS),
}


class GrassrootsType(models.TextChoices):
    """Biểu 5-BTCTW rows: the type of the place a grassroots unit is in."""

    COMMUNE = "commune", _("Xã")
    WARD = "ward", _("Phường")
    TOWNSHIP = "township", _("Thị trấn")  # obsolete since 1/7/2025
    SPECIAL_ZONE = "special_zone", _("Đặc khu")
    PARTY_MASS_BODY = "party_mass", _("Cơ quan Đảng, Mặt trận, đoàn thể")
    STATE_BODY = "state_body", _("Cơ quan nhà nước")
    PUBLIC_SERVICE = "public_service", _("Đơn vị sự nghiệp công lập")
    NONPUBLIC_SERVICE = "nonpublic_service", _("Đơn vị sự nghiệp ngoài công lập")
    ARMY = "army", _("Quân đội")
    POLICE = "police", _("Công an")
    SOE_100 = "soe_100", _("Doanh nghiệp nhà nước 100% vốn")
    SOE_MAJORITY = "soe_majority", _("Doanh nghiệp nhà nước nắm trên 50% vốn")
    SOE_MINORITY = "soe_minority", _("Doanh nghiệp nhà nước nắm dưới 50% vốn")
    JOINT_STOCK = "joint_stock", _("Công ty cổ phần ngoài nhà nước")
    PRIVATE = "private", _("Doanh nghiệp tư nhân")
    LLC = "llc", _("Công ty trách nhiệm hữu hạn")
    PARTNERSHIP = "partnership", _("Công ty hợp danh")
    FDI = "fdi", _("Doanh nghiệp có vốn đầu tư nước ngoài")
    COOPERATIVE = "cooperative", _("Hợp tác xã")
    ABROAD = "abroad", _("Ở nước ngoài")
    OTHER = "other", _("Khác")


class CellType(models.TextChoices):
    VILLAGE = "village", _("Thôn, bản, làng, ấp")
    RESIDENTIAL_GROUP = "residential_group", _("Tổ dân phố, khu phố")
    AGENCY = "agency", _("Cơ quan")
    SCHOOL = "school", _("Trường học")
    HEALTH = "health", _("Y tế")
    ENTERPRISE = "enterprise", _("Doanh nghiệp")
    ARMED = "armed", _("Quân sự, công an")
    RETIRED = "retired", _("Hưu trí")
    OTHER = "other", _("Khác")


class RestructureKind(models.TextChoices):
    CREATE = "create", _("Thành lập")
    RENAME = "rename", _("Đổi tên")
    MOVE = "move", _("Điều chuyển")
    MERGE = "merge", _("Hợp nhất, sáp nhập")
    SPLIT = "split", _("Chia tách")
    DISSOLVE = "dissolve", _("Giải thể")
    CHANGE_KIND = "change_kind", _("Thay đổi loại hình")


class AdminEra(models.TextChoices):
    PRE2025 = "pre2025", _("Trước 1/7/2025")
    POST2025 = "post2025", _("Từ 1/7/2025")
