"""Two phones saving the same meeting form at the same moment, through the real offline-sync
endpoint, each request in its own thread on its own PostgreSQL connection (issue 11, point 5).
SQLite writes one transaction at a time, so there is nothing to race there."""

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from chibo.core.actors import SYSTEM
from chibo.core.testing import together
from chibo.meetings import holding, offline
from chibo.meetings.models import AppliedWrite, Meeting
from tests.world import build_world, make_member

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="real concurrent transactions need PostgreSQL (SQLite serializes writers)",
    ),
    pytest.mark.django_db(transaction=True),
]

DAY = dt.date(2026, 11, 3)


def test_two_phones_changing_one_field_from_one_base_get_exactly_one_conflict():
    w = build_world()
    cell = w.cells_a[0]
    make_member(cell, "Lò Văn Pọm")
    m = Meeting.objects.create(unit=cell, kind="regular", planned_on=DAY)
    holding.record_holding(actor=SYSTEM, meeting=m, held_on=DAY)
    base = offline.state(Meeting.objects.get(pk=m.pk), "holding")
    assert base["conclusion"] == ""
    url = reverse("meetings:holding", args=[m.pk])
    words = {"a": "Thống nhất thông qua nghị quyết", "b": "Giao chi ủy bổ sung ý kiến"}

    def phone(conclusion: str):
        # Logged in here, not in the thread: the login's session write would be the thread's
        # first transaction, and the barrier belongs to the save's.
        client = Client()
        client.force_login(w.official_a)

        def send():
            body = {**base, "conclusion": conclusion}
            body.update({f"base.{k}": v for k, v in base.items()})
            return client.post(
                url,
                body,
                HTTP_X_CHIBO_CLIENT_ID=str(uuid.uuid4()),
                HTTP_ACCEPT="application/json",
            )

        return send

    outcomes = together(phone(words["a"]), phone(words["b"]))

    assert all(ok for ok, _r in outcomes), outcomes
    by_status = sorted(((r.status_code, r.json()) for _ok, r in outcomes), key=lambda x: x[0])
    assert [s for s, _j in by_status] == [200, 409]
    (_s, won), (_s, lost) = by_status
    winner = won["state"]["conclusion"]
    assert winner in words.values()
    loser = next(v for v in words.values() if v != winner)
    assert [(c["field"], c["mine"], c["theirs"]) for c in lost["conflicts"]] == [
        ("conclusion", loser, winner)
    ]
    assert Meeting.objects.get(pk=m.pk).conclusion == winner
    assert AppliedWrite.objects.filter(meeting=m).count() == 1
