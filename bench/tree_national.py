"""National tree benchmark (PostgreSQL): 34 provinces, ~3,300 communes, ~50k grassroots units,
~300k cells, ~450k units in all, generated straight into chibo's own tables (the same rows the
services write: units with paths and denormalized columns, versions, links, temporal ancestry).

Measures, each beside the raw-SQL figure for the same question in the same run:
  1. listing a province subtree (current tree);
  2. the ancestors of a unit as of a past date;
  3. moving a commune subtree to another province (rolled back after each run).

Usage: DATABASE_URL=postgres://… python bench/tree_national.py [--scale 1.0] [--keep]
Prints a Markdown table for docs/performance.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import platform
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chibo.settings")
os.environ.setdefault("CHIBO_DEMO", "1")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

from chibo.core.actors import SYSTEM  # noqa: E402
from chibo.core.text import search_key  # noqa: E402
from chibo.org import selectors  # noqa: E402
from chibo.org.models import Unit  # noqa: E402
from chibo.org.services import Decision, MoveUnit  # noqa: E402

ALPHABET = Unit.alphabet
STEP = Unit.steplen
START = dt.date(2015, 1, 1)
REFORM = dt.date(2025, 7, 1)
PAST = dt.date(2020, 6, 30)
TODAY = dt.date(2026, 11, 23)
# The viewer's scope on a date, as the scope gate asks it (the province official's grant).
SCOPE_SQL = """(SELECT s.unit_id FROM org_unitancestry s WHERE s.ancestor_id = %(p)s
    AND s.valid_from <= %(d)s AND (s.valid_to IS NULL OR s.valid_to > %(d)s))"""


def seg(i: int) -> str:
    out = ""
    for _ in range(STEP):
        i, r = divmod(i, len(ALPHABET))
        out = ALPHABET[r] + out
    return out


class Gen:
    """Writes rows with COPY. Shape (per province): communes, grassroots units under communes,
    cells under grassroots committees, a few party groups; 2025 reform history: every commune
    existed before as a grassroots committee under a district (dissolved on 1/7/2025)."""

    def __init__(self, scale: float, provinces: int = 34):
        self.scale = scale
        self.provinces = provinces
        self.next_id = 1
        self.units = io.StringIO()
        self.versions = io.StringIO()
        self.links = io.StringIO()
        self.anc = io.StringIO()
        self.count = 0

    def unit(
        self,
        path,
        kind,
        name,
        parent_chain,
        province,
        commune,
        grassroots,
        valid_from=START,
        valid_to=None,
        ancestry=None,
    ):
        uid = self.next_id
        self.next_id += 1
        self.count += 1
        vt = valid_to.isoformat() if valid_to else r"\N"
        if kind == "province":
            province = uid
        key = search_key(name)
        cols = [
            uid,
            path,
            len(path) // STEP,
            0,
            kind,
            name,
            "",
            "",
            "",
            "",
            "",
            "",
            key,
            valid_from,
            valid_to,
            province,
            commune,
            grassroots,
        ]
        self.units.write("\t".join(r"\N" if c is None else str(c) for c in cols) + "\n")
        self.versions.write(f"{uid}\t{valid_from}\t{vt}\t{kind}\t{name}\t\t\t\t\t\t\t{key}\t\\N\n")
        # ancestry: (unit, ancestor, depth, from, to); chain = list of (id, depth, from, to)
        for anc_id, depth, f, t in (ancestry or []) + [
            (uid, len(path) // STEP, valid_from, valid_to)
        ]:
            tt = t.isoformat() if t else r"\N"
            self.anc.write(f"{uid}\t{anc_id}\t{depth}\t{f}\t{tt}\n")
        if parent_chain:
            pid, f, t = parent_chain
            tt = t.isoformat() if t else r"\N"
            self.links.write(f"{uid}\t{pid}\t{f}\t{tt}\n")
        return uid

    def build(self):
        s = self.scale
        n_prov = self.provinces
        communes_per_prov = max(1, round(97 * s))  # ~3,300 communes
        gr_per_commune = max(1, round(15 * s))  # ~50k grassroots units
        for p in range(n_prov):
            ppath = seg(p + 1)
            pid = self.unit(ppath, "province", f"Đảng bộ tỉnh số {p + 1}", None, None, None, None)
            # fix province self column
            panc = [(pid, 1, START, None)]
            dpath = ppath + seg(1)
            did = self.unit(
                dpath,
                "district",
                f"Đảng bộ huyện A{p + 1}",
                (pid, START, None),
                pid,
                None,
                None,
                valid_to=REFORM,
                ancestry=panc,
            )
            for c in range(communes_per_prov):
                cpath = ppath + seg(c + 2)
                # the commune existed before 2025 under the district, same unit (moved)
                cid = self.unit(
                    cpath,
                    "commune",
                    f"Đảng bộ xã {p + 1}-{c + 1}",
                    None,
                    pid,
                    None,
                    None,
                    ancestry=[(pid, 1, START, None), (did, 2, START, REFORM)],
                )
                self.links.write(f"{cid}\t{did}\t{START}\t{REFORM}\n{cid}\t{pid}\t{REFORM}\t\\N\n")
                canc = [
                    (pid, 1, START, None),
                    (did, 2, START, REFORM),
                    (cid, 3, START, REFORM),
                    (cid, 2, REFORM, None),
                ]
                for g in range(gr_per_commune):
                    gpath = cpath + seg(g + 1)
                    committee = (c * 15 + g) % 10 < 7  # 70 % grassroots committees with cells
                    kind = "grassroots_committee" if committee else "grassroots_cell"
                    gid = self.unit(
                        gpath,
                        kind,
                        f"TCCS {p + 1}-{c + 1}-{g + 1}",
                        (cid, START, None),
                        pid,
                        cid,
                        None,
                        ancestry=canc[:1] + canc[1:3] + canc[3:],
                    )
                    if committee:
                        ganc = canc + [(gid, 4, START, REFORM), (gid, 3, REFORM, None)]
                        for k in range(8):  # ~280k cells (+10k in partial committees)
                            kpath = gpath + seg(k + 1)
                            kid = self.unit(
                                kpath,
                                "cell",
                                f"Chi bộ {g + 1}.{k + 1}",
                                (gid, START, None),
                                pid,
                                cid,
                                gid,
                                ancestry=ganc,
                            )
                            if k in (0, 3, 6):  # ~100k party groups
                                kanc = ganc + [(kid, 5, START, REFORM), (kid, 4, REFORM, None)]
                                self.unit(
                                    kpath + seg(1),
                                    "party_group",
                                    f"Tổ đảng {k + 1}",
                                    (kid, START, None),
                                    pid,
                                    cid,
                                    gid,
                                    ancestry=kanc,
                                )
                        if (c * 15 + g) % 10 == 0:  # a partial committee with two cells
                            bpath = gpath + seg(20)
                            bid = self.unit(
                                bpath,
                                "partial_committee",
                                f"Đảng bộ bộ phận {g + 1}",
                                (gid, START, None),
                                pid,
                                cid,
                                gid,
                                ancestry=ganc,
                            )
                            banc = ganc + [(bid, 5, START, REFORM), (bid, 4, REFORM, None)]
                            for k in range(2):
                                self.unit(
                                    bpath + seg(k + 1),
                                    "cell",
                                    f"Chi bộ {g + 1}.B{k + 1}",
                                    (bid, START, None),
                                    pid,
                                    cid,
                                    gid,
                                    ancestry=banc,
                                )
        return self

    def load(self):
        with connection.cursor() as cur:
            cur.execute(
                "TRUNCATE org_unitancestry, org_unitlink, org_unitversion, org_unit "
                "RESTART IDENTITY CASCADE"
            )
            raw = cur.connection
            cols = {
                "org_unit": "id,path,depth,numchild,kind,name,short_name,code,grassroots_type,"
                "cell_type,admin_era,admin_code,search_key,valid_from,valid_to,"
                "province_id,commune_id,grassroots_id",
                "org_unitversion": "unit_id,valid_from,valid_to,kind,name,short_name,code,"
                "grassroots_type,cell_type,admin_era,admin_code,search_key,"
                "event_id",
                "org_unitlink": "child_id,parent_id,valid_from,valid_to",
                "org_unitancestry": "unit_id,ancestor_id,depth,valid_from,valid_to",
            }
            for table, buf in (
                ("org_unit", self.units),
                ("org_unitversion", self.versions),
                ("org_unitlink", self.links),
                ("org_unitancestry", self.anc),
            ):
                buf.seek(0)
                with raw.cursor().copy(f"COPY {table} ({cols[table]}) FROM STDIN") as cp:
                    while chunk := buf.read(1 << 20):
                        cp.write(chunk)
            cur.execute("UPDATE org_unit SET province_id = id WHERE kind = 'province'")
            cur.execute(
                """UPDATE org_unit u SET numchild = c.n FROM (
                SELECT substr(path, 1, length(path) - %s) AS p, count(*) n FROM org_unit
                WHERE depth > 1 GROUP BY 1) c WHERE u.path = c.p""",
                [STEP],
            )
            cur.execute(
                "SELECT setval(pg_get_serial_sequence('org_unit','id'), max(id)) FROM org_unit"
            )
            cur.execute("ANALYZE")


def table(results, first: str = "measure", digits: int = 1) -> None:
    """The Markdown table of (label, chibo ms, floor ms) rows that docs/performance.md keeps."""
    print(f"| {first} | chibo (median ms) | raw SQL floor (ms) | ratio |")
    print("|---|---:|---:|---:|")
    for name, app, raw in results:
        print(f"| {name} | {app:.{digits}f} | {raw:.{digits}f} | {app / raw:.2f}× |")


def timeit(fn, n=7) -> float:
    fn()  # warm-up
    runs = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - t) * 1000)
    return statistics.median(runs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--skip-load", action="store_true")
    args = ap.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database (this benchmark is for PostgreSQL).")
    if not args.skip_load:
        t = time.perf_counter()
        g = Gen(args.scale).build()
        g.load()
        print(f"generated {g.count:,} units in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    total = Unit.objects.count()
    prov = Unit.objects.filter(kind="province").order_by("path")[7]
    cell = Unit.objects.filter(kind="cell", province=prov).order_by("path")[5]
    commune = Unit.objects.filter(kind="commune", province=prov).order_by("path")[3]
    other = Unit.objects.filter(kind="province").order_by("path")[9]
    results = []

    def app_list():
        return list(
            Unit.objects.filter(path__startswith=prov.path, valid_to__isnull=True).values_list(
                "id", "name", "kind", "path"
            )
        )

    def raw_list():
        with connection.cursor() as c:
            c.execute(
                "SELECT id, name, kind, path FROM org_unit WHERE path LIKE %s AND "
                "valid_to IS NULL ORDER BY path",
                [prov.path + "%"],
            )
            return c.fetchall()

    n_rows = len(raw_list())
    results.append(
        (f"province subtree list ({n_rows:,} units)", timeit(app_list), timeit(raw_list))
    )

    def app_anc():
        return selectors.ancestors_on(cell.pk, PAST)

    def raw_anc():
        with connection.cursor() as c:
            c.execute(
                """SELECT a.ancestor_id, v.name, v.kind FROM org_unitancestry a
                JOIN org_unitversion v ON v.unit_id = a.ancestor_id AND v.valid_from <= %s
                  AND (v.valid_to IS NULL OR v.valid_to > %s)
                WHERE a.unit_id = %s AND a.ancestor_id <> %s AND a.valid_from <= %s
                  AND (a.valid_to IS NULL OR a.valid_to > %s) ORDER BY a.depth""",
                [PAST, PAST, cell.pk, cell.pk, PAST, PAST],
            )
            return c.fetchall()

    assert [n.unit_id for n in app_anc()] == [r[0] for r in raw_anc()]
    results.append(("ancestors of a cell as of 30/6/2020", timeit(app_anc), timeit(raw_anc)))

    from chibo.org.models import UnitAncestry

    scope = (
        UnitAncestry.objects.filter(ancestor_id=prov.pk, valid_from__lte=TODAY)
        .exclude(valid_to__lte=TODAY)
        .values("unit_id")
    )

    def app_tops():
        return selectors.roots_on(TODAY, scope, [prov.pk])

    def raw_tops():
        with connection.cursor() as c:
            c.execute(
                """SELECT u.id, v.name, v.kind,
                  (SELECT count(*) FROM org_unitlink k WHERE k.parent_id = u.id
                     AND k.valid_from <= %(d)s AND (k.valid_to IS NULL OR k.valid_to > %(d)s)
                     AND k.child_id IN SCOPE)
                FROM org_unit u JOIN org_unitversion v ON v.unit_id = u.id
                  AND v.valid_from <= %(d)s AND (v.valid_to IS NULL OR v.valid_to > %(d)s)
                WHERE u.id = %(p)s AND u.id IN SCOPE AND NOT EXISTS (SELECT 1
                  FROM org_unitlink l WHERE l.child_id = u.id AND l.valid_from <= %(d)s
                  AND (l.valid_to IS NULL OR l.valid_to > %(d)s)
                  AND l.parent_id IN SCOPE)""".replace("SCOPE", SCOPE_SQL),
                {"d": TODAY, "p": prov.pk},
            )
            return c.fetchall()

    def app_children():
        return selectors.children_on(prov.pk, TODAY, scope)

    def raw_children():
        with connection.cursor() as c:
            c.execute(
                """SELECT l.child_id, v.name, v.kind, (SELECT count(*) FROM org_unitlink k
                     WHERE k.parent_id = l.child_id AND k.valid_from <= %(d)s
                     AND (k.valid_to IS NULL OR k.valid_to > %(d)s) AND k.child_id IN SCOPE)
                FROM org_unitlink l JOIN org_unitversion v ON v.unit_id = l.child_id
                  AND v.valid_from <= %(d)s AND (v.valid_to IS NULL OR v.valid_to > %(d)s)
                WHERE l.parent_id = %(p)s AND l.valid_from <= %(d)s
                  AND (l.valid_to IS NULL OR l.valid_to > %(d)s) AND l.child_id IN SCOPE""".replace(
                    "SCOPE", SCOPE_SQL
                ),
                {"d": TODAY, "p": prov.pk},
            )
            return c.fetchall()

    assert len(app_children()) == len(raw_children())
    results.append(
        (
            "tree page: top for a province official (scope of today)",
            timeit(app_tops),
            timeit(raw_tops),
        )
    )
    results.append(
        (
            f"tree page: children of a province ({len(raw_children())} communes)",
            timeit(app_children),
            timeit(raw_children),
        )
    )

    size = Unit.objects.filter(path__startswith=commune.path).count()

    class Rollback(Exception):
        pass

    def app_move():
        try:
            with transaction.atomic():
                MoveUnit(
                    Decision(dt.date(2026, 1, 1), "01-QĐ/BENCH", "Ban Tổ chức (đo hiệu năng)"),
                    unit=Unit.objects.get(pk=commune.pk),
                    new_parent=Unit.objects.get(pk=other.pk),
                ).execute(actor=SYSTEM)
                raise Rollback
        except Rollback:
            pass

    def raw_move():
        # The floor: the same rows the move must change, in five hand-written statements —
        # re-path the subtree and re-point its province column, close the parent link and open
        # the new one, close the ancestry rows that pointed above the subtree and open the new
        # ones (subtree × new ancestors), in one transaction. No event, effects or audit row.
        new_prefix = other.path + seg(9999)
        d = dt.date(2026, 1, 1)
        try:
            with transaction.atomic():
                with connection.cursor() as c:
                    c.execute(
                        "UPDATE org_unit SET path = %s || substr(path, %s), province_id = %s "
                        "WHERE path LIKE %s",
                        [new_prefix, len(commune.path) + 1, other.pk, commune.path + "%"],
                    )
                    c.execute(
                        "UPDATE org_unitlink SET valid_to = %s WHERE child_id = %s "
                        "AND valid_to IS NULL",
                        [d, commune.pk],
                    )
                    c.execute(
                        "INSERT INTO org_unitlink (child_id, parent_id, valid_from) "
                        "VALUES (%s, %s, %s)",
                        [commune.pk, other.pk, d],
                    )
                    c.execute(
                        """UPDATE org_unitancestry SET valid_to = %s
                        WHERE valid_to IS NULL AND unit_id IN (
                            SELECT unit_id FROM org_unitancestry
                            WHERE ancestor_id = %s AND valid_to IS NULL)
                        AND ancestor_id NOT IN (
                            SELECT unit_id FROM org_unitancestry
                            WHERE ancestor_id = %s AND valid_to IS NULL)""",
                        [d, commune.pk, commune.pk],
                    )
                    c.execute(
                        """INSERT INTO org_unitancestry (unit_id, ancestor_id, depth, valid_from)
                        SELECT s.unit_id, a.ancestor_id, a.depth, %s
                        FROM org_unitancestry s CROSS JOIN org_unitancestry a
                        WHERE s.ancestor_id = %s AND s.valid_to IS NULL
                          AND a.unit_id = %s AND a.valid_to IS NULL""",
                        [d, commune.pk, other.pk],
                    )
                raise Rollback
        except Rollback:
            pass

    results.append(
        (
            f"move a commune subtree ({size} units) to another province",
            timeit(app_move, 5),
            timeit(raw_move, 5),
        )
    )
    with connection.cursor() as c:
        c.execute("SHOW server_version")
        pgv = c.fetchone()[0]
    print(f"\n### National tree on PostgreSQL {pgv} — {total:,} units\n")
    print(
        f"{dt.date.today()} · {platform.node()} · {os.cpu_count()} cores · "
        f"Python {platform.python_version()} · median of 7 (moves: 5), warm cache\n"
    )
    table(results, "question", digits=2)


if __name__ == "__main__":
    main()
