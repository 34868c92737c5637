"""Member registry benchmark, on PostgreSQL (the nation: 34 provinces, 5.6 million members) or on
SQLite (one province, 70,000 members), generated straight into chibo's tables.

Measures, each beside the raw-SQL floor of the same question in the same run:
  - the first page and page 1,000 of a commune's, a province's and the nation's member list
    (keyset; a commune has fewer than 1,000 pages, so its last page is measured);
  - an accent-free name search nation-wide (province-wide on SQLite);
  - a province's counts by its direct children (precomputed per-cell counts; the on-the-fly
    GROUP BY over the members is shown as a second floor);
  - the import of a 70,000-row roll end to end (read the XLSX, validate every row, commit),
    beside the raw bulk insert of the same members.

Usage: python bench/members_bench.py [--members N] [--skip-load]
(the database is the one DATABASE_URL names, or the SQLite file under CHIBO_VAR_DIR).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tree_national as tn  # noqa: E402  (sets Django up)
from django.db import connection, transaction  # noqa: E402

from chibo.core.text import search_key, sort_key  # noqa: E402
from chibo.members import aggregates, imports, selectors  # noqa: E402
from chibo.members.models import Member, given_key  # noqa: E402
from chibo.org.models import Unit  # noqa: E402

FAMILY = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
    "Lò",
    "Lường",
    "Quàng",
    "Tòng",
    "Vì",
    "Giàng",
    "Sùng",
    "Vàng",
    "Mùa",
    "Cà",
    "Điêu",
    "Đinh",
    "Hà",
    "Mai",
]
MIDDLE = [
    "Văn",
    "Thị",
    "Đức",
    "Minh",
    "Xuân",
    "Thanh",
    "Ngọc",
    "Hữu",
    "Quang",
    "Thu",
    "Hồng",
    "Bá",
    "Công",
    "Đình",
    "Kim",
    "Mạnh",
    "Như",
    "Quốc",
    "Trọng",
    "A",
]
GIVEN = [
    "Anh",
    "Bình",
    "Chinh",
    "Cường",
    "Dũng",
    "Dung",
    "Đào",
    "Đức",
    "Giang",
    "Hà",
    "Hải",
    "Hạnh",
    "Hiếu",
    "Hoa",
    "Hòa",
    "Hùng",
    "Hương",
    "Huy",
    "Khoa",
    "Lan",
    "Linh",
    "Long",
    "Ly",
    "Mai",
    "Minh",
    "My",
    "Nam",
    "Nga",
    "Ngọc",
    "Nhung",
    "Oanh",
    "Páo",
    "Pằng",
    "Phong",
    "Phương",
    "Quân",
    "Quyên",
    "Sơn",
    "Sính",
    "Sua",
    "Tâm",
    "Thắng",
    "Thảo",
    "Thành",
    "Thủy",
    "Tiến",
    "Trang",
    "Trung",
    "Tú",
    "Tuấn",
    "Uyên",
    "Vân",
    "Việt",
    "Vinh",
    "Xuân",
    "Yến",
    "Lả",
    "Chớ",
    "Sềnh",
    "Dợ",
]
TODAY = dt.date(2026, 11, 23)


class Keys:
    """ICU keys per distinct name (36,000 combinations), computed once."""

    def __init__(self):
        self.cache: dict[tuple, tuple[str, str, str]] = {}

    def __call__(self, f, m, g):
        k = (f, m, g)
        if k not in self.cache:
            full = f"{f} {m} {g}"
            self.cache[k] = (search_key(full), given_key(f, m, g), sort_key(f, m, g))
        return self.cache[k]


def member_columns() -> list[tuple[str, object]]:
    """(column, default) for every concrete column of members_member, in table order."""
    out = []
    for f in Member._meta.concrete_fields:
        if f.primary_key:
            continue
        if f.null:
            default = None
        elif f.get_internal_type() == "BooleanField":
            default = False
        else:
            default = ""
        out.append((f.column, default))
    return out


def living_cells() -> list[tuple]:
    return list(
        Unit.objects.filter(kind__in=["cell", "grassroots_cell"], valid_to__isnull=True)
        .order_by("id")
        .values_list("id", "province_id", "commune_id", "grassroots_id")
    )


def generate(n_target: int, seed: int = 42, cells: list[tuple] | None = None):
    """Yield member rows (dicts) spread over every living cell. Pass `cells` when the
    connection will be busy (a COPY in progress cannot run the query)."""
    rng = random.Random(seed)
    keys = Keys()
    cells = cells if cells is not None else living_cells()
    per = n_target / len(cells)
    produced = 0
    for i, (cid, p, c, g) in enumerate(cells):
        n = int(per * (i + 1)) - produced
        produced += n
        for _ in range(n):
            fam, mid, giv = rng.choice(FAMILY), rng.choice(MIDDLE), rng.choice(GIVEN)
            sk, gk, so = keys(fam, mid, giv)
            born = rng.randint(1940, 2005)
            admitted = dt.date(max(born + 19, 1960), rng.randint(1, 12), rng.randint(1, 28))
            official = rng.random() > 0.04
            yield {
                "family_name": fam,
                "middle_name": mid,
                "given_name": giv,
                "gender": "f" if mid in ("Thị", "Thu", "Hồng", "Ngọc", "Kim", "Như") else "m",
                "birth_year": born,
                "birth_date": dt.date(born, rng.randint(1, 12), rng.randint(1, 28)),
                "admitted_on": admitted,
                "recognized_on": admitted + dt.timedelta(days=365) if official else None,
                "stage": "official" if official else "probationary",
                "activity": "exempt" if born < 1950 and rng.random() < 0.3 else "active",
                "ended": "",
                "search_key": sk,
                "given_key": gk,
                "sort_key": so,
                "ethnicity": "01",
                "religion": "none",
                "home_unit_id": cid,
                "province_id": p,
                "commune_id": c,
                "grassroots_id": g,
            }


def load_members(n_target: int) -> int:
    cols = member_columns()
    names = [c for c, _d in cols]
    t = time.perf_counter()
    with connection.cursor() as cur:
        for table in (
            "members_countdelta",
            "members_placement",
            "members_memberevent",
            "members_seat",
            "members_transfer",
            "members_reconciliation",
            "members_member",
        ):
            cur.execute(f"DELETE FROM {table}")
    count = 0
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            raw = cur.connection
            cells = living_cells()
            with raw.cursor().copy(f"COPY members_member ({','.join(names)}) FROM STDIN") as cp:
                for row in generate(n_target, cells=cells):
                    cp.write_row([row.get(c, d) for c, d in cols])
                    count += 1
            # Set hint bits and statistics once, before anything reads the fresh rows.
            cur.execute("VACUUM (ANALYZE) members_member")
            cur.execute(
                "INSERT INTO members_placement (member_id, unit_id, kind, valid_from) "
                "SELECT id, home_unit_id, 'home', admitted_on FROM members_member"
            )
    else:
        sql = (
            f"INSERT INTO members_member ({','.join(names)}) VALUES ({','.join('?' * len(names))})"
        )
        batch = []
        with connection.cursor() as cur:
            for row in generate(n_target):
                batch.append([row.get(c, d) for c, d in cols])
                if len(batch) == 10000:
                    cur.executemany(sql, batch)
                    count += len(batch)
                    batch = []
            cur.executemany(sql, batch)
            count += len(batch)
            cur.execute(
                "INSERT INTO members_placement (member_id, unit_id, kind, valid_from) "
                "SELECT id, home_unit_id, 'home', admitted_on FROM members_member"
            )
    # The synthetic members carry their state but no events (aggregates.rebuild would count
    # none of them): write the rows an admission and a recognition would give, in SQL.
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO members_countdelta (member_id, unit_id, day, members, official, women, "
            "exempt) SELECT id, home_unit_id, admitted_on, 1, CASE WHEN stage = 'official' AND "
            "recognized_on IS NULL THEN 1 ELSE 0 END, CASE WHEN gender = 'f' THEN 1 ELSE 0 END, "
            "CASE WHEN activity = 'exempt' THEN 1 ELSE 0 END FROM members_member WHERE ended = ''"
        )
        cur.execute(
            "INSERT INTO members_countdelta (member_id, unit_id, day, members, official, women, "
            "exempt) SELECT id, home_unit_id, recognized_on, 0, 1, 0, 0 FROM members_member "
            "WHERE ended = '' AND stage = 'official' AND recognized_on IS NOT NULL"
        )
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    print(f"loaded {count:,} members in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    return count


def load_tree_sqlite(g: tn.Gen) -> None:
    """The tree generator writes PostgreSQL COPY text; SQLite gets the same rows."""
    tables = {
        "org_unit": (
            g.units,
            "id,path,depth,numchild,kind,name,short_name,code,grassroots_type,"
            "cell_type,admin_era,admin_code,search_key,valid_from,valid_to,"
            "province_id,commune_id,grassroots_id",
        ),
        "org_unitversion": (
            g.versions,
            "unit_id,valid_from,valid_to,kind,name,short_name,code,"
            "grassroots_type,cell_type,admin_era,admin_code,search_key,event_id",
        ),
        "org_unitlink": (g.links, "child_id,parent_id,valid_from,valid_to"),
        "org_unitancestry": (g.anc, "unit_id,ancestor_id,depth,valid_from,valid_to"),
    }
    with connection.cursor() as cur:
        for table in ("org_unitancestry", "org_unitlink", "org_unitversion", "org_unit"):
            cur.execute(f"DELETE FROM {table}")
        for table, (buf, cols) in tables.items():
            n = len(cols.split(","))
            rows = [
                [None if v == r"\N" else v for v in line.split("\t")]
                for line in buf.getvalue().splitlines()
            ]
            cur.executemany(f"INSERT INTO {table} ({cols}) VALUES ({','.join('?' * n)})", rows)
        cur.execute("UPDATE org_unit SET province_id = id WHERE kind = 'province'")
        cur.execute(
            """UPDATE org_unit SET numchild = (SELECT count(*) FROM org_unit c
            WHERE c.depth = org_unit.depth + 1 AND substr(c.path, 1, length(org_unit.path))
            = org_unit.path)"""
        )
        cur.execute("ANALYZE")


def raw(sql: str, params=()):
    with connection.cursor() as c:
        c.execute(sql.replace("%s", "?") if connection.vendor == "sqlite" else sql, params)
        return c.fetchall()


def page_sql(where: str) -> str:
    # The floor uses the row-value comparison both databases seek on directly.
    return (
        f"SELECT id, family_name, middle_name, given_name, home_unit_id, stage FROM members_member "
        f"WHERE {where} AND ended = '' AND (sort_key, id) > (%s, %s) "
        f"ORDER BY sort_key, id LIMIT 51"
    )


def first_sql(where: str) -> str:
    return (
        f"SELECT id, family_name, middle_name, given_name, home_unit_id, stage FROM members_member "
        f"WHERE {where} AND ended = '' ORDER BY sort_key, id LIMIT 51"
    )


def import_file(path: Path, province: Unit, n: int) -> None:
    """A 70,000-row roll of new people for the province's cells, in our template's layout."""
    from openpyxl import Workbook

    cells = list(
        Unit.objects.filter(
            province=province, kind__in=["cell", "grassroots_cell"], valid_to__isnull=True
        ).values_list("id", flat=True)
    )
    rng = random.Random(7)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append([h for _k, h, _r in imports.FIELDS])
    for i in range(n):
        fam, mid, giv = rng.choice(FAMILY), rng.choice(MIDDLE), rng.choice(GIVEN)
        born = rng.randint(1950, 2000)
        ws.append(
            [
                f"#{cells[i % len(cells)]}",
                f"{fam} {mid} {giv}",
                rng.choice(["Nam", "Nữ"]),
                f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{born}",
                f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{born + 20}",
                f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{born + 21}",
                rng.choice(["Kinh", "Thái", "Mông", "Tày"]),
                "Không",
                f"{900000000000 + i:012d}",
                "",
                f"LL-{i}",
                "Điện Biên",
                "",
                "12/12",
                "Đại học",
                "Sơ cấp",
                "Viên chức",
                "",
            ]
        )
    wb.save(path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--members", type=int, default=None)
    ap.add_argument("--import-rows", type=int, default=70000)
    ap.add_argument("--skip-load", action="store_true")
    ap.add_argument("--skip-tree", action="store_true", help="reuse the units already loaded")
    args = ap.parse_args()
    pg = connection.vendor == "postgresql"
    n_target = args.members or (5_600_000 if pg else 70_000)
    if not args.skip_load:
        if not args.skip_tree:
            t = time.perf_counter()
            g = tn.Gen(1.0, provinces=34 if pg else 1).build()
            g.load() if pg else load_tree_sqlite(g)
            print(
                f"generated {g.count:,} units in {time.perf_counter() - t:.1f} s", file=sys.stderr
            )
        load_members(n_target)
    total = Member.objects.count()
    provinces = list(Unit.objects.filter(kind="province").order_by("path"))
    prov = provinces[min(7, len(provinces) - 1)]
    commune = Unit.objects.filter(kind="commune", province=prov).order_by("path")[3]
    results = []
    today = TODAY

    def cursor_at(where: str, params, offset: int):
        rows = raw(
            f"SELECT sort_key, id FROM members_member WHERE {where} AND ended = '' "
            f"ORDER BY sort_key, id LIMIT 1 OFFSET {offset}",
            params,
        )
        return rows[0]

    lists = [
        ("commune", commune, "commune_id = %s", [commune.pk]),
        ("province", prov, "province_id = %s", [prov.pk]),
        ("nation" if pg else "nation (= the province)", None, "1 = 1", []),
    ]
    for label, unit, where, params in lists:
        size = raw(f"SELECT count(*) FROM members_member WHERE {where} AND ended = ''", params)[0][
            0
        ]
        qs = selectors.filtered(unit, {}, today) if unit else Member.objects.filter(ended="")

        def app_first(qs=qs):
            return selectors.keyset_page(selectors.for_list(qs), None, 51)

        def raw_first(where=where, params=params):
            return raw(first_sql(where), params)

        assert [m.pk for m in app_first()] == [r[0] for r in raw_first()]
        results.append(
            (
                f"{label} list ({size:,} members): first page",
                tn.timeit(app_first),
                tn.timeit(raw_first),
            )
        )
        pages = (size + 49) // 50
        page = min(1000, pages)
        key, pk = cursor_at(where, params, (page - 1) * 50 - 1)

        def app_page(qs=qs, key=key, pk=pk):
            return selectors.keyset_page(selectors.for_list(qs), (key, pk), 51)

        def raw_page(where=where, params=params, key=key, pk=pk):
            return raw(page_sql(where), [*params, key, pk])

        assert [m.pk for m in app_page()] == [r[0] for r in raw_page()]
        results.append(
            (
                f"{label} list: page {page:,}" + (" (last)" if page < 1000 else ""),
                tn.timeit(app_page),
                tn.timeit(raw_page),
            )
        )

    # The dated read gate (core.scope): the same commune list and one member's check, as an
    # official whose grant is on the commune and as one whose grant is on the province sees them.
    # Each request starts with an empty per-request cache (scope.forget), as the middleware does.
    from chibo.accounts.choices import Role
    from chibo.accounts.models import Grant, User
    from chibo.core import scope

    officials = []
    for name, unit in (("bench.commune", commune), ("bench.province", prov)):
        user, _created = User.objects.get_or_create(username=name, defaults={"full_name": name})
        Grant.objects.get_or_create(
            user=user, unit=unit, role=Role.OFFICIAL, defaults={"valid_from": dt.date(2020, 1, 1)}
        )
        officials.append((name.split(".")[1], user))
    one = Member.objects.filter(commune_id=commune.pk, ended="").order_by("pk").first()
    for label, user in officials:

        def app_gated(user=user):
            scope.forget()
            qs = selectors.filtered(commune, {}, today).restrict(user, "view")
            return selectors.keyset_page(selectors.for_list(qs), None, 51)

        def raw_commune():
            return raw(first_sql("commune_id = %s"), [commune.pk])

        assert [m.pk for m in app_gated()] == [r[0] for r in raw_commune()]
        results.append(
            (
                f"commune list through the dated gate, {label} official: first page",
                tn.timeit(app_gated),
                tn.timeit(raw_commune),
            )
        )

        def app_can(user=user):
            scope.forget()
            return scope.can(user, "view", one)

        def raw_can(user=user):
            return raw(
                "SELECT 1 FROM accounts_grant g JOIN org_unitancestry a ON a.ancestor_id = "
                "g.unit_id JOIN members_placement p ON p.unit_id = a.unit_id WHERE g.user_id = %s "
                "AND p.member_id = %s LIMIT 1",
                [user.pk, one.pk],
            )

        assert app_can() and raw_can()
        results.append(
            (
                f"can(view) on one member, {label} official (cache emptied each time)",
                tn.timeit(app_can),
                tn.timeit(raw_can),
            )
        )

    for q in ("lo van binh", "nguyen van"):
        key = search_key(q)
        bounds = [key, key + "\uffff", key, key + "\uffff"]
        cond = (
            "((search_key >= %s AND search_key < %s) OR (given_key >= %s AND given_key < %s)) "
            "AND ended = ''"
        )
        hits = raw(f"SELECT count(*) FROM members_member WHERE {cond}", bounds)[0][0]

        def app_search(q=q):
            return selectors.keyset_page(
                selectors.for_list(
                    Member.objects.filter(ended="").filter(selectors.name_matches(q))
                ),
                None,
                51,
            )

        def raw_search(cond=cond, bounds=bounds):
            return raw(
                f"SELECT id, family_name, middle_name, given_name FROM members_member "
                f"WHERE {cond} ORDER BY sort_key, id LIMIT 51",
                bounds,
            )

        assert [m.pk for m in app_search()] == [r[0] for r in raw_search()]
        results.append(
            (
                f"name search “{q}” {'nation' if pg else 'province'}-wide "
                f"({hits:,} hits): first page",
                tn.timeit(app_search),
                tn.timeit(raw_search),
            )
        )

    def app_counts():
        return aggregates.children_on(prov, today)

    def raw_counts_pre():
        # The floor of the same answer: the rows up to today by the child each cell lay under.
        return raw(
            "SELECT a.ancestor_id, sum(d.members), sum(d.official) FROM members_countdelta d "
            "JOIN org_unitancestry a ON a.unit_id = d.unit_id WHERE d.day <= %s AND "
            "a.ancestor_id IN (SELECT child_id FROM org_unitlink WHERE parent_id = %s AND "
            "valid_from <= %s AND (valid_to IS NULL OR valid_to > %s)) AND a.valid_from <= %s "
            "AND (a.valid_to IS NULL OR a.valid_to > %s) GROUP BY 1",
            [today, prov.pk, today, today, today, today],
        )

    def raw_counts_fly():
        return raw(
            "SELECT commune_id, count(*), count(*) FILTER (WHERE stage = 'official') "
            "FROM members_member WHERE province_id = %s AND ended = '' GROUP BY 1"
            if pg
            else "SELECT commune_id, count(*), sum(stage = 'official') "
            "FROM members_member WHERE province_id = %s AND ended = '' GROUP BY 1",
            [prov.pk],
        )

    app_c = app_counts()
    assert sum(v["members"] for v in app_c.values()) == sum(r[1] for r in raw_counts_fly())
    results.append(
        (
            f"province counts on a date by its {len(app_c)} children (dated count rows)",
            tn.timeit(app_counts),
            tn.timeit(raw_counts_pre),
        )
    )
    results.append(
        (
            "— the same on the fly (GROUP BY over the members), floor only",
            None,
            tn.timeit(raw_counts_fly),
        )
    )

    # Import: a 70k-row roll into the province, end to end, rolled back afterwards.
    n = args.import_rows
    importer = dict(officials)["province"]  # the import is written as a province official
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "roll.xlsx"
        import_file(path, prov, n)

        class Rollback(Exception):
            pass

        timings = {}
        try:
            with transaction.atomic():
                t0 = time.perf_counter()
                sheet = imports.read(str(path))
                t1 = time.perf_counter()
                plan = imports.validate(
                    sheet, imports.auto_mapping(sheet.headers), prov, user=importer, today=today
                )
                t2 = time.perf_counter()
                assert not plan.errors, plan.errors[:5]
                summary = imports.commit(plan, actor=importer)
                t3 = time.perf_counter()
                assert summary["created"] == n
                timings = {"read": t1 - t0, "validate": t2 - t1, "commit": t3 - t2}
                raise Rollback
        except Rollback:
            pass
        cols = member_columns()
        names = [c for c, _d in cols]
        rows = []
        for row in generate(n, seed=9):
            rows.append([row.get(c, d) for c, d in cols])
            if len(rows) == n:
                break
        try:
            with transaction.atomic():
                t = time.perf_counter()
                with connection.cursor() as cur:
                    if pg:
                        with cur.connection.cursor().copy(
                            f"COPY members_member ({','.join(names)}) FROM STDIN"
                        ) as cp:
                            for r in rows:
                                cp.write_row(r)
                    else:
                        cur.executemany(
                            f"INSERT INTO members_member ({','.join(names)}) VALUES "
                            f"({','.join('?' * len(names))})",
                            rows,
                        )
                raw_insert = time.perf_counter() - t
                raise Rollback
        except Rollback:
            pass
    total_s = sum(timings.values())
    db = (
        "PostgreSQL " + raw("SHOW server_version")[0][0]
        if pg
        else "SQLite " + raw("select sqlite_version()")[0][0]
    )
    print(f"\n### Member registry on {db} — {total:,} members, {Unit.objects.count():,} units\n")
    print(
        f"{dt.date.today()} · {platform.node()} · {os.cpu_count()} cores · "
        f"Python {platform.python_version()} · median of 7, warm cache\n"
    )
    print("| question | chibo (ms) | raw SQL floor (ms) | ratio |")
    print("|---|---:|---:|---:|")
    for name, app, rawt in results:
        if app is None:
            print(f"| {name} | — | {rawt:.2f} | — |")
        else:
            print(f"| {name} | {app:.2f} | {rawt:.2f} | {app / rawt:.1f}× |")
    print(
        f"\nImport of a {n:,}-row roll, end to end (read {timings['read']:.1f} s, validate "
        f"{timings['validate']:.1f} s, commit {timings['commit']:.1f} s): **{n / total_s:,.0f} "
        f"members/s** ({total_s:.1f} s); raw bulk insert of the same number of members: "
        f"{n / raw_insert:,.0f} rows/s ({raw_insert:.1f} s)."
    )


if __name__ == "__main__":
    main()
