import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from chibo.audit.models import AuditLog
from chibo.core.actors import SYSTEM
from chibo.meetings import services
from chibo.meetings.models import Meeting, MeetingKind
from chibo.org.models import Parameter
from tests.world import PASSWORD


@given(st.integers(1900, 2100), st.integers(1, 12), st.integers(1, 31))
def test_the_fixed_day_falls_in_its_month(year, month, day):
    d = services.date_in_month(year, month, day)
    assert (d.year, d.month) == (year, month)
    assert d.day == day or (d.day < day and (d + dt.timedelta(days=1)).month != month)


def test_the_year_plan_follows_the_dated_fixed_day_and_is_idempotent(world):
    cell = world.cells_a[0]
    with pytest.raises(ValidationError):
        services.plan_year(actor=world.official_a, unit=cell, year=2026)
    services.set_meeting_day(
        actor=world.official_a, unit=cell, day=3, valid_from=dt.date(2025, 1, 1)
    )
    services.set_meeting_day(
        actor=world.official_a, unit=cell, day=31, valid_from=dt.date(2026, 2, 1)
    )
    made = services.plan_year(actor=world.official_a, unit=cell, year=2026)
    days = [m.planned_on for m in made]
    assert days[0] == dt.date(2026, 1, 3)  # January: the 3rd still in force
    assert days[1] == dt.date(2026, 2, 28)  # the 31st in February
    assert days[3] == dt.date(2026, 4, 30) and len(days) == 12
    assert services.plan_year(actor=world.official_a, unit=cell, year=2026) == []
    assert Meeting.objects.filter(unit=cell).count() == 12
    with pytest.raises(PermissionDenied):
        services.plan_year(actor=world.viewer_a, unit=cell, year=2027)
    assert AuditLog.objects.filter(action="meetings.plan_year").count() == 2


def test_gaps_months_without_a_regular_meeting_and_quarters_without_a_thematic_one(world):
    cell = world.cells_a[0]
    services.set_meeting_day(actor=SYSTEM, unit=cell, day=3, valid_from=dt.date(2025, 1, 1))
    for m in services.plan_year(actor=SYSTEM, unit=cell, year=2026):
        if m.planned_on.month not in (2, 7, 12):  # February and July were skipped
            services.mark_held(actor=SYSTEM, meeting=m, held_on=m.planned_on)
    t = services.add_meeting(
        actor=SYSTEM,
        unit=cell,
        kind=MeetingKind.THEMATIC,
        planned_on=dt.date(2026, 3, 20),
        topic="Học tập và làm theo tư tưởng Hồ Chí Minh",
    )
    services.mark_held(actor=SYSTEM, meeting=t, held_on=dt.date(2026, 3, 20))
    months, quarters = services.year_overview(cell, 2026, dt.date(2026, 11, 23))
    assert [m.month for m in months if m.missing] == [2, 7]  # November has not ended
    assert [q.quarter for q in quarters if q.short] == [2, 3]  # Q1 had one; Q4 not ended
    Parameter.objects.create(
        key="thematic_min_per_quarter",
        value=0,
        valid_from=dt.date(2026, 1, 1),
        source="test",
    )
    _months, quarters = services.year_overview(cell, 2026, dt.date(2026, 11, 23))
    assert not any(q.short for q in quarters)
    with pytest.raises(ValidationError):
        services.add_meeting(
            actor=SYSTEM, unit=cell, kind=MeetingKind.THEMATIC, planned_on=dt.date(2026, 5, 1)
        )


def test_the_plan_page_shows_the_gaps(client, world, today):
    # Last year: every month and quarter has ended, whatever day the suite runs on.
    year = today.year - 1
    cell = world.cells_a[0]
    assert client.login(username=world.official_a.username, password=PASSWORD)
    url = reverse("meetings:plan", args=[cell.pk])
    client.post(
        reverse("meetings:set_day", args=[cell.pk]), {"day": "3", "valid_from": f"{year}-01-01"}
    )
    client.post(reverse("meetings:plan_year", args=[cell.pk]), {"year": str(year)})
    page = client.get(url, {"year": str(year)})
    body = page.content.decode()
    assert "ngày 3 hằng tháng" in body
    assert body.count('data-testid="month-gap"') == 12  # all ended, none held
    assert "Quý 1: 0 lần sinh hoạt chuyên đề" in body
    m = Meeting.objects.get(unit=cell, planned_on=dt.date(year, 1, 3))
    client.post(reverse("meetings:held", args=[m.pk]), {"held_on": f"{year}-01-03"})
    assert (
        client.get(url, {"year": str(year)}).content.decode().count('data-testid="month-gap"') == 11
    )
    # This year: only the months that have ended are gaps (none held yet).
    client.post(reverse("meetings:plan_year", args=[cell.pk]), {"year": str(today.year)})
    this_year = client.get(url, {"year": str(today.year)}).content.decode()
    assert this_year.count('data-testid="month-gap"') == today.month - 1
    tomorrow = today + dt.timedelta(days=1)
    future = client.post(
        reverse("meetings:held", args=[m.pk]), {"held_on": tomorrow.isoformat()}, follow=True
    )
    assert "không thể ở tương lai" in future.content.decode()
