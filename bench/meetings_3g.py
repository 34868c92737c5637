"""The attendance page on a phone under the weak-3G profile (issue 4, point 12): bytes moved and
time until the page is usable (the attendance form drawn and its offline script running), cold
(empty browser cache) and warm (static files in the browser's cache; the service worker is kept
out, because its own fetches escape the page's network emulation),
beside the network floor measured in the same run: fetching the page's HTML alone, with no
sub-resources, from inside the same emulated page.

Runs the demo province on SQLite with a production-like server (no debug: hashed, compressed
static files) and Debian's chromium. Usage: python bench/meetings_3g.py [--runs 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chibo.settings")
os.environ.setdefault("CHIBO_DEMO", "1")

import django  # noqa: E402

django.setup()

from chibo.core.testing import CHROMIUM_ARGS, WEAK_3G, run_demo_server  # noqa: E402

BUDGET = {"cold_kb": 60, "cold_s": 3.0, "warm_s": 1.5}
# Usable: the offline script has run and drawn its status line over the attendance form.
USABLE = "(document.getElementById('sync-status') || {}).textContent > ''"


def measure(page, cdp, url: str) -> tuple[float, int]:
    """Seconds from the navigation until the page is usable, and bytes received meanwhile."""
    got: list[int] = []

    def done(event):
        got.append(int(event.get("encodedDataLength", 0)))

    cdp.on("Network.loadingFinished", done)
    t = time.perf_counter()
    page.goto(url, wait_until="commit")
    page.wait_for_function(USABLE, timeout=30000)
    elapsed = time.perf_counter() - t
    page.wait_for_load_state("load")
    page.wait_for_timeout(300)  # late requests (the worker's script) still count as bytes
    cdp.remove_listener("Network.loadingFinished", done)
    return elapsed, sum(got)


def html_floor(page, url: str) -> float:
    ms = page.evaluate(
        """async (url) => { const t = performance.now();
             const r = await fetch(url, {cache: 'no-store', credentials: 'same-origin'});
             await r.text(); return performance.now() - t; }""",
        url,
    )
    return ms / 1000


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    var = tempfile.mkdtemp(prefix="chibo-3g-")
    base, proc = run_demo_server(var)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=os.environ.get("CHIBO_CHROMIUM", "/usr/bin/chromium"),
                args=CHROMIUM_ARGS,
                headless=True,
            )
            # Find the demo's last held meeting of Huổi Lụ 1 (fast, no emulation).
            ctx = browser.new_context(
                viewport={"width": 390, "height": 844}, is_mobile=True, locale="vi-VN"
            )
            page = ctx.new_page()
            page.goto(base + "/accounts/login/")
            page.get_by_label("Tên đăng nhập").fill("bithu.huoilu1")
            page.get_by_label("Mật khẩu").fill("chibo-demo-2026")
            page.get_by_role("button", name="Đăng nhập").click()
            page.wait_for_load_state()
            page.goto(base + "/org/?q=huoi+lu+1")
            page.get_by_role("link", name="Chi bộ bản Huổi Lụ 1").click()
            page.get_by_role("link", name="Kế hoạch sinh hoạt").click()
            links = page.locator('[data-testid="months"] a', has_text="thường kỳ")
            url = base + links.nth(links.count() - 2).get_attribute("href") + "hold/"
            state = ctx.storage_state()
            ctx.close()
            cold, warm, floor = [], [], []
            for _ in range(args.runs):
                # A fresh context each run: logged in (cookies), nothing else cached.
                ctx = browser.new_context(
                    viewport={"width": 390, "height": 844},
                    is_mobile=True,
                    locale="vi-VN",
                    storage_state=state,
                    # Warm = the HTTP cache only: the worker's own fetches escape the page's
                    # network emulation, so with it the page would look faster than it is.
                    service_workers="block",
                )
                page = ctx.new_page()
                cdp = ctx.new_cdp_session(page)
                cdp.send("Network.enable")
                cdp.send("Network.clearBrowserCache")
                cdp.send("Network.emulateNetworkConditions", WEAK_3G)
                cold.append(measure(page, cdp, url))
                warm.append(measure(page, cdp, url))
                floor.append(html_floor(page, url))
                ctx.close()
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)

    def med(xs):
        return statistics.median(xs)

    cold_s, cold_b = med([c[0] for c in cold]), med([c[1] for c in cold])
    warm_s, warm_b = med([w[0] for w in warm]), med([w[1] for w in warm])
    floor_s = med(floor)
    print(
        f"\n{platform.node()} · {platform.processor() or platform.machine()} · "
        f"{os.cpu_count()} cores · SQLite demo, chromium, 390×844, weak 3G "
        f"(300 ms, 750/250 kbit/s) · {dt.date.today():%d/%m/%Y} · median of {len(cold)} runs\n"
    )
    print("| attendance page | time to usable (s) | bytes received | budget | HTML alone (s) |")
    print("|---|---:|---:|---|---:|")
    cold_ok = cold_b <= BUDGET["cold_kb"] * 1024 and cold_s <= BUDGET["cold_s"]
    print(
        f"| cold (empty cache) | {cold_s:.2f} | {cold_b / 1024:.1f} KB | "
        f"≤ {BUDGET['cold_kb']} KB, ≤ {BUDGET['cold_s']} s: {'met' if cold_ok else 'NOT met'}"
        f" | {floor_s:.2f} |"
    )
    print(
        f"| warm (static files cached) | {warm_s:.2f} | {warm_b / 1024:.1f} KB | "
        f"≤ {BUDGET['warm_s']} s: {'met' if warm_s <= BUDGET['warm_s'] else 'NOT met'} "
        f"| {floor_s:.2f} |"
    )


if __name__ == "__main__":
    main()
