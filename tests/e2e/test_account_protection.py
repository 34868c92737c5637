"""Issue 11 on a phone (390×844): a locked login and its unlock by the commune office, changing
one's own password from the user menu, API keys with a term and a revoke button, and "đăng xuất
mọi thiết bị" ending the login on another phone."""

import urllib.error
import urllib.request

from playwright.sync_api import expect

from .conftest import PHONE, login, on_test_day, shot


def _api_status(server: str, token: str) -> int:
    """A script's call with the token alone (no browser cookies)."""
    req = urllib.request.Request(
        server + "/api/v1/units/", headers={"Authorization": f"Bearer {token}"}
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _phone(browser):
    return on_test_day(browser.new_context(**PHONE)).new_page()


def test_a_locked_login_and_the_offices_unlock(server, browser, phone):
    for _ in range(5):
        login(phone, server, "dangvien.huoilu1", "doan-sai-mat-khau")
    expect(phone.get_by_role("heading", name="Tạm khóa đăng nhập")).to_be_visible()
    expect(phone.get_by_test_id("locked")).to_contain_text("30 phút")
    expect(phone.get_by_test_id("locked")).to_contain_text("văn phòng cấp ủy")
    shot(phone, "login-locked-phone")
    login(phone, server, "dangvien.huoilu1")  # the right password, during the lock
    expect(phone.get_by_role("heading", name="Tạm khóa đăng nhập")).to_be_visible()

    office = _phone(browser)
    login(office, server, "quanglam.vanphong")
    office.goto(server + "/accounts/")
    office.get_by_role("link", name="dangvien.huoilu1").click()
    expect(office.get_by_test_id("unlock")).to_be_visible()
    shot(office, "account-unlock-phone")
    office.get_by_role("button", name="Mở khóa đăng nhập").click()
    expect(office.get_by_text("Đã mở khóa đăng nhập")).to_be_visible()
    expect(office.get_by_test_id("unlock")).to_have_count(0)
    office.context.close()

    login(phone, server, "dangvien.huoilu1")
    expect(phone.get_by_test_id("user-menu")).to_have_text("dangvien.huoilu1")


def test_a_user_changes_their_password_from_the_user_menu(server, phone):
    login(phone, server, "quanglam.xem")
    phone.get_by_test_id("user-menu").click()
    expect(phone.get_by_role("link", name="Đổi mật khẩu")).to_be_visible()
    shot(phone, "user-menu-phone")
    phone.get_by_role("link", name="Đổi mật khẩu").click()
    phone.get_by_label("Mật khẩu hiện tại").fill("chibo-demo-2026")
    phone.get_by_label("Mật khẩu mới", exact=True).fill("1234")
    phone.get_by_label("Nhập lại mật khẩu mới").fill("1234")
    phone.get_by_role("button", name="Đổi mật khẩu").click()
    expect(phone.get_by_text("Mật khẩu này quá ngắn")).to_be_visible()
    shot(phone, "password-change-phone")
    phone.get_by_label("Mật khẩu hiện tại").fill("chibo-demo-2026")
    phone.get_by_label("Mật khẩu mới", exact=True).fill("Xem-quanglam-2026")
    phone.get_by_label("Nhập lại mật khẩu mới").fill("Xem-quanglam-2026")
    phone.get_by_role("button", name="Đổi mật khẩu").click()
    expect(phone.get_by_text("Đã đổi mật khẩu")).to_be_visible()


def test_api_keys_have_a_term_and_a_revoke_button(server, phone):
    login(phone, server, "muonglay.ubkt")
    phone.goto(server + "/accounts/tokens/")
    phone.get_by_label("Tên khóa").fill("báo cáo quý")
    expect(phone.get_by_label("Thời hạn")).to_have_value("90")
    phone.get_by_label("Thời hạn").select_option(label="30 ngày")
    phone.get_by_role("button", name="Tạo khóa").click()
    token = phone.get_by_test_id("token").inner_text().strip()
    assert token.startswith("chibo_")
    assert _api_status(server, token) == 200
    phone.goto(server + "/accounts/tokens/")  # a GET: reloading the POST would make another key
    expect(phone.get_by_test_id("active-tokens")).to_contain_text("báo cáo quý")
    shot(phone, "api-tokens-phone")
    phone.get_by_role("button", name="Thu hồi").click()
    expect(phone.get_by_text("Đã thu hồi khóa")).to_be_visible()
    assert _api_status(server, token) == 401


def test_log_out_everywhere_ends_the_login_on_the_other_phone(server, browser, phone):
    other = _phone(browser)
    login(phone, server, "tinh.tochuc")
    login(other, server, "tinh.tochuc")
    phone.goto(server + "/accounts/password/")
    shot(phone, "sessions-end-phone")
    phone.get_by_role("button", name="Đăng xuất mọi thiết bị").click()
    expect(phone.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    other.goto(server + "/members/")
    expect(other.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    other.context.close()


def test_the_user_menu_opens_below_its_button_on_a_wide_screen(server, desktop):
    login(desktop, server, "muonglay.ubkt")
    desktop.get_by_test_id("user-menu").click()
    link = desktop.get_by_role("link", name="Đổi mật khẩu")
    expect(link).to_be_visible()
    menu, button = link.bounding_box(), desktop.get_by_test_id("user-menu").bounding_box()
    assert menu["x"] >= 0 and menu["x"] + menu["width"] <= 1280
    assert menu["y"] >= button["y"] + button["height"]
    shot(desktop, "user-menu-desktop")
