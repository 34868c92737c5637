"""Under the Content Security Policy (issue 11, point 7): the watch in conftest.py sees a
violation, and what used to be inline script still works from chibo.js."""

import re

from playwright.sync_api import expect

from .conftest import CSP_VIOLATIONS, login


def _wait_for_report(page, directive: str) -> list[str]:
    for _ in range(100):  # the binding reports asynchronously: poll, never sleep a fixed time
        if any(directive in v for v in CSP_VIOLATIONS):
            break
        page.wait_for_timeout(50)
    page.evaluate("1")  # one more round trip: the console line of the same violation
    found = list(CSP_VIOLATIONS)
    CSP_VIOLATIONS.clear()  # this test's violations are on purpose
    return found


def test_the_watch_reports_an_inline_style_and_an_inline_script(server, phone):
    phone.goto(server + "/accounts/login/")
    assert phone.evaluate("window.__cspViolations") == []
    phone.evaluate(
        """document.body.insertAdjacentHTML("beforeend", '<p style="color:red">x</p>');"""
    )
    found = _wait_for_report(phone, "style-src")
    assert any("style-src" in v for v in found), found
    phone.evaluate(
        """const s = document.createElement("script"); s.textContent = "window.ran = 1";
        document.body.append(s);"""
    )
    found = _wait_for_report(phone, "script-src")
    assert any("script-src" in v for v in found), found
    assert phone.evaluate("window.ran") is None
    _wait_for_report(phone, "script-src")  # Chromium may report the refused script twice


def test_the_page_behaviours_work_from_the_static_script(server, desktop):
    page = desktop
    # The login page drops the meeting pages kept for offline use.
    page.goto(server + "/accounts/login/")
    page.evaluate("caches.open('chibo-pages-v1').then(c => c.put('/x', new Response('x')))")
    assert page.evaluate("caches.has('chibo-pages-v1')") is True
    page.reload()
    page.wait_for_function("caches.has('chibo-pages-v1').then(h => !h)")
    login(page, server, "quanglam.vanphong")
    # The tree's +/− button opens (htmx loads the cells) and closes the list.
    card = page.locator("section.card").filter(has_text="Đảng bộ xã Quảng Lâm")
    toggle = card.get_by_role("button", name="Mở hoặc đóng Đảng bộ xã Quảng Lâm")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(toggle).to_have_text("−")
    cell = page.get_by_role("link", name="Chi bộ bản Huổi Lụ 1")
    expect(cell).to_be_visible()
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(cell).to_be_hidden()
    # The roll's print button prints.
    card.get_by_role("link", name="Đảng bộ xã Quảng Lâm").first.click()
    unit = page.url.split("/unit/")[1].split("/")[0]
    page.goto(f"{server}/members/roll/{unit}/")
    # (a function given to evaluate is called: the stub is set inside one)
    page.evaluate("() => { window.print = () => { window.__printed = (window.__printed|0) + 1 } }")
    page.get_by_role("button", name="In", exact=True).click()
    assert page.evaluate("window.__printed") == 1
    # The language select sends its form when changed.
    page.get_by_label("Ngôn ngữ").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_label(re.compile("Language|Ngôn ngữ")).select_option("vi")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    # The API's Swagger page runs from the files django-ninja ships (no CDN, no inline script).
    page.goto(server + "/api/v1/docs")
    expect(page.locator("#swagger-ui .info .title")).to_contain_text("chibo API")
