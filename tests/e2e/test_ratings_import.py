"""The commune office enters old ratings from Excel on a phone (issue 12, point 9): a file with
a wrong label shows its errors by cell and writes nothing; the corrected file is previewed,
written after the confirmation, and the cell's page lists the result — a 2019 result of a cell
of the old commune, found through the merged commune's lineage."""

from openpyxl import Workbook
from playwright.sync_api import expect

from .conftest import login, shot

HEADER = ["Năm", "Chi bộ", "Họ và tên", "Ngày sinh", "Xếp loại", "Số quyết định"]
CELL = "Chi bộ bản Huổi Lụ 1"


def sheet(path, rows):
    wb = Workbook()
    ws = wb.active
    ws.append(["KẾT QUẢ XẾP LOẠI CÁC NĂM TRƯỚC"])
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return str(path)


def test_old_ratings_are_checked_then_written_after_confirmation(server, phone, tmp_path):
    page = phone
    login(page, server, "quanglam.vanphong")
    page.goto(server + "/org/?q=quang+lam")
    page.get_by_role("link", name="Đảng bộ xã Quảng Lâm").first.click()
    page.get_by_role("link", name="Nhập kết quả các năm trước từ Excel").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Nhập kết quả xếp loại")

    bad = sheet(tmp_path / "bad.xlsx", [[2019, CELL, None, None, "Trong sạch, vững mạnh", None]])
    page.get_by_label("Tệp Excel (.xlsx)").set_input_files(bad)
    page.get_by_role("button", name="Tải lên và kiểm tra").click()
    errors = page.get_by_test_id("ratings-errors")
    expect(errors).to_contain_text("Tệp có 1 lỗi: chưa ghi gì.")
    expect(errors).to_contain_text("E3")  # 2019 is judged by QĐ 132's words
    shot(page, "ratings-import-errors-phone")

    good = sheet(
        tmp_path / "good.xlsx", [[2019, CELL, None, None, "Hoàn thành tốt nhiệm vụ", "45-QĐ/ĐU"]]
    )
    page.get_by_label("Tệp Excel (.xlsx)").set_input_files(good)
    page.get_by_role("button", name="Tải lên và kiểm tra").click()
    preview = page.get_by_test_id("ratings-preview")
    expect(preview).to_contain_text("Xem trước: chưa ghi gì")
    expect(preview).to_contain_text("Hoàn thành tốt nhiệm vụ")
    shot(page, "ratings-import-preview-phone")
    page.get_by_role("button", name="Ghi 1 kết quả").click()
    expect(page.get_by_text("Đã ghi 1 kết quả xếp loại.")).to_be_visible()

    page.goto(server + "/org/?q=huoi+lu+1")
    page.get_by_role("link", name=CELL).first.click()
    expect(page.get_by_test_id("unit-ratings")).to_contain_text("2019: Hoàn thành tốt nhiệm vụ")
