"""Issue 10, finding 3, on a phone (390×844): the secretary types into the resolution's content
and presses "Ban hành" without "Lưu dự thảo"; the page asks with the number it will take, she
confirms, and the Word file carries what she typed."""

import re

from docx import Document
from playwright.sync_api import expect

from .conftest import login, shot

SYNCED = "Mọi thay đổi đã lên máy chủ"
TYPED = "1. Sửa xong cầu treo qua suối Nậm Lụ trước mùa mưa, mỗi hộ góp hai ngày công."


def _docx_text(path) -> str:
    d = Document(path)
    cells = [p.text for t in d.tables for row in t.rows for c in row.cells for p in c.paragraphs]
    return "\n".join([p.text for p in d.paragraphs] + cells)


def test_typed_text_is_issued_after_a_confirmation_and_is_in_the_word_file(server, phone):
    page = phone
    login(page, server, "bithu.huoilu1")
    page.goto(server + "/org/?q=huoi+lu+1")
    page.get_by_role("link", name="Chi bộ bản Huổi Lụ 1").click()
    page.get_by_role("link", name="Kế hoạch sinh hoạt").click()
    # A meeting held today (an extraordinary one, so the demo's own meetings stay as they are).
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
    page.get_by_test_id("attendance").get_by_role("button", name="Lưu điểm danh").click()
    expect(page.get_by_test_id("sync-status")).to_contain_text(SYNCED)
    page.reload()
    quorum = page.get_by_test_id("quorum").inner_text()
    voters = int(re.search(r"Biểu quyết: (\d+) đảng viên", quorum).group(1))
    vote = page.locator('form[data-offline="vote"]')
    vote.get_by_label("Loại biểu quyết").select_option("ordinary")
    vote.get_by_label("Nội dung biểu quyết").fill("Nghị quyết về làm cầu treo")
    vote.get_by_label("Tán thành", exact=True).fill(str(voters))
    vote.get_by_role("button", name="Ghi kết quả biểu quyết").click()
    expect(page.get_by_test_id("sync-status")).to_contain_text(SYNCED)
    page.reload()

    # The resolution: the passed vote is its decision already; she types one more and issues
    # without saving first.
    page.get_by_test_id("paper-resolution").click()
    expect(page.get_by_test_id("paper-preview")).to_contain_text("Nghị quyết về làm cầu treo.")
    body = page.get_by_label("Nội dung (mỗi dòng một đoạn)")
    text = body.input_value()
    body.fill(text.replace("CHI BỘ QUYẾT NGHỊ:", "CHI BỘ QUYẾT NGHỊ:\n" + TYPED, 1))
    page.screenshot(path="/tmp/meeting-papers-typed.png", full_page=True)
    page.get_by_test_id("issue").click()
    confirm = page.get_by_test_id("confirm")
    expect(confirm).to_contain_text(re.compile(r"Ban hành Nghị quyết số \d\d-NQ/CB\?"))
    expect(confirm).to_contain_text("Sau khi ban hành không sửa được nữa")
    expect(page.get_by_test_id("paper-preview")).to_contain_text(TYPED)  # saved already
    number = re.search(r"số (\d\d-NQ/CB)\?", confirm.inner_text()).group(1)
    shot(page, "meetings-issue-confirm-phone")  # docs/huong-dan.md shows it
    page.get_by_test_id("confirm-issue").click()
    expect(page.get_by_test_id("issued")).to_be_visible()
    expect(page.get_by_test_id("paper-preview")).to_contain_text(f"Số {number}")
    page.screenshot(path="/tmp/meeting-papers-issued.png", full_page=True)
    with page.expect_download() as dl:
        page.get_by_test_id("docx").click()
    word = _docx_text(dl.value.path())
    assert TYPED in word and f"Số {number}" in word
    assert "Nghị quyết về làm cầu treo." in word
