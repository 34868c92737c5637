"""Export benchmark (issue 11, finding 6): 100,000 rows shaped like the audit log's export (an
aware time, six texts, some of them formula-looking) written through `write_xlsx`, the one
writer every XLSX export uses, into a temporary file.

Reports time, the peak of Python allocations (tracemalloc, measured in a second run because
tracing slows the code down) and the process's peak resident memory, beside the same rows built
the way exports were built before issue 11 (a whole openpyxl Workbook in memory, then saved).
Each measurement runs in a fresh process so that peaks do not carry over. The file is read back
(python-calamine) to check that every row is there.

Usage: python bench/exports_bench.py [--rows 100000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chibo.settings")
os.environ.setdefault("CHIBO_DEMO", "1")
os.environ.setdefault("CHIBO_VAR_DIR", tempfile.gettempdir() + "/chibo-bench-exports")

import django  # noqa: E402

django.setup()

from chibo.audit.exports import write_xlsx  # noqa: E402

HEADERS = ["Thời điểm", "Người thực hiện", "Hành động", "Đối tượng", "Tổ chức", "IP", "Mã yêu cầu"]
START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def rows(n: int):
    for i in range(n):
        yield (
            START + dt.timedelta(seconds=37 * i),
            f"Nguyễn Văn Cán Bộ {i % 500}",
            "members.update",
            '=HYPERLINK("http://x","y")' if i % 1000 == 0 else f"Lò Văn Pọm ({i})",
            f"Chi bộ thôn {i % 300} — Đảng bộ xã Đồng Tâm",
            "+84 912 345 678" if i % 7 == 0 else "10.0.0.12",
            f"{i:032x}",
        )


def whole_workbook(path: str, n: int) -> int:
    """Before issue 11: every row appended to an in-memory Workbook, saved at the end."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(HEADERS)
    count = 0
    for r in rows(n):
        ws.append([r[0].replace(tzinfo=None), *r[1:]])
        count += 1
    wb.save(path)
    return count


def _rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


def one(mode: str, n: int, traced: bool) -> dict:
    base = _rss()  # the process with Django set up, before any row
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "x.xlsx")
        if traced:
            tracemalloc.start()
        started, cpu = time.perf_counter(), time.process_time()
        if mode == "writer":
            count = write_xlsx(path, title="Nhat ky", headers=HEADERS, rows=rows(n))
        else:
            count = whole_workbook(path, n)
        took, cpu = time.perf_counter() - started, time.process_time() - cpu
        peak = tracemalloc.get_traced_memory()[1] if traced else None
        if traced:
            tracemalloc.stop()
        rss = _rss()
        size = os.path.getsize(path)
        from python_calamine import CalamineWorkbook

        read = len(CalamineWorkbook.from_path(path).get_sheet_by_index(0).to_python()) - 1
    return {
        "count": count,
        "read": read,
        "s": took,
        "cpu": cpu,
        "peak": peak,
        "rss": rss,
        "base": base,
        "size": size,
    }


def run_child(mode: str, n: int, traced: bool) -> dict:
    args = [sys.executable, __file__, "--child", mode, "--rows", str(n)]
    if traced:
        args.append("--traced")
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--child")
    ap.add_argument("--traced", action="store_true")
    a = ap.parse_args()
    if a.child:
        print(json.dumps(one(a.child, a.rows, a.traced)))
        return
    mb = 1024 * 1024
    print(
        f"| {a.rows:,} rows × 7 columns | time (CPU) | peak Python allocations "
        "| peak RSS (before the first row) | file |"
    )
    print("|---|---|---|---|---|")
    for mode, label in (
        ("writer", "write_xlsx (write-only, streamed)"),
        ("whole", "whole Workbook"),
    ):
        plain = run_child(mode, a.rows, traced=False)
        traced = run_child(mode, a.rows, traced=True)
        assert plain["count"] == plain["read"] == a.rows, plain
        print(
            f"| {label} | {plain['s']:.1f} s ({plain['cpu']:.1f} s) | "
            f"{traced['peak'] / mb:.1f} MB | "
            f"{plain['rss'] / mb:.0f} MB ({plain['base'] / mb:.0f} MB) | "
            f"{plain['size'] / mb:.1f} MB |"
        )
    print(
        f"\n{platform.node()} · {platform.processor() or platform.machine()} · "
        f"Python {platform.python_version()} · {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC"
    )


if __name__ == "__main__":
    main()
