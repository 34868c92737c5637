"""Coded values of the member record: what 1-HSĐV/2-HSĐV/7-HSĐV keep and what the statistical
forms (Biểu 2, 3) break members down by (domain-rules §6.3, domain-rules-2 §1.3)."""

from __future__ import annotations

from functools import lru_cache

from django.db import models
from django.utils.translation import gettext_lazy as _

from chibo.core.text import search_key

# The 54 ethnic groups with the General Statistics Office codes (danh mục các dân tộc Việt
# Nam). Names are proper nouns and are not translated.
ETHNICITIES: list[tuple[str, str]] = [
    ("01", "Kinh"),
    ("02", "Tày"),
    ("03", "Thái"),
    ("04", "Hoa"),
    ("05", "Khơ Me"),
    ("06", "Mường"),
    ("07", "Nùng"),
    ("08", "Mông"),
    ("09", "Dao"),
    ("10", "Gia Rai"),
    ("11", "Ngái"),
    ("12", "Ê Đê"),
    ("13", "Ba Na"),
    ("14", "Xơ Đăng"),
    ("15", "Sán Chay"),
    ("16", "Cơ Ho"),
    ("17", "Chăm"),
    ("18", "Sán Dìu"),
    ("19", "Hrê"),
    ("20", "Mnông"),
    ("21", "Ra Glai"),
    ("22", "Xtiêng"),
    ("23", "Bru - Vân Kiều"),
    ("24", "Thổ"),
    ("25", "Giáy"),
    ("26", "Cơ Tu"),
    ("27", "Giẻ Triêng"),
    ("28", "Mạ"),
    ("29", "Khơ Mú"),
    ("30", "Co"),
    ("31", "Tà Ôi"),
    ("32", "Chơ Ro"),
    ("33", "Kháng"),
    ("34", "Xinh Mun"),
    ("35", "Hà Nhì"),
    ("36", "Chu Ru"),
    ("37", "Lào"),
    ("38", "La Chí"),
    ("39", "La Ha"),
    ("40", "Phù Lá"),
    ("41", "La Hủ"),
    ("42", "Lự"),
    ("43", "Lô Lô"),
    ("44", "Chứt"),
    ("45", "Mảng"),
    ("46", "Pà Thẻn"),
    ("47", "Cơ Lao"),
    ("48", "Cống"),
    ("49", "Bố Y"),
    ("50", "Si La"),
    ("51", "Pu Péo"),
    ("52", "Brâu"),
    ("53", "Ơ Đu"),
    ("54", "Rơ Măm"),
]
KINH = "01"
ETHNICITY_NAMES = dict(ETHNICITIES)

# The other spellings and names of each group that rolls use: the names of the General
# Statistics Office's list of ethnic groups (QĐ 121-TCTK/PPCĐ, 2/3/1979) and their "tên gọi
# khác", spellings with and without hyphens and apostrophes, and historical names ("Mèo" for
# Mông). An other name that list gives to more than one group is left out (Thổ, Hoa, Trại, Xá,
# Xá Khao, Xá Lá Vàng, Chil, Ca-tang, Lao, Miên…): a roll that writes one is asked which group.
# [M] drawn from the published list, not checked line by line against the decision's text.
_OTHER_NAMES: dict[str, tuple[str, ...]] = {
    "01": ("Việt",),
    "02": ("Ngạn", "Phén", "Thu Lao", "Pa Dí"),
    "03": ("Thái Đen", "Thái Trắng", "Tày Đăm", "Tày Khao", "Tày Mười", "Tày Thanh"),
    "04": ("Hán", "Triều Châu", "Phúc Kiến", "Quảng Đông", "Hải Nam"),
    "05": ("Khmer", "Khơ-me", "Khơme", "Khmer Krôm", "Khơ Me Krôm", "Việt gốc Miên"),
    "06": ("Mol", "Mual"),
    "07": ("Nùng An", "Nùng Cháo", "Nùng Lòi", "Phàn Sinh", "Xuồng"),
    "08": (
        "H'Mông",
        "H’Mông",
        "Hmông",
        "HMông",
        "H Mông",
        "Mèo",
        "Mẹo",
        "Mèo Trắng",
        "Mèo Đen",
        "Mèo Đỏ",
        "Mèo Xanh",
        "Mèo Hoa",
        "Ná Mẻo",
    ),
    "09": ("Mán", "Dao Đỏ", "Dao Tiền", "Dao Quần Chẹt", "Dao Quần Trắng", "Dao Thanh Y"),
    "10": ("Gia-rai", "Giarai", "Jrai", "Giơ Rai"),
    "11": ("Khách Gia",),
    "12": ("Ê-đê", "Êđê", "Ra-đê", "Rađê", "Rhađê", "Kpạ", "Bih", "Mđhur"),
    "13": ("Ba-na", "Bana", "Bahnar", "Rơ Ngao", "Giơ Lâng", "Tơ Lô"),
    "14": ("Xơ-đăng", "Sê Đăng", "Xơ Teng", "Tơ Đrá", "Mơ Nâm", "Ca Dong", "Hà Lăng"),
    "15": ("Cao Lan", "Sán Chỉ", "Cao Lan - Sán Chỉ", "Mán Cao Lan"),
    "16": ("Cơ-ho", "K'Ho", "Kơ Ho", "Koho", "Xrê", "Nốp", "Tu Lốp", "Cơ Don", "Lạch"),
    "17": ("Chàm", "Chiêm Thành", "Chăm Hroi", "Hroi"),
    "18": ("Sán Déo", "Trại Đất", "Mán Quần Cộc"),
    "19": ("H'rê", "Chăm Rê", "Chom"),
    "20": ("M'Nông", "Mơ Nông", "Pnông", "Bu Đâng", "Rơ Lam", "Gar", "Biat"),
    "21": ("Ra-glai", "Raglai", "Ra Clây", "Noang", "La Oang"),
    "22": ("X'Tiêng", "Stiêng", "Xa Điêng"),
    "23": ("Bru", "Vân Kiều", "Bru-Vân Kiều", "Măng Coong", "Tri", "Khùa"),
    "24": ("Kẹo", "Mọn", "Cuối", "Đan Lai", "Ly Hà", "Tày Poọng"),
    "25": ("Nhắng", "Dẩng", "Pầu Thìn", "Cùi Chu"),
    "26": ("Cơ-tu", "Ca-tu", "Ca Tu", "Katu"),
    "27": ("Gié Triêng", "Giẻ-Triêng", "Giẻ", "Triêng", "Ta Riêng", "Ve", "Veh", "La Ve"),
    "28": ("Châu Mạ", "Mạ Ngăn", "Mạ Xốp", "Mạ Tô", "Mạ Krung"),
    "29": ("Khơ-mú", "Khơmú", "Khmú", "Kho Mu", "Xá Cẩu", "Mứn Xen", "Pu Thênh", "Tềnh", "Tày Hạy"),
    "30": ("Cor", "Col", "Cùa", "Trầu"),
    "31": ("Tà-ôi", "Tôi Ôi", "Pa Cô", "Pa Kô", "Pa Hy", "Ba Hi"),
    "32": ("Chơ-ro", "Châu Ro", "Dơ Ro"),
    "33": ("Xá Súa", "Xá Dón", "Xá Dẩng", "Xá Hốc", "Xá Ái", "Xá Bung"),
    "34": ("Xinh-mun", "Puộc", "Pụa"),
    "35": ("U Ni", "Xá U Ni", "Hà Nhì Già"),
    "36": ("Chu-ru", "Chơ Ru"),
    "37": ("Lào Bốc", "Lào Nọi"),
    "38": ("La-chí", "Cù Tê", "La Quả"),
    "39": ("La-ha", "Khlá Phlạo"),
    "40": ("Bồ Khô Pạ", "Xá Phó", "Va Xơ"),
    "41": ("La-hủ", "Khù Xung", "Cò Xung", "Khả Quy"),
    "42": ("Lừ", "Nhuồn", "Duôn"),
    "43": ("Lô-lô", "Mun Di"),
    "44": ("Sách", "Mày", "Rục", "Mã Liềng", "A Rem"),
    "45": ("Mảng Ư", "Xá Mảng"),
    "46": ("Pà-thẻn", "Pà Hưng"),
    "47": ("Cờ Lao", "Gelao"),
    "48": ("Xắm Khống", "Mấng Nhé", "Xá Xeng"),
    "49": ("Bố-y", "Chủng Chá", "Trọng Gia", "Tu Dí"),
    "50": ("Si-la", "Cù Dề Xừ", "Khả Pẻ"),
    "51": ("Pu-péo", "Ka Pèo"),
    "52": ("Bơ Râu", "Brao"),
    "53": ("Ơ-đu", "Tày Hạt"),
    "54": ("Rơ-măm",),
}
# code → the official name first, then the other spellings.
ETHNICITY_SPELLINGS: dict[str, tuple[str, ...]] = {
    code: (name, *_OTHER_NAMES.get(code, ())) for code, name in ETHNICITIES
}


def _ethnic_key(text: str) -> str:
    # The search key without its spaces: the apostrophe (' ’ ʼ), the hyphen and the space that
    # rolls put in or leave out ("H'Mông", "H Mông", "Hmông"; "Khơ-mú", "Khơ Mú") are all gone.
    return search_key(text).replace(" ", "")


def _ethnicity_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for code, names in ETHNICITY_SPELLINGS.items():
        for key in (code, str(int(code)), *(_ethnic_key(n) for n in names)):
            if index.setdefault(key, code) != code:  # a spelling may name one group only
                raise ValueError(f"ethnic spelling {key!r} names groups {index[key]} and {code}")
    return index


_ETHNICITY_INDEX = _ethnicity_index()


@lru_cache(maxsize=4096)  # a roll repeats a few spellings thousands of times
def ethnicity_code(text: str) -> str | None:
    """The group's code (GSO) for a name as a roll writes it, in any case, NFC or NFD, with or
    without its apostrophes, hyphens and spaces ("H'Mông", "HMÔNG", "Mèo" → "08"), or its code
    ("08", "8"); None when no group has that name."""
    key = _ethnic_key(text or "")
    return _ETHNICITY_INDEX.get(key) if key else None


class Religion(models.TextChoices):
    NONE = "none", _("Không")
    BUDDHISM = "buddhism", _("Phật giáo")
    CATHOLIC = "catholic", _("Công giáo")
    PROTESTANT = "protestant", _("Tin lành")
    CAO_DAI = "cao_dai", _("Cao Đài")
    HOA_HAO = "hoa_hao", _("Phật giáo Hòa Hảo")
    ISLAM = "islam", _("Hồi giáo")
    OTHER = "other", _("Tôn giáo khác")


class IdentityType(models.TextChoices):
    CCCD = "cccd", _("Căn cước / CCCD (12 số)")
    CMND = "cmnd", _("CMND cũ (9 số)")
    NONE = "", _("Không có")


IDENTITY_LENGTH = {IdentityType.CCCD: 12, IdentityType.CMND: 9}


class EducationSystem(models.IntegerChoices):
    TWELVE = 12, _("Hệ 12 năm")
    TEN = 10, _("Hệ 10 năm (cũ)")


class EducationBand(models.TextChoices):
    """The bands of Biểu 2/3 (general education)."""

    LITERATE = "literate", _("Biết chữ")
    PRIMARY = "primary", _("Tiểu học")
    LOWER = "lower", _("Trung học cơ sở")
    UPPER = "upper", _("Trung học phổ thông")


def education_band(system: int | None, grade: int | None) -> str | None:
    """Grade completed in the 12-year system (1–5, 6–9, 10–12) or the old 10-year one (1–4,
    5–7, 8–10) → the form's band; grade 0 is "literate"; unknown stays unknown."""
    if grade is None or system is None:
        return None
    if grade == 0:
        return EducationBand.LITERATE
    primary, lower = (5, 9) if system == 12 else (4, 7)
    if grade <= primary:
        return EducationBand.PRIMARY
    if grade <= lower:
        return EducationBand.LOWER
    return EducationBand.UPPER


class Qualification(models.TextChoices):
    NONE = "", _("Chưa qua đào tạo")
    ELEMENTARY = "elementary", _("Sơ cấp, công nhân kỹ thuật")
    INTERMEDIATE = "intermediate", _("Trung cấp")
    COLLEGE = "college", _("Cao đẳng")
    UNIVERSITY = "university", _("Đại học")
    MASTER = "master", _("Thạc sĩ")
    DOCTOR = "doctor", _("Tiến sĩ")


class AcademicTitle(models.TextChoices):
    NONE = "", _("Không")
    ASSOCIATE_PROFESSOR = "pgs", _("Phó giáo sư")
    PROFESSOR = "gs", _("Giáo sư")


class TheoryLevel(models.TextChoices):
    NONE = "", _("Chưa qua đào tạo")
    ELEMENTARY = "elementary", _("Sơ cấp")
    INTERMEDIATE = "intermediate", _("Trung cấp")
    ADVANCED = "advanced", _("Cao cấp")
    BACHELOR = "bachelor", _("Cử nhân")


class StateManagement(models.TextChoices):
    NONE = "", _("Chưa qua đào tạo")
    SPECIALIST = "specialist", _("Chuyên viên")
    PRINCIPAL = "principal", _("Chuyên viên chính")
    SENIOR = "senior", _("Chuyên viên cao cấp")


class Occupation(models.TextChoices):
    """Biểu 2 II.1 occupation rows (Biểu 3 adds the retired / not working row)."""

    STATE_CADRE = "state_cadre", _("Cán bộ, công chức nhà nước từ cấp tỉnh trở lên")
    PARTY_CADRE = "party_cadre", _("Cán bộ, công chức Đảng, Mặt trận, đoàn thể từ cấp tỉnh trở lên")
    COMMUNE_CADRE = "commune_cadre", _("Cán bộ, công chức, người hoạt động không chuyên trách xã")
    VILLAGE_STAFF = "village_staff", _("Người hoạt động không chuyên trách ở thôn, tổ dân phố")
    PUBLIC_SERVANT = "public_servant", _("Viên chức")
    NON_PUBLIC_SERVICE = (
        "non_public_service",
        _("Người lao động trong đơn vị sự nghiệp ngoài công lập"),
    )
    ENTERPRISE_MANAGER = "enterprise_manager", _("Doanh nghiệp: quản lý")
    ENTERPRISE_STAFF = "enterprise_staff", _("Doanh nghiệp: lao động gián tiếp")
    ENTERPRISE_WORKER = "enterprise_worker", _("Doanh nghiệp: lao động trực tiếp")
    FARMER = "farmer", _("Nông, lâm, ngư nghiệp")
    ARMED_FORCES = "armed_forces", _("Lực lượng vũ trang")
    UNIVERSITY_STUDENT = "university_student", _("Sinh viên")
    PUPIL = "pupil", _("Học sinh")
    OTHER = "other", _("Lao động khác (hợp đồng, tự do)")
    RETIRED = "retired", _("Nghỉ hưu, không còn làm việc")


class ServiceFlag(models.TextChoices):
    """Column 9 of the roll: bộ đội / công an / hưu trí."""

    NONE = "", _("Không")
    ARMY = "army", _("Bộ đội")
    POLICE = "police", _("Công an")
    RETIRED = "retired", _("Hưu trí")


# Fields under the Personal Data Protection Law 2025's sensitive categories: shown only to the
# roles with the "sensitive" action on the member's unit, masked elsewhere.
SENSITIVE_FIELDS = ("ethnicity", "religion", "identity_no", "identity_type")
MASK = "•••"
