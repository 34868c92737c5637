"""Playwright against Debian's /usr/bin/chromium (never a downloaded browser)."""

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHIBO_CHROMIUM", "/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # live_server + sync Playwright
    # Let context.route() see the service worker's requests too, so that "offline" reaches the
    # worker (context.set_offline alone does not: playwright#2311).
    os.environ["PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS"] = "1"
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (scripts/setup.sh does it)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def phone(browser):
    ctx = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=1,
        is_mobile=True,
        has_touch=True,
        locale="vi-VN",
    )
    yield ctx.new_page()
    ctx.close()


@pytest.fixture
def desktop(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 860}, locale="vi-VN")
    yield ctx.new_page()
    ctx.close()


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """A real `chibo runserver` on the demo province, on its own SQLite file (as `make run`)."""
    import socket
    import subprocess
    import sys
    import time
    import urllib.error
    import urllib.request

    var = tmp_path_factory.mktemp("chibo-e2e")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DB", "CHIBO_TESTING")}
    env.update(CHIBO_VAR_DIR=str(var), CHIBO_DEMO="1", CHIBO_DEBUG="0")
    run = [sys.executable, "-m", "chibo"]
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
            break
        except urllib.error.HTTPError as exc:  # up, but broken: stop at once with its log
            proc.kill()
            pytest.fail(f"login page answered {exc.code}: " + proc.stderr.read().decode()[-3000:])
        except OSError:
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("chibo runserver did not start: " + proc.stderr.read().decode()[-2000:])
    yield base
    proc.terminate()
    proc.wait(timeout=10)


def login(page, base: str, username: str, password: str = "chibo-demo-2026") -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()


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


@pytest.fixture
def phone_3g(phone):
    weak_3g(phone)
    return phone
