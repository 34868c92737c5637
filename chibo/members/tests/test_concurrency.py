"""Member writes under real concurrent transactions (issue 11, point 5): each call runs in its
own thread on its own PostgreSQL connection, and the threads are inside their transactions at
the same moment (chibo.core.testing.together holds them at a barrier before their first
statement). SQLite writes one transaction at a time, so there is nothing to race there."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from chibo.audit.models import AuditLog
from chibo.core.actors import SYSTEM
from chibo.core.testing import in_parallel, together
from chibo.members import admission, transfers
from chibo.members.lifecycle import EventKind
from chibo.members.models import Member, MemberEvent, Placement, Transfer
from chibo.members.selectors import counts_on
from chibo.members.services import add_member, exempt, record_death
from chibo.members.tests.test_counts import recount
from chibo.org.models import Unit
from chibo.org.services import MergeUnits
from tests.world import build_world, decision, make_member

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="real concurrent transactions need PostgreSQL (SQLite serializes writers)",
    ),
    pytest.mark.django_db(transaction=True),
]

D = dt.date
ADMITTED = D(2025, 10, 1)  # probation ends 01/10/2026, before the suite's day (16/11/2026)
NOT_PROBATIONARY = "Chỉ công nhận chính thức cho đảng viên dự bị."


def _fresh(pk: int) -> Member:
    """The member as a request would load it, in the calling thread."""
    return Member.objects.get(pk=pk)


def _failures(outcomes) -> list[BaseException]:
    return [value for ok, value in outcomes if not ok]


def test_two_recognitions_of_one_member_at_once_one_is_refused():
    w = build_world()
    m = make_member(w.cells_a[0], "Lò Thị Hoa", gender="f", admitted=ADMITTED, recognized=None)

    def recognize(no: str):
        return lambda: admission.recognize(
            actor=SYSTEM, member=_fresh(m.pk), decided_on=D(2026, 11, 10), decision_no=no
        )

    outcomes = together(recognize("101-QĐ/ĐU"), recognize("102-QĐ/ĐU"))

    done = [value for ok, value in outcomes if ok]
    refused = _failures(outcomes)
    assert len(done) == 1 and len(refused) == 1, outcomes
    assert isinstance(refused[0], ValidationError)
    assert refused[0].messages == [NOT_PROBATIONARY]
    kept = MemberEvent.objects.filter(member=m, kind=EventKind.RECOGNITION)
    assert list(kept.values_list("decision_no", flat=True)) == [done[0].decision_no]
    assert AuditLog.objects.filter(action="members.event.recognition").count() == 1
    m.refresh_from_db()
    assert (m.stage, m.recognized_on) == ("official", D(2026, 10, 1))


def test_two_transfers_of_one_member_at_once_one_is_refused():
    """Both see the member in the cell before either moves them; only one may."""
    w = build_world()
    m = make_member(w.cells_a[0], "Quàng Văn Dung")

    def move(to: str):
        return lambda: transfers.transfer_out(
            actor=SYSTEM,
            member=_fresh(m.pk),
            kind=Transfer.Kind.OFFICIAL,
            destination=to,
            departed_on=D(2026, 11, 12),
        )

    outcomes = together(move("Đảng bộ xã Mường Phăng"), move("Đảng bộ xã Thanh Nưa"))

    refused = _failures(outcomes)
    assert len(refused) == 1, outcomes
    assert refused[0].messages == ["Đảng viên hiện không sinh hoạt ở chi bộ nào."]
    assert Transfer.objects.filter(member=m).count() == 1
    assert MemberEvent.objects.filter(member=m, kind=EventKind.TRANSFER_OUT).count() == 1
    assert Placement.objects.filter(member=m, valid_to__isnull=True).count() == 0


def test_two_transfer_letters_at_once_take_two_numbers():
    w = build_world()
    cell = w.cells_a[0]
    first, a, b = (make_member(cell, n) for n in ("Lò Văn Pọm", "Cầm Văn Ón", "Lường Văn Ba"))
    kw = {"actor": SYSTEM, "kind": Transfer.Kind.OFFICIAL, "departed_on": D(2026, 11, 12)}
    # The register already holds letter 1 of the year.
    assert transfers.transfer_out(member=first, destination="Đảng bộ xã A", **kw).letter_no == 1

    outcomes = together(
        lambda: transfers.transfer_out(member=_fresh(a.pk), destination="Đảng bộ xã B", **kw),
        lambda: transfers.transfer_out(member=_fresh(b.pk), destination="Đảng bộ xã C", **kw),
    )

    assert not _failures(outcomes), outcomes
    numbers = sorted(t.letter_no for _ok, t in outcomes)
    assert numbers == [2, 3]
    stored = Transfer.objects.filter(letter_year=2026).values_list("member_id", "letter_no")
    assert sorted(n for _m, n in stored) == [1, 2, 3]
    assert {m for m, _n in stored} == {first.pk, a.pk, b.pk}


def test_fifty_events_in_one_cell_at_once_leave_the_count_of_a_recount(today):
    """8 threads over 50 events in one cell, each event its own transaction; the same member
    gets two events at once (recognition and exemption), so the stored state of each member
    and the cell's count rows must both follow every event."""
    w = build_world()
    cell = w.cells_a[1]
    probationary = [
        make_member(
            cell,
            f"Lò {'Thị' if i % 2 == 0 else 'Văn'} Dự{i}",
            gender="f" if i % 2 == 0 else "m",
            admitted=ADMITTED,
            recognized=None,
        )
        for i in range(20)
    ]
    official = [make_member(cell, f"Cầm Văn Chính{i}") for i in range(10)]
    before = counts_on(cell, today)
    assert before == recount(cell, today)
    assert (before["total"], before["total_official"], before["women"]) == (30, 10, 10)

    calls = []
    for i, p in enumerate(probationary):
        calls.append(
            lambda p=p, i=i: admission.recognize(
                actor=SYSTEM, member=_fresh(p.pk), decided_on=D(2026, 11, 10), decision_no=f"{i}"
            )
        )
        calls.append(
            lambda p=p, i=i: exempt(
                actor=SYSTEM,
                member=_fresh(p.pk),
                effective_date=D(2026, 11, 12),
                resolution_no=f"{i}-NQ/CB",
                ground="health",
                health_reason="Ốm dài ngày",
            )
        )
    for o in official[:5]:
        calls.append(lambda o=o: record_death(actor=SYSTEM, member=_fresh(o.pk), died_on=today))
    for k in range(5):
        calls.append(
            lambda k=k: add_member(
                actor=SYSTEM,
                unit=cell,
                family_name="Vì",
                middle_name="Thị" if k < 2 else "Văn",
                given_name=f"Mới{k}",
                gender="f" if k < 2 else "m",
                birth_year=2000,
                admitted_on=D(2026, 11, 1),
                recognized_on=None,
                placed_on=D(2026, 11, 1),
            )
        )
    assert len(calls) == 50

    outcomes = in_parallel(calls, workers=8)

    assert not _failures(outcomes), _failures(outcomes)
    # Figures by hand from the events above: 5 died and 5 joined; 20 became official and
    # were exempted; 2 of those who joined are women.
    expected = {
        "total": 30,
        "total_official": 10 - 5 + 20,
        "women": 10 + 2,
        "exempt": 20,
        "direct": 30,
        "direct_official": 25,
    }
    assert counts_on(cell, today) == recount(cell, today) == expected
    # The day between the recognitions (01/10) and the exemptions (12/11): none exempt yet.
    assert counts_on(cell, D(2026, 11, 11)) == recount(cell, D(2026, 11, 11))
    assert counts_on(cell, D(2026, 11, 11))["exempt"] == 0
    # The stored state of every member is the state their events give today.
    states = Member.objects.filter(pk__in=[p.pk for p in probationary])
    assert set(states.values_list("stage", "activity")) == {("official", "exempt")}
    assert Member.objects.filter(home_unit=cell, ended="").count() == 30


def test_an_exemption_while_its_cell_merges_into_another_both_land():
    """The merge locks the cells' rows and then moves their members; the exemption locks its
    member and then writes count rows that point at the cell. Neither may wait for the other
    in a circle (PostgreSQL would fail one of them as a deadlock)."""
    w = build_world()
    source, target = w.cells_a[0], w.cells_a[1]
    m = make_member(source, "Lò Thị Hoa", gender="f")
    make_member(target, "Cầm Văn Ón")
    on = D(2026, 11, 12)

    def merge():
        MergeUnits(
            decision(on, "30-QĐ/ĐU"),
            sources=[Unit.objects.get(pk=source.pk), Unit.objects.get(pk=target.pk)],
            into=Unit.objects.get(pk=target.pk),
        ).execute(actor=SYSTEM)

    def exemption():
        return exempt(
            actor=SYSTEM,
            member=_fresh(m.pk),
            effective_date=D(2026, 11, 5),
            resolution_no="05-NQ/CB",
            ground="health",
            health_reason="Ốm dài ngày",
        )

    outcomes = together(merge, exemption)

    assert not _failures(outcomes), outcomes
    m.refresh_from_db()
    assert (m.home_unit_id, m.activity) == (target.pk, "exempt")
    for day in (D(2026, 11, 4), D(2026, 11, 5), on, D(2026, 11, 16)):
        assert counts_on(target, day) == recount(target, day)
    assert counts_on(target, D(2026, 11, 16))["total"] == 2
    assert counts_on(target, D(2026, 11, 16))["exempt"] == 1
