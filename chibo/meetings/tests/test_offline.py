import datetime as dt
import uuid

import pytest
from django.urls import reverse

from chibo.audit.models import AuditLog
from chibo.core.actors import SYSTEM
from chibo.meetings import holding
from chibo.meetings.models import AppliedWrite, Attendance, Meeting, Speech
from tests.world import PASSWORD, make_member, make_user

DAY = dt.date(2026, 11, 3)


@pytest.fixture
def meeting(world):
    cell = world.cells_a[0]
    people = [make_member(cell, n) for n in ("Lò Văn Pọm", "Quàng Văn Dung", "Cầm Văn Ón")]
    m = Meeting.objects.create(unit=cell, kind="regular", planned_on=DAY)
    holding.record_holding(actor=SYSTEM, meeting=m, held_on=DAY)
    holding.attendance(m)
    return m, people


def _post(client, url, data, cid=None):
    headers = {
        "HTTP_X_CHIBO_CLIENT_ID": str(cid or uuid.uuid4()),
        "HTTP_ACCEPT": "application/json",
    }
    return client.post(url, data, **headers)


def test_a_change_sent_twice_is_applied_once(client, meeting, world):
    m, people = meeting
    assert client.login(username=world.official_a.username, password=PASSWORD)
    url = reverse("meetings:speech", args=[m.pk])
    cid = uuid.uuid4()
    first = _post(client, url, {"member": people[0].pk, "points": "Đề nghị làm đường"}, cid)
    again = _post(client, url, {"member": people[0].pk, "points": "Đề nghị làm đường"}, cid)
    assert first.status_code == again.status_code == 200
    assert first.json()["ok"] and again.json()["repeat"]
    assert Speech.objects.filter(meeting=m).count() == 1
    assert AuditLog.objects.filter(action="meetings.speech").count() == 1
    # Another account cannot replay someone else's id.
    other = make_user("canbo.a2", world.commune_a)
    client.logout()
    assert client.login(username=other.username, password=PASSWORD)
    assert _post(client, url, {"points": "x", "name": "y"}, cid).status_code == 400
    assert _post(client, url, {"points": "x", "name": "y"}, "not-a-uuid").status_code == 400


def test_a_field_changed_elsewhere_is_a_conflict_and_nothing_is_applied(client, meeting, world):
    m, people = meeting
    p = people[0].pk
    # Someone at the commune office marks Pọm excused meanwhile.
    holding.record_attendance(actor=SYSTEM, meeting=m, marks={p: ("excused", "Ốm")})
    assert client.login(username=world.official_a.username, password=PASSWORD)
    url = reverse("meetings:attendance", args=[m.pk])
    body = {f"s{p}": "present", f"r{p}": "", f"base.s{p}": "", f"base.r{p}": ""}
    resp = _post(client, url, body)
    assert resp.status_code == 409
    labels = {c["field"]: (c["mine_text"], c["theirs_text"]) for c in resp.json()["conflicts"]}
    assert labels[f"s{p}"] == ("Có mặt", "Vắng có lý do")
    assert Attendance.objects.get(meeting=m, member_id=p).status == "excused"
    assert not AppliedWrite.objects.exists()
    # "Keep mine": the device sends again with the server's value as its base.
    body.update({f"base.s{p}": "excused", f"base.r{p}": "Ốm"})
    ok = _post(client, url, body)
    assert ok.status_code == 200 and ok.json()["state"][f"s{p}"] == "present"
    assert Attendance.objects.get(meeting=m, member_id=p).status == "present"
    # A field nobody else touched never conflicts, even with an old base.
    q = people[1].pk
    again = _post(client, url, {f"s{q}": "unexcused", f"base.s{q}": ""})
    assert again.status_code == 200


def test_bad_input_from_the_device_is_refused_with_reasons(client, meeting, world):
    m, people = meeting
    assert client.login(username=world.official_a.username, password=PASSWORD)
    resp = _post(
        client,
        reverse("meetings:attendance", args=[m.pk]),
        {f"s{people[0].pk}": "excused", f"r{people[0].pk}": ""},
    )
    assert resp.status_code == 422 and "lý do" in resp.json()["errors"][0]
    vote = _post(client, reverse("meetings:vote", args=[m.pk]), {"kind": "ordinary", "yes": "x"})
    assert vote.status_code == 422
    assert not AppliedWrite.objects.exists()


def test_the_holding_form_reports_its_new_state_and_version(client, meeting, world):
    m, people = meeting
    assert client.login(username=world.official_a.username, password=PASSWORD)
    before = Meeting.objects.get(pk=m.pk).version
    resp = _post(
        client,
        reverse("meetings:holding", args=[m.pk]),
        {"held_on": "2026-11-03", "started_at": "07:30", "ended_at": "09:10", "quality": "good"},
    )
    data = resp.json()
    assert data["version"] == before + 1
    assert data["state"]["ended_at"] == "09:10" and data["state"]["quality"] == "good"


def test_the_service_worker_is_served_from_the_root(client):
    resp = client.get(reverse("service_worker"))
    assert resp.status_code == 200 and resp["Content-Type"].startswith("text/javascript")
    assert "/static/" in resp.content.decode() and resp["Cache-Control"] == "no-cache"


def test_the_workers_words_follow_the_language_it_was_registered_in(client):
    assert "Mất kết nối" in client.get(reverse("service_worker") + "?lang=vi").content.decode()
    assert "No connection" in client.get(reverse("service_worker") + "?lang=en").content.decode()
    assert "Mất kết nối" in client.get(reverse("service_worker") + "?lang=xx").content.decode()


def test_the_api_applies_a_device_write_once_and_refuses_a_collision(client, meeting, world):
    import json

    m, people = meeting
    p = people[0].pk
    assert client.login(username=world.official_a.username, password=PASSWORD)
    url = f"/api/v1/meetings/{m.pk}/attendance"
    cid = str(uuid.uuid4())
    body = {"client_id": cid, "marks": [{"member_id": p, "status": "present", "reason": ""}]}
    first = client.post(url, json.dumps(body), content_type="application/json")
    again = client.post(url, json.dumps(body), content_type="application/json")
    assert first.status_code == again.status_code == 200 and again.json()["repeat"]
    assert AuditLog.objects.filter(action="meetings.attendance").count() == 1
    # The office changes it; a device that started from "" and sends "unexcused" collides.
    holding.record_attendance(actor=SYSTEM, meeting=m, marks={p: ("excused", "Ốm")})
    late = {
        "client_id": str(uuid.uuid4()),
        "marks": [{"member_id": p, "status": "unexcused", "reason": ""}],
        "base": [{"member_id": p, "status": "present", "reason": ""}],
    }
    resp = client.post(url, json.dumps(late), content_type="application/json")
    assert resp.status_code == 409 and resp.json()["conflicts"][0]["theirs_text"] == "Vắng có lý do"
    vote = client.post(
        f"/api/v1/meetings/{m.pk}/votes",
        json.dumps({"kind": "ordinary", "title": "Nghị quyết tháng 11", "yes": 0, "no": 0}),
        content_type="application/json",
    )
    assert vote.status_code == 200 and vote.json()["vote_id"]
    detail = client.get(f"/api/v1/meetings/{m.pk}").json()
    assert "Cơ sở tính" in detail["votes"][0]["explanation"]
    assert {a["member_id"]: a["status"] for a in detail["attendance"]}[p] == "excused"


def test_a_field_left_alone_on_the_device_keeps_what_the_office_wrote(client, meeting, world):
    m, people = meeting
    x, y = people[0].pk, people[1].pk
    holding.record_attendance(actor=SYSTEM, meeting=m, marks={x: ("present", "")})  # the office
    assert client.login(username=world.official_a.username, password=PASSWORD)
    # The device started before that change: X blank, and only Y was changed there.
    body = {
        f"s{x}": "",
        f"base.s{x}": "",
        f"s{y}": "excused",
        f"r{y}": "Đi viện",
        f"base.s{y}": "",
        f"base.r{y}": "",
    }
    resp = _post(client, reverse("meetings:attendance", args=[m.pk]), body)
    assert resp.status_code == 200
    got = {a.member_id: a.status for a in Attendance.objects.filter(meeting=m)}
    assert got[x] == "present" and got[y] == "excused"


def test_the_api_leaves_unsent_holding_fields_as_they_are(client, meeting, world):
    import json

    m, people = meeting
    holding.record_holding(
        actor=SYSTEM, meeting=m, held_on=DAY, guests="Đ/c Vàng A Dơ", conclusion="Thống nhất"
    )
    assert client.login(username=world.official_a.username, password=PASSWORD)
    resp = client.post(
        f"/api/v1/meetings/{m.pk}/holding",
        json.dumps({"held_on": DAY.isoformat(), "quality": "good"}),
        content_type="application/json",
    )
    assert resp.status_code == 200
    m.refresh_from_db()
    assert (m.guests, m.conclusion, m.quality) == ("Đ/c Vàng A Dơ", "Thống nhất", "good")
