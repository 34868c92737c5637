"""Rule packs: the rating rules of each regulation version (ARCHITECTURE invariant 4).

A year is judged by the pack in force that year (`for_year`). Each pack carries its period, its
source and confidence mark, the labels of its era stored verbatim on every rating with the
mapping to today's four levels for trends, and its parameters. An [M] or [P] rule is never a
constant: it is a `chibo.core.params` key (`rating_<pack>_<name>`), so a committee may set its
own value through org's Parameter rows and `params.get` answers with the value in force.

Sources: domain-rules §1 (levels, caps, quota, process, pre-2018 terms) and domain-rules-2 §6
(QĐ 366 / HD 43). Where a source gives only part of a rule the mark says so.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from chibo.core import params
from chibo.core.params import Default
from chibo.core.text import search_key

from .choices import Level, at_least

ORG, MEMBER = "org", "member"


@dataclass(frozen=True)
class Label:
    """A level as the records of an era write it. `level` is today's level it maps to, or None
    when the mapping is ambiguous (`could_be` then lists the candidates and a parameter may
    settle it); `within` names the label this one is a subset of ("TSVM tiêu biểu" counts in
    "TSVM")."""

    code: str
    text: str
    level: str | None
    could_be: tuple[str, ...] = ()
    within: str = ""
    rank: int = 0  # order within the era, higher is better

    @property
    def ambiguous(self) -> bool:
        return self.level is None


@dataclass(frozen=True)
class Pack:
    code: str
    title: str  # how a result cites it: "theo Quy định 366-QĐ/TW, Hướng dẫn 43-HD/BTCTW"
    first_year: int
    last_year: int | None
    source: str
    confidence: str
    org_labels: tuple[Label, ...]
    member_labels: tuple[Label, ...]
    # Whether chibo rates under this pack (criteria, caps, quota) or only stores old labels.
    rates: bool = False
    # Points: bands (level, lowest points) for collectives and members; empty = not scored.
    org_bands: tuple[tuple[str, float], ...] = ()
    member_bands: tuple[tuple[str, float], ...] = ()
    # Which not-rated reasons the era knows (HD 21 added "suspended").
    not_rated: tuple[str, ...] = ("exempt",)
    parameters: dict[str, Default] = field(default_factory=dict)
    # The common framework (khung tiêu chí chung): groups of criteria with maximum points, per
    # subject ("org" / "member"); the detailed sets are built from it (CriteriaSet).
    framework: dict[str, tuple[dict, ...]] = field(default_factory=dict)

    def labels(self, subject: str) -> tuple[Label, ...]:
        return self.org_labels if subject == ORG else self.member_labels

    def label(self, subject: str, code: str) -> Label:
        for lab in self.labels(subject):
            if lab.code == code:
                return lab
        raise KeyError(code)

    def label_for_level(self, subject: str, level: str) -> Label:
        """The era's label a level decided today is written with (the first that maps to it)."""
        for lab in self.labels(subject):
            if lab.level == level:
                return lab
        raise KeyError(level)

    def find_label(self, subject: str, text: str) -> Label | None:
        """The label whose text (or code) matches, ignoring case, accents and punctuation."""
        want = search_key(text.replace(",", " "))
        for lab in self.labels(subject):
            if want in (search_key(lab.text.replace(",", " ")), search_key(lab.code)):
                return lab
        return None

    def param(self, name: str, unit=None, year: int | None = None) -> Any:
        """This pack's parameter, as in force at the end of `year` (default its first) for
        `unit` (its own or its nearest ancestor's row) or everyone."""
        on = dt.date(year or self.first_year, 12, 31)
        return params.get(param_key(self.code, name), on, unit)

    def rules(self, unit=None, year: int | None = None) -> Rules:
        """Every parameter resolved once (the engine is pure and reads only these)."""
        return Rules(self, {name: self.param(name, unit, year) for name in self.parameters})

    def defaults(self) -> Rules:
        """The parameters' defaults, without the database (tests, documentation)."""
        return Rules(self, {name: d.value for name, d in self.parameters.items()})

    def band(self, subject: str, points: float) -> str | None:
        for level, lowest in self.org_bands if subject == ORG else self.member_bands:
            if points >= lowest:
                return level
        return None

    def __str__(self) -> str:
        return self.title


@dataclass(frozen=True)
class Rules:
    """A pack with its parameters resolved for one unit and year."""

    pack: Pack
    values: dict[str, Any]

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    def __contains__(self, name: str) -> bool:
        return name in self.values


def param_key(pack_code: str, name: str) -> str:
    return f"rating_{pack_code}_{name}"


X, G, D, F = Level.EXCELLENT, Level.GOOD, Level.DONE, Level.FAILED
BANDS_366 = ((X, 90.0), (G, 70.0), (D, 50.0), (F, 0.0))

_OLD_MEMBER = (
    Label("dtc_htxs", "Đủ tư cách, hoàn thành xuất sắc nhiệm vụ", X, rank=4),
    Label("dtc_htt", "Đủ tư cách, hoàn thành tốt nhiệm vụ", G, rank=3),
    Label("dtc_ht", "Đủ tư cách, hoàn thành nhiệm vụ", D, rank=2),
    Label("chua_ht", "Chưa hoàn thành nhiệm vụ", F, rank=1),
    Label("vptc", "Vi phạm tư cách", F, rank=0),
)
_OLD_ORG = (
    Label("tsvm_tb", "Trong sạch, vững mạnh tiêu biểu", X, within="tsvm", rank=5),
    Label("tsvm", "Trong sạch, vững mạnh", None, could_be=(X, G), rank=4),
    Label("httnv", "Hoàn thành tốt nhiệm vụ", G, rank=3),
    Label("htnv", "Hoàn thành nhiệm vụ", D, rank=2),
    Label("yeu_kem", "Yếu kém", F, rank=0),
)
_NEW = tuple(
    Label(code, text, level, rank=r)
    for code, text, level, r in (
        ("htxs", "Hoàn thành xuất sắc nhiệm vụ", X, 3),
        ("htt", "Hoàn thành tốt nhiệm vụ", G, 2),
        ("ht", "Hoàn thành nhiệm vụ", D, 1),
        ("khtnv", "Không hoàn thành nhiệm vụ", F, 0),
    )
)


def _p(value, label, source, confidence) -> Default:
    return Default(value, label, source, confidence)


_TSVM = _p(
    None,
    "Nhãn cũ 'Trong sạch, vững mạnh' quy sang mức nay (trống = để mơ hồ: HTXSNV hoặc HTTNV)",
    "domain-rules §1.6, gợi ý quy đổi (không chính thức)",
    "M",
)
_TSVM_COUNTS_FROM = _p(
    "htt",
    "Báo cáo theo nhãn cũ: tổ chức tính là 'trong sạch, vững mạnh' khi xếp từ mức này trở lên",
    "domain-rules §1.6; issue 12 điểm 9",
    "M",
)


_OUTSIDE_BASE = _p(
    "exempt new_member new_collective",
    "Báo cáo: lý do không xếp loại đưa người (tổ chức) ra ngoài số phải đánh giá (mẫu số của "
    "tỷ lệ); lý do khác vẫn tính vào mẫu số, có dòng riêng",
    "domain-rules §1.4 (miễn sinh hoạt không xếp loại); Biểu 6F mục 3; issue 12 điểm 9",
    "M",
)


def _common(**extra: Default) -> dict[str, Default]:
    """Parameters every rating pack has (each with the era's source)."""
    base = {
        "new_member_months": _p(
            6,
            "Đảng viên kết nạp chưa đủ số tháng này không phải kiểm điểm (liệt kê riêng)",
            "Biểu 6F-BTCTW mục 3.2; domain-rules-2 §6",
            "C",
        ),
        "probationary_may_excel": _p(
            True,
            "Đảng viên dự bị có thể được xếp HTXSNV",
            "domain-rules §1.4 ('thường không được xếp HTXS', chưa kiểm chứng)",
            "M",
        ),
        "tasks_done_floor": _p(
            0.5,
            "Dưới tỷ lệ nhiệm vụ hoàn thành này thì xếp KHTNV",
            "QĐ 124, HD 21; domain-rules §1.4",
            "C",
        ),
        "cell_good_all_done": _p(
            1.0,
            "Chi bộ HTTNV trở lên: tỷ lệ đảng viên tối thiểu đạt HTNV trở lên",
            "luathoangphi (thời HD 21); domain-rules §1.4",
            "P",
        ),
        "cell_good_share_good": _p(
            0.5,
            "Chi bộ HTTNV trở lên: tỷ lệ đảng viên tối thiểu đạt HTTNV trở lên",
            "luathoangphi (thời HD 21); domain-rules §1.4",
            "P",
        ),
        "disciplined_units_ceiling": _p(
            0.2,
            "Quá tỷ lệ đơn vị trực thuộc bị kỷ luật trong năm thì tập thể xếp KHTNV",
            "QĐ 124; domain-rules §1.4",
            "C",
        ),
        "disciplined_members_ceiling": _p(
            0.2,
            "Chi bộ có đảng viên bị kỷ luật quá tỷ lệ này thì xếp KHTNV",
            "luathoangphi (thời HD 21); domain-rules §1.4",
            "P",
        ),
        "member_decider_of_grassroots_cell": _p(
            "cell",
            "Chi bộ cơ sở: cấp quyết định xếp loại đảng viên "
            "('cell' = chi bộ cơ sở; 'upper' = cấp ủy cấp trên)",
            "domain-rules §1.5",
            "M",
        ),
        "tsvm_maps_to": _TSVM,
        "tsvm_counts_from": _TSVM_COUNTS_FROM,
        "report_outside_base": _OUTSIDE_BASE,
    }
    base.update(extra)
    return base


def _quota(value, confidence: str, source: str) -> Default:
    return _p(
        value,
        "Số HTXSNV không quá tỷ lệ này của số HTTNV trong cùng đơn vị (trống = không giới hạn)",
        source,
        confidence,
    )


def _c(code: str, text: str, max_points: int, quantitative: bool) -> dict:
    return {"code": code, "text": text, "max_points": max_points, "quantitative": quantitative}


# The common framework under QĐ 366 / HD 43: the groups are [M] (domain-rules-2 §6: weights not
# found; task results carry the dominant weight), so a committee edits them in its criteria set.
_FRAMEWORK_366 = {
    MEMBER: (
        {
            "code": "1",
            "name": "Chính trị tư tưởng, đạo đức, lối sống, ý thức tổ chức kỷ luật",
            "max_points": 30,
            "criteria": [
                _c("1.1", "Tư tưởng chính trị", 10, False),
                _c("1.2", "Phẩm chất đạo đức, lối sống", 10, False),
                _c("1.3", "Tác phong, lề lối làm việc; ý thức tổ chức kỷ luật", 10, False),
            ],
        },
        {
            "code": "2",
            "name": "Kết quả thực hiện chức trách, nhiệm vụ được giao",
            "max_points": 70,
            "criteria": [
                _c("2.1", "Nhiệm vụ được chi bộ phân công đầu năm", 40, True),
                _c("2.2", "Tham gia sinh hoạt chi bộ, đóng đảng phí", 15, True),
                _c("2.3", "Trách nhiệm nêu gương, gắn bó với nhân dân nơi cư trú", 15, False),
            ],
        },
    ),
    ORG: (
        {
            "code": "1",
            "name": "Công tác xây dựng Đảng về chính trị, tư tưởng, đạo đức, tổ chức, cán bộ",
            "max_points": 30,
            "criteria": [
                _c("1.1", "Chính trị, tư tưởng, đạo đức", 10, False),
                _c("1.2", "Tổ chức, cán bộ, đảng viên; sinh hoạt chi bộ", 10, True),
                _c("1.3", "Kiểm tra, giám sát, kỷ luật đảng", 10, True),
            ],
        },
        {
            "code": "2",
            "name": "Kết quả lãnh đạo thực hiện nhiệm vụ chính trị",
            "max_points": 70,
            "criteria": [
                _c("2.1", "Chỉ tiêu, nhiệm vụ được giao trong năm", 50, True),
                _c("2.2", "Lãnh đạo chính quyền, Mặt trận và các đoàn thể", 20, False),
            ],
        },
    ),
}

PACKS: tuple[Pack, ...] = (
    Pack(
        code="pre2008",
        title="quy định trước năm 2008 (chưa xác định văn bản)",
        first_year=1990,
        last_year=2007,
        source="chưa xác định",
        confidence="M",
        org_labels=_OLD_ORG,
        member_labels=_OLD_MEMBER,
        parameters=_common(),
    ),
    Pack(
        code="hd20",
        title="Hướng dẫn 20-HD/BTCTW (2008)",
        first_year=2008,
        last_year=2013,
        source="HD 20-HD/BTCTW 2008; domain-rules §1.6 (nhãn tổ chức [C], nhãn đảng viên [M])",
        confidence="P",
        org_labels=_OLD_ORG,
        member_labels=_OLD_MEMBER,
        parameters=_common(),
    ),
    Pack(
        code="hd27",
        title="Hướng dẫn 27-HD/BTCTW (25/9/2014)",
        first_year=2014,
        last_year=2017,
        source="HD 27-HD/BTCTW 25/9/2014; thuvienphapluat hỏi đáp 341EB (Yếu kém) [C]",
        confidence="C",
        org_labels=_OLD_ORG,
        member_labels=_OLD_MEMBER,
        # HD 27: a 100-point score for organizations; below 50 is Yếu kém [C]. The other bands
        # of the score are not in the excerpt [M]: parameters.
        org_bands=((X, 90.0), (G, 70.0), (D, 50.0), (F, 0.0)),
        parameters=_common(
            weak_below_points=_p(
                50, "HD 27: dưới số điểm này tổ chức xếp Yếu kém", "HD 27 (341EB)", "C"
            ),
            weak_member_failed_share=_p(
                0.5,
                "HD 27: chi bộ có quá tỷ lệ đảng viên 'không hoàn thành nhiệm vụ' này thì Yếu kém",
                "HD 27 (341EB)",
                "C",
            ),
            weak_children_share=_p(
                1 / 3,
                "HD 27: đảng bộ có quá tỷ lệ tổ chức trực thuộc Yếu kém này thì Yếu kém",
                "HD 27 (341EB)",
                "C",
            ),
        ),
    ),
    Pack(
        code="q132_hd16",
        title="Quy định 132-QĐ/TW, Hướng dẫn 16-HD/BTCTW",
        first_year=2018,
        last_year=2018,
        source="QĐ 132-QĐ/TW 8/3/2018; HD 16-HD/BTCTW 2018 [P]",
        confidence="P",
        org_labels=_NEW,
        member_labels=_NEW,
        rates=True,
        parameters=_common(excellent_quota=_quota(0.2, "P", "QĐ 132; domain-rules §1.3")),
    ),
    Pack(
        code="q132_hd21",
        title="Quy định 132-QĐ/TW, Hướng dẫn 21-HD/BTCTW",
        first_year=2019,
        last_year=2022,
        source="QĐ 132-QĐ/TW; HD 21-HD/BTCTW 2019 (thuvienphapluat 4B9E1, 4BA5B) [C]",
        confidence="C",
        org_labels=_NEW,
        member_labels=_NEW,
        rates=True,
        not_rated=("exempt", "suspended"),
        parameters=_common(excellent_quota=_quota(0.2, "P", "QĐ 132; domain-rules §1.3")),
    ),
    Pack(
        code="q124_hd25",
        title="Quy định 124-QĐ/TW, Hướng dẫn 25-HD/BTCTW",
        first_year=2023,
        last_year=2024,
        source="QĐ 124-QĐ/TW 4/10/2023 (xaydungchinhsach.chinhphu.vn) [C]; HD 25-HD/BTCTW [P]",
        confidence="C",
        org_labels=_NEW,
        member_labels=_NEW,
        rates=True,
        not_rated=("exempt", "suspended"),
        parameters=_common(excellent_quota=_quota(0.2, "P", "QĐ 124; domain-rules §1.3")),
    ),
    Pack(
        code="q366_hd43",
        title="Quy định 366-QĐ/TW, Hướng dẫn 43-HD/BTCTW",
        first_year=2025,
        last_year=None,
        source="QĐ 366-QĐ/TW 30/8/2025; HD 43-HD/BTCTW 31/10/2025; domain-rules §1.2, -2 §6",
        confidence="C",
        org_labels=_NEW,
        member_labels=_NEW,
        rates=True,
        org_bands=BANDS_366,
        member_bands=BANDS_366,
        not_rated=("exempt", "suspended"),
        framework=_FRAMEWORK_366,
        parameters=_common(
            excellent_quota=_quota(0.2, "M", "ND 335/2025 cho công chức; QĐ 366 chưa xác nhận"),
            org_excellent_exceeded_share=_p(
                0.3,
                "Tập thể HTXSNV: tỷ lệ nhiệm vụ vượt mức tối thiểu",
                "QĐ 366 Đ.11 (ja.laodong 1578058)",
                "C",
            ),
            org_done_late_ceiling=_p(
                0.2,
                "Tập thể HTNV: tỷ lệ nhiệm vụ hoàn thành chậm tối đa",
                "QĐ 366 Đ.11 (ja.laodong 1579399)",
                "C",
            ),
            member_excellent_exceeded_share=_p(
                0.3,
                "Đảng viên HTXSNV: tỷ lệ nhiệm vụ vượt mức tối thiểu",
                "QĐ 366 (nguồn bị cắt, 'có lẽ ≥ 30%')",
                "P",
            ),
            member_done_late_ceiling=_p(
                0.2, "Đảng viên HTNV: tỷ lệ nhiệm vụ hoàn thành chậm tối đa", "QĐ 366 [P]", "P"
            ),
        ),
    ),
)

BY_CODE = {p.code: p for p in PACKS}

for _pack in PACKS:
    for _name, _default in _pack.parameters.items():
        params.DEFAULTS.setdefault(param_key(_pack.code, _name), _default)


def for_year(year: int) -> Pack:
    """The pack in force for the rating of `year`."""
    for pack in PACKS:
        if pack.first_year <= year and (pack.last_year is None or year <= pack.last_year):
            return pack
    raise LookupError(f"no rule pack covers {year}")


def get(code: str) -> Pack:
    return BY_CODE[code]


def tsvm_counts(pack: Pack, label_code: str, level: str, floor: str | None = None) -> bool:
    """For reports in the old labels: does an organization count as "trong sạch, vững mạnh"?
    Old eras by their label; from 2018 by today's level from the parameter up [M] (`floor`,
    else the parameter in force)."""
    if not pack.rates:
        lab = pack.label(ORG, label_code)
        return lab.code == "tsvm" or lab.within == "tsvm"
    floor = floor or pack.param("tsvm_counts_from")
    return bool(level) and at_least(level, floor)
