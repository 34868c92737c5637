"""The audit log's Excel export: the app's time zone, every row the filters select (no cap), the
rows of the reader's scope only, and one audit row for the export itself."""

import datetime as dt
import io

from django.urls import reverse
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from chibo.audit.models import AuditLog
from tests.world import PASSWORD

HEADERS = ["Thời điểm", "Người thực hiện", "Hành động", "Đối tượng", "Tổ chức", "IP", "Mã yêu cầu"]


def _rows(n: int, *, unit, actor, action: str, at: dt.datetime) -> None:
    # bulk_create is fast but fills the auto_now_add time itself; the day is set afterwards.
    made = AuditLog.objects.bulk_create(
        AuditLog(actor=actor, action=action, unit=unit, object_repr=f"bản ghi {i}")
        for i in range(n)
    )
    AuditLog.objects.filter(pk__in=[r.pk for r in made]).update(at=at)


def _export(client, world, **params):
    assert client.login(username=world.official_a.username, password=PASSWORD)
    resp = client.get(reverse("audit:export"), params)
    assert resp.status_code == 200
    assert resp["Content-Disposition"] == 'attachment; filename="nhat-ky.xlsx"'
    return resp.getvalue()


def test_it_shows_each_time_in_the_apps_time_zone(client, world):
    _rows(
        1,
        unit=world.commune_a,
        actor=world.official_a,
        action="test.late",
        at=dt.datetime(2025, 3, 1, 23, 30, tzinfo=dt.UTC),
    )
    ws = load_workbook(io.BytesIO(_export(client, world, action="test.late"))).active
    assert [c.value for c in ws[1]] == HEADERS
    (row,) = list(ws.iter_rows(min_row=2, values_only=True))
    # 23:30 UTC on 1/3 is 06:30 on 2/3 in Việt Nam, whatever zone the server runs in.
    assert row[0] == dt.datetime(2025, 3, 2, 6, 30)
    assert row[1:5] == ("canbo.a", "test.late", "bản ghi 0", "Đảng bộ xã Đồng Tâm")
    assert ws["A2"].is_date and ws["A2"].number_format == "dd/mm/yyyy hh:mm:ss"


def test_it_exports_every_row_the_filters_select_past_fifty_thousand(client, world, settings):
    # Streamed from the request (a larger export would be a background job: test_export_jobs).
    settings.CHIBO_EXPORT_BACKGROUND_ROWS = 60_000
    at = dt.datetime(2025, 6, 1, 2, 0, tzinfo=dt.UTC)
    _rows(50_001, unit=world.commune_a, actor=world.official_a, action="test.bulk", at=at)
    # Filtered away: another action, and the same action in a commune out of the reader's scope.
    _rows(1, unit=world.commune_a, actor=world.official_a, action="other.bulk", at=at)
    _rows(1, unit=world.commune_b, actor=world.official_b, action="test.bulk", at=at)
    assert not AuditLog.objects.filter(action="export.audit").exists()
    content = _export(client, world, action="test.bulk")
    table = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    assert table[0] == HEADERS
    body = table[1:]
    assert len(body) == 50_001
    assert {r[2] for r in body} == {"test.bulk"} and {r[4] for r in body} == {"Đảng bộ xã Đồng Tâm"}
    assert len({r[3] for r in body}) == 50_001  # each row once
    # Exactly one audit row for the export, saying how many rows and which filter.
    (log,) = AuditLog.objects.filter(action="export.audit")
    assert log.actor == world.official_a
    assert log.after == {"rows": 50_001, "filters": {"action": "test.bulk"}}
