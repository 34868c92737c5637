"""The foundation's end-to-end story (issue: foundation, point 12), on a phone and a desktop."""

import re

from playwright.sync_api import expect

from chibo.core.testing import suite_today
from chibo.demo.province import probation_admitted

from .conftest import login, shot


def test_it_shows_the_commune_official_the_tree_before_and_after_the_reform(server, phone):
    page = phone
    login(page, server, "quanglam.vanphong")
    expect(page.get_by_role("heading", name="Cây tổ chức đảng")).to_be_visible()
    # Today: the merged commune, under the province.
    card = page.locator("section.card").filter(has_text="Đảng bộ xã Quảng Lâm")
    expect(card.get_by_test_id("context")).to_have_text("Đảng bộ tỉnh Điện Biên")
    shot(page, "tree-today-phone")
    # Expand it: the cells of both old communes are there.
    card.get_by_role("button", name="Mở hoặc đóng Đảng bộ xã Quảng Lâm").click()
    expect(page.get_by_role("link", name="Chi bộ bản Huổi Lụ 1")).to_be_visible()
    expect(page.get_by_role("link", name="Chi bộ bản Na Cô Sa 1")).to_be_visible()
    shot(page, "tree-expanded-phone")
    # 2024: Quảng Lâm under Huyện Mường Nhé, Na Cô Sa under Huyện Nậm Pồ.
    page.get_by_label("Xem theo ngày").fill("2024-06-01")
    page.get_by_role("button", name="Xem", exact=True).click()
    expect(page.get_by_text("Cây tổ chức như ngày 01/06/2024.")).to_be_visible()
    ql = page.locator("section.card").filter(has_text="Đảng bộ xã Quảng Lâm")
    expect(ql.get_by_test_id("context")).to_contain_text("Đảng bộ huyện Mường Nhé")
    ncs = page.locator("section.card").filter(has_text="Đảng bộ xã Na Cô Sa")
    expect(ncs.get_by_test_id("context")).to_contain_text("Đảng bộ huyện Nậm Pồ")
    shot(page, "tree-2024-phone")
    # The 2024 Na Cô Sa page: its name and place of that date, and where it went.
    ncs.get_by_role("link", name="Đảng bộ xã Na Cô Sa").click()
    expect(page.get_by_role("heading", name="Đảng bộ xã Na Cô Sa")).to_be_visible()
    expect(page.get_by_text("Đã hợp nhất/chia tách vào")).to_be_visible()
    shot(page, "unit-2024-phone")
    page.go_back()
    # Back to today.
    page.get_by_role("link", name="Về hôm nay").click()
    expect(page.locator("section.card").filter(has_text="Đảng bộ xã Na Cô Sa")).to_have_count(0)
    expect(
        page.locator("section.card")
        .filter(has_text="Đảng bộ xã Quảng Lâm")
        .get_by_test_id("context")
    ).to_have_text("Đảng bộ tỉnh Điện Biên")


def test_it_answers_404_to_a_secretary_of_another_commune(server, phone):
    # First find a Quảng Lâm unit URL as its own official.
    login(phone, server, "quanglam.vanphong")
    phone.goto(server + "/org/?q=huoi+lu+1")
    phone.get_by_role("link", name="Chi bộ bản Huổi Lụ 1").click()
    url = phone.url
    phone.context.clear_cookies()
    login(phone, server, "bithu.songda1")
    resp = phone.goto(url)
    assert resp.status == 404


def test_it_lets_an_official_preview_and_apply_a_merge(server, desktop):
    page = desktop
    login(page, server, "quanglam.vanphong")

    def members_here() -> int:
        return int(page.get_by_test_id("member-count").inner_text().split()[0])

    page.goto(server + "/org/?q=huoi+lu+3")
    page.get_by_role("link", name="Chi bộ bản Huổi Lụ 3").click()
    absorbed = members_here()
    page.goto(server + "/org/?q=huoi+lu+2")
    page.get_by_role("link", name="Chi bộ bản Huổi Lụ 2").click()
    before = members_here()
    shot(page, "unit-desktop")
    page.get_by_role("link", name="Hợp nhất, sáp nhập").click()
    page.get_by_label("Chi bộ bản Huổi Lụ 3 (Chi bộ trực thuộc)").check()
    page.get_by_label("Ngày hiệu lực").fill("2026-11-01")
    page.get_by_label("Số quyết định").fill("15-QĐ/ĐU")
    page.get_by_label("Cơ quan ban hành").fill("Ban Thường vụ Đảng ủy xã Quảng Lâm")
    page.get_by_role("button", name="Xem trước").click()
    preview = page.get_by_test_id("preview")
    expect(preview).to_contain_text("Sáp nhập Chi bộ bản Huổi Lụ 3 vào Chi bộ bản Huổi Lụ 2")
    shot(page, "merge-preview-desktop")
    page.get_by_role("button", name="Áp dụng").click()
    expect(page.get_by_text(re.compile("Đã áp dụng"))).to_be_visible()
    history = page.get_by_test_id("history")
    expect(history).to_contain_text("15-QĐ/ĐU")
    expect(history).to_contain_text("Tiếp nhận Chi bộ bản Huổi Lụ 3")
    expect(page.get_by_test_id("member-count")).to_contain_text(str(before + absorbed))
    shot(page, "merge-applied-desktop")


def test_it_shows_recognitions_coming_due_on_the_cell_page(server, phone):
    login(phone, server, "quanglam.vanphong")
    phone.goto(server + "/org/?q=huoi+dao")
    phone.get_by_role("link", name="Chi bộ bản Huổi Dạo").click()
    deadlines = phone.get_by_test_id("deadlines")
    expect(deadlines).to_contain_text("sắp hết dự bị")
    # Their probation ends twelve months after the admission (the demo's newest members).
    ends = probation_admitted(suite_today())
    expect(deadlines).to_contain_text(f"{ends.replace(year=ends.year + 1):%d/%m/%Y}")
    expect(
        phone.get_by_text("Chi bộ chỉ có 1 đảng viên chính thức (cần ít nhất 3).")
    ).to_be_visible()
    shot(phone, "cell-deadlines-phone")
