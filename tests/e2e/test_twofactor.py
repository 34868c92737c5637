"""Two-factor sign-in on a phone (issue 11): the system administrator (an account no other
browser test signs in with) must set up an authenticator app at the first login (the key is
read off the page, the code computed here), signs out, and signs in again with the password
and a code."""

import re

from playwright.sync_api import expect

from .conftest import app_code, enrol, shot


def test_an_official_enrols_on_a_phone_and_signs_in_with_password_and_code(server, phone):
    page = phone
    page.goto(server + "/members/")
    page.get_by_label("Tên đăng nhập").fill("quantri")
    page.get_by_label("Mật khẩu").fill("chibo-demo-2026")
    page.get_by_role("button", name="Đăng nhập").click()

    expect(page).to_have_url(re.compile(r"/accounts/2fa/enrol/\?next=%2Fmembers%2F$"))
    expect(page.get_by_role("heading", name="Bật xác thực hai bước")).to_be_visible()
    expect(page.locator("svg.qr")).to_be_visible()
    box = page.locator("svg.qr").bounding_box()
    assert 180 <= box["width"] <= 390 - 24 and box["width"] == box["height"]
    code_box = page.get_by_label("Mã xác thực")
    expect(code_box).to_have_attribute("inputmode", "numeric")
    expect(code_box).to_have_attribute("autocomplete", "one-time-code")
    # Nothing else is open before the second factor is set up.
    page.goto(server + "/org/")
    expect(page).to_have_url(re.compile(r"/accounts/2fa/enrol/"))
    page.goto(server + "/accounts/2fa/enrol/?next=/members/")
    shot(page, "2fa-enrol-phone")

    codes = enrol(page, server, "quantri")
    assert len(codes) == 10 and all(re.fullmatch(r"\d{5} \d{5}", c) for c in codes)
    page.get_by_role("link", name="Tôi đã cất mã, tiếp tục").click()
    expect(page).to_have_url(re.compile(r"/members/$"))

    page.get_by_test_id("user-menu").click()  # the user menu holds the logout button
    page.get_by_role("button", name="Đăng xuất").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.goto(server + "/org/")
    page.get_by_label("Tên đăng nhập").fill("quantri")
    page.get_by_label("Mật khẩu").fill("chibo-demo-2026")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/verify/\?next=%2Forg%2F$"))
    expect(page.get_by_role("heading", name="Bước 2: nhập mã xác thực")).to_be_visible()
    code = app_code(server, "quantri")
    page.get_by_label("Mã xác thực").fill(f"{code[:3]} {code[3:]}")  # as read off the phone
    shot(page, "2fa-signin-phone")
    page.get_by_role("button", name="Xác nhận", exact=True).click()
    expect(page).to_have_url(re.compile(r"/org/$"))
    expect(page.get_by_test_id("user-menu")).to_have_text(re.compile("quantri"))
