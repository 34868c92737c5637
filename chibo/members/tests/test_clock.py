"""State that follows the clock (issue 9, finding 5): events are facts that happened, so none
is dated after today; states with a known end end by themselves; probation never does."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from chibo.audit.models import AuditLog
from chibo.core.actors import SYSTEM
from chibo.members import admission, services
from chibo.members.models import Member, MemberEvent
from tests.world import make_member


@pytest.fixture
def member(world):
    return make_member(world.cells_a[0], "Lò Văn Mai")


def _unchanged(member, events: int, audit: int) -> None:
    m = Member.objects.get(pk=member.pk)
    assert (m.stage, m.activity, m.ended) == ("official", "active", "")
    assert MemberEvent.objects.filter(member=member).count() == events
    assert AuditLog.objects.count() == audit


def test_a_death_dated_tomorrow_is_refused_and_changes_nothing(member, world, today):
    events, audit = MemberEvent.objects.filter(member=member).count(), AuditLog.objects.count()
    tomorrow = today + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        services.record_death(actor=world.official_a, member=member, died_on=tomorrow)
    assert exc.value.messages == [f"Ngày từ trần ({tomorrow:%d/%m/%Y}) không thể ở tương lai."]
    _unchanged(member, events, audit)
    # Today is a fact that may be recorded.
    services.record_death(actor=world.official_a, member=member, died_on=today)
    assert Member.objects.get(pk=member.pk).ended == "deceased"


@pytest.mark.parametrize(
    "record",
    [
        lambda m, d, a: services.strike_off(
            actor=a, member=m, ground="quit_or_fee", effective_date=d, decision_no="1", issuer="x"
        ),
        lambda m, d, a: services.resign(
            actor=a, member=m, effective_date=d, decision_no="2", issuer="Chi bộ"
        ),
        lambda m, d, a: services.suspend(
            actor=a, member=m, effective_date=d, decision_no="3", issuer="Đảng ủy"
        ),
        lambda m, d, a: services.issue_card(actor=a, member=m, card_no="77", issued_on=d),
    ],
    ids=["strike_off", "resignation", "suspension", "card"],
)
def test_no_event_may_be_dated_after_today(member, world, today, record):
    events, audit = MemberEvent.objects.filter(member=member).count(), AuditLog.objects.count()
    with pytest.raises(ValidationError) as exc:
        record(member, today + dt.timedelta(days=3), world.official_a)
    assert "tương lai" in " ".join(exc.value.messages)
    _unchanged(member, events, audit)


def test_a_ceremony_not_yet_held_is_a_deadline_not_an_admission(world, today):
    with pytest.raises(ValidationError) as exc:
        admission.admit(
            actor=world.official_a,
            unit=world.cells_a[0],
            family_name="Giàng",
            middle_name="A",
            given_name="Tủa",
            gender="m",
            birth_date=dt.date(2000, 3, 3),
            considered_on=today - dt.timedelta(days=20),
            decision_no="31-QĐ/ĐU",
            issuer="Đảng ủy xã",
            decision_received_on=today - dt.timedelta(days=5),
            ceremony_on=today + dt.timedelta(days=2),
        )
    assert "ghi nhận quyết định kết nạp" in exc.value.messages[0]
    assert not Member.objects.filter(given_name="Tủa").exists()


def test_a_recognition_cannot_be_decided_in_the_future(world, today):
    young = make_member(
        world.cells_a[0],
        "Vì Văn Trẻ",
        admitted=today - dt.timedelta(days=400),
        recognized=None,
        placed=today - dt.timedelta(days=400),
    )
    with pytest.raises(ValidationError):
        admission.recognize(
            actor=SYSTEM, member=young, decided_on=today + dt.timedelta(days=1), decision_no="5"
        )
    assert Member.objects.get(pk=young.pk).stage == "probationary"


def test_probation_never_ends_by_itself_and_is_reported_late(world, today, clock, client):
    from django.urls import reverse

    from chibo.members import lifecycle
    from tests.world import PASSWORD

    admitted = today - dt.timedelta(days=400)
    m = make_member(
        world.cells_a[0], "Vì Văn Chờ", admitted=admitted, recognized=None, placed=admitted
    )
    for years in (0, 2):  # now, and two years on: still probationary, no job ran
        clock.shift(dt.timedelta(days=365 * years))
        day = dt.date.today()
        assert Member.objects.get(pk=m.pk).stage == "probationary"
        assert lifecycle.state_on(m.events.all(), day).stage == "probationary"
    assert client.login(username=world.official_a.username, password=PASSWORD)
    page = client.get(reverse("members:deadlines") + f"?unit={world.commune_a.pk}")
    assert "Vì Văn Chờ" in page.content.decode()
    assert "quá hạn xét công nhận" in page.content.decode()


def test_pages_clamp_extreme_dates_instead_of_crashing(world, client):
    from django.urls import reverse

    from tests.world import PASSWORD

    assert client.login(username=world.official_a.username, password=PASSWORD)
    for on in ("0001-01-01", "9999-12-31"):
        url = reverse("members:deadlines") + f"?unit={world.commune_a.pk}&on={on}"
        assert client.get(url).status_code == 200, on
