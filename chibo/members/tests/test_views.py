import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from chibo.accounts.choices import Role
from chibo.audit.models import AuditLog
from chibo.core.actors import SYSTEM
from chibo.members import records, services
from chibo.members.models import Member, Transfer
from chibo.members.transfers import transfer_out
from tests.world import PASSWORD, make_user


def _add(world, given, unit=None, **rec):
    m = services.add_member(
        actor=SYSTEM,
        unit=unit or world.cells_a[0],
        family_name=rec.pop("family", "Lò"),
        middle_name="Văn",
        given_name=given,
        gender=rec.pop("gender", "m"),
        birth_year=rec.pop("birth_year", 1970),
        admitted_on=rec.pop("admitted", dt.date(2000, 5, 19)),
        recognized_on=rec.pop("recognized", dt.date(2001, 5, 19)),
        placed_on=dt.date(2020, 1, 1),
    )
    if rec:
        records.update_record(actor=SYSTEM, member=m, **rec)
    return m


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _xlsx(resp):
    return load_workbook(io.BytesIO(resp.getvalue())).active


@pytest.fixture
def people(world):
    _add(world, "Ánh", gender="f", ethnicity="03", religion="none")
    _add(world, "Ánh", family="Giàng", ethnicity="08", religion="protestant")
    _add(world, "Bình", family="Nguyễn", ethnicity="01", birth_year=2000)
    _add(
        world,
        "Dũng",
        family="Đỗ",
        unit=world.cells_a[1],
        recognized=None,
        admitted=dt.date(2026, 3, 1),
    )
    _add(world, "Xuân", unit=world.cell_b)
    return world


def test_the_list_filters_searches_and_exports_exactly_what_it_shows(client, people):
    _login(client, people.official_a)
    url = reverse("members:list")
    resp = client.get(url, {"unit": people.commune_a.pk, "ethnicity": "minority"})
    body = resp.content.decode()
    assert "Lò Văn Ánh" in body and "Giàng Văn Ánh" in body and "Nguyễn Văn Bình" not in body
    assert "Xuân" not in body  # commune B
    resp = client.get(url, {"unit": people.commune_a.pk, "q": "do van dung"})
    assert "Đỗ Văn Dũng" in resp.content.decode() and "Ánh" not in resp.content.decode()
    resp = client.get(url, {"unit": people.commune_a.pk, "stage": "probationary"})
    assert "Đỗ Văn Dũng" in resp.content.decode() and "Bình" not in resp.content.decode()
    resp = client.get(url, {"unit": people.commune_a.pk, "religion": "any"})
    assert "Giàng" in resp.content.decode() and "Lò Văn Ánh" not in resp.content.decode()
    resp = client.get(url, {"unit": people.commune_a.pk, "age": "18-30"})
    assert "Bình" in resp.content.decode() and "Ánh" not in resp.content.decode()
    exp = client.get(
        reverse("members:export"), {"unit": people.commune_a.pk, "ethnicity": "minority"}
    )
    names = [r[0] for r in _xlsx(exp).iter_rows(min_row=2, values_only=True)]
    assert names == ["Giàng Văn Ánh", "Lò Văn Ánh"]  # Vietnamese order: G before L
    log = AuditLog.objects.get(action="export.members")
    assert log.after["rows"] == 2 and log.after["filters"] == {"ethnicity": "minority"}


def test_keyset_pages_cover_everyone_once(client, world, monkeypatch):
    from chibo.members.views import records as views

    monkeypatch.setattr(views, "PAGE", 3)
    for i in range(8):
        _add(world, f"Số{i}")
    _login(client, world.official_a)
    seen, url = [], reverse("members:list") + f"?unit={world.commune_a.pk}"
    while url:
        resp = client.get(url)
        seen += [r["m"].pk for r in resp.context["rows"]]
        nxt = resp.context["next_url"]
        url = reverse("members:list") + nxt if nxt else None
    assert sorted(seen) == sorted(Member.objects.values_list("pk", flat=True))
    assert len(seen) == len(set(seen)) == 8


def test_sensitive_data_is_masked_for_a_read_only_viewer(client, people):
    m = Member.objects.get(family_name="Giàng")
    records.update_record(actor=SYSTEM, member=m, identity_type="cccd", identity_no="011090001234")
    _login(client, people.viewer_a)
    body = client.get(reverse("members:detail", args=[m.pk])).content.decode()
    assert "011090001234" not in body and "Mông" not in body and "•••" in body
    resp = client.get(reverse("members:list"), {"unit": people.commune_a.pk, "ethnicity": "08"})
    assert "ethnicity" not in resp.context["form"].fields  # not offered, not applied
    exp = client.get(reverse("members:export"), {"unit": people.commune_a.pk})
    assert "Mông" not in str(list(_xlsx(exp).values))
    client.logout()
    secretary = make_user("bithu.dong", people.cells_a[0], Role.SECRETARY)
    _login(client, secretary)
    body = client.get(reverse("members:detail", args=[m.pk])).content.decode()
    assert "011090001234" in body and "Mông" in body
    assert AuditLog.objects.filter(action="view.member", actor=secretary).count() == 1


def test_a_transfer_between_communes_as_each_side_sees_it(client, people):
    m = Member.objects.get(family_name="Nguyễn")
    t = transfer_out(
        actor=people.official_a,
        member=m,
        kind=Transfer.Kind.OFFICIAL,
        to_unit=people.cell_b,
        departed_on=dt.date(2026, 11, 2),
    )
    # The receiving commune sees the transfer on its deadlines page, not the record yet.
    _login(client, people.official_b)
    page = client.get(reverse("members:deadlines"), {"unit": people.commune_b.pk})
    assert "Nguyễn Văn Bình" in page.content.decode()
    assert client.get(reverse("members:detail", args=[m.pk])).status_code == 404
    resp = client.post(reverse("members:arrive", args=[t.pk]), {"arrived_on": "2026-11-10"})
    assert resp.status_code == 302
    assert client.get(reverse("members:detail", args=[m.pk])).status_code == 200
    client.logout()
    # The sending commune still sees them among its former members, not its current ones.
    _login(client, people.official_a)
    current = client.get(reverse("members:list"), {"unit": people.commune_a.pk})
    assert "Nguyễn Văn Bình" not in current.content.decode()
    former = client.get(reverse("members:list"), {"unit": people.commune_a.pk, "status": "former"})
    assert "Nguyễn Văn Bình" in former.content.decode()
    page = client.get(reverse("members:detail", args=[m.pk]))
    assert page.status_code == 200
    # The sending side sees the member up to the departure, not their life at the new cell.
    assert page.context["until"] == dt.date(2026, 11, 2)
    assert all(t["e"].effective_date <= dt.date(2026, 11, 2) for t in page.context["timeline"])
    assert "Chi bộ tổ dân phố 1" not in [p.unit.name for p in page.context["placements"]]


def test_an_event_form_shows_the_rule_in_vietnamese_and_changes_nothing(client, people):
    m = Member.objects.get(family_name="Đỗ")  # probationary
    _login(client, people.official_a)
    resp = client.post(
        reverse("members:event", args=[m.pk, "discipline"]),
        {
            "effective_date": "2026-10-01",
            "form": "expulsion",
            "decided_by": "committee",
            "decision_no": "1-QĐ/ĐU",
        },
    )
    assert resp.status_code == 200
    assert "dự bị chỉ có thể bị khiển trách hoặc cảnh cáo" in resp.content.decode()
    assert Member.objects.get(pk=m.pk).ended == ""


def test_the_roll_lists_14_columns_as_of_a_date_and_prints_on_a4_landscape(client, people):
    m = Member.objects.get(family_name="Nguyễn")
    transfer_out(
        actor=people.official_a,
        member=m,
        kind=Transfer.Kind.ABROAD,
        destination="Đảng ủy ngoài nước",
        departed_on=dt.date(2026, 2, 2),
    )
    _login(client, people.official_a)
    url = reverse("members:roll", args=[people.commune_a.pk])
    resp = client.get(url, {"on": "2026-11-01", "format": "xlsx"})
    ws = _xlsx(resp)
    assert (
        ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
    )
    assert ws.print_title_rows == "$4:$5" and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws["A4"].font.b and ws["B6"].alignment.wrap_text and ws["A2"].font.sz == 13
    rows = list(ws.iter_rows(values_only=True))
    assert len(rows[3]) == 14 and rows[3][0] == "STT"
    body = [r for r in rows[5:]]
    nguyen = next(r for r in body if r[1].startswith("Nguyễn Văn Bình"))
    assert nguyen[9].startswith("02/02/2026") and "ngoài nước" in nguyen[9]
    assert len(body) == 4  # commune A's four, the one who left included with the date
    from pypdf import PdfReader

    pdf = PdfReader(io.BytesIO(client.get(url, {"on": "2026-11-01", "format": "pdf"}).content))
    page = pdf.pages[0]
    assert float(page.mediabox.width) > float(page.mediabox.height)  # landscape
    assert round(float(page.mediabox.width) / 72 * 25.4) == 297  # A4
    text = page.extract_text()
    assert "SỔ DANH SÁCH ĐẢNG VIÊN" in text and "Nguyễn Văn Bình" in text
    before = client.get(url, {"on": "2019-12-31"})
    assert len(before.context["rows"]) == 0  # placed from 1/1/2020
    assert AuditLog.objects.filter(action="export.roll").count() == 2


def test_the_forms_page_compares_with_last_year_and_exports(client, people):
    _login(client, people.official_a)
    url = reverse("members:stats", args=[people.commune_a.pk])
    resp = client.get(url, {"form": "1", "from": "2026-01-01", "to": "2026-11-01"})
    rows = {r.code: (v, p) for r, v, p in resp.context["rows"]}
    assert rows["B1"] == (1, 0)  # Dũng admitted 1/3/2026; nobody in 2025
    assert rows["D"] == (4, 3)
    xl = client.get(url, {"form": "3", "from": "2026-01-01", "to": "2026-11-01", "format": "xlsx"})
    values = list(_xlsx(xl).iter_rows(values_only=True))
    assert values[0][1:] == ("Kỳ này", "Cùng kỳ năm trước")
    assert any(r[0].strip() == "Nữ" and r[1] == 1 for r in values[1:])
    assert any(r[0].startswith("    ") for r in values[1:])  # the indent of a sub-row is kept
    assert AuditLog.objects.filter(action="export.form3").exists()


def test_reconciliation_is_submitted_once_and_then_frozen(client, people, today):
    from chibo.members.models import Reconciliation

    _login(client, people.official_a)
    url = reverse("members:reconciliation", args=[people.commune_a.pk])
    # The last quarter of last year (ended, and shown on the page: this year and last).
    year = str(today.year - 1)
    client.post(url, {"year": year, "quarter": "4"})
    client.post(url, {"year": year, "quarter": "4"})
    # Three members since 2000 in commune A, and Đỗ Văn Dũng from his admission on 1/3/2026.
    assert Reconciliation.objects.get().figures["D"] == 3 + (today.year - 1 >= 2026)
    page = client.get(url).content.decode()
    assert "Đã nộp" in page and f"Quý 4/{year}" in page
    resp = client.post(url, {"year": "x", "quarter": "4"}, follow=True)
    assert "Quý không hợp lệ" in resp.content.decode()


def test_the_transfer_letter_in_word_and_pdf(client, people):
    from docx import Document
    from pypdf import PdfReader

    from chibo.members import seats
    from chibo.members.models import Seat

    m = Member.objects.get(family_name="Nguyễn")
    records.update_record(actor=SYSTEM, member=m, biography_no="LL-0451")
    services.issue_card(actor=SYSTEM, member=m, card_no="51012345", issued_on=dt.date(2010, 1, 2))
    sec = Member.objects.get(family_name="Lò", gender="f")
    seats.assign_seat(
        actor=SYSTEM,
        unit=people.commune_a,
        member=sec,
        role=Seat.Role.SECRETARY,
        valid_from=dt.date(2025, 1, 1),
    )
    t = transfer_out(
        actor=people.official_a,
        member=m,
        kind=Transfer.Kind.OFFICIAL,
        to_unit=people.cell_b,
        departed_on=dt.date(2026, 11, 2),
        fee_paid_until=dt.date(2026, 10, 1),
    )
    _login(client, people.official_a)
    url = reverse("members:letter", args=[t.pk])
    doc = Document(io.BytesIO(client.get(url).content))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = "\n".join(c.text for tbl in doc.tables for row in tbl.rows for c in row.cells)
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in cells and "ĐẢNG ỦY XÃ ĐỒNG TÂM" in cells
    assert "Số 01-GGT/ĐU" in cells and "Đồng Tâm, ngày 02 tháng 11 năm 2026" in cells
    assert "T/M ĐẢNG ỦY" in cells and "Lò Văn Ánh" in cells
    assert "GIẤY GIỚI THIỆU SINH HOẠT ĐẢNG" in text and "51012345" in text
    assert "LL-0451" in text and "10/2026" in text and "Kính gửi: Chi bộ tổ dân phố 1" in text
    pdf = PdfReader(io.BytesIO(client.get(url, {"format": "pdf"}).content))
    page = pdf.pages[0]
    body = page.extract_text()
    assert "GIẤY GIỚI THIỆU SINH HOẠT ĐẢNG" in body and "Số 01-GGT/ĐU" in body
    assert round(float(page.mediabox.width) / 72 * 25.4) == 210  # A4 portrait
    # The receiving commune may print it too; a third commune may not.
    client.logout()
    _login(client, people.official_b)
    assert client.get(url).status_code == 200
    assert AuditLog.objects.filter(action="export.transfer_letter").count() == 3


def test_admission_form_shows_the_deadlines_before_saving(client, world):
    _login(client, world.official_a)
    url = reverse("members:admit") + f"?unit={world.commune_a.pk}"
    body = {
        "cell": world.cells_a[0].pk,
        "full_name": "Giàng  A Páo",
        "gender": "m",
        "birth_date": "2000-05-02",
        "considered_on": "2025-01-06",
        "decision_no": "12-QĐ/ĐU",
        "issuer": "Đảng ủy xã Đồng Tâm",
        "decision_received_on": "2025-01-13",
        "ceremony_on": "2025-03-04",
    }
    page = client.post(url, {**body, "check": "1"}).content.decode()
    assert "03/03/2025" in page and not Member.objects.exists()  # Tết skipped
    page = client.post(url, {**body, "save": "1"}).content.decode()
    assert "chậm nhất ngày 03/03/2025" in page and not Member.objects.exists()
    resp = client.post(url, {**body, "ceremony_on": "2025-02-19", "save": "1"}, follow=True)
    text = resp.content.decode()
    assert "Giàng A Páo" in text and "hạn lễ kết nạp 03/03/2025" in text
    assert "hết dự bị ngày 19/02/2026" in text


def test_search_by_full_name_or_given_name_prefix(client, people):
    _login(client, people.official_a)
    url = reverse("members:list")

    def names(q):
        resp = client.get(url, {"unit": people.commune_a.pk, "q": q})
        return sorted(r["m"].full_name for r in resp.context["rows"])

    assert names("dung") == ["Đỗ Văn Dũng"]  # given name first
    assert names("ĐỖ VĂN") == ["Đỗ Văn Dũng"]  # full-name prefix, any case and accents
    assert names("anh lo") == ["Lò Văn Ánh"]
    assert names("van anh") == []  # not a prefix of either key


def test_photo_upload_is_checked_and_served_in_scope(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    m = _add(world, "Ảnh")
    url = reverse("members:photo", args=[m.pk])
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    _login(client, world.viewer_a)
    resp = client.post(url, {"photo": SimpleUploadedFile("a.png", png)})
    assert resp.status_code == 403
    client.logout()
    _login(client, world.official_a)
    resp = client.post(
        url, {"photo": SimpleUploadedFile("a.exe", b"MZ" + b"\x00" * 64)}, follow=True
    )
    assert "JPEG hoặc PNG" in resp.content.decode()
    assert client.get(url).status_code == 404
    client.post(url, {"photo": SimpleUploadedFile("a.png", png)})
    got = client.get(url)
    assert got.status_code == 200 and got["Content-Type"] == "image/png"
    assert b"".join(got.streaming_content) == png
    client.logout()
    _login(client, world.official_b)
    assert client.get(url).status_code == 404


def test_party_groups_are_dated_on_the_placement(client, world):
    from chibo.members.models import Placement
    from chibo.org.choices import UnitKind
    from tests.world import make_unit

    group = make_unit(world.cells_a[0], UnitKind.PARTY_GROUP, "Tổ đảng số 1")
    m = _add(world, "Tổ")
    _login(client, world.official_a)
    url = reverse("members:party_group", args=[m.pk])
    client.post(url, {"group": group.pk, "on": "2025-03-01"})
    rows = list(
        Placement.objects.filter(member=m)
        .order_by("valid_from")
        .values_list("valid_from", "valid_to", "party_group_id")
    )
    assert rows == [
        (dt.date(2020, 1, 1), dt.date(2025, 3, 1), None),
        (dt.date(2025, 3, 1), None, group.pk),
    ]
    resp = client.post(url, {"group": world.cells_a[1].pk, "on": "2025-04-01"}, follow=True)
    assert "Tổ đảng phải thuộc chi bộ" in resp.content.decode()


def test_a_received_decision_waits_on_the_deadlines_page_until_the_ceremony(client, world):
    _login(client, world.official_a)
    body = {
        "cell": world.cells_a[0].pk,
        "full_name": "Giàng A Chớ",
        "gender": "m",
        "birth_date": "2001-08-09",
        "considered_on": "2026-10-05",
        "decision_no": "215-QĐ/ĐU",
        "issuer": "Đảng ủy xã Đồng Tâm",
        "decision_received_on": "2026-11-02",
        "decision": "1",
    }
    resp = client.post(reverse("members:admit") + f"?unit={world.commune_a.pk}", body, follow=True)
    page = resp.content.decode()
    assert "tổ chức lễ kết nạp chậm nhất 15/12/2026" in page and not Member.objects.exists()
    alert = next(a for a in resp.context["alerts"] if a.kind == "ceremony")
    url = reverse("members:ceremony", args=[alert.decision_id])
    late = client.post(url, {"ceremony_on": "2026-12-16"})
    assert "chậm nhất ngày 15/12/2026" in late.content.decode()
    done = client.post(url, {"ceremony_on": "2026-11-13"}, follow=True)
    assert "Giàng A Chớ" in done.content.decode()
    assert Member.objects.get().admitted_on == dt.date(2026, 11, 13)
    again = client.get(reverse("members:deadlines") + f"?unit={world.commune_a.pk}")
    assert not any(a.kind == "ceremony" for a in again.context["alerts"])
    assert client.get(url).status_code == 404  # held: no longer open


def test_the_unit_page_shows_its_committee_and_the_member_pages(client, world):
    from chibo.members import seats
    from chibo.members.models import Seat

    m = _add(world, "Thư")
    seats.assign_seat(
        actor=SYSTEM,
        unit=world.cells_a[0],
        member=m,
        role=Seat.Role.SECRETARY,
        valid_from=dt.date(2025, 1, 1),
    )
    _login(client, world.viewer_a)
    page = client.get(reverse("org:unit", args=[world.cells_a[0].pk])).content.decode()
    assert "Bí thư: <a" in page and "Lò Văn Thư" in page
    assert reverse("members:roll", args=[world.cells_a[0].pk]) in page
    assert "Thêm chức danh" not in page  # read-only
