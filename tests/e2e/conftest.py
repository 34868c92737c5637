"""Playwright against Debian's /usr/bin/chromium (never a downloaded browser)."""

import datetime as dt
import email.utils
import os
import time
import urllib.request
import zoneinfo
from pathlib import Path

import pytest

from chibo.core.testing import CHROMIUM_ARGS, run_demo_server, suite_today, weak_3g
from tests.twofactor import key_of_secret, totp

CHROMIUM = os.environ.get("CHIBO_CHROMIUM", "/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
ARGS = CHROMIUM_ARGS


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
        yield _WatchedBrowser(b)
        b.close()


# --- Content Security Policy: any violation on any page fails the test (issue 11) -------------
# Every context the tests open (the fixtures below and the tests' own browser.new_context) runs
# this before the page's scripts: each `securitypolicyviolation` event is kept in
# window.__cspViolations and reported at once to Python (the page may navigate away before the
# test ends). Chromium's console line "Refused to …" is caught as well, for what raises no event.
CSP_WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  var v = [e.effectiveDirective, e.blockedURI || "inline", e.sourceFile + ":" + e.lineNumber,
           (e.sample || "").slice(0, 80)].join(" ");
  window.__cspViolations.push(v);
  if (window.__chiboCspViolation) window.__chiboCspViolation(location.href + " " + v);
}, true);
"""
CSP_VIOLATIONS: list[str] = []


class _WatchedBrowser:
    """The session's browser, whose every new context watches for CSP violations."""

    def __init__(self, browser):
        self._browser = browser

    def __getattr__(self, name):
        return getattr(self._browser, name)

    def new_context(self, **kwargs):
        ctx = self._browser.new_context(**kwargs)
        ctx.expose_binding("__chiboCspViolation", lambda source, text: CSP_VIOLATIONS.append(text))
        ctx.add_init_script(CSP_WATCH)
        ctx.on("console", _refused)
        return ctx


def _refused(msg) -> None:
    if msg.text.startswith("Refused to") or "Content Security Policy" in msg.text:
        CSP_VIOLATIONS.append(f"{msg.page.url if msg.page else '?'} console: {msg.text[:300]}")


@pytest.fixture(autouse=True)
def no_csp_violations(request):
    """Fails the test when a page broke the policy (its own assertions may all have passed)."""
    CSP_VIOLATIONS.clear()
    yield
    if CSP_VIOLATIONS and "browser" in request.fixturenames:
        found = "\n".join(dict.fromkeys(CSP_VIOLATIONS))
        CSP_VIOLATIONS.clear()
        pytest.fail(f"Content Security Policy violations:\n{found}", pytrace=False)


def on_test_day(ctx):
    """The page's clock starts on the suite's day, 09:00 in Việt Nam, as the server's does."""
    start = dt.datetime.combine(suite_today(), dt.time(9, 0), zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh"))
    ctx.clock.install(time=start)
    return ctx


PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 1,
    "is_mobile": True,
    "has_touch": True,
    "locale": "vi-VN",
    "timezone_id": "Asia/Ho_Chi_Minh",
}


@pytest.fixture
def phone(browser):
    ctx = on_test_day(browser.new_context(**PHONE))
    yield ctx.new_page()
    ctx.close()


@pytest.fixture
def desktop(browser):
    ctx = on_test_day(
        browser.new_context(
            viewport={"width": 1280, "height": 860},
            locale="vi-VN",
            timezone_id="Asia/Ho_Chi_Minh",
        )
    )
    yield ctx.new_page()
    ctx.close()


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """A real `chibo runserver` on the demo province, on its own SQLite file (as `make run`)."""
    try:
        base, proc = run_demo_server(tmp_path_factory.mktemp("chibo-e2e"), today=suite_today())
    except RuntimeError as exc:
        pytest.fail(str(exc))
    yield base
    proc.terminate()
    proc.wait(timeout=10)


def login(page, base: str, username: str, password: str = "chibo-demo-2026") -> None:
    """Sign in as a person would: the password, then the second step if the account has one
    (the code from its app) or must set one up (which it then does)."""
    page.goto(base + "/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()
    second_step(page, base, username)


# The authenticator apps set up during this run, by username: the key read off the enrolment
# page and the last 30-s step whose code was used (the server, like the run, lives for the
# session; a code is accepted once, so a second login in the same step uses the next one).
# Keyed by (server, username): a module with a server of its own (the worker's e2e) enrols the
# same demo account with another key.
APPS: dict[tuple[str, str], dict] = {}


def server_time(base: str) -> float:
    """The server's clock (it runs under faketime, not the test's): its Date header."""
    with urllib.request.urlopen(base + "/accounts/login/", timeout=10) as r:
        return email.utils.parsedate_to_datetime(r.headers["Date"]).timestamp()


def app_code(base: str, username: str) -> str:
    """What the user's phone shows now, or the next step's code (within django-otp's ±1 step)
    when this step's code is spent already."""
    app = APPS[(base, username)]
    while True:
        now = int(server_time(base) // 30)
        step = max(now, app["last"] + 1)
        if step <= now + 1:
            break
        time.sleep(1)  # both codes spent: poll until the server's clock reaches the next step
    app["last"] = step
    return totp(app["key"], at=step * 30)


def enrol(page, base: str, username: str) -> list[str]:
    """On the enrolment page: read the key under the QR code, type the first code; returns
    the recovery codes shown (the page is left on them)."""
    secret = page.get_by_test_id("totp-secret").inner_text()
    APPS[(base, username)] = {"key": key_of_secret(secret), "last": -1}
    page.get_by_label("Mã xác thực").fill(app_code(base, username))
    page.get_by_role("button", name="Xác nhận và bật").click()
    codes = page.get_by_test_id("recovery-codes").locator("li")
    codes.first.wait_for()
    return [c.strip() for c in codes.all_inner_texts()]


def second_step(page, base: str, username: str) -> None:
    if "/accounts/2fa/verify/" in page.url:
        page.get_by_label("Mã xác thực").fill(app_code(base, username))
        page.get_by_role("button", name="Xác nhận", exact=True).click()
        page.wait_for_load_state()
    elif "/accounts/2fa/enrol/" in page.url:
        enrol(page, base, username)
        page.get_by_role("link", name="Tôi đã cất mã, tiếp tục").click()
        page.wait_for_load_state()


@pytest.fixture
def phone_3g(phone):
    weak_3g(phone)
    return phone
