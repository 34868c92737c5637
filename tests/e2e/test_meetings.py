"""A cell secretary on a phone opens the year's meeting plan and sees what is missing."""

from playwright.sync_api import expect

from .conftest import login, shot


def test_the_secretary_sees_the_plan_and_its_gaps(server, phone):
    page = phone
    login(page, server, "bithu.huoilu1")
    page.goto(server + "/org/?q=huoi+lu+1")
    page.get_by_role("link", name="Chi bộ bản Huổi Lụ 1").click()
    page.get_by_role("link", name="Kế hoạch sinh hoạt").click()
    page.goto(page.url.split("?")[0] + "?year=2026")
    expect(page.get_by_text("ngày 3 hằng tháng")).to_be_visible()
    expect(page.get_by_test_id("month-gap")).to_have_count(1)
    expect(page.get_by_test_id("month-gap")).to_contain_text("Tháng 9")
    expect(page.get_by_test_id("quarter-gap")).to_contain_text("Quý 3")
    shot(page, "meetings-plan-phone")
