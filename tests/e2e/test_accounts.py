"""Staff create an account for a secretary without e-mail; the secretary sets a password with
the one-time code on a phone and sees their own cell."""

from playwright.sync_api import expect

from .conftest import login, shot


def test_it_creates_an_account_without_email_and_the_code_works_on_a_phone(server, desktop, phone):
    login(desktop, server, "muonglay.vanphong")
    desktop.goto(server + "/accounts/new/")
    desktop.get_by_label("Tên đăng nhập").fill("bithu.tdp2")
    desktop.get_by_label("Họ và tên").fill("Lò Thị Xuân")
    desktop.get_by_label("Tổ chức").select_option(
        label="Chi bộ Tổ dân phố số 2 (Sông Đà) (Chi bộ trực thuộc)"
    )
    desktop.get_by_label("Vai trò").select_option(label="Bí thư chi bộ")
    desktop.get_by_role("button", name="Tạo").click()
    code = desktop.get_by_test_id("code").inner_text().strip()
    assert len(code) == 8 and code.isdigit()
    shot(desktop, "account-code-desktop")

    phone.goto(server + "/accounts/login/")
    phone.get_by_role("link", name="Có mã một lần").click()
    phone.get_by_label("Tên đăng nhập").fill("bithu.tdp2")
    phone.get_by_label("Mã một lần (8 chữ số)").fill(code)
    phone.get_by_label("Mật khẩu mới:", exact=True).fill("Xuan-tdp2-2026")
    phone.get_by_label("Nhập lại mật khẩu mới").fill("Xuan-tdp2-2026")
    shot(phone, "redeem-code-phone")
    phone.get_by_role("button", name="Đặt mật khẩu").click()
    expect(phone.get_by_text("Đã đặt mật khẩu mới")).to_be_visible()
    login(phone, server, "bithu.tdp2", "Xuan-tdp2-2026")
    expect(phone.get_by_role("link", name="Chi bộ Tổ dân phố số 2 (Sông Đà)")).to_be_visible()
    expect(phone.get_by_role("link", name="Chi bộ Tổ dân phố số 1 (Sông Đà)")).to_have_count(0)
    shot(phone, "secretary-tree-phone")
