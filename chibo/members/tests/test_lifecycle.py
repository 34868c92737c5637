"""The state on any date derives from the events; the stored state never disagrees with it."""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chibo.audit.models import AuditLog
from chibo.core.actors import SYSTEM
from chibo.members import lifecycle
from chibo.members.lifecycle import Activity, Ended, EventKind, Stage
from chibo.members.models import Member, MemberEvent
from chibo.members.services import add_member, correct_event, record_event

KINDS = [k for k in EventKind.values if k != EventKind.VOID]
BASE = dt.date(2000, 1, 1)


@dataclass
class Ev:
    id: int
    kind: str
    effective_date: dt.date
    corrects_id: int | None = None


events_st = st.lists(
    st.tuples(st.sampled_from(KINDS), st.integers(min_value=0, max_value=9000)), max_size=12
)


def valid_history(raw) -> list[Ev]:
    """Keep, in date order, the events that can happen where they stand."""
    out, state = [], lifecycle.State()
    for i, (kind, days) in enumerate(sorted(raw, key=lambda r: r[1]), start=1):
        try:
            state = lifecycle.apply(state, kind)
        except ValueError:
            continue
        out.append(Ev(i, kind, BASE + dt.timedelta(days=days)))
    return out


@given(events_st, st.integers(min_value=-10, max_value=9100))
def test_it_derives_the_state_on_a_date_from_the_events_up_to_it(raw, offset):
    events = valid_history(raw)
    d = BASE + dt.timedelta(days=offset)
    expected = lifecycle.State()
    for e in events:
        if e.effective_date <= d:
            expected = lifecycle.apply(expected, e.kind)
    assert lifecycle.state_on(events, d) == expected


@given(events_st, st.data())
def test_it_treats_a_voided_event_as_never_recorded(raw, data):
    events = valid_history(raw)
    if not events:
        return
    victim = data.draw(st.sampled_from(events))
    without = [e for e in events if e is not victim]
    if lifecycle.history_is_valid(without) is not None:
        return  # voiding it would break the history: the service refuses that (tested below)
    voided = events + [Ev(999, EventKind.VOID, victim.effective_date, corrects_id=victim.id)]
    last = max((e.effective_date for e in events), default=BASE)
    for d in (BASE, victim.effective_date, last):
        assert lifecycle.state_on(voided, d) == lifecycle.state_on(without, d)


def test_it_keeps_dimensions_apart():
    events = [
        Ev(1, EventKind.ADMISSION, dt.date(2010, 5, 19)),
        Ev(2, EventKind.RECOGNITION, dt.date(2011, 5, 19)),
        Ev(3, EventKind.EXEMPTION, dt.date(2020, 1, 1)),
        Ev(4, EventKind.DEATH, dt.date(2024, 3, 3)),
    ]
    assert lifecycle.state_on(events, dt.date(2011, 1, 1)) == lifecycle.State(
        Stage.PROBATIONARY, Activity.ACTIVE, None
    )
    assert lifecycle.state_on(events, dt.date(2021, 1, 1)) == lifecycle.State(
        Stage.OFFICIAL, Activity.EXEMPT, None
    )
    assert lifecycle.state_on(events, dt.date(2025, 1, 1)).ended == Ended.DECEASED


def _member(world):
    return add_member(
        actor=SYSTEM,
        unit=world.cells_a[0],
        family_name="Lò",
        middle_name="Văn",
        given_name="Pằng",
        gender="m",
        birth_year=1970,
        admitted_on=dt.date(2000, 3, 1),
        recognized_on=None,
        placed_on=dt.date(2000, 3, 1),
    )


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(events_st)
def test_it_never_lets_the_stored_state_disagree_with_the_events(world, raw):
    member = _member(world)
    for kind, days in raw:
        before = MemberEvent.objects.filter(member=member).count()
        try:
            record_event(
                actor=SYSTEM,
                member=member,
                kind=kind,
                effective_date=dt.date(2000, 3, 1) + dt.timedelta(days=days),
            )
        except ValidationError:
            # Refused: nothing written.
            assert MemberEvent.objects.filter(member=member).count() == before
        member.refresh_from_db()
        derived = lifecycle.state_on(member.events.all(), timezone.localdate())
        stored = (member.stage or None, member.activity or None, member.ended or None)
        assert stored == (derived.stage, derived.activity, derived.ended)


def test_it_refuses_an_impossible_event_in_vietnamese_and_writes_nothing(world):
    member = _member(world)
    with pytest.raises(ValidationError) as exc:
        record_event(
            actor=world.official_a,
            member=member,
            kind=EventKind.RETURN_TO_ACTIVITY,
            effective_date=dt.date(2005, 1, 1),
        )
    assert "đang sinh hoạt bình thường" in str(exc.value)
    assert member.events.count() == 1
    assert not AuditLog.objects.filter(action__startswith="members.event.").exists()


def test_it_corrects_a_wrong_date_without_deleting_anything(world):
    member = _member(world)
    wrong = record_event(
        actor=world.official_a,
        member=member,
        kind=EventKind.RECOGNITION,
        effective_date=dt.date(2002, 3, 1),
    )
    correct_event(
        actor=world.official_a, event=wrong, effective_date=dt.date(2001, 3, 1), note="ghi nhầm năm"
    )
    member.refresh_from_db()
    assert member.recognized_on == dt.date(2001, 3, 1) and member.stage == Stage.OFFICIAL
    assert MemberEvent.objects.filter(pk=wrong.pk).exists()  # kept, as corrected
    with pytest.raises(ValidationError):
        correct_event(actor=SYSTEM, event=wrong, kind=EventKind.VOID)  # correct the newest only
    assert AuditLog.objects.filter(action="members.event.correct").count() == 1


def test_it_refuses_a_correction_that_would_break_the_history(world):
    member = _member(world)
    admission = member.events.get(kind=EventKind.ADMISSION)
    record_event(
        actor=SYSTEM, member=member, kind=EventKind.EXEMPTION, effective_date=dt.date(2010, 1, 1)
    )
    with pytest.raises(ValidationError):
        correct_event(actor=SYSTEM, event=admission, kind=EventKind.VOID)
    member.refresh_from_db()
    assert member.activity == Activity.EXEMPT
    assert Member.objects.get(pk=member.pk).events.count() == 2


def test_it_stops_counting_a_member_from_the_day_membership_ends(world):
    from chibo.members.selectors import counts_on

    cell = world.cells_a[0]
    member = _member(world)
    assert counts_on(cell, dt.date(2010, 1, 1))["direct"] == 1
    record_event(
        actor=SYSTEM, member=member, kind=EventKind.STRIKE_OFF, effective_date=dt.date(2012, 6, 1)
    )
    assert counts_on(cell, dt.date(2012, 5, 31))["direct"] == 1
    assert counts_on(cell, dt.date(2012, 6, 1))["direct"] == 0
    restored = record_event(
        actor=SYSTEM, member=member, kind=EventKind.RESTORATION, effective_date=dt.date(2015, 1, 1)
    )
    assert counts_on(cell, dt.date(2016, 1, 1))["direct"] == 1
    correct_event(actor=SYSTEM, event=restored, kind=EventKind.VOID, note="nhầm")
    assert counts_on(cell, dt.date(2016, 1, 1))["direct"] == 0
    assert counts_on(world.commune_a, dt.date(2021, 1, 1))["total"] == 0


# Mostly changes of activity, dated in the eight years before the start day, with terms that
# often reach past it: the clock then crosses their ends.
termed_st = st.lists(
    st.tuples(
        st.sampled_from(
            [
                EventKind.EXEMPTION,
                EventKind.SUSPENSION,
                EventKind.RETURN_TO_ACTIVITY,
                EventKind.RECOGNITION,
                EventKind.DEATH,
                EventKind.STRIKE_OFF,
                EventKind.RESTORATION,
            ]
        ),
        st.integers(min_value=0, max_value=3000),
        st.one_of(st.none(), st.integers(min_value=0, max_value=3000)),
    ),
    max_size=8,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(termed_st, st.lists(st.integers(min_value=1, max_value=3000), min_size=1, max_size=4))
def test_the_stored_state_follows_the_clock_as_terms_end(world, clock, raw, steps):
    """Random histories with exemptions and suspensions that have terms, then a clock that
    moves forward: what is read from the database on each day (the row, and the list filter on
    activity) is what the events give for that day; no job runs in between."""
    from chibo.members.selectors import activity_is

    start = dt.datetime(2026, 11, 16, 9, 0, tzinfo=timezone.get_current_timezone())
    clock.move_to(start)
    member = _member(world)
    for kind, days, term in raw:
        on = start.date() - dt.timedelta(days=days)
        data = None
        if term is not None and kind in (EventKind.EXEMPTION, EventKind.SUSPENSION):
            data = {"until": (on + dt.timedelta(days=term)).isoformat()}
        try:
            record_event(actor=SYSTEM, member=member, kind=kind, effective_date=on, data=data)
        except ValidationError:
            pass
    moment = start
    for step in [0, *sorted(steps)]:
        clock.move_to(moment + dt.timedelta(days=step))
        today = timezone.localdate()
        events = list(MemberEvent.objects.filter(member=member))
        derived = lifecycle.state_on(events, today)
        stored = Member.objects.get(pk=member.pk)
        assert (stored.stage or None, stored.activity or None, stored.ended or None) == (
            derived.stage,
            derived.activity,
            derived.ended,
        )
        for activity in Activity.values:
            listed = Member.objects.filter(activity_is(activity, today), pk=member.pk).exists()
            assert listed == (derived.activity == activity), (activity, today)


def test_a_suspension_with_an_end_ends_by_itself_the_day_after(world, clock, today):
    from chibo.members.services import suspend

    member = _member(world)
    record_event(
        actor=SYSTEM, member=member, kind=EventKind.RECOGNITION, effective_date=dt.date(2001, 3, 1)
    )
    last = today + dt.timedelta(days=10)
    suspend(
        actor=SYSTEM,
        member=Member.objects.get(pk=member.pk),
        effective_date=today,
        decision_no="7-QĐ/ĐU",
        issuer="Đảng ủy xã",
        until=last,
    )
    assert Member.objects.get(pk=member.pk).activity == Activity.SUSPENDED
    clock.move_to(dt.datetime.combine(last, dt.time(9), tzinfo=timezone.get_current_timezone()))
    assert Member.objects.get(pk=member.pk).activity == Activity.SUSPENDED  # its last day
    clock.shift(dt.timedelta(days=1))
    assert Member.objects.get(pk=member.pk).activity == Activity.ACTIVE
    assert lifecycle.state_on(member.events.all(), last + dt.timedelta(days=1)).activity == (
        Activity.ACTIVE
    )
