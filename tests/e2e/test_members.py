"""The member registry in a real browser on the demo province: import a roll with errors, fix
it, import it; admit a member and see the ceremony deadline; transfer a member between two
communes and check what each side's secretary sees before and after the arrival; print the
roll."""

import io

from openpyxl import Workbook, load_workbook
from playwright.sync_api import expect

from chibo.core.testing import suite_today

from .conftest import login, on_test_day, shot

HEADERS = [
    "Chi bộ",
    "Họ và tên",
    "Giới tính",
    "Ngày sinh",
    "Ngày vào Đảng",
    "Ngày chính thức",
    "Dân tộc",
    "Số CCCD/CMND",
]


def roll(path, rows, title=None):
    wb = Workbook()
    ws = wb.active
    if title:
        ws.append([title])
    ws.append(HEADERS)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return str(path)


def test_import_a_roll_read_the_errors_fix_and_import(server, phone, tmp_path):
    page = phone
    login(page, server, "quanglam.vanphong")
    page.goto(server + "/members/")
    page.get_by_role("link", name="Nhập từ Excel").click()
    cell = "Chi bộ bản Huổi Lụ 3"
    bad = roll(
        tmp_path / "bad.xlsx",
        [
            [cell, "Mùa A Sềnh", "Nam", "02/03/91", "19/05/2015", "19/05/2016", "Mông", ""],
            ["Chi bộ bản Không Có", "Lò Thị Hoa", "Nữ", "14/07/1993", "03/02/2018", "", "Thái", ""],
        ],
    )
    page.get_by_label("Tệp Excel (.xlsx)").set_input_files(bad)
    page.get_by_role("button", name="Tải lên và kiểm tra").click()
    errors = page.get_by_test_id("import-errors")
    expect(errors).to_contain_text("2 lỗi — chưa ghi gì")
    expect(errors).to_contain_text("chỉ có hai chữ số")
    expect(errors).to_contain_text("Không tìm thấy chi bộ “Chi bộ bản Không Có”")
    shot(page, "members-import-errors-phone")
    # The commune's own roll: its title above the column names, "H'Mông" as Điện Biên writes it.
    title = "DANH SÁCH ĐẢNG VIÊN ĐẢNG BỘ XÃ QUẢNG LÂM"
    good = roll(
        tmp_path / "good.xlsx",
        [
            [cell, "Mùa A Sềnh", "Nam", "02/03/1991", "19/05/2015", "19/05/2016", "H'Mông", ""],
            [cell, "Lò Thị Hoa", "Nữ", "14/07/1993", "03/02/2018", "", "Thái", ""],
        ],
        title=title,
    )
    page.goto(server + "/members/import/")
    page.get_by_label("Tệp Excel (.xlsx)").set_input_files(good)
    page.get_by_role("button", name="Tải lên và kiểm tra").click()
    expect(page.get_by_test_id("import-reading")).to_contain_text(f"Bỏ qua dòng 1: {title}")
    expect(page.get_by_test_id("import-preview")).to_contain_text("Thêm mới: 2")
    page.get_by_test_id("commit").click()
    expect(page.get_by_test_id("import-done")).to_contain_text("Thêm mới 2")
    page.goto(server + "/members/?q=mua+a+senh")
    expect(page.get_by_role("link", name="Mùa A Sềnh")).to_be_visible()


def test_admit_a_member_and_see_the_ceremony_deadline(server, desktop):
    page = desktop
    login(page, server, "quanglam.vanphong")
    page.goto(server + "/members/admit/")
    page.locator("#id_cell").select_option(label="Chi bộ bản Nậm Pố")
    page.get_by_label("Họ và tên").fill("Sùng A Chớ")
    page.get_by_label("Giới tính").select_option(label="Nam")
    page.get_by_label("Ngày sinh").fill("2001-08-09")
    page.get_by_label("Ngày chi bộ xét, đề nghị kết nạp").fill("2026-10-05")
    page.get_by_label("Số quyết định kết nạp").fill("215-QĐ/ĐU")
    page.get_by_label("Cấp ủy ra quyết định").fill("Đảng ủy xã Quảng Lâm")
    page.get_by_label("Ngày chi bộ nhận quyết định").fill("2026-11-02")
    # Dates before the suite's earliest day (16/11/2026), so the ceremony is never in the future.
    page.get_by_label("Ngày tổ chức lễ kết nạp").fill("2026-11-13")
    page.get_by_role("button", name="Tính hạn").click()
    # 30 working days from 2/11/2026; 24/11 (Vietnamese Culture Day) is a holiday.
    expect(page.get_by_test_id("ceremony-deadline")).to_have_text("15/12/2026")
    shot(page, "members-admit-desktop")
    page.get_by_role("button", name="Ghi nhận kết nạp").click()
    expect(page.get_by_role("heading", name="Sùng A Chớ")).to_be_visible()
    expect(page.get_by_test_id("timeline")).to_contain_text("hạn lễ kết nạp 15/12/2026")


def test_a_transfer_between_communes_as_each_secretary_sees_it(server, browser):
    sender = on_test_day(
        browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN")
    ).new_page()
    receiver = on_test_day(
        browser.new_context(viewport={"width": 1280, "height": 860}, locale="vi-VN")
    ).new_page()
    login(sender, server, "bithu.huoilu1")
    sender.goto(server + "/members/")
    first = sender.get_by_test_id("members").get_by_role("link").nth(1)
    name = first.inner_text()
    first.click()
    member_url = sender.url
    sender.get_by_role("link", name="Chuyển sinh hoạt").click()
    sender.get_by_label("Loại").select_option(label="Chuyển sinh hoạt đảng chính thức")
    sender.get_by_label("Chi bộ nơi đến (trong hệ thống)").select_option(
        label="Chi bộ Tổ dân phố số 1 (Sông Đà)"
    )
    today = suite_today()
    sender.get_by_label("Ngày chuyển đi (ngày giấy giới thiệu)").fill(today.isoformat())
    sender.get_by_label("Đã đóng đảng phí hết tháng").fill(f"{today:%Y-%m}")
    sender.get_by_role("button", name="Lưu").click()
    expect(sender.get_by_text("Đã lập giấy giới thiệu số")).to_be_visible()
    expect(sender.get_by_text("chờ nơi đến xác nhận")).to_be_visible()
    with sender.expect_download() as dl:
        sender.get_by_role("link", name="Word").click()
    assert dl.value.suggested_filename.endswith(".docx")

    # Before the arrival: the receiving secretary sees the transfer, not the record.
    login(receiver, server, "bithu.songda1")
    receiver.goto(server + "/members/deadlines/")
    incoming = receiver.get_by_test_id("incoming")
    expect(incoming).to_contain_text(name)
    assert receiver.goto(member_url).status == 404
    # The sending side no longer has them on the roll, but keeps them among former members.
    sender.goto(server + "/members/")
    expect(sender.get_by_test_id("members")).not_to_contain_text(name)
    sender.goto(server + "/members/?status=former")
    expect(sender.get_by_test_id("members")).to_contain_text(name)

    receiver.goto(server + "/members/deadlines/")
    item = receiver.get_by_test_id("incoming").locator("li", has_text=name)
    item.get_by_label("Ngày trình giấy").fill(today.isoformat())
    item.get_by_role("button", name="Xác nhận đã đến").click()
    expect(receiver.get_by_role("heading", name=name)).to_be_visible()
    shot(receiver, "members-detail-after-arrival-desktop")
    receiver.goto(server + "/members/")
    expect(receiver.get_by_test_id("members")).to_contain_text(name)
    # The new cell writes the record; the cell they left keeps seeing them as they left.
    receiver.goto(member_url)
    receiver.get_by_role("link", name="Sửa hồ sơ").click()
    receiver.get_by_label("Chức vụ").fill("Phó Bí thư Chi đoàn (nơi mới)")
    receiver.get_by_role("button", name="Lưu").click()
    expect(receiver.get_by_text("Phó Bí thư Chi đoàn (nơi mới)")).to_be_visible()
    assert sender.goto(member_url).status == 200  # still visible for the time they were there
    expect(sender.get_by_test_id("until")).to_contain_text(f"{today:%d/%m/%Y}")
    expect(sender.locator("body")).not_to_contain_text("Phó Bí thư Chi đoàn (nơi mới)")
    expect(sender.locator(".breadcrumbs")).to_have_count(0)  # not the cell they are in now
    shot(sender, "member-departed-phone")
    sender.context.close()
    receiver.context.close()


def test_print_the_roll(server, desktop, phone):
    page = desktop
    login(page, server, "quanglam.vanphong")
    page.goto(server + "/members/")
    page.get_by_role("link", name="Sổ danh sách (7-HSĐV)").click()
    table = page.get_by_test_id("roll")
    expect(table.locator("thead th")).to_have_count(14)
    assert table.locator("tbody tr").count() > 100
    shot(page, "members-roll-desktop")
    with page.expect_download() as dl:
        page.get_by_test_id("roll-xlsx").click()
    ws = load_workbook(io.BytesIO(open(dl.value.path(), "rb").read())).active
    assert ws.page_setup.orientation == "landscape"
    assert ws.cell(row=4, column=1).value == "STT"
    pdf = page.pdf(format="A4", landscape=True)  # the browser's print of the same page
    assert pdf[:4] == b"%PDF"
    login(phone, server, "bithu.huoilu1")
    phone.goto(server + "/members/")
    shot(phone, "members-list-phone")
    phone.get_by_test_id("members").get_by_role("link").first.click()
    shot(phone, "members-detail-phone")
