"""Demo meetings (seed 003: the cell meets on the 3rd of every month): Huổi Lụ 1's plan for
2026 with the meetings held so far, one month missed and a thematic meeting in the first two
quarters only, so the plan page shows its gaps."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from chibo.org.models import Unit

from . import services
from .models import MeetingKind


def build(U: dict[str, Unit]) -> None:
    cell = Unit.objects.get(pk=U["cell:Đảng bộ xã Quảng Lâm:Chi bộ bản Huổi Lụ 1"].pk)
    services.set_meeting_day(actor=None, unit=cell, day=3, valid_from=dt.date(2025, 1, 1))
    today = timezone.localdate()
    for m in services.plan_year(actor=None, unit=cell, year=2026):
        if m.planned_on < today and m.planned_on.month != 9:  # September was missed
            services.mark_held(actor=None, meeting=m, held_on=m.planned_on)
    for held, topic in (
        (dt.date(2026, 3, 17), "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh"),
        (dt.date(2026, 6, 16), "Phát triển kinh tế đồi rừng gắn với bảo vệ rừng đầu nguồn"),
    ):
        m = services.add_meeting(
            actor=None, unit=cell, kind=MeetingKind.THEMATIC, planned_on=held, topic=topic
        )
        services.mark_held(actor=None, meeting=m, held_on=held)
    services.plan_year(actor=None, unit=cell, year=2027)
