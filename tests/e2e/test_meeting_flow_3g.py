"""Issue 4's end-to-end flow on a phone (390×844) under the weak-3G profile: a cell secretary
prepares next month's meeting, holds a meeting (attendance, an ordinary resolution and an
admission vote), loses the connection and recovers, issues the resolution and downloads the
Word file; the following committee member sees the meeting counted toward their target."""

import re

from docx import Document
from playwright.sync_api import expect

from .conftest import login, on_test_day, shot, weak_3g

SYNCED = "Mọi thay đổi đã lên máy chủ"


def _attended(page) -> int:
    text = page.get_by_test_id("my-follow-up").inner_text()
    return int(re.search(r"đã dự (\d+)/", text).group(1))


def test_a_secretary_runs_a_meeting_on_weak_3g(server, phone_3g, browser):
    page = phone_3g
    follower_ctx = on_test_day(
        browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, locale="vi-VN")
    )
    follower = follower_ctx.new_page()
    weak_3g(follower)
    login(follower, server, "theodoi.quanglam")
    follower.goto(server + "/meetings/mine/")
    before = _attended(follower)

    login(page, server, "bithu.huoilu1")
    page.goto(server + "/org/?q=huoi+lu+1")
    page.get_by_role("link", name="Chi bộ bản Huổi Lụ 1").click()
    page.get_by_role("link", name="Kế hoạch sinh hoạt").click()
    plan = page.url.split("?")[0]

    # 1. Prepare next month's meeting (the first one of the plan not yet notified).
    page.goto(plan + "?year=2027")
    page.locator('[data-testid="months"] a', has_text="thường kỳ").first.click()
    page.get_by_test_id("agenda-template").click()
    expect(page.get_by_test_id("agenda")).to_contain_text("Thu đảng phí")
    form = page.locator('form[data-offline="prepare"]')
    form.get_by_label("Địa điểm").fill("Nhà văn hóa bản Huổi Lụ 1")
    form.get_by_label("Giờ họp").fill("07:30")
    form.get_by_label("Dự thảo nghị quyết").fill(
        "1. Chuẩn bị đón Tết, giữ an ninh trật tự.\n2. Thu đảng phí tháng 1 đầy đủ."
    )
    form.get_by_role("button", name="Lưu phần chuẩn bị").click()
    expect(page.get_by_test_id("sync-status")).to_contain_text(SYNCED)
    page.reload()
    page.get_by_label("Tên tài liệu").fill("Dự thảo báo cáo tháng 12")
    page.get_by_label("Tệp").set_input_files(
        files=[
            {"name": "bao-cao.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"}
        ]
    )
    page.get_by_role("button", name="Đăng tài liệu").click()
    page.get_by_test_id("send-notices").click()
    expect(page.get_by_test_id("ready-ok")).to_be_visible()
    expect(page.get_by_test_id("notices")).to_contain_text("cấp ủy viên phụ trách")
    shot(page, "flow-prepared-3g")

    # 2. Hold a meeting today: attendance, the times, an ordinary and an admission vote.
    page.goto(plan)
    add = page.locator("form", has=page.get_by_role("button", name="Thêm"))
    add.get_by_label("Loại").select_option("extraordinary")
    today = page.evaluate(
        "(() => { const d = new Date(); d.setMinutes(d.getMinutes() - d.getTimezoneOffset());"
        " return d.toISOString().slice(0, 10); })()"
    )
    add.get_by_label("Ngày dự kiến").fill(today)
    add.get_by_role("button", name="Thêm").click()
    page.locator('[data-testid="months"] a', has_text="Sinh hoạt bất thường").last.click()
    page.get_by_test_id("hold-link").click()
    rows = page.locator("ul.roll li")
    for i in range(rows.count()):
        rows.nth(i).get_by_label("Có mặt").check()
    rows.last.get_by_label("Vắng có lý do").check()
    rows.last.get_by_placeholder("Lý do vắng").fill("Đi viện huyện")
    page.get_by_test_id("attendance").get_by_role("button", name="Lưu điểm danh").click()
    expect(page.get_by_test_id("sync-status")).to_contain_text(SYNCED)
    held = page.locator('form[data-offline="holding"]')
    held.get_by_label("Giờ bắt đầu").fill("19:00")
    held.get_by_label("Giờ kết thúc").fill("20:40")
    held.get_by_label("Tự đánh giá chất lượng buổi sinh hoạt").select_option("good")
    held.get_by_role("button", name="Lưu").click()
    expect(page.get_by_test_id("sync-status")).to_contain_text(SYNCED)
    page.reload()
    quorum = page.get_by_test_id("quorum").inner_text()
    voters = int(re.search(r"Biểu quyết: (\d+) đảng viên", quorum).group(1))
    vote = page.locator('form[data-offline="vote"]')
    vote.get_by_label("Loại biểu quyết").select_option("ordinary")
    vote.get_by_label("Nội dung biểu quyết").fill("Nghị quyết về bảo vệ rừng mùa khô")
    vote.get_by_label("Tán thành", exact=True).fill(str(voters))
    vote.get_by_role("button", name="Ghi kết quả biểu quyết").click()
    expect(page.get_by_test_id("sync-status")).to_contain_text(SYNCED)
    vote.get_by_label("Loại biểu quyết").select_option("admission")
    vote.get_by_label("Nội dung biểu quyết").fill("Xét kết nạp quần chúng ưu tú")
    vote.get_by_label("Người được xét kết nạp").fill("Lò Văn Thành")
    vote.get_by_label("Tán thành", exact=True).fill(str(voters))
    vote.get_by_role("button", name="Ghi kết quả biểu quyết").click()
    expect(page.get_by_test_id("sync-status")).to_contain_text(SYNCED)

    # 3. The connection drops while a contribution is typed; it goes when the network is back.
    context = page.context
    context.route("**/*", lambda route: route.abort("internetdisconnected"))
    context.set_offline(True)
    speech = page.locator('form[data-offline="speech"]')
    speech.get_by_label("hoặc tên khách").fill("Đồng chí phụ trách bản")
    speech.get_by_label("Nội dung").fill("Đề nghị tăng cường tuần tra rừng.")
    speech.get_by_role("button", name="Ghi ý kiến").click()
    expect(page.get_by_test_id("sync-status")).to_contain_text("1 thay đổi đang lưu trên máy")
    context.unroute("**/*")
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.get_by_test_id("sync-status")).to_contain_text(SYNCED)
    page.reload()
    expect(page.get_by_test_id("why")).to_have_count(2)
    expect(page.get_by_test_id("vote").nth(1)).to_contain_text("Thông qua")
    expect(page.get_by_text("Đề nghị tăng cường tuần tra rừng.")).to_be_visible()
    expect(page.get_by_test_id("length")).to_contain_text("100 phút")
    page.locator('[data-testid="follower"][data-user="theodoi.quanglam"]').get_by_role(
        "button", name="Ghi nhận có dự"
    ).click()
    shot(page, "flow-held-3g")

    # 4. The resolution: drafted, issued, downloaded as Word.
    page.get_by_test_id("paper-resolution").click()
    page.get_by_test_id("issue").click()
    expect(page.get_by_test_id("confirm")).to_contain_text("Ban hành Nghị quyết số")
    page.get_by_test_id("confirm-issue").click()
    expect(page.get_by_test_id("issued")).to_be_visible()
    with page.expect_download() as dl:
        page.get_by_test_id("docx").click()
    text = "\n".join(p.text for p in Document(dl.value.path()).paragraphs)
    assert "NGHỊ QUYẾT" in text
    assert "CHI BỘ QUYẾT NGHỊ:" in text and "Lò Văn Thành" in text

    # 5. The follower sees the meeting counted toward their target.
    follower.reload()
    expect(follower.get_by_test_id("my-follow-up")).to_contain_text(f"đã dự {before + 1}/4")
    shot(follower, "flow-follower-3g")
    follower_ctx.close()
