"""A later app (reviews, villages) adds to the member page and the meeting agenda through core's
registry, as it will in its ready(); members and meetings import none of them."""

import datetime as dt

import pytest
from django.urls import reverse

from chibo.core import hooks
from chibo.meetings import preparation, services
from chibo.meetings.models import MeetingKind
from tests.world import PASSWORD, make_member


@pytest.fixture
def registry(monkeypatch):
    monkeypatch.setattr(hooks, "_registry", {})
    return hooks


def test_a_later_app_adds_to_the_member_page_and_the_agenda(registry, world, client):
    # What reviews or villages will do: register in ready(); members and meetings import none.
    m = make_member(world.cells_a[0], "Lò Văn Pọm")
    registry.register(
        hooks.MEMBER_PAGE_PANELS,
        lambda request, member, on: hooks.Panel(
            "core/_text_panel.html", {"text": f"Nhiệm vụ của {member.given_name} {on:%d/%m/%Y}"}
        ),
    )
    registry.register(hooks.MEETING_AGENDA_LINES, lambda meeting: ["Kiểm điểm nhiệm vụ được giao"])
    client.login(username="canbo.a", password=PASSWORD)
    page = client.get(reverse("members:detail", args=[m.pk])).content.decode()
    assert f"Nhiệm vụ của Pọm {dt.date.today():%d/%m/%Y}" in page
    meeting = services.add_meeting(
        actor=world.official_a,
        unit=world.cells_a[0],
        kind=MeetingKind.REGULAR,
        planned_on=dt.date.today() + dt.timedelta(days=10),
    )
    assert "Kiểm điểm nhiệm vụ được giao" in preparation.agenda_template(meeting)


def test_a_later_app_adds_its_deadlines_to_the_units_page(registry, world, client):
    from dataclasses import dataclass

    @dataclass
    class Due:
        status: str
        date: dt.date
        text: str
        url: str

    registry.register(
        hooks.DEADLINE_ITEMS,
        lambda user, unit, on: [Due("overdue", on, f"Nộp bản kiểm điểm của {unit.name}", "/x/")],
    )
    client.login(username="canbo.a", password=PASSWORD)
    page = client.get(reverse("members:deadlines") + f"?unit={world.commune_a.pk}")
    html = page.content.decode()
    assert '<a href="/x/">Nộp bản kiểm điểm của Đảng bộ xã Đồng Tâm</a>' in html
    assert "Quá hạn" in html
