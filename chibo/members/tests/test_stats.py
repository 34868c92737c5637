"""The statistical forms: Biểu 1's identity D = A + B − C holds for any subtree and period over
random histories made through the services, and its A and D agree with the independent count
of the unit page (selectors.counts_on)."""

import datetime as dt
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chibo.core.actors import SYSTEM
from chibo.members import services as s
from chibo.members import stats
from chibo.members.models import Member, Transfer
from chibo.members.selectors import counts_on
from chibo.members.transfers import confirm_arrival, transfer_out

D = dt.date


def _history(world, rng: random.Random, n: int) -> None:
    cells = [*world.cells_a, world.cell_b]
    for i in range(n):
        cell = rng.choice(cells)
        admitted = D(2020, 1, 1) + dt.timedelta(days=rng.randint(0, 2000))
        official = admitted.replace(year=admitted.year + 1) if admitted.month != 2 else None
        m = s.add_member(
            actor=SYSTEM,
            unit=cell,
            family_name=rng.choice(["Lò", "Quàng", "Giàng", "Nguyễn"]),
            middle_name="Văn",
            given_name=f"Người{i}",
            gender=rng.choice("mf"),
            birth_year=rng.randint(1950, 2000),
            admitted_on=admitted,
            recognized_on=official,
            placed_on=admitted,
        )
        day = (official or admitted) + dt.timedelta(days=rng.randint(30, 900))
        roll = rng.random() if day < D(2026, 11, 1) else 1.0  # nothing after today
        if roll < 0.15:
            s.record_death(actor=SYSTEM, member=m, died_on=day)
        elif roll < 0.25 and official and day > official:
            s.strike_off(
                actor=SYSTEM,
                member=m,
                ground="quit_or_fee",
                effective_date=day,
                decision_no="1",
                issuer="ĐU",
            )
            if rng.random() < 0.5:
                s.restore(
                    actor=SYSTEM,
                    member=m,
                    effective_date=day + dt.timedelta(days=400),
                    decision_no="2",
                    issuer="TU",
                )
        elif roll < 0.45:
            others = [x for x in cells if x.pk != cell.pk]
            target = rng.choice(others)
            same = target.commune_id == cell.commune_id
            t = transfer_out(
                actor=SYSTEM,
                member=m,
                kind=Transfer.Kind.INTERNAL if same else Transfer.Kind.OFFICIAL,
                to_unit=target,
                departed_on=day,
            )
            if not same and rng.random() < 0.8:
                confirm_arrival(actor=SYSTEM, transfer=t, arrived_on=day + dt.timedelta(days=10))
        elif roll < 0.5:
            transfer_out(
                actor=SYSTEM,
                member=m,
                kind=Transfer.Kind.ABROAD,
                destination="Đảng ủy ngoài nước",
                departed_on=day,
            )
        elif roll < 0.55:
            s.resign(actor=SYSTEM, member=m, effective_date=day, decision_no="3", issuer="ĐU")


@pytest.fixture
def histories(world):
    _history(world, random.Random(20261123), 60)
    return world


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    which=st.sampled_from(["province", "commune_a", "commune_b", "cell0", "cell_b"]),
    start=st.dates(min_value=D(2019, 6, 1), max_value=D(2027, 12, 31)),
    days=st.integers(min_value=0, max_value=2500),
)
def test_movement_identity_and_counts_agree(histories, which, start, days):
    w = histories
    root = {
        "province": w.province,
        "commune_a": w.commune_a,
        "commune_b": w.commune_b,
        "cell0": w.cells_a[0],
        "cell_b": w.cell_b,
    }[which]
    end = start + dt.timedelta(days=days)
    form = stats.movement(root, start, end)
    a, b, c, d = (form.get(k) for k in "ABCD")
    adj = next((r.value for r in form.rows if r.code == "ADJ"), 0)
    assert d == a + b - c + adj
    assert adj == 0  # no reorganization in these histories
    assert a == counts_on(root, start - dt.timedelta(days=1))["total"]
    assert d == counts_on(root, end)["total"]
    assert form.get("B2") == form.get("B2a") + form.get("B2b")


def test_movement_rows_count_what_happened(world):
    m = s.add_member(
        actor=SYSTEM,
        unit=world.cells_a[0],
        family_name="Lò",
        middle_name="Văn",
        given_name="Pọm",
        gender="m",
        birth_year=1960,
        admitted_on=D(2000, 1, 1),
        recognized_on=D(2001, 1, 1),
        placed_on=D(2000, 1, 1),
    )
    p = s.add_member(
        actor=SYSTEM,
        unit=world.cells_a[0],
        family_name="Lò",
        middle_name="Thị",
        given_name="Ún",
        gender="f",
        birth_year=1999,
        admitted_on=D(2025, 3, 1),
        recognized_on=None,
        placed_on=D(2025, 3, 1),
    )
    s.strike_off(
        actor=SYSTEM,
        member=p,
        ground="not_recognized",
        effective_date=D(2025, 9, 1),
        decision_no="4",
        issuer="ĐU",
    )
    t = transfer_out(
        actor=SYSTEM,
        member=m,
        kind=Transfer.Kind.OFFICIAL,
        to_unit=world.cell_b,
        departed_on=D(2025, 5, 5),
    )
    confirm_arrival(actor=SYSTEM, transfer=t, arrived_on=D(2025, 5, 20))
    f = stats.movement(world.commune_a, D(2025, 1, 1), D(2025, 12, 31))
    assert [f.get(k) for k in ("A", "B1", "C3", "C3p", "C5", "C5b", "D")] == [1, 1, 1, 1, 1, 1, 0]
    g = stats.movement(world.commune_b, D(2025, 1, 1), D(2025, 12, 31))
    assert [g.get(k) for k in ("A", "B2", "B2b", "D")] == [0, 1, 1, 1]
    two = stats.admissions(world.province, D(2025, 1, 1), D(2025, 12, 31))
    assert two.get("total") == 1 and two.get("women") == 1 and two.get("age18") == 1
    three = stats.stock(world.province, D(2025, 12, 31))
    assert three.get("total") == 1 and three.get("era4") == 1
    now, rows = stats.with_last_year(1, world.commune_a, D(2025, 1, 1), D(2025, 12, 31))
    last = {r.code: prev for r, _, prev in rows}
    assert last["D"] == 1 and last["A"] == 1  # 2024: Pọm on the roll all year


def test_services_form_counts_badges_cards_and_letters(world):
    m = s.add_member(
        actor=SYSTEM,
        unit=world.cells_a[0],
        family_name="Lò",
        middle_name="Văn",
        given_name="Pọm",
        gender="m",
        birth_year=1950,
        admitted_on=D(1985, 1, 1),
        recognized_on=D(1986, 1, 1),
        placed_on=D(1985, 1, 1),
    )
    s.award_badge(actor=SYSTEM, member=m, years=40, awarded_on=D(2025, 2, 3))
    s.issue_card(actor=SYSTEM, member=m, card_no="123", issued_on=D(2025, 3, 3), reason="lost")
    transfer_out(
        actor=SYSTEM,
        member=m,
        kind=Transfer.Kind.TEMPORARY,
        reason="study",
        to_unit=world.cell_b,
        departed_on=D(2025, 9, 5),
        expected_return=D(2026, 6, 1),
    )
    f = stats.services_form(world.commune_a, D(2025, 1, 1), D(2025, 12, 31))
    assert f.get("badge40") == 1 and f.get("card_lost") == 1 and f.get("temp_out") == 1
    assert f.get("awards") is None  # not tracked: shown as "—", never as 0
    g = stats.services_form(world.commune_b, D(2025, 1, 1), D(2025, 12, 31))
    assert g.get("temp_in") == 1 and g.get("badge40") == 0
    assert Member.objects.get(pk=m.pk).home_unit == world.cells_a[0]


def test_a_submitted_quarter_is_frozen_and_backdated_events_are_flagged(world, today):
    from django.core.exceptions import ValidationError

    from chibo.members import reconciliation as r

    m = s.add_member(
        actor=SYSTEM,
        unit=world.cells_a[0],
        family_name="Lò",
        middle_name="Văn",
        given_name="Pọm",
        gender="m",
        birth_year=1960,
        admitted_on=D(2000, 1, 1),
        recognized_on=D(2001, 1, 1),
        placed_on=D(2020, 1, 1),
    )
    rec = r.submit(actor=world.official_a, unit=world.commune_a, year=2025, quarter=3)
    assert rec.figures["A"] == rec.figures["D"] == 1
    with pytest.raises(ValidationError):
        r.submit(actor=world.official_a, unit=world.commune_a, year=2025, quarter=3)
    with pytest.raises(ValidationError):  # this quarter is not over yet
        r.submit(
            actor=world.official_a,
            unit=world.commune_a,
            year=today.year,
            quarter=(today.month - 1) // 3 + 1,
        )
    death = s.record_death(actor=SYSTEM, member=m, died_on=D(2025, 8, 14))
    assert death.data["reported_quarter"] == "3/2025"
    later = s.issue_card(
        actor=SYSTEM, member=Member.objects.get(pk=m.pk), card_no="9", issued_on=D(2025, 8, 1)
    )
    assert later.data["reported_quarter"] == "3/2025"
    rec.refresh_from_db()
    assert rec.figures["D"] == 1  # frozen
    q3 = next(
        q
        for q in r.overview(world.commune_a, D(2026, 11, 23))
        if (q["year"], q["quarter"]) == (2025, 3)
    )
    assert q3["changed"] and q3["now"]["D"] == 0 and {e.pk for e in q3["late"]} >= {death.pk}
    other = s.add_member(
        actor=SYSTEM,
        unit=world.cell_b,
        family_name="Quàng",
        middle_name="Văn",
        given_name="Ún",
        gender="m",
        birth_year=1960,
        admitted_on=D(2000, 1, 1),
        recognized_on=D(2001, 1, 1),
        placed_on=D(2020, 1, 1),
    )
    e = s.record_death(actor=SYSTEM, member=other, died_on=D(2025, 8, 14))
    assert "reported_quarter" not in e.data  # commune B has not reported


def test_running_count_rows_equal_a_rebuild_and_sum_to_the_unit_count(histories):
    from django.utils import timezone

    from chibo.members import aggregates
    from chibo.members.models import CountDelta

    w = histories
    fields = ("member_id", "unit_id", "day", "members", "official", "women", "exempt")
    running = sorted(CountDelta.objects.values_list(*fields))
    aggregates.rebuild()
    assert sorted(CountDelta.objects.values_list(*fields)) == running and running
    today = timezone.localdate()
    for day in (today, D(2021, 6, 30), D(2019, 12, 31)):
        by_child = aggregates.children_on(w.province, day)
        assert set(by_child) <= {w.commune_a.pk, w.commune_b.pk}
        assert sum(v["members"] for v in by_child.values()) == counts_on(w.province, day)["total"]
        for commune in (w.commune_a, w.commune_b):
            got = by_child.get(commune.pk, {}).get("members", 0)
            assert got == counts_on(commune, day)["total"]
