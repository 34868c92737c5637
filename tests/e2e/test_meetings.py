"""A cell secretary on a phone opens the year's meeting plan and sees what is missing."""

import re

from playwright.sync_api import expect

from chibo.core.testing import suite_today
from chibo.demo.meetings import missed_month, short_quarter

from .conftest import login, on_test_day, shot


def test_the_secretary_sees_the_plan_and_its_gaps(server, phone):
    page = phone
    login(page, server, "bithu.huoilu1")
    page.goto(server + "/org/?q=huoi+lu+1")
    page.get_by_role("link", name="Chi bộ bản Huổi Lụ 1").click()
    page.get_by_role("link", name="Kế hoạch sinh hoạt").click()
    # The demo cell skipped the meeting three months ago and had no thematic meeting in the
    # last ended quarter (placed around the demo's today, the suite's day).
    year, month = missed_month(suite_today())
    page.goto(page.url.split("?")[0] + f"?year={year}")
    expect(page.get_by_text("ngày 3 hằng tháng")).to_be_visible()
    expect(page.get_by_test_id("month-gap")).to_have_count(1)
    expect(page.get_by_test_id("month-gap")).to_contain_text(f"Tháng {month}")
    year, quarter = short_quarter(suite_today())
    page.goto(page.url.split("?")[0] + f"?year={year}")
    expect(page.get_by_test_id("quarter-gap")).to_contain_text(f"Quý {quarter}")
    shot(page, "meetings-plan-phone")


def test_the_secretary_prepares_the_next_meeting_and_records_the_last(server, phone):
    page = phone
    login(page, server, "bithu.huoilu1")
    # The next meeting was prepared and notified: it is among "my meetings", and its check
    # says the documents reached the members in time.
    page.get_by_role("link", name="Cuộc họp của tôi").click()
    first = page.get_by_test_id("my-meeting").first
    expect(first).to_contain_text("Nhà văn hóa bản Huổi Lụ 1")
    first.get_by_role("link").first.click()
    expect(page.get_by_test_id("ready-ok")).to_be_visible()
    expect(page.get_by_test_id("agenda")).to_contain_text("Thu đảng phí")
    expect(page.get_by_test_id("notices")).to_contain_text("cấp ủy viên phụ trách")
    shot(page, "meetings-prepare-phone")
    # The last meeting held: attendance taken, the vote explained, the length checked.
    page.get_by_role("link", name="Kế hoạch sinh hoạt").click()
    held = page.locator('[data-testid="months"] a', has_text="thường kỳ")
    page.goto(server + held.nth(held.count() - 2).get_attribute("href") + "hold/")
    expect(page.get_by_test_id("counts")).to_contain_text(
        re.compile(r"Có mặt \d+/\d+ đồng chí; vắng có lý do \d+; vắng không lý do \d+")
    )
    expect(page.get_by_test_id("why").first).to_contain_text("Cơ sở tính")
    expect(page.get_by_test_id("length")).to_contain_text("Đạt tối thiểu 90 phút")
    shot(page, "meetings-hold-phone")
    # The resolution: drafted from the meeting, issued with its number, downloaded as Word.
    page.get_by_test_id("paper-resolution").click()
    expect(page.get_by_test_id("paper-preview")).to_contain_text("CHI BỘ QUYẾT NGHỊ")
    page.get_by_test_id("issue").click()
    expect(page.get_by_test_id("confirm")).to_contain_text("Ban hành Nghị quyết số")
    page.get_by_test_id("confirm-issue").click()
    expect(page.get_by_test_id("issued")).to_be_visible()
    # The number follows the cell's earlier resolutions this year (other tests issue some).
    expect(page.get_by_test_id("paper-preview")).to_contain_text(re.compile(r"Số \d\d-NQ/CB"))
    shot(page, "meetings-resolution-phone")
    with page.expect_download() as dl:
        page.get_by_test_id("docx").click()
    from docx import Document

    text = "\n".join(p.text for p in Document(dl.value.path()).paragraphs)
    assert "NGHỊ QUYẾT" in text and "CHI BỘ QUYẾT NGHỊ:" in text


def test_the_follower_sees_the_meeting_counted_toward_their_target(server, phone, browser):
    other = on_test_day(
        browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, locale="vi-VN")
    )
    them = other.new_page()
    login(them, server, "theodoi.quanglam")
    them.get_by_role("link", name="Cuộc họp của tôi").click()
    counted = them.get_by_test_id("my-follow-up")
    before = int(re.search(r"đã dự (\d+)/4", counted.inner_text()).group(1))

    page = phone
    login(page, server, "bithu.huoilu1")
    page.goto(server + "/org/?q=huoi+lu+1")
    page.get_by_role("link", name="Chi bộ bản Huổi Lụ 1").click()
    page.get_by_role("link", name="Kế hoạch sinh hoạt").click()
    held = page.locator('[data-testid="months"] a', has_text="thường kỳ")
    page.goto(server + held.nth(held.count() - 2).get_attribute("href") + "hold/")
    follower = page.locator('[data-testid="follower"][data-user="theodoi.quanglam"]')
    follower.get_by_role("button", name="Ghi nhận có dự").click()
    expect(follower).to_contain_text("có dự")

    them.reload()
    expect(counted).to_contain_text(f"đã dự {before + 1}/4 buổi")
    shot(them, "meetings-follower-phone")
    other.close()
