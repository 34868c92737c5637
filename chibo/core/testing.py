"""Test helpers shared by every app: a small world built through the services, and the scope
cases that the reusable scope test (anonymous / out of scope / read-only / allowed) runs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from chibo.accounts.choices import Role
from chibo.accounts.models import Grant, User
from chibo.org.choices import CellType, GrassrootsType, UnitKind
from chibo.org.models import Unit
from chibo.org.services import CreateUnit, Decision, UnitSpec

START = dt.date(2020, 1, 1)


def suite_today() -> dt.date:
    """The day the test suite runs on: CHIBO_TEST_TODAY, default 16/11/2026. Nothing in the
    suite reads the real calendar (conftest travels there; the browser tests' server and clock
    run on it too)."""
    import os

    return dt.date.fromisoformat(os.environ.get("CHIBO_TEST_TODAY") or "2026-11-16")


PASSWORD = "Mat-khau-thu-2026"


def decision(on: dt.date, number: str = "01-QĐ/TEST") -> Decision:
    """A restructuring decision for tests: every one needs a number and an issuing body."""
    return Decision(on, number, "Ban Thường vụ (thử nghiệm)")


def make_unit(parent: Unit | None, kind: str, name: str, on: dt.date = START, **extra) -> Unit:
    action = CreateUnit(decision(on), parent=parent, spec=UnitSpec(kind=kind, name=name, **extra))
    action.execute(actor=None)
    return action.created


def make_user(
    username: str,
    unit: Unit | None = None,
    role: str = Role.OFFICIAL,
    valid_from: dt.date = START,
    valid_to: dt.date | None = None,
) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, full_name=username)
    if unit is not None:
        Grant.objects.create(
            user=user, unit=unit, role=role, valid_from=valid_from, valid_to=valid_to
        )
    return user


@dataclass
class World:
    province: Unit
    commune_a: Unit
    commune_b: Unit
    cells_a: list[Unit]
    cell_b: Unit
    admin: User
    official_a: User
    viewer_a: User
    official_b: User
    extra: dict[str, Any] = field(default_factory=dict)


def build_world() -> World:
    p = make_unit(None, UnitKind.PROVINCE, "Đảng bộ tỉnh Thử")
    a = make_unit(
        p, UnitKind.COMMUNE, "Đảng bộ xã Đồng Tâm", grassroots_type=GrassrootsType.COMMUNE
    )
    b = make_unit(
        p, UnitKind.COMMUNE, "Đảng bộ phường Bắc Sơn", grassroots_type=GrassrootsType.WARD
    )
    cells_a = [
        make_unit(a, UnitKind.CELL, f"Chi bộ thôn {n}", cell_type=CellType.VILLAGE)
        for n in ("Đông", "Tây", "Nam")
    ]
    cell_b = make_unit(
        b, UnitKind.CELL, "Chi bộ tổ dân phố 1", cell_type=CellType.RESIDENTIAL_GROUP
    )
    admin = make_user("quantri", p, Role.ADMIN)
    return World(
        province=p,
        commune_a=a,
        commune_b=b,
        cells_a=cells_a,
        cell_b=cell_b,
        admin=admin,
        official_a=make_user("canbo.a", a, Role.OFFICIAL),
        viewer_a=make_user("xem.a", a, Role.VIEWER),
        official_b=make_user("canbo.b", b, Role.OFFICIAL),
    )


def make_member(
    unit: Unit,
    name: str = "Lò Văn Pọm",
    *,
    gender: str = "m",
    birth_year: int = 1970,
    admitted: dt.date = dt.date(2000, 5, 19),
    recognized: dt.date | None = dt.date(2001, 5, 19),
    placed: dt.date = START,
):
    """A member through the service (admission and recognition events, placement), for tests."""
    from chibo.members.services import add_member

    family, *middle, given = name.split()
    return add_member(
        actor=None,
        unit=unit,
        family_name=family,
        middle_name=" ".join(middle),
        given_name=given,
        gender=gender,
        birth_year=birth_year,
        admitted_on=admitted,
        recognized_on=recognized,
        placed_on=placed,
    )


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


def run_demo_server(var, today: dt.date | None = None) -> tuple[str, Any]:
    """A real `chibo runserver` on the demo province with its own SQLite file under `var`, as
    `make run` starts it but without debug (hashed, compressed static files, as in production).
    With `today`, the demo is built and served as if that were the date (Debian's faketime, the
    clock ticking from 09:00 that day); logins then last until the browser closes, because the
    browser's cookie jar keeps the real calendar.
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
    if today is not None:
        env.update(FAKETIME_DONT_FAKE_MONOTONIC="1", CHIBO_SESSION_DAYS="0")
        run = ["faketime", "-f", f"@{today.isoformat()} 09:00:00", *run]
    for cmd in (
        ["migrate", "--noinput", "-v", "0"],
        ["demo"],
        ["collectstatic", "--noinput", "-v", "0"],
    ):
        subprocess.run(run + cmd, env=env, check=True, capture_output=True)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        run + ["runserver", "--noreload", f"127.0.0.1:{port}"],
        env=env,
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
