"""Per-unit counts as dated deltas (issue 9, "state and counts that follow the clock"): the
count of any unit on any date is the sum of the rows written with the events, and equals a
recount from the events and placements of that date; moving the clock writes nothing."""

import datetime as dt
import threading
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Q
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chibo.core.actors import SYSTEM
from chibo.members import aggregates, lifecycle
from chibo.members.lifecycle import EventKind
from chibo.members.models import CountDelta, Member, MemberEvent, Placement
from chibo.members.selectors import counts_on
from chibo.members.services import exempt, record_event
from chibo.org.models import Unit, UnitAncestry, in_force
from tests.world import build_world, decision, make_member

D = dt.date


def recount(unit: Unit, day: dt.date) -> dict[str, int]:
    """The oracle, written apart from the rows: every home placement in force on `day` in the
    unit's subtree of that day, judged by the member's state that day from their events."""
    under = set(
        UnitAncestry.objects.filter(in_force(day), ancestor=unit).values_list("unit_id", flat=True)
    )
    out = Counter()
    places = Placement.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=day),
        kind=Placement.Kind.HOME,
        unit_id__in=under,
        valid_from__lte=day,
    ).select_related("member")
    for p in places:
        state = lifecycle.state_on(list(MemberEvent.objects.filter(member_id=p.member_id)), day)
        if not state.is_member:
            continue
        where = "direct" if p.unit_id == unit.pk else "below"
        out["total"] += 1
        out[where] += 1
        if state.stage == lifecycle.Stage.OFFICIAL:
            out["total_official"] += 1
            if where == "direct":
                out["direct_official"] += 1
        out["women"] += p.member.gender == "f"
        out["exempt"] += state.activity == lifecycle.Activity.EXEMPT
    keys = ("total", "total_official", "women", "exempt", "direct", "direct_official")
    return {k: out[k] for k in keys}


def rows() -> list[tuple]:
    return sorted(
        CountDelta.objects.values_list(
            "member_id", "unit_id", "day", "members", "official", "women", "exempt"
        )
    )


def at(clock, day: dt.date) -> None:
    clock.move_to(dt.datetime.combine(day, dt.time(9), tzinfo=timezone.get_current_timezone()))


# Histories of three members over two cells of commune A and one of B, with terms that often
# reach past the starting day, so that the clock moving forward crosses their ends.
history_st = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=2),
        st.sampled_from(
            [
                EventKind.EXEMPTION,
                EventKind.SUSPENSION,
                EventKind.RETURN_TO_ACTIVITY,
                EventKind.RECOGNITION,
                EventKind.DEATH,
                EventKind.STRIKE_OFF,
                EventKind.RESTORATION,
                EventKind.READMISSION,
            ]
        ),
        st.integers(min_value=0, max_value=4000),
        st.one_of(st.none(), st.integers(min_value=0, max_value=3000)),
    ),
    max_size=10,
)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    history_st,
    st.lists(st.integers(min_value=1, max_value=2500), min_size=1, max_size=3),
    st.lists(st.integers(min_value=-6000, max_value=3000), min_size=1, max_size=4),
)
def test_the_count_on_any_date_equals_a_recount_as_the_clock_moves(
    world, clock, history, steps, offsets
):
    start = D(2026, 11, 16)
    at(clock, start)
    w = world
    people = [
        make_member(w.cells_a[0], "Lò Văn Pọm", admitted=D(2010, 3, 1), recognized=None),
        make_member(
            w.cells_a[1],
            "Quàng Thị Ún",
            gender="f",
            admitted=D(2012, 5, 1),
            recognized=D(2013, 5, 1),
        ),
        make_member(w.cell_b, "Tòng Văn Sơn", admitted=D(2014, 7, 1), recognized=None),
    ]
    for who, kind, days, term in history:
        on = start - dt.timedelta(days=days)
        data = None
        if term is not None and kind in (EventKind.EXEMPTION, EventKind.SUSPENSION):
            data = {"until": (on + dt.timedelta(days=term)).isoformat()}
        try:
            record_event(
                actor=SYSTEM,
                member=Member.objects.get(pk=people[who].pk),
                kind=kind,
                effective_date=on,
                data=data,
            )
        except ValidationError:
            pass
    written = rows()
    for step in [0, *sorted(steps)]:
        at(clock, start + dt.timedelta(days=step))
        today = timezone.localdate()
        assert rows() == written  # the clock moved; nothing was written
        for offset in [0, *offsets]:
            day = today + dt.timedelta(days=offset)
            for unit in (w.province, w.commune_a, w.cells_a[0], w.cell_b):
                assert counts_on(unit, day) == recount(unit, day), (unit.name, day)


def test_an_exemption_with_a_term_leaves_the_count_on_its_own_day(world, clock, today):
    w = world
    m = make_member(w.cells_a[0], "Lò Thị Xuân", gender="f")
    cell = w.cells_a[0]
    last = today + dt.timedelta(days=30)
    exempt(
        actor=SYSTEM,
        member=m,
        effective_date=today - dt.timedelta(days=10),
        resolution_no="05-NQ/CB",
        ground="health",
        health_reason="Điều trị dài ngày",
        until=last,
    )
    written = rows()
    assert counts_on(cell, today)["exempt"] == 1
    at(clock, last)
    assert counts_on(cell, last)["exempt"] == 1  # its last day
    at(clock, last + dt.timedelta(days=1))
    after = timezone.localdate()
    assert counts_on(cell, after) == {
        "total": 1,
        "total_official": 1,
        "women": 1,
        "exempt": 0,
        "direct": 1,
        "direct_official": 1,
    }
    assert rows() == written
    # Read for a past day, the term still shows.
    assert counts_on(cell, today)["exempt"] == 1


def test_a_cell_that_moved_counts_under_the_old_commune_before_and_the_new_one_after(world):
    from chibo.org.services import MoveUnit

    w = world
    for i in range(3):
        make_member(w.cells_a[2], f"Lò Văn Số{i}")
    make_member(w.cells_a[0], "Quàng Văn Ở")
    written = rows()
    move_on = D(2026, 9, 1)
    MoveUnit(decision(move_on, "12"), unit=w.cells_a[2], new_parent=w.commune_b).execute(
        actor=SYSTEM
    )
    assert rows() == written  # placements did not change: only the tree of the dates did
    before, after = move_on - dt.timedelta(days=1), move_on
    a, b = Unit.objects.get(pk=w.commune_a.pk), Unit.objects.get(pk=w.commune_b.pk)
    assert (counts_on(a, before)["total"], counts_on(b, before)["total"]) == (4, 0)
    assert (counts_on(a, after)["total"], counts_on(b, after)["total"]) == (1, 3)
    assert counts_on(w.province, before)["total"] == counts_on(w.province, after)["total"] == 4
    by_child = aggregates.children_on(Unit.objects.get(pk=w.province.pk), before)
    assert {k: v["members"] for k, v in by_child.items()} == {a.pk: 4}
    by_child = aggregates.children_on(Unit.objects.get(pk=w.province.pk), after)
    assert {k: v["members"] for k, v in by_child.items()} == {a.pk: 1, b.pk: 3}
    for unit in (a, b):
        for day in (before, after):
            assert counts_on(unit, day) == recount(unit, day)


def test_a_merge_of_cells_moves_the_members_from_its_date_only(world):
    from chibo.org.services import MergeUnits

    w = world
    make_member(w.cells_a[1], "Lò Văn Một")
    make_member(w.cells_a[1], "Lò Thị Hai", gender="f")
    make_member(w.cells_a[0], "Lò Văn Ba")
    on = D(2026, 9, 1)
    MergeUnits(decision(on, "13"), sources=[w.cells_a[1]], into=w.cells_a[0]).execute(actor=SYSTEM)
    keep, gone = Unit.objects.get(pk=w.cells_a[0].pk), Unit.objects.get(pk=w.cells_a[1].pk)
    day_before = on - dt.timedelta(days=1)
    assert counts_on(gone, day_before)["total"] == 2
    assert counts_on(keep, day_before)["total"] == 1
    assert counts_on(keep, on)["total"] == 3
    assert counts_on(keep, on)["women"] == 1
    for unit, day in ((gone, day_before), (keep, day_before), (keep, on)):
        assert counts_on(unit, day) == recount(unit, day)


def test_a_death_a_gender_fix_and_a_transfer_restate_the_rows(world, today):
    from chibo.members.records import update_record
    from chibo.members.services import record_death
    from chibo.members.transfers import confirm_arrival, transfer_out

    w = world
    a = make_member(w.cells_a[0], "Lò Văn Chết")
    b = make_member(w.cells_a[0], "Lò Văn Nữ")
    c = make_member(w.cells_a[0], "Lò Văn Đi")
    died = today - dt.timedelta(days=40)
    record_death(actor=SYSTEM, member=a, died_on=died)
    update_record(actor=SYSTEM, member=Member.objects.get(pk=b.pk), gender="f")
    left = today - dt.timedelta(days=20)
    t = transfer_out(
        actor=SYSTEM,
        member=Member.objects.get(pk=c.pk),
        kind="official",
        to_unit=w.cell_b,
        departed_on=left,
    )
    arrived = left + dt.timedelta(days=5)
    confirm_arrival(actor=SYSTEM, transfer=t, arrived_on=arrived)
    cell = w.cells_a[0]
    assert counts_on(cell, died - dt.timedelta(days=1))["total"] == 3
    assert counts_on(cell, died)["total"] == 2
    assert counts_on(cell, today)["total"] == 1
    assert counts_on(cell, D(2020, 1, 1))["women"] == 1  # the record was wrong, not the past
    assert counts_on(w.cell_b, left)["total"] == 0  # on the way
    assert counts_on(w.cell_b, arrived)["total"] == 1
    assert counts_on(w.province, left)["total"] == 1
    assert counts_on(w.province, today)["total"] == 2
    for unit in (cell, w.cell_b, w.commune_a, w.province):
        for day in (died, left, arrived, today):
            assert counts_on(unit, day) == recount(unit, day)
    running = rows()
    aggregates.rebuild()
    assert rows() == running


def test_the_unit_page_shows_the_count_of_its_date(world, client, today):
    w = world
    make_member(w.cells_a[0], "Lò Văn Cũ", admitted=D(2000, 5, 19))
    make_member(w.cells_a[0], "Lò Văn Mới", admitted=D(2024, 5, 19), recognized=None)
    client.force_login(w.official_a)
    page = client.get(f"/org/unit/{w.commune_a.pk}/?on=2020-01-01").content.decode()
    assert 'data-testid="member-count">1 (chính thức 1)' in page
    page = client.get(f"/org/unit/{w.commune_a.pk}/").content.decode()
    assert 'data-testid="member-count">2 (chính thức 1)' in page


@pytest.mark.django_db(transaction=True)
def test_two_writers_restating_one_member_at_once_count_it_once():
    """Two real transactions each add an event to the same member and restate its rows; the
    second restates while the first, done, has not committed yet. The member's row lock makes
    the second wait and then read both events; without it the second would not see the first's
    rows, its delete would skip them, and the member would count twice."""
    from django.db import connections, transaction

    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (SQLite writes one transaction at a time)")
    w = build_world()
    m = make_member(w.cells_a[0], "Lò Văn Đôi", recognized=None)
    first_done = threading.Event()
    errors: list[BaseException] = []

    def write(kind: str, on: dt.date, first: bool) -> None:
        try:
            with transaction.atomic():
                MemberEvent.objects.create(
                    member_id=m.pk, kind=kind, effective_date=on, recorded_date=on
                )
                if not first:
                    first_done.wait(5)
                aggregates.restate([m.pk])
                if first:
                    first_done.set()
                    threading.Event().wait(1.0)  # commit late: the other one is restating
        except BaseException as exc:  # noqa: BLE001 (reported by the assertion below)
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=write, args=(EventKind.RECOGNITION, D(2001, 5, 19), True)),
        threading.Thread(target=write, args=(EventKind.EXEMPTION, D(2020, 1, 1), False)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors
    cell = Unit.objects.get(pk=w.cells_a[0].pk)
    for day in (D(2001, 1, 1), D(2001, 5, 19), D(2020, 1, 1), D(2026, 11, 16)):
        assert counts_on(cell, day) == recount(cell, day)
    assert counts_on(cell, D(2020, 1, 1))["total"] == 1
    running = rows()
    aggregates.rebuild()
    assert rows() == running
