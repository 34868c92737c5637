"""Rule parameters with their sources and confidence marks ([C] confirmed, [M] unverified).

`get(key, on, unit=None)` returns the value in force on a date: a Parameter row if one covers
the date (a row for the unit or its nearest ancestor first — a committee may set its own value
for its cells, e.g. a shorter meeting for a very small cell — then a row for everyone), else the
default below. A default may itself change on a date (`since`: the rule that introduced it; before
that `earlier` applies, often None = no such rule yet), so a 2019 meeting is judged by 2019 rules.
Defaults encode domain-rules.md; an [M] rule is never a constant in code.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Default:
    value: Any
    label: str
    source: str
    confidence: str
    since: dt.date | None = None
    earlier: Any = None

    def on(self, d: dt.date) -> Any:
        return self.earlier if self.since is not None and d < self.since else self.value


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
    "meeting_documents_lead_days": Default(
        1,
        "Tài liệu sinh hoạt chi bộ đăng cho đảng viên trước giờ họp ít nhất (ngày)",
        "HD 42-HD/BTCTW 28/10/2025, domain-rules §2",
        "C",
        since=dt.date(2025, 10, 28),
    ),
    "meeting_min_minutes": Default(
        90,
        "Thời lượng tối thiểu của buổi sinh hoạt chi bộ (phút)",
        "HD 42-HD/BTCTW 28/10/2025, domain-rules §2",
        "C",
        since=dt.date(2025, 10, 28),
    ),
    "meeting_min_minutes_combined": Default(
        120,
        "Thời lượng tối thiểu khi sinh hoạt thường kỳ kết hợp chuyên đề (phút)",
        "HD 42-HD/BTCTW 28/10/2025, domain-rules §2",
        "C",
        since=dt.date(2025, 10, 28),
    ),
    "meeting_quorum": Default(
        [2, 3],
        "Cuộc họp hợp lệ khi số đảng viên có mặt đạt ít nhất tỉ lệ này của số được triệu tập",
        "Thực tiễn theo Điều lệ/QĐ hướng dẫn, domain-rules §2 (chưa kiểm chứng)",
        "M",
    ),
    "vote_ordinary": Default(
        {"fraction": [1, 2], "strict": True},
        "Nghị quyết thông thường của chi bộ: số tán thành phải hơn tỉ lệ này của số đảng viên "
        "chính thức được tính",
        "QĐ 24 §9.3 (Điều lệ Điều 10), domain-rules §2",
        "C",
    ),
    "vote_admission": Default(
        {"fraction": [2, 3], "strict": False},
        "Chi bộ xét kết nạp: số tán thành ít nhất tỉ lệ này của số đảng viên chính thức",
        "QĐ 294 §9.3.2, HD 06-HD/TW 2025; domain-rules §3.2, domain-rules-2 §2.2",
        "M",
    ),
    "vote_recognition": Default(
        {"fraction": [2, 3], "strict": False},
        "Chi bộ xét công nhận đảng viên chính thức: số tán thành ít nhất tỉ lệ này",
        "domain-rules §3.3 (biểu quyết như kết nạp)",
        "C",
    ),
    "follow_up_target_upper": Default(
        4,
        "Số buổi sinh hoạt chi bộ tối thiểu mỗi năm cấp ủy viên cấp trên phụ trách phải dự",
        "Thực tiễn Đảng bộ thị xã Mường Lay 2019 (seed 002); HD 12-HD/BTCTW 2018 [M]",
        "M",
    ),
    "follow_up_target_grassroots": Default(
        6,
        "Số buổi sinh hoạt chi bộ tối thiểu mỗi năm đảng ủy viên cơ sở phụ trách phải dự",
        "Thực tiễn Đảng bộ thị xã Mường Lay 2019 (seed 002); HD 12-HD/BTCTW 2018 [M]",
        "M",
    ),
    "unexcused_months_flag": Default(
        3,
        "Số tháng trong năm vắng sinh hoạt chi bộ không lý do chính đáng thì chi bộ xét xóa tên",
        "Điều lệ Đảng Điều 8; domain-rules §3.8",
        "C",
    ),
    "vote_failures_to_higher": Default(
        3,
        "Sau số lần biểu quyết không đủ này, chi bộ báo cáo cấp ủy cấp trên quyết định",
        "domain-rules §3.3 (lawnet 1008778)",
        "C",
    ),
}


# Where stored overrides come from: a function (key, on, unit) -> value or MISSING, registered
# at start-up by the app that keeps them (org: its Parameter rows may be a unit's own). Core
# knows no model of theirs; with none registered, the defaults apply.
MISSING = object()
_source = None


def register_source(fn) -> None:
    global _source
    _source = fn


def get(key: str, on: dt.date | None = None, unit=None) -> Any:
    from django.utils import timezone

    if key not in DEFAULTS:
        raise KeyError(f"unknown parameter {key!r}")
    on = on or timezone.localdate()
    if _source is not None:
        value = _source(key, on, unit)
        if value is not MISSING:
            return value
    return DEFAULTS[key].on(on)
