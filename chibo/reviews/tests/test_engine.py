"""The rating engine: bands, conditions, caps and the quota, as properties over random facts
(caps are always applied; a quota is never reported as kept when it is broken)."""

from __future__ import annotations

import datetime as dt
import math

from hypothesis import given
from hypothesis import strategies as st

from chibo.reviews import engine, packs
from chibo.reviews.choices import RANK, Level, NotRated

X, G, D, F = Level.EXCELLENT, Level.GOOD, Level.DONE, Level.FAILED
RATING_YEARS = st.integers(min_value=2018, max_value=2040)
tasks = st.builds(
    engine.Tasks,
    done=st.integers(0, 6),
    late=st.integers(0, 6),
    exceeded=st.integers(0, 6),
    not_done=st.integers(0, 6),
)
fact = st.builds(engine.Fact, code=st.just("x"), detail=st.text(max_size=20))


def rules(year: int) -> packs.Rules:
    return packs.for_year(year).defaults()


def test_it_picks_the_pack_in_force_each_year():
    assert packs.for_year(2004).code == "pre2008"
    assert packs.for_year(2008).code == "hd20"
    assert packs.for_year(2016).code == "hd27"
    assert packs.for_year(2018).code == "q132_hd16"
    assert packs.for_year(2019).code == "q132_hd21"
    assert packs.for_year(2022).code == "q132_hd21"
    assert packs.for_year(2023).code == "q124_hd25"
    assert packs.for_year(2024).code == "q124_hd25"
    assert packs.for_year(2025).code == "q366_hd43"
    assert packs.for_year(2031).code == "q366_hd43"


def test_it_reads_366_bands_at_their_edges():
    r = rules(2025)
    got = [
        engine.rate_member(engine.MemberFacts(2025, points=p), r).level
        for p in (100, 90, 89.9, 70, 69.9, 50, 49.9, 0)
    ]
    assert got == [X, X, G, G, D, D, F, F]


def test_it_keeps_old_labels_and_their_ambiguity():
    pack = packs.for_year(2016)
    tsvm = pack.find_label(packs.ORG, "trong sach vung manh")
    assert tsvm.code == "tsvm" and tsvm.ambiguous and set(tsvm.could_be) == {X, G}
    assert pack.find_label(packs.ORG, "Trong sạch, vững mạnh tiêu biểu").level == X
    assert pack.find_label(packs.MEMBER, "Vi phạm tư cách").level == F
    assert pack.find_label(packs.ORG, "xuất sắc") is None


def test_it_lists_new_members_apart_and_does_not_rate_the_exempt():
    r = rules(2025)
    new = engine.MemberFacts(2025, points=95, admitted_on=dt.date(2025, 7, 1))
    assert engine.rate_member(new, r).not_rated == NotRated.NEW_MEMBER
    old_enough = engine.MemberFacts(2025, points=95, admitted_on=dt.date(2025, 6, 30))
    assert engine.rate_member(old_enough, r).level == X
    assert engine.rate_member(engine.MemberFacts(2025, exempt=True, points=95), r).not_rated
    assert not engine.rate_member(engine.MemberFacts(2025, exempt=True, points=95), r).level


def test_suspended_members_are_rated_before_hd21_and_not_after():
    before = engine.rate_member(engine.MemberFacts(2018, suspended=True, chosen=G), rules(2018))
    after = engine.rate_member(engine.MemberFacts(2019, suspended=True, chosen=G), rules(2019))
    assert before.level == G
    assert after.not_rated == NotRated.SUSPENDED and not after.level


def test_a_discipline_shows_its_detail_only_in_the_detail():
    f = engine.Fact("discipline", "Khiển trách, QĐ 12-QĐ/UBKT", "members.memberevent:7")
    res = engine.rate_member(engine.MemberFacts(2025, points=95, disciplined=(f,)), rules(2025))
    assert res.level == F
    line = [ln for ln in res.lines if ln.code == "disciplined"][0]
    assert "Khiển trách" not in line.text and line.detail == f.detail and line.lowered_to == F
    assert "Quy định 366-QĐ/TW, Hướng dẫn 43-HD/BTCTW" in res.citation


@given(
    year=RATING_YEARS,
    points=st.floats(0, 100),
    t=tasks,
    disciplined=st.lists(fact, max_size=2),
    state=st.lists(fact, max_size=1),
    conclusions=st.lists(fact, max_size=1),
    official=st.booleans(),
)
def test_caps_are_always_applied(year, points, t, disciplined, state, conclusions, official):
    r = rules(year)
    facts = engine.MemberFacts(
        year,
        official=official,
        points=points if r.pack.member_bands else None,
        chosen="" if r.pack.member_bands else X,
        tasks=t,
        disciplined=tuple(disciplined),
        state_failed=tuple(state),
        conclusions=tuple(conclusions),
    )
    res = engine.rate_member(facts, r)
    assert res.level in RANK
    if disciplined or state or conclusions:
        assert res.level == F
    if t.total and t.completed / t.total < r["tasks_done_floor"]:
        assert res.level == F
    # The level never exceeds the band (or the level chosen) it started from.
    start = r.pack.band(packs.MEMBER, points) if r.pack.member_bands else X
    assert RANK[res.level] <= RANK[start]
    # Every lowering is explained.
    if res.level != start:
        assert any(ln.lowered_to for ln in res.lines)
    if year >= 2025 and res.level == X:
        assert t.late == 0 and t.not_done == 0
        assert t.exceeded / t.total >= r["member_excellent_exceeded_share"] if t.total else True


@given(
    members=st.lists(st.sampled_from([X, G, D, F]), min_size=1, max_size=20),
    points=st.floats(0, 100),
)
def test_a_cell_is_never_good_with_a_failed_member(members, points):
    res = engine.rate_org(
        engine.OrgFacts(2025, points=points, member_levels=tuple(members)), rules(2025)
    )
    if F in members:
        assert RANK[res.level] <= RANK[D]


def test_a_disciplined_leadership_makes_the_collective_fail():
    f = engine.Fact("discipline", "Cảnh cáo")
    res = engine.rate_org(engine.OrgFacts(2023, chosen=G, leadership_disciplined=(f,)), rules(2023))
    assert res.level == F


def test_hd27_weak_when_more_than_half_the_members_failed():
    res = engine.rate_org(engine.OrgFacts(2016, points=80, member_levels=(F, F, D)), rules(2016))
    assert res.level == F
    ok = engine.rate_org(engine.OrgFacts(2016, points=80, member_levels=(F, D, D)), rules(2016))
    assert ok.level == G


@given(
    levels=st.lists(st.sampled_from([X, G, D, F, ""]), max_size=60),
    extra=st.integers(0, 3),
    year=RATING_YEARS,
)
def test_the_quota_counts_what_it_says(levels, extra, year):
    q = engine.quota(levels, rules(year), extra=extra)
    excellent = levels.count(X)
    base = levels.count(X) + levels.count(G)
    assert q.excellent == excellent and q.base == base
    assert q.allowed == math.floor(base * 0.2 + 1e-9)
    assert q.broken == (excellent > q.allowed + extra)


def test_the_state_share_may_not_exceed_the_party_share():
    assert engine.state_share_broken([X, G, G, G], [X, X, G, G])
    assert not engine.state_share_broken([X, X, G, G], [X, G, G, G])
    assert not engine.state_share_broken([X], [])
