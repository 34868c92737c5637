"""Meeting statistics benchmark (PostgreSQL): a year of synthetic meetings for every living cell
of the national tree (~300k cells × 12 regular meetings, ~80 % of cells with a thematic meeting
each quarter; ~5 % of months missed, ~3 % held late, quality levels), the attendance of one
province's regular meetings on its members' real rows, then a province's statistics for the year
(chibo.meetings.stats.year_report) beside the raw-SQL floor: the same grouped questions written
by hand and run in the same session.

Needs the national tree and members of bench/members_bench.py in the same database.
Usage: DATABASE_URL=postgres://… python bench/meetings_bench.py [--skip-load]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tree_national as tn  # noqa: E402  (sets Django up)
from django.db import connection  # noqa: E402

from chibo.meetings import stats  # noqa: E402
from chibo.org.models import Unit  # noqa: E402

YEAR = 2026
AFTER = dt.date(YEAR + 1, 1, 15)  # the year has ended: every month and quarter counts

COMMON = (
    "topic, place, agenda, draft_resolution, guests, conclusion, version, created_at, updated_at"
)
COMMON_VALUES = "'', '', '[]'::jsonb, '', '', '', 1, now(), now()"


def load(province: Unit) -> None:
    t = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("DELETE FROM meetings_attendance")
        cur.execute("DELETE FROM meetings_meeting")
        cur.execute(
            f"""
            INSERT INTO meetings_meeting (unit_id, kind, planned_on, held_on, quality, {COMMON})
            SELECT u.id, 'regular', make_date({YEAR}, m, 3),
              CASE WHEN h < 5 THEN NULL
                   WHEN h < 8 AND m < 12 THEN make_date({YEAR}, m, 3) + 30
                   ELSE make_date({YEAR}, m, 3) END,
              CASE WHEN h < 5 THEN '' WHEN h < 60 THEN 'good' WHEN h < 90 THEN 'fair'
                   WHEN h < 98 THEN 'average' ELSE 'poor' END,
              {COMMON_VALUES}
            FROM org_unit u CROSS JOIN generate_series(1, 12) m
            CROSS JOIN LATERAL (SELECT abs(hashtext(u.id || '-' || m)) % 100 AS h) r
            WHERE u.kind IN ('cell', 'grassroots_cell') AND u.valid_to IS NULL
            """
        )
        regular = cur.rowcount
        cur.execute(
            f"""
            INSERT INTO meetings_meeting (unit_id, kind, planned_on, held_on, quality, {COMMON})
            SELECT u.id, 'thematic', make_date({YEAR}, 3 * q - 1, 20),
              make_date({YEAR}, 3 * q - 1, 20), '', {COMMON_VALUES}
            FROM org_unit u CROSS JOIN generate_series(1, 4) q
            WHERE u.kind IN ('cell', 'grassroots_cell') AND u.valid_to IS NULL
              AND abs(hashtext(u.id || 'q' || q)) % 100 < 80
            """
        )
        thematic = cur.rowcount
        cur.execute(
            """
            INSERT INTO meetings_attendance
              (meeting_id, member_id, status, reason, official, exempt, suspended, away,
               guest_member)
            SELECT mt.id, mm.id,
              CASE WHEN h < 90 THEN 'present' WHEN h < 96 THEN 'excused' ELSE 'unexcused' END,
              CASE WHEN h >= 90 AND h < 96 THEN 'Ốm' ELSE '' END,
              mm.recognized_on IS NOT NULL, false, false, false, false
            FROM meetings_meeting mt
            JOIN org_unit u ON u.id = mt.unit_id
            JOIN members_member mm ON mm.home_unit_id = mt.unit_id AND mm.ended = ''
            CROSS JOIN LATERAL (SELECT abs(hashtext(mt.id || '-' || mm.id)) %% 100 AS h) r
            WHERE u.path LIKE %s AND mt.kind = 'regular' AND mt.held_on IS NOT NULL
            """,
            [province.path + "%"],
        )
        attendance = cur.rowcount
        cur.execute("VACUUM ANALYZE meetings_meeting")
        cur.execute("VACUUM ANALYZE meetings_attendance")
    print(
        f"loaded {regular:,} regular and {thematic:,} thematic meetings, {attendance:,} attendance "
        f"rows in {time.perf_counter() - t:.1f} s",
        file=sys.stderr,
    )


FLOOR = [
    # cells per child
    """SELECT substr(path, 1, %(d)s), count(*) FROM org_unit
       WHERE path LIKE %(p)s AND kind IN ('cell', 'grassroots_cell')
         AND valid_from < %(end)s AND (valid_to IS NULL OR valid_to > %(start)s) GROUP BY 1""",
    # held cell-months, meetings and on-time meetings per child and month
    """SELECT substr(u.path, 1, %(d)s), extract(month FROM m.held_on),
              count(DISTINCT m.unit_id), count(*),
              count(*) FILTER (
                WHERE extract(month FROM m.planned_on) = extract(month FROM m.held_on)
                  AND extract(year FROM m.planned_on) = %(y)s)
       FROM meetings_meeting m JOIN org_unit u ON u.id = m.unit_id
       WHERE u.path LIKE %(p)s AND m.kind IN ('regular', 'combined')
         AND m.held_on >= %(start)s AND m.held_on < %(end)s GROUP BY 1, 2""",
    # attendance per child
    """SELECT substr(u.path, 1, %(d)s),
              count(*) FILTER (WHERE a.status = 'present' AND NOT a.guest_member),
              count(*) FILTER (WHERE NOT a.away AND NOT a.suspended AND NOT a.guest_member
                               AND (a.status = 'present' OR NOT a.exempt) AND a.status <> '')
       FROM meetings_attendance a JOIN meetings_meeting m ON m.id = a.meeting_id
       JOIN org_unit u ON u.id = m.unit_id
       WHERE u.path LIKE %(p)s AND m.kind IN ('regular', 'combined')
         AND m.held_on >= %(start)s AND m.held_on < %(end)s GROUP BY 1""",
    # thematic meetings per cell and quarter
    """SELECT substr(u.path, 1, %(d)s), extract(quarter FROM m.held_on), m.unit_id, count(*)
       FROM meetings_meeting m JOIN org_unit u ON u.id = m.unit_id
       WHERE u.path LIKE %(p)s AND m.kind IN ('thematic', 'combined')
         AND m.held_on >= %(start)s AND m.held_on < %(end)s GROUP BY 1, 2, 3""",
    # quality per child
    """SELECT substr(u.path, 1, %(d)s), m.quality, count(*)
       FROM meetings_meeting m JOIN org_unit u ON u.id = m.unit_id
       WHERE u.path LIKE %(p)s AND m.held_on >= %(start)s AND m.held_on < %(end)s
         AND m.quality <> '' GROUP BY 1, 2""",
    # members absent without reason in 3+ months
    """SELECT a.member_id, u.path, count(DISTINCT extract(month FROM m.held_on))
       FROM meetings_attendance a JOIN meetings_meeting m ON m.id = a.meeting_id
       JOIN org_unit u ON u.id = m.unit_id
       WHERE u.path LIKE %(p)s AND m.kind IN ('regular', 'combined') AND a.status = 'unexcused'
         AND m.held_on >= %(start)s AND m.held_on < %(end)s
       GROUP BY 1, 2 HAVING count(DISTINCT extract(month FROM m.held_on)) >= 3""",
]


def floor(unit: Unit) -> int:
    args = {
        "d": len(unit.path) + unit.steplen,
        "p": unit.path + "%",
        "y": YEAR,
        "start": dt.date(YEAR, 1, 1),
        "end": dt.date(YEAR + 1, 1, 1),
    }
    rows = 0
    with connection.cursor() as cur:
        for sql in FLOOR:
            cur.execute(sql, args)
            rows += len(cur.fetchall())
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--skip-load", action="store_true")
    args = ap.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database (this benchmark is for PostgreSQL).")
    provinces = list(Unit.objects.filter(kind="province").order_by("path"))
    if not provinces:
        sys.exit("Load the national tree and members first (bench/run.sh members-pg).")
    prov = provinces[7]
    if not args.skip_load:
        load(prov)
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM meetings_meeting")
        meetings = cur.fetchone()[0]
        cur.execute(
            "SELECT count(*) FROM org_unit WHERE kind IN ('cell', 'grassroots_cell') "
            "AND valid_to IS NULL"
        )
        cells = cur.fetchone()[0]
        cur.execute(
            "SELECT count(*) FROM meetings_meeting m JOIN org_unit u ON u.id = m.unit_id "
            "WHERE u.path LIKE %s",
            [prov.path + "%"],
        )
        prov_meetings = cur.fetchone()[0]
        cur.execute(
            "SELECT count(*) FROM meetings_attendance a JOIN meetings_meeting m "
            "ON m.id = a.meeting_id JOIN org_unit u ON u.id = m.unit_id WHERE u.path LIKE %s",
            [prov.path + "%"],
        )
        prov_attendance = cur.fetchone()[0]
    report = stats.year_report(prov, YEAR, AFTER)
    results = [
        (
            f"province year statistics ({report.total.cells:,} cells, {prov_meetings:,} meetings, "
            f"{prov_attendance:,} attendance rows; {len(report.rows)} child units)",
            tn.timeit(lambda: stats.year_report(prov, YEAR, AFTER), n=5),
            tn.timeit(lambda: floor(prov), n=5),
        )
    ]
    commune = Unit.objects.filter(kind="commune", path__startswith=prov.path).order_by("path")[3]
    n_cells = stats.year_report(commune, YEAR, AFTER).total.cells
    results.append(
        (
            f"commune year statistics ({n_cells} cells)",
            tn.timeit(lambda: stats.year_report(commune, YEAR, AFTER), n=7),
            tn.timeit(lambda: floor(commune), n=7),
        )
    )
    held = report.total.held / (report.total.cells * 12) if report.total.cells else 0
    print(
        f"\n{platform.node()} · {platform.processor() or platform.machine()} · "
        f"{os.cpu_count()} cores · PostgreSQL · {dt.date.today():%d/%m/%Y}\n"
        f"{meetings:,} meetings for {cells:,} living cells nation-wide; province figures: "
        f"held {100 * held:.1f} % of cell-months, attendance "
        f"{report.total.attendance_rate} %, {report.total.flagged:,} members flagged\n"
    )
    tn.table(results)


if __name__ == "__main__":
    main()
