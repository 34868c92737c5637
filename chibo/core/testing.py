"""Test helpers that know no domain app: the suite's day and the browser runs (end-to-end tests
and the page benchmarks share these). The world builder is `tests/world.py`."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from typing import Any


def suite_today() -> dt.date:
    """The day the test suite runs on: CHIBO_TEST_TODAY, default 16/11/2026. Nothing in the
    suite reads the real calendar (conftest travels there; the browser tests' server and clock
    run on it too)."""
    import os

    return dt.date.fromisoformat(os.environ.get("CHIBO_TEST_TODAY") or "2026-11-16")


def faketime_offset(day: dt.date) -> int:
    """faketime's relative spec (seconds) that puts a process started now at `day`, 09:00 on
    this machine's clock; unlike "@…", processes started later with it agree on the time.
    The real clock is asked of `date`: inside the tests time-machine has moved this one."""
    import subprocess
    import time

    now = int(subprocess.run(["date", "+%s"], capture_output=True, check=True).stdout)
    return round(time.mktime(dt.datetime.combine(day, dt.time(9, 0)).timetuple()) - now)


# --- Browser runs (end-to-end tests and the page benchmarks share these) ---------------------

CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# The weak-3G profile of issue 4 (an upland village): 300 ms round trip, 750 kbit/s down,
# 250 kbit/s up, applied through Chromium's network emulation.
WEAK_3G = {
    "offline": False,
    "latency": 300,
    "downloadThroughput": 750 * 1000 / 8,
    "uploadThroughput": 250 * 1000 / 8,
}


def weak_3g(page):
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", WEAK_3G)
    return cdp


class _ProcessGroup(subprocess.Popen):
    """A server started in its own session: stopping it stops faketime's child too (terminating
    faketime alone left the runserver behind after every e2e session)."""

    def send_signal(self, sig):
        if self.returncode is None:
            try:
                os.killpg(self.pid, sig)
            except ProcessLookupError:
                pass


def run_demo_server(
    var, today: dt.date | None = None, *, offset: int | None = None
) -> tuple[str, Any]:
    """A real `chibo runserver` on the demo province with its own SQLite file under `var`, as
    `make run` starts it but without debug (hashed, compressed static files, as in production).
    With `today`, the demo is built and served as if that were the date (Debian's faketime, the
    clock ticking from 09:00 that day); logins then last until the browser closes, because the
    browser's cookie jar keeps the real calendar.
    With `offset` (seconds, see faketime_offset) instead, every process started with the same
    offset shares one ticking clock (a test's worker processes and the server agree on "now").
    Returns the base URL and the process; raises RuntimeError with the server's log if it
    does not come up."""
    import os
    import socket
    import subprocess
    import sys
    import time
    import urllib.error
    import urllib.request

    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DB", "CHIBO_TESTING")}
    env.update(CHIBO_VAR_DIR=str(var), CHIBO_DEMO="1", CHIBO_DEBUG="0")
    run = [sys.executable, "-m", "chibo"]
    if today is not None or offset is not None:
        env.update(FAKETIME_DONT_FAKE_MONOTONIC="1", CHIBO_SESSION_DAYS="0")
        spec = f"{offset:+d}" if offset is not None else f"@{today.isoformat()} 09:00:00"
        run = ["faketime", "-f", spec, *run]
    for cmd in (
        ["migrate", "--noinput", "-v", "0"],
        ["demo"],
        ["collectstatic", "--noinput", "-v", "0"],
    ):
        subprocess.run(run + cmd, env=env, check=True, capture_output=True)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = _ProcessGroup(
        run + ["runserver", "--noreload", f"127.0.0.1:{port}"],
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/accounts/login/", timeout=2)
            return base, proc
        except urllib.error.HTTPError as exc:  # up, but broken: stop at once with its log
            proc.kill()
            log = proc.stderr.read().decode()[-3000:]
            raise RuntimeError(f"login page answered {exc.code}: {log}") from exc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("chibo runserver did not start: " + proc.stderr.read().decode()[-2000:])


# --- Concurrent transactions (PostgreSQL; SQLite writes one transaction at a time) -----------


def together(*calls, timeout: float = 20.0) -> list[tuple[bool, Any]]:
    """Run each call in its own thread, so on its own database connection, and hold every one
    at a barrier just before the first statement it sends inside a transaction (an atomic
    block): all of them are then inside their transactions at the same moment, none holding a
    lock yet. Returns (True, result) or (False, exception) per call, in order. Each thread
    closes its connection when done (a test database with open connections cannot be
    dropped)."""
    import threading

    from django.db import connection

    barrier = threading.Barrier(len(calls), timeout=timeout)
    out: list[tuple[bool, Any]] = [(False, TimeoutError("never ran"))] * len(calls)

    def run(i: int, call) -> None:
        waited = False

        def hold(execute, sql, params, many, context):
            nonlocal waited
            if not waited and connection.in_atomic_block:
                waited = True
                barrier.wait()
            return execute(sql, params, many, context)

        try:
            with connection.execute_wrapper(hold):
                out[i] = (True, call())
        except BaseException as exc:  # noqa: BLE001 (returned to the test, which asserts on it)
            out[i] = (False, exc)
        finally:
            if not waited:  # it never entered a transaction: free the others
                barrier.abort()
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout * 3)
    return out


def in_parallel(calls, workers: int = 8, timeout: float = 60.0) -> list[tuple[bool, Any]]:
    """Run the calls on `workers` threads (each its own connection, closed at the end), which
    start together and take the next call as soon as they are free: each call is its own
    transaction when it is a service. Returns (True, result) or (False, exception) per call,
    in the calls' order."""
    import queue
    import threading

    from django.db import connection

    todo: queue.Queue = queue.Queue()
    for item in enumerate(calls):
        todo.put(item)
    out: list[tuple[bool, Any]] = [(False, TimeoutError("never ran"))] * len(calls)
    start = threading.Barrier(workers, timeout=timeout)

    def work() -> None:
        try:
            start.wait()
            while True:
                try:
                    i, call = todo.get_nowait()
                except queue.Empty:
                    return
                try:
                    out[i] = (True, call())
                except BaseException as exc:  # noqa: BLE001 (returned to the test)
                    out[i] = (False, exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout * 3)
    return out
