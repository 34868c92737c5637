"""Two decisions of one round at once (PostgreSQL, real threads and transactions): the round's
row is locked, so one decides and the other finds the round decided."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from chibo.accounts.choices import Role
from chibo.audit.models import AuditLog
from chibo.core.testing import together
from chibo.reviews.choices import Level
from chibo.reviews.models import Rating, Round
from chibo.reviews.services import rounds
from tests.world import build_world, make_member, make_user

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="real concurrent transactions need PostgreSQL (SQLite serializes writers)",
    ),
    pytest.mark.django_db(transaction=True),
]

D = dt.date


def test_two_decisions_of_one_round_at_once_one_wins():
    w = build_world()
    cell = w.cells_a[0]
    secretary = make_user("bithu.dong", cell, Role.SECRETARY)
    ms = [make_member(cell, n) for n in ("Lò Văn An", "Cầm Văn Bình", "Lường Văn Ba")]
    rnd = rounds.open_round(actor=secretary, unit=cell, year=2025)
    for m in ms:
        rounds.propose(
            actor=secretary, round=rnd, member=m, level=Level.GOOD, votes_for=3, votes_base=4
        )

    def deciding(no: str, level: str):
        return lambda: rounds.decide(
            actor=w.official_a,
            round=Round.objects.get(pk=rnd.pk),
            decisions={m.pk: level for m in ms},
            decision_no=no,
            decided_on=D(2026, 11, 16),
        )

    outcomes = together(deciding("15-QĐ/ĐU", Level.GOOD), deciding("16-QĐ/ĐU", Level.DONE))

    done = [value for ok, value in outcomes if ok]
    refused = [value for ok, value in outcomes if not ok]
    assert len(done) == 1 and len(refused) == 1, outcomes
    assert isinstance(refused[0], ValidationError)
    assert refused[0].messages == ["Đợt đánh giá năm 2025 đã có quyết định: kết quả đã khóa."]
    kept = Rating.objects.filter(round=rnd)
    assert kept.count() == 3
    assert len({r.decision_no for r in kept}) == 1
    assert {r.decision_no for r in kept} == {done[0][0].decision_no}
    assert AuditLog.objects.filter(action="reviews.round.decide").count() == 1
