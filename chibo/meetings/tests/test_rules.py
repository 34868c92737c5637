import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chibo.core import params
from chibo.meetings import rules
from chibo.meetings.models import MeetingKind, VoteKind
from chibo.org.models import Parameter

DAY = dt.date(2026, 11, 3)

seat = st.builds(
    rules.Seat,
    official=st.booleans(),
    exempt=st.booleans(),
    suspended=st.booleans(),
    away=st.booleans(),
    guest_member=st.booleans(),
    status=st.sampled_from(["present", "excused", "unexcused", ""]),
)


@given(
    st.integers(1, 5), st.integers(2, 6), st.booleans(), st.integers(0, 300), st.integers(0, 300)
)
def test_the_needed_number_is_the_least_that_meets_the_fraction(n, d, strict, base, yes):
    rule = rules.Rule(min(n, d), d, strict)
    meets = yes * rule.denominator > base * rule.numerator
    if not strict:
        meets = yes * rule.denominator >= base * rule.numerator
    assert rule.passes(yes, base) == (base > 0 and yes >= 1 and meets)
    need = rule.required(base)
    if base > 0:
        assert rule.passes(need, base)
        assert need == 1 or not rule.passes(need - 1, base)


@pytest.mark.django_db
@given(st.lists(seat, max_size=30), st.data())
def test_only_present_counted_official_members_vote(seats, data):
    voters = [s for s in seats if rules.may_vote(s)]
    base = sum(1 for s in seats if rules.in_base(s))
    assert all(s.official and s.present and not s.away and not s.guest_member for s in voters)
    assert len(voters) <= base  # absent members still count in the base
    yes = data.draw(st.integers(0, len(voters)))
    no = data.draw(st.integers(0, len(voters) - yes))
    out = rules.judge(VoteKind.ORDINARY, seats, yes, no, DAY)
    assert out.base == base and out.voters == len(voters)
    assert out.passed == (base > 0 and 2 * yes > base)
    with pytest.raises(ValueError):
        rules.judge(VoteKind.ORDINARY, seats, len(voters) + 1 - no, no, DAY)


def test_absent_exempt_members_and_those_away_do_not_count_but_present_exempt_ones_do():
    s = [
        rules.Seat(official=True, status="present"),
        rules.Seat(official=True, status="present"),
        rules.Seat(official=True, status="unexcused"),
        rules.Seat(official=True, exempt=True, status="excused"),  # not counted
        rules.Seat(official=True, exempt=True, status="present"),  # counted, votes
        rules.Seat(official=True, away=True),  # attached elsewhere
        rules.Seat(official=False, status="present"),  # probationary
    ]
    assert sum(map(rules.in_base, s)) == 4
    assert sum(map(rules.may_vote, s)) == 3


@pytest.mark.django_db
def test_admission_needs_two_thirds_and_goes_up_after_three_failures():
    s = [rules.Seat(official=True, status="present") for _ in range(9)]
    ok = rules.judge(VoteKind.ADMISSION, s, 6, 3, DAY)
    assert ok.passed and ok.required == 6 and "6/9" in ok.explanation
    short = rules.judge(VoteKind.ADMISSION, s, 5, 4, DAY, failed_before=1)
    assert not short.passed and not short.escalated and "2/3" in short.explanation
    third = rules.judge(VoteKind.RECOGNITION, s, 5, 4, DAY, failed_before=2)
    assert third.escalated and "cấp ủy cấp trên" in third.explanation
    # An ordinary resolution with 5 of 9 passes (more than half); 4 of 8 does not.
    assert rules.judge(VoteKind.ORDINARY, s, 5, 0, DAY).passed
    assert not rules.judge(VoteKind.ORDINARY, s[:8], 4, 0, DAY).passed


@pytest.mark.django_db
def test_thresholds_are_dated_parameters():
    s = [rules.Seat(official=True, status="present") for _ in range(10)]
    assert not rules.judge(VoteKind.ADMISSION, s, 6, 0, DAY).passed
    Parameter.objects.create(
        key="vote_admission",
        value={"fraction": [1, 2], "strict": True},
        valid_from=dt.date(2027, 1, 1),
        source="test",
    )
    assert not rules.judge(VoteKind.ADMISSION, s, 6, 0, DAY).passed  # 2026: still 2/3
    assert rules.judge(VoteKind.ADMISSION, s, 6, 0, dt.date(2027, 3, 1)).passed


@pytest.mark.django_db
def test_the_minimum_length_starts_with_hd_42_and_a_committee_may_set_its_own(world):
    assert rules.min_minutes(MeetingKind.REGULAR, dt.date(2019, 5, 3)) is None
    assert rules.min_minutes(MeetingKind.REGULAR, dt.date(2025, 10, 27)) is None
    assert rules.min_minutes(MeetingKind.REGULAR, dt.date(2025, 10, 28)) == 90
    assert rules.min_minutes(MeetingKind.COMBINED, DAY) == 120
    assert rules.min_minutes(MeetingKind.CELL_COMMITTEE, DAY) is None
    small, other = world.cells_a[0], world.cells_a[1]
    Parameter.objects.create(
        key="meeting_min_minutes",
        value=60,
        valid_from=dt.date(2026, 1, 1),
        unit=world.commune_a,
        source="NQ đảng ủy xã: chi bộ dưới 5 đảng viên",
    )
    Parameter.objects.create(
        key="meeting_min_minutes", value=45, valid_from=dt.date(2026, 1, 1), unit=small
    )
    assert rules.min_minutes(MeetingKind.REGULAR, DAY, small) == 45  # its own row wins
    assert rules.min_minutes(MeetingKind.REGULAR, DAY, other) == 60  # the commune's row
    assert rules.min_minutes(MeetingKind.REGULAR, DAY, world.cell_b) == 90
    assert params.get("meeting_min_minutes", dt.date(2025, 12, 1), small) == 90


@pytest.mark.django_db
def test_quorum_counts_those_expected():
    s = [rules.Seat(official=True, status="present")] * 4 + [
        rules.Seat(official=False, status="unexcused")
    ] * 2
    s += [rules.Seat(official=True, exempt=True, status="excused")]  # optional, not expected
    q = rules.quorum(s, DAY)
    assert (q.summoned, q.present, q.needed, q.met) == (6, 4, 4, True)
    q = rules.quorum(s[1:], DAY)
    assert (q.summoned, q.present, q.met) == (5, 3, False)
