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
