"""Rule parameters with their sources and confidence marks ([C] confirmed, [M] unverified).

`get(key, on)` returns the value in force on a date: a Parameter row if one covers the date,
else the default below. Defaults encode domain-rules.md; an [M] rule is never a constant in code.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q


@dataclass(frozen=True)
class Default:
    value: Any
    label: str
    source: str
    confidence: str


DEFAULTS: dict[str, Default] = {
    "cell_min_official_members": Default(
        3,
        "Số đảng viên chính thức tối thiểu của một chi bộ",
        "Điều lệ Đảng Điều 21; domain-rules §3.6",
        "C",
    ),
    "grassroots_committee_min_members": Default(
        30,
        "Tổ chức cơ sở đảng từ bao nhiêu đảng viên thì lập đảng bộ cơ sở",
        "domain-rules §3.6",
        "C",
    ),
    "admission_min_age_years": Default(
        18,
        "Tuổi tối thiểu khi chi bộ xét kết nạp (tính theo tháng)",
        "QĐ 24/232 → 294, domain-rules §3.1",
        "C",
    ),
    "admission_max_age_years": Default(
        60,
        "Trên tuổi này hồ sơ kết nạp chuyển cấp có thẩm quyền quyết định",
        "QĐ 24/232 → 294, domain-rules §3.1",
        "C",
    ),
    "ceremony_within_working_days": Default(
        30,
        "Tổ chức lễ kết nạp trong số ngày làm việc kể từ khi nhận quyết định",
        "QĐ 24 via domain-rules §3.2",
        "C",
    ),
    "probation_months": Default(
        12, "Thời gian dự bị (tháng, từ ngày lễ kết nạp)", "Điều lệ Đảng; domain-rules §3.2", "C"
    ),
    "recognition_within_working_days": Default(
        30,
        "Xét công nhận chính thức trong số ngày làm việc sau khi hết dự bị",
        "domain-rules §3.3",
        "C",
    ),
    "exemption_age_male": Default(
        60,
        "Tuổi cao để được miễn công tác và sinh hoạt đảng: nam trên",
        "HD 27-HD/BTCTW 2009, domain-rules §3.5 (có thể đã lỗi thời do tuổi nghỉ hưu thay đổi)",
        "M",
    ),
    "exemption_age_female": Default(
        55,
        "Tuổi cao để được miễn công tác và sinh hoạt đảng: nữ trên",
        "HD 27-HD/BTCTW 2009, domain-rules §3.5 (có thể đã lỗi thời do tuổi nghỉ hưu thay đổi)",
        "M",
    ),
    "transfer_file_working_days": Default(
        60,
        "Làm thủ tục chuyển sinh hoạt đảng chính thức trong số ngày làm việc kể từ quyết định",
        "QĐ 24 §6.3.1, domain-rules §3.4",
        "C",
    ),
    "transfer_report_days": Default(
        30,
        "Đảng viên trình giấy giới thiệu với nơi đến trong số ngày",
        "QĐ 24 §6.3.1, HD 09-2017, domain-rules §3.4",
        "C",
    ),
    "temporary_min_months": Default(
        3, "Chuyển sinh hoạt tạm thời: thời gian tối thiểu (tháng)", "QĐ 24 §6.3.2", "C"
    ),
    "temporary_work_max_months": Default(
        12,
        "Chuyển sinh hoạt tạm thời do cư trú/làm việc: dưới số tháng",
        "QĐ 24 §6.3.2",
        "C",
    ),
    "temporary_study_max_months": Default(
        24,
        "Chuyển sinh hoạt tạm thời do đi học trong nước: tối đa số tháng",
        "QĐ 24 §6.3.2",
        "C",
    ),
    "badge_milestones_years": Default(
        [30, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90],
        "Các mốc tuổi đảng xét tặng Huy hiệu Đảng",
        "HD 01-HD/TW 2021 §18, domain-rules §3.9",
        "C",
    ),
    "badge_early_months_to_65": Default(
        12,
        "Tặng sớm Huy hiệu (ốm nặng), mốc 30–65 năm: sớm tối đa số tháng",
        "domain-rules §3.9",
        "C",
    ),
    "badge_early_months_from_70": Default(
        24,
        "Tặng sớm Huy hiệu (ốm nặng), mốc 70–90 năm: sớm tối đa số tháng",
        "domain-rules §3.9",
        "C",
    ),
    "thematic_min_per_quarter": Default(
        1,
        "Số lần sinh hoạt chuyên đề tối thiểu mỗi quý",
        "HD 12-HD/BTCTW 2018, domain-rules §2",
        "M",
    ),
}


def get(key: str, on: dt.date | None = None) -> Any:
    from django.utils import timezone

    from .models import Parameter

    if key not in DEFAULTS:
        raise KeyError(f"unknown parameter {key!r}")
    on = on or timezone.localdate()
    row = (
        Parameter.objects.filter(key=key, valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=on))
        .order_by("-valid_from")
        .first()
    )
    return row.value if row else DEFAULTS[key].value
