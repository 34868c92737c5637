import datetime as dt
import io

from django.urls import reverse
from openpyxl import load_workbook

from chibo.audit.models import AuditLog
from chibo.core.actors import SYSTEM
from chibo.meetings import holding, stats
from chibo.meetings.models import Meeting
from tests.world import PASSWORD, make_member

TODAY = dt.date(2026, 11, 23)


def _meet(cell, planned, held, kind="regular", marks=None, quality=""):
    m = Meeting.objects.create(unit=cell, kind=kind, planned_on=planned, topic="Chủ đề")
    if held:
        holding.record_holding(actor=SYSTEM, meeting=m, held_on=held, quality=quality)
        if marks:
            holding.record_attendance(actor=SYSTEM, meeting=m, marks=marks)
    return m


def test_the_year_in_figures_for_a_commune(world):
    east, west, south = world.cells_a
    e = [make_member(east, n) for n in ("Lò Văn Pọm", "Quàng Văn Dung", "Cầm Văn Ón")]
    w = [make_member(west, n) for n in ("Lường Văn Xuân", "Vì Văn Sáng")]
    for month in range(1, 11):  # East: every month Jan–Oct; Ón absent without reason 3 times
        day = dt.date(2026, month, 3)
        marks = {p.pk: ("present", "") for p in e}
        if month in (2, 5, 9):
            marks[e[2].pk] = ("unexcused", "")
        _meet(east, day, day if month != 4 else dt.date(2026, 5, 2), marks=marks, quality="good")
    for month in (1, 2, 3):  # West: three months, the third one late
        day = dt.date(2026, month, 3)
        marks = {w[0].pk: ("present", ""), w[1].pk: ("unexcused", "")}
        _meet(west, day, day, marks=marks, quality="fair")
    _meet(east, dt.date(2026, 3, 20), dt.date(2026, 3, 20), kind="thematic")
    _meet(west, dt.date(2026, 6, 20), dt.date(2026, 6, 20), kind="thematic")
    r = stats.year_report(world.commune_a, 2026, TODAY)
    assert (r.months_ended, r.quarters_ended) == (10, 3)
    rows = {x.name: x for x in r.rows}
    east_row, west_row = rows["Chi bộ thôn Đông"], rows["Chi bộ thôn Tây"]
    assert east_row.cells == 1 and rows["Chi bộ thôn Nam"].held == 0
    # April's meeting was held on 2 May: April has no held meeting, May counts the cell once
    # (cell-months), and one of the ten meetings was late.
    assert east_row.months[3] == 0 and east_row.months[4] == 1
    assert (east_row.held, east_row.meetings, east_row.on_time) == (9, 10, 9)
    assert east_row.present == 27 and east_row.expected == 30
    assert west_row.present == 3 and west_row.expected == 6
    assert east_row.flagged == 1 and west_row.flagged == 1
    assert [name for _pk, name, _c, _n in r.flagged] == ["Cầm Văn Ón", "Vì Văn Sáng"] or [
        name for _pk, name, _c, _n in r.flagged
    ] == ["Vì Văn Sáng", "Cầm Văn Ón"]
    assert east_row.thematic[:3] == [1, 0, 0] and west_row.thematic[:3] == [0, 1, 0]
    assert east_row.quality == {"good": 10} and west_row.quality == {"fair": 3}
    assert r.total.cells == 3 and r.total.held == 12 and r.total.flagged == 2


def test_the_statistics_page_and_export(client, world):
    east = world.cells_a[0]
    p = make_member(east, "Lò Văn Pọm")
    _meet(east, dt.date(2026, 1, 3), dt.date(2026, 1, 3), marks={p.pk: ("present", "")})
    assert client.login(username=world.official_a.username, password=PASSWORD)
    url = reverse("meetings:stats", args=[world.commune_a.pk])
    page = client.get(url, {"year": "2026"}).content.decode()
    assert "Chi bộ thôn Đông" in page and "100,0%" in page
    xl = client.get(url, {"year": "2026", "format": "xlsx"})
    assert xl.status_code == 200
    ws = load_workbook(io.BytesIO(xl.getvalue())).active
    head, *rows = list(ws.iter_rows(values_only=True))
    assert head[:3] == ("Tổ chức", "Số chi bộ", "Sinh hoạt thường kỳ (chi bộ-tháng)")
    east_row = next(r for r in rows if r[0] == "Chi bộ thôn Đông")
    assert east_row[1:3] == (1, 1)  # one cell, one regular meeting held, as numbers
    (log,) = AuditLog.objects.filter(action="export.meeting_stats")
    assert log.after == {"rows": len(rows), "filters": {"year": 2026}}


def test_a_cell_that_moved_counts_where_it_lay_on_each_meeting_day(world, client):
    """Chi bộ thôn Nam moves from commune A to commune B on 1/7/2026 and meets every month:
    A's 2026 figures hold its January–June meetings and cell-months, B's July–October; its
    2025 meetings stay A's, although today's tree puts it under B."""
    from chibo.org.services import MoveUnit
    from tests.world import decision

    south = world.cells_a[2]
    people = [make_member(south, n) for n in ("Lò Văn Pọm", "Quàng Văn Dung")]
    for year, last in ((2025, 12), (2026, 10)):
        for month in range(1, last + 1):
            day = dt.date(year, month, 5)
            marks = {p.pk: ("present", "") for p in people}
            if year == 2026 and month in (5, 6, 7):
                marks[people[1].pk] = ("unexcused", "")
            _meet(south, day, day, marks=marks)
    MoveUnit(decision(dt.date(2026, 7, 1), "21"), unit=south, new_parent=world.commune_b).execute(
        actor=SYSTEM
    )
    a = stats.year_report(world.commune_a, 2026, TODAY)
    b = stats.year_report(world.commune_b, 2026, TODAY)
    a_south = next(r for r in a.rows if r.unit_id == south.pk)
    b_south = next(r for r in b.rows if r.unit_id == south.pk)
    assert a_south.months == [1] * 6 + [0] * 6 and a_south.cell_months == [1] * 6 + [0] * 6
    assert b_south.months == [0] * 6 + [1] * 4 + [0] * 2
    assert b_south.cell_months == [0] * 6 + [1] * 6
    assert (a_south.present, a_south.expected) == (10, 12)
    assert (b_south.present, b_south.expected) == (7, 8)
    # Three unexcused months in all, but two fell to A and one to B: neither flags it alone.
    assert a_south.flagged == b_south.flagged == 0
    assert a.total.cell_months[:6] == [3] * 6 and a.total.cell_months[6:] == [2] * 6
    last_year = stats.year_report(world.commune_a, 2025, TODAY)
    assert next(r for r in last_year.rows if r.unit_id == south.pk).held == 12
    assert not any(
        r.unit_id == south.pk for r in stats.year_report(world.commune_b, 2025, TODAY).rows
    )
    whole = stats.year_report(world.province, 2026, TODAY)
    by_commune = {r.unit_id: r for r in whole.rows}
    assert by_commune[world.commune_a.pk].held == 6 and by_commune[world.commune_b.pk].held == 4
    assert by_commune[world.commune_b.pk].cell_months == [1] * 6 + [2] * 6
    # The page's rate of B's row: 4 held of 4 cell-months ended while the cell was B's.
    client.login(username="canbo.b", password=PASSWORD)
    page = client.get(reverse("meetings:stats", args=[world.commune_b.pk]), {"year": 2026})
    assert page.status_code == 200
    assert "100,0%" in page.content.decode()


# Found by an adversarial probe of the dated grouping.


def _rate(r, due):
    return r.rate(sum(r.months[:due]), sum(r.cell_months[:due]))


def test_a_cell_that_moves_mid_month_counts_that_month_where_it_was_on_the_first(world):
    from chibo.org.services import MoveUnit
    from tests.world import decision

    south = world.cells_a[2]
    for cell in (*world.cells_a, world.cell_b):
        for month in range(1, 11):
            _meet(cell, dt.date(2026, month, 5), dt.date(2026, month, 5))
    MoveUnit(decision(dt.date(2026, 3, 15), "21"), unit=south, new_parent=world.commune_b).execute(
        actor=SYSTEM
    )
    _meet(south, dt.date(2026, 3, 20), dt.date(2026, 3, 20))
    r = stats.year_report(world.province, 2026, TODAY)
    rows = {x.unit_id: x for x in r.rows}
    a, b = rows[world.commune_a.pk], rows[world.commune_b.pk]
    assert a.months[2] == a.cell_months[2] == 3  # March: south still A's on 1/3
    assert b.months[2] == b.cell_months[2] == 1
    assert a.cell_months[3] == 2 and b.cell_months[3] == 2  # April: B's
    assert r.total.months == r.total.cell_months[:10] + [0, 0]
    assert _rate(r.total, 10) == _rate(b, 10) == 100.0


def test_a_communes_own_meetings_are_not_cell_meetings(world):
    for month in range(1, 11):
        d = dt.date(2026, month, 5)
        _meet(world.commune_a, d, d)  # the commune committee's own meeting
        for cell in world.cells_a:
            _meet(cell, d, d)
    # Commune A: its three cells every month; the province: also commune B's cell, which met
    # never — the committee's own meetings fill no cell-month anywhere.
    for unit, rate in ((world.commune_a, 100.0), (world.province, 75.0)):
        r = stats.year_report(unit, 2026, TODAY)
        assert r.total.held == 30 and _rate(r.total, 10) == rate


def test_a_cell_moved_away_and_back_and_a_commune_merged_mid_year(world):
    from chibo.org.models import Unit
    from chibo.org.services import MergeUnits, MoveUnit
    from tests.world import decision

    south = world.cells_a[2]
    for cell in (*world.cells_a, world.cell_b):
        for month in range(1, 11):
            _meet(cell, dt.date(2026, month, 5), dt.date(2026, month, 5))
    MoveUnit(decision(dt.date(2026, 4, 1), "21"), unit=south, new_parent=world.commune_b).execute(
        actor=SYSTEM
    )
    MoveUnit(
        decision(dt.date(2026, 8, 1), "22"),
        unit=Unit.objects.get(pk=south.pk),
        new_parent=Unit.objects.get(pk=world.commune_a.pk),
    ).execute(actor=SYSTEM)
    a = next(
        x for x in stats.year_report(world.commune_a, 2026, TODAY).rows if x.unit_id == south.pk
    )
    b = next(
        x for x in stats.year_report(world.commune_b, 2026, TODAY).rows if x.unit_id == south.pk
    )
    assert a.months == [1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 0, 0]
    assert a.cell_months == [1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 1]
    assert b.months == [0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0]
    assert b.cell_months == [0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0]
    MergeUnits(
        decision(dt.date(2026, 9, 1), "23"),
        sources=[Unit.objects.get(pk=world.commune_a.pk)],
        into=Unit.objects.get(pk=world.commune_b.pk),
    ).execute(actor=SYSTEM)
    p = stats.year_report(world.province, 2026, TODAY)
    rows = {x.unit_id: x for x in p.rows}
    assert sum(p.total.months) == 40 and p.total.months == p.total.cell_months[:10] + [0, 0]
    assert rows[world.commune_a.pk].cell_months[8:] == [0, 0, 0, 0]
    assert rows[world.commune_b.pk].cell_months[8:] == [4, 4, 4, 4]
