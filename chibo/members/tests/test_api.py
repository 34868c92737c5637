import datetime as dt
import json

import pytest

from chibo.accounts.choices import Role
from chibo.core.actors import SYSTEM
from chibo.members import records
from chibo.members.models import Member
from chibo.members.services import add_member
from tests.world import PASSWORD, make_user


@pytest.fixture
def member(world):
    m = add_member(
        actor=SYSTEM,
        unit=world.cells_a[0],
        family_name="Lò",
        middle_name="Văn",
        given_name="Pọm",
        gender="m",
        birth_year=1950,
        admitted_on=dt.date(1985, 1, 1),
        recognized_on=dt.date(1986, 1, 1),
        placed_on=dt.date(2020, 1, 1),
    )
    records.update_record(actor=SYSTEM, member=m, identity_type="cccd", identity_no="011050001234")
    return Member.objects.get(pk=m.pk)


def _post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_list_and_record_with_masking_by_role(client, world, member):
    assert client.login(username=world.viewer_a.username, password=PASSWORD)
    page = client.get(f"/api/v1/members/?unit_id={world.commune_a.pk}").json()
    assert [i["full_name"] for i in page["items"]] == ["Lò Văn Pọm"]
    rec = client.get(f"/api/v1/members/{member.pk}").json()
    assert rec["record"]["identity_no"] == "•••" and rec["sensitive_masked"]
    client.logout()
    secretary = make_user("bithu", world.cells_a[0], Role.SECRETARY)
    assert client.login(username=secretary.username, password=PASSWORD)
    rec = client.get(f"/api/v1/members/{member.pk}").json()
    assert rec["record"]["identity_no"] == "011050001234"
    assert [e["kind"] for e in rec["events"]] == ["admission", "recognition"]


def test_events_follow_their_rules_through_the_api(client, world, member):
    assert client.login(username=world.official_a.username, password=PASSWORD)
    url = f"/api/v1/members/{member.pk}/events"
    bad = _post(client, url, {"kind": "badge", "effective_date": "2010-01-01", "years": 40})
    assert bad.status_code == 400 and "chưa đủ 40 năm" in bad.json()["detail"][0]
    ok = _post(client, url, {"kind": "badge", "effective_date": "2025-02-03", "years": 40})
    assert ok.status_code == 201 and ok.json()["data"]["years"] == 40
    far = client.get(f"/api/v1/members/units/{world.commune_a.pk}/deadlines?on=9999-12-31")
    assert far.status_code == 200  # clamped: no deadline past year 9999


def test_transfer_and_arrival_through_the_api(client, world, member):
    assert client.login(username=world.official_a.username, password=PASSWORD)
    t = _post(
        client,
        f"/api/v1/members/{member.pk}/transfers",
        {"kind": "official", "to_unit_id": world.cell_b.pk, "departed_on": "2026-11-02"},
    )
    assert t.status_code == 201 and t.json()["letter_no"] == 1
    tid = t.json()["id"]
    early = _post(client, f"/api/v1/members/transfers/{tid}/arrival", {"arrived_on": "2026-11-05"})
    assert early.status_code == 404  # commune A is not the receiving side
    client.logout()
    assert client.login(username=world.official_b.username, password=PASSWORD)
    dl = client.get(f"/api/v1/members/units/{world.commune_b.pk}/deadlines").json()
    assert any(a["kind"] == "arrival" and a["transfer_id"] == tid for a in dl)
    ok = _post(client, f"/api/v1/members/transfers/{tid}/arrival", {"arrived_on": "2026-11-05"})
    assert ok.status_code == 200 and ok.json()["arrived_on"] == "2026-11-05"
    roll = client.get(f"/api/v1/members/units/{world.commune_b.pk}/roll").json()
    assert roll[0]["columns"][10].startswith("05/11/2026")
    form = client.get(
        f"/api/v1/members/units/{world.commune_b.pk}/forms/1?start=2026-01-01&end=2026-12-31"
    ).json()
    assert {r["code"]: r["value"] for r in form}["B2b"] == 1


def test_periods_at_the_edge_of_the_calendar_are_refused_not_crashed(client, world):
    assert client.login(username=world.official_a.username, password=PASSWORD)
    resp = client.get(
        f"/api/v1/members/units/{world.commune_a.pk}/forms/1?start=0001-01-08&end=2000-01-08"
    )
    assert resp.status_code == 200  # clamped into the computable range, not a crash
    resp = client.get(
        f"/api/v1/members/units/{world.commune_a.pk}/forms/1?start=2026-01-01&end=2025-01-01"
    )
    assert resp.status_code == 200  # reversed dates are swapped, as on the page


def test_a_query_parameter_given_twice_is_refused(client, world):
    assert client.login(username=world.official_a.username, password=PASSWORD)
    resp = client.get("/api/v1/members/?after=1&after=2")
    assert resp.status_code == 422 and "after" in resp.json()["detail"][0]
