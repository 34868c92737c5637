"""Every XLSX export route writes what people typed as text: a unit, a person or a place named
like a formula opens in Excel as that name, never as a live formula (issue 11, finding 6)."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from chibo.accounts.models import User
from chibo.core.actors import SYSTEM
from chibo.meetings.models import FollowUp
from chibo.members import records
from chibo.org.services import RenameUnit
from tests.world import PASSWORD, decision, make_member, make_user

FORMULA = '=HYPERLINK("http://x","y")'
PHONE = "+84 912 345 678"


@pytest.fixture
def typed(world):
    cell = world.cells_a[0]
    RenameUnit(decision(dt.date(2025, 7, 1)), unit=cell, name=FORMULA).execute(actor=SYSTEM)
    member = make_member(cell, "Lò Văn Pọm")
    records.update_record(actor=SYSTEM, member=member, hometown="=1+1")
    FollowUp.objects.create(
        user=make_user("theodoi", world.commune_a),
        unit=cell,
        role="upper",
        valid_from=dt.date(2026, 1, 1),
    )
    User.objects.filter(username="xem.a").update(full_name=FORMULA, phone=PHONE)
    return world


def _cells(resp):
    assert resp.status_code == 200, resp
    assert resp["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(resp.getvalue()))
    return [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]


def _shows_as_text(resp, *texts) -> None:
    cells = _cells(resp)
    assert not [c.coordinate for c in cells if c.data_type == "f"]  # no formula at all
    for text in texts:
        hits = [c for c in cells if c.value == text]
        assert hits, f"{text!r} is not in the file"
        assert {c.data_type for c in hits} == {"s"}


@pytest.mark.parametrize(
    "route, params, texts",
    [
        ("org:export", lambda w: {}, [FORMULA]),
        ("members:export", lambda w: {"unit": w.commune_a.pk}, [FORMULA]),
        ("members:import_template", lambda w: {"unit": w.commune_a.pk}, [FORMULA]),
        ("audit:export", lambda w: {"action": "org.rename"}, [FORMULA]),
        ("accounts:export", lambda w: {}, [FORMULA, PHONE]),
    ],
)
def test_it_writes_typed_text_as_text(client, typed, route, params, texts):
    assert client.login(username=typed.official_a.username, password=PASSWORD)
    _shows_as_text(client.get(reverse(route), params(typed)), *texts)


def test_the_roll_writes_a_hometown_like_a_formula_as_text(client, typed):
    assert client.login(username=typed.official_a.username, password=PASSWORD)
    url = reverse("members:roll", args=[typed.commune_a.pk])
    _shows_as_text(client.get(url, {"format": "xlsx"}), "=1+1")


@pytest.mark.parametrize("route", ["meetings:stats", "meetings:follow_up"])
def test_the_meeting_reports_write_a_unit_named_like_a_formula_as_text(client, typed, route):
    assert client.login(username=typed.official_a.username, password=PASSWORD)
    url = reverse(route, args=[typed.commune_a.pk])
    _shows_as_text(client.get(url, {"year": "2026", "format": "xlsx"}), FORMULA)
