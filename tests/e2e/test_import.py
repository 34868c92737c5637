"""An official imports cells from Excel: a bad file shows errors by row and column and writes
nothing; the corrected file creates them all."""

from openpyxl import Workbook
from playwright.sync_api import expect

from .conftest import login, shot

HEADER = ["Mã tổ chức", "Tên tổ chức", "Loại tổ chức", "Mã tổ chức cấp trên", "Loại hình"]


def sheet(path, rows):
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return str(path)


def test_it_imports_all_or_nothing_from_excel(server, phone, tmp_path):
    page = phone
    login(page, server, "quanglam.vanphong")
    page.goto(server + "/org/?q=quang+lam")
    page.get_by_role("link", name="Đảng bộ xã Quảng Lâm").first.click()
    unit_id = page.url.split("/unit/")[1].split("/")[0]
    parent = f"#{unit_id}"
    bad = sheet(
        tmp_path / "bad.xlsx",
        [
            ["QL-MOI-1", "Chi bộ bản Mới 1", "Chi bộ trực thuộc", parent, "Thôn, bản, làng, ấp"],
            ["QL-MOI-2", "", "Chi bộ trực thuộc", parent, ""],
            ["QL-MOI-3", "Chi bộ bản Mới 3", "chi bo la", parent, ""],
        ],
    )
    page.goto(server + "/org/import/")
    page.get_by_label("Tệp Excel (.xlsx)").set_input_files(bad)
    page.get_by_label("Số quyết định").fill("31-QĐ/ĐU")
    page.get_by_label("Cơ quan ban hành").fill("Đảng ủy xã Quảng Lâm")
    page.get_by_role("button", name="Kiểm tra và nhập").click()
    errors = page.get_by_test_id("import-errors")
    expect(errors).to_contain_text("2 lỗi — chưa ghi gì")
    expect(errors).to_contain_text("Tên tổ chức không được để trống.")
    expect(errors).to_contain_text("Loại tổ chức “chi bo la” không hợp lệ.")
    shot(page, "import-errors-phone")
    page.goto(server + "/org/?q=ban+moi")
    expect(page.get_by_text("Không tìm thấy tổ chức nào.")).to_be_visible()

    good = sheet(
        tmp_path / "good.xlsx",
        [
            ["QL-MOI-1", "Chi bộ bản Mới 1", "Chi bộ trực thuộc", parent, "Thôn, bản, làng, ấp"],
            ["QL-MOI-2", "Chi bộ bản Mới 2", "cell", parent, "village"],
        ],
    )
    page.goto(server + "/org/import/")
    page.get_by_label("Tệp Excel (.xlsx)").set_input_files(good)
    page.get_by_label("Số quyết định").fill("31-QĐ/ĐU")
    page.get_by_label("Cơ quan ban hành").fill("Đảng ủy xã Quảng Lâm")
    page.get_by_role("button", name="Kiểm tra và nhập").click()
    expect(page.get_by_text("Đã nhập 2 tổ chức.")).to_be_visible()
    page.goto(server + "/org/?q=ban+moi")
    expect(page.get_by_role("link", name="Chi bộ bản Mới 2")).to_be_visible()
