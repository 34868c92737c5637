import datetime as dt

import pytest
from django.db import transaction

from chibo.audit.models import AuditLog
from chibo.audit.services import record
from chibo.core.actors import SYSTEM
from chibo.org.services import RenameUnit
from tests.world import PASSWORD, decision


def test_it_writes_the_row_in_the_same_transaction_as_the_change(world):
    before = AuditLog.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        RenameUnit(decision(dt.date(2025, 7, 1)), unit=world.commune_a, name="Tên mới").execute(
            actor=world.official_a
        )
        raise RuntimeError("the caller fails after the change")
    assert AuditLog.objects.count() == before
    world.commune_a.refresh_from_db()
    assert world.commune_a.name == "Đảng bộ xã Đồng Tâm"


def test_it_records_who_when_request_id_ip_and_before_after(world, client):
    client.login(username="canbo.a", password=PASSWORD)
    resp = client.post(
        f"/org/unit/{world.commune_a.pk}/restructure/rename/",
        {
            "effective_date": "2025-07-01",
            "decision_no": "15-QĐ/TU",
            "issuer": "Ban Thường vụ Tỉnh ủy",
            "name": "Đảng bộ xã Đồng Tâm Mới",
            "apply": "1",
        },
        headers={"X-Request-ID": "req-123"},
    )
    assert resp.status_code == 302
    row = AuditLog.objects.get(action="org.rename")
    assert row.actor == world.official_a
    assert row.request_id == "req-123" and row.ip == "127.0.0.1" and row.source == "web"
    assert row.unit_id == world.commune_a.pk
    assert "Đảng bộ xã Đồng Tâm Mới" in " ".join(row.after["effects"])


def test_it_refuses_a_change_row_outside_a_transaction(transactional_db):
    with pytest.raises(RuntimeError):
        record(actor=SYSTEM, action="org.rename")


def test_it_scopes_the_log_viewer(world, client):
    RenameUnit(decision(dt.date(2025, 7, 1)), unit=world.cell_b, name="Chi bộ TDP 1 mới").execute(
        actor=world.official_b
    )
    assert AuditLog.objects.restrict(world.official_b).filter(action="org.rename").exists()
    assert not AuditLog.objects.restrict(world.official_a).filter(action="org.rename").exists()
    assert AuditLog.objects.restrict(world.admin).filter(action="org.rename").exists()
