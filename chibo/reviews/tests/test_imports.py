"""The historical import of ratings: every row read in the tree and the rules of its year, all or
nothing, errors named by Excel cell, the page four ways."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from chibo.accounts.choices import Role
from chibo.audit.models import AuditLog
from chibo.core.actors import SYSTEM
from chibo.org.choices import UnitKind
from chibo.org.models import Unit
from chibo.org.services.actions import Decision, MoveUnit
from chibo.reviews.models import Rating
from chibo.reviews.services import imports
from tests.world import PASSWORD, make_member, make_unit, make_user

OLD = dt.date(2010, 1, 1)
HEADER = [
    "Năm",
    "Chi bộ",
    "Họ và tên",
    "Ngày sinh",
    "Xếp loại",
    "Lý do không xếp loại",
    "Số quyết định",
    "Ngày quyết định",
]

pytestmark = [pytest.mark.django_db, pytest.mark.today("2026-11-16")]


def _book(rows, header=HEADER) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.append(["DANH SÁCH KẾT QUẢ XẾP LOẠI"])  # a title above, as committees write
    ws.append(header)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    return buf


@pytest.fixture
def old(db):
    """A commune since 2010 with two cells; a member in each; its official since 2010; a viewer;
    and another commune's official."""
    p = make_unit(None, UnitKind.PROVINCE, "Đảng bộ tỉnh Cũ", on=OLD)
    c = make_unit(p, UnitKind.COMMUNE, "Đảng bộ xã Cũ", on=OLD)
    other = make_unit(p, UnitKind.COMMUNE, "Đảng bộ xã Bên", on=OLD)
    cell = make_unit(c, UnitKind.CELL, "Chi bộ bản Cũ", on=OLD)
    cell2 = make_unit(c, UnitKind.CELL, "Chi bộ bản Mới", on=OLD)
    pom = make_member(cell, "Lò Văn Pọm", birth_year=1970, placed=OLD)
    xa = make_member(cell2, "Lường Thị Xá", gender="f", birth_year=1980, placed=OLD)
    return {
        "commune": c,
        "other": other,
        "cell": cell,
        "cell2": cell2,
        "pom": pom,
        "xa": xa,
        "staff": make_user("canbo.cu", c, Role.OFFICIAL, valid_from=OLD),
        "viewer": make_user("xem.cu", c, Role.VIEWER, valid_from=OLD),
        "stranger": make_user("canbo.ben", other, Role.OFFICIAL, valid_from=OLD),
    }


def _plan(o, rows, actor=None):
    return imports.plan(imports.read_sheet(_book(rows)), o["commune"], actor=actor or o["staff"])


def test_it_writes_every_row_verbatim_with_the_version_of_its_year(old):
    rows = [
        [
            2016,
            "Chi bộ bản Cũ",
            "Lò Văn Pọm",
            1970,
            "Đủ tư cách, hoàn thành tốt nhiệm vụ",
            None,
            "12-QĐ/ĐU",
            "15/01/2017",
        ],
        [2016, "Chi bộ bản Cũ", None, None, "trong sach vung manh tieu bieu", None, None, None],
        [
            2019,
            "chi bo ban moi",
            "Lường Thị Xá",
            None,
            "Hoàn thành xuất sắc nhiệm vụ",
            None,
            None,
            "10/01/2020",
        ],
        [2021, "Chi bộ bản Mới", "Lường Thị Xá", None, None, "Đình chỉ sinh hoạt", None, None],
    ]
    p = _plan(old, rows)
    assert p.errors == [] and len(p.rows) == 4
    assert imports.commit(imports.read_sheet(_book(rows)), old["commune"], actor=old["staff"]) == 4
    got = {
        (r.year, r.member_id, r.pack, r.label, r.level, r.not_rated)
        for r in Rating.objects.filter(current=True)
    }
    assert got == {
        (2016, old["pom"].pk, "hd27", "Đủ tư cách, hoàn thành tốt nhiệm vụ", "htt", ""),
        (2016, None, "hd27", "Trong sạch, vững mạnh tiêu biểu", "htxs", ""),
        (2019, old["xa"].pk, "q132_hd21", "Hoàn thành xuất sắc nhiệm vụ", "htxs", ""),
        (2021, old["xa"].pk, "q132_hd21", "", "", "suspended"),
    }
    assert Rating.objects.get(year=2016, member=old["pom"]).decision_no == "12-QĐ/ĐU"
    # Without a date, the decision is dated at the end of its year.
    assert Rating.objects.get(year=2016, member=None).decided_on == dt.date(2016, 12, 31)
    assert AuditLog.objects.filter(action="reviews.import").count() == 1
    assert AuditLog.objects.filter(action="reviews.record_rating").count() == 4


def test_one_bad_row_writes_nothing_and_each_error_names_its_cell(old):
    rows = [
        [
            2016,
            "Chi bộ bản Cũ",
            "Lò Văn Pọm",
            1970,
            "Đủ tư cách, hoàn thành tốt nhiệm vụ",
            None,
            None,
            None,
        ],
        [
            2016,
            "Chi bộ bản Cũ",
            "Lò Văn Pọm",
            1970,
            "Đủ tư cách, hoàn thành nhiệm vụ",
            None,
            None,
            None,
        ],  # the same member and year again
        [2016, "Chi bộ bản Xa", None, None, "Trong sạch, vững mạnh", None, None, None],
        [2018, "Chi bộ bản Cũ", "Lò Văn Pọm", 1970, "Trong sạch, vững mạnh", None, None, None],
        [2017, "Chi bộ bản Cũ", "Lò Văn Pọm", 1970, None, "Đình chỉ sinh hoạt", None, None],
        [2017, "Chi bộ bản Cũ", "Lò Văn Pọm", 1971, "Hoàn thành nhiệm vụ", None, None, None],
        ["hai nghìn", "Chi bộ bản Cũ", None, None, "Trong sạch, vững mạnh", None, None, None],
        [2027, "Chi bộ bản Cũ", None, None, "Hoàn thành tốt nhiệm vụ", None, None, None],
        [2015, "Chi bộ bản Cũ", None, None, "Trong sạch, vững mạnh", "Miễn", None, None],
    ]
    p = _plan(old, rows)
    cells = {cell for _n, cell, _m in p.errors}
    # Row 3 is fine: the row numbers count the title (1) and the header (2).
    assert cells == {"A4", "B5", "E6", "F7", "C8", "A9", "A10", "E11"}, p.errors
    messages = dict((cell, m) for _n, cell, m in p.errors)
    assert "Trùng với dòng 3" in messages["A4"]
    assert "Không có tổ chức “Chi bộ bản Xa”" in messages["B5"]
    assert "Quy định 132" in messages["E6"] or "132" in messages["E6"]  # 2018: QĐ 132's words
    assert "chưa có trường hợp" in messages["F7"]  # suspended: not rated only from HD 21
    assert "Không có đảng viên “Lò Văn Pọm”" in messages["C8"]  # born 1971: not him
    with pytest.raises(ValidationError, match="chưa ghi gì"):
        imports.commit(imports.read_sheet(_book(rows)), old["commune"], actor=old["staff"])
    assert not Rating.objects.exists()
    assert not AuditLog.objects.filter(action__startswith="reviews.").exists()


def test_each_row_is_read_in_the_tree_of_its_year(old):
    """A cell that moved to another commune in 2019: its 2018 results belong to the old
    commune's import, its 2020 results no longer."""
    MoveUnit(
        Decision(dt.date(2019, 7, 1), "7-QĐ/TU", "Tỉnh ủy"),
        unit=old["cell2"],
        new_parent=old["other"],
    ).execute(actor=SYSTEM)
    rows = [
        [2018, "Chi bộ bản Mới", "Lường Thị Xá", None, "Hoàn thành tốt nhiệm vụ", None, None, None],
        [2020, "Chi bộ bản Mới", "Lường Thị Xá", None, "Hoàn thành tốt nhiệm vụ", None, None, None],
    ]
    p = _plan(old, rows)
    assert [r.year for r in p.rows] == [2018]
    assert [cell for _n, cell, _m in p.errors] == ["B4"]


def test_a_member_who_left_is_not_found_in_the_years_after(old):
    rows = [
        [
            2009,
            "Chi bộ bản Cũ",
            "Lò Văn Pọm",
            None,
            "Đủ tư cách, hoàn thành tốt nhiệm vụ",
            None,
            None,
            None,
        ]
    ]
    p = _plan(old, rows)
    # The cell existed only from 2010: in 2009 there is no such organization under the commune.
    assert [cell for _n, cell, _m in p.errors] == ["B3"]


def test_a_user_without_the_right_that_year_writes_nothing(old):
    rows = [[2016, "Chi bộ bản Cũ", None, None, "Trong sạch, vững mạnh", None, None, None]]
    for who in ("viewer", "stranger"):
        p = _plan(old, rows, actor=old[who])
        assert p.rows == [] and len(p.errors) == 1
        with pytest.raises(ValidationError):
            imports.commit(imports.read_sheet(_book(rows)), old["commune"], actor=old[who])
    assert not Rating.objects.exists()


def test_a_sheet_without_the_year_column_says_which_column_is_missing(old):
    p = imports.plan(
        imports.read_sheet(_book([[1, 2]], header=["Chi bộ", "Xếp loại"])),
        old["commune"],
        actor=old["staff"],
    )
    assert p.missing == ["Năm"] and not p.ok


# --- the page ----------------------------------------------------------------------------------


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def _post(client, unit, rows, **extra):
    f = SimpleUploadedFile("xl.xlsx", _book(rows).getvalue())
    return client.post(reverse("reviews:import") + f"?unit={unit.pk}", {"file": f, **extra})


ROWS = [[2016, "Chi bộ bản Cũ", None, None, "Trong sạch, vững mạnh", None, None, None]]


def test_the_page_checks_then_writes_after_confirmation(client, old):
    _login(client, old["staff"])
    url = reverse("reviews:import") + f"?unit={old['commune'].pk}"
    page = client.get(url)
    assert page.status_code == 200 and "Nhập kết quả xếp loại" in page.content.decode()
    resp = _post(client, old["commune"], ROWS)
    body = resp.content.decode()
    assert resp.status_code == 200 and "Ghi 1 kết quả" in body
    assert not Rating.objects.exists()  # checked, not written
    token = resp.context["token"]
    done = client.post(url, {"token": token, "action": "commit"})
    assert done.status_code == 302
    assert Rating.objects.count() == 1
    # The same token again writes nothing more.
    again = client.post(url, {"token": token, "action": "commit"})
    assert again.status_code == 200 and Rating.objects.count() == 1
    assert "đã hết hạn" in again.content.decode()


def test_the_page_shows_errors_and_writes_nothing(client, old):
    _login(client, old["staff"])
    resp = _post(
        client, old["commune"], [[2016, "Chi bộ bản Xa", None, None, "TSVM", None, None, None]]
    )
    body = resp.content.decode()
    assert resp.status_code == 200 and "B3" in body and "Ghi 1 kết quả" not in body
    assert not Rating.objects.exists()


def test_the_page_four_ways(client, old):
    url = reverse("reviews:import") + f"?unit={old['commune'].pk}"
    assert client.get(url).status_code == 302  # anonymous: to the login page
    _login(client, old["stranger"])
    assert client.get(url).status_code == 404
    assert _post(client, old["commune"], ROWS).status_code == 404
    client.logout()
    _login(client, old["viewer"])
    assert client.get(url).status_code == 403
    assert _post(client, old["commune"], ROWS).status_code == 403
    assert not Rating.objects.exists()


# --- the rating history on the unit and member pages ----------------------------------------


def test_the_unit_and_member_pages_show_the_ratings_through_the_gate(client, old):
    rows = [
        [2016, "Chi bộ bản Cũ", None, None, "Trong sạch, vững mạnh tiêu biểu", None, None, None],
        [
            2016,
            "Chi bộ bản Cũ",
            "Lò Văn Pọm",
            1970,
            "Đủ tư cách, hoàn thành tốt nhiệm vụ",
            None,
            "12-QĐ/ĐU",
            None,
        ],
    ]
    imports.commit(imports.read_sheet(_book(rows)), old["commune"], actor=old["staff"])
    unit_url = reverse("org:unit", args=[old["cell"].pk])
    member_url = reverse("members:detail", args=[old["pom"].pk])
    _login(client, old["viewer"])
    page = client.get(unit_url).content.decode()
    assert "Trong sạch, vững mạnh tiêu biểu" in page
    assert reverse("reviews:import") not in page  # read-only: no import link
    assert "Đủ tư cách, hoàn thành tốt nhiệm vụ" in client.get(member_url).content.decode()
    client.logout()
    _login(client, old["staff"])
    assert reverse("reviews:import") in client.get(unit_url).content.decode()
    client.logout()
    # Another commune's official sees neither page (404), so no rating either.
    _login(client, old["stranger"])
    assert client.get(member_url).status_code == 404


def test_the_api_answers_in_the_tree_of_the_year_and_logs_the_read(client, old):
    rows = [
        [2017, "Chi bộ bản Mới", None, None, "Trong sạch, vững mạnh", None, None, None],
        [
            2017,
            "Chi bộ bản Mới",
            "Lường Thị Xá",
            None,
            "Đủ tư cách, hoàn thành tốt nhiệm vụ",
            None,
            None,
            None,
        ],
    ]
    imports.commit(imports.read_sheet(_book(rows)), old["commune"], actor=old["staff"])
    MoveUnit(
        Decision(dt.date(2019, 7, 1), "7-QĐ/TU", "Tỉnh ủy"),
        unit=old["cell2"],
        new_parent=old["other"],
    ).execute(actor=SYSTEM)
    url = f"/api/v1/reviews/ratings?unit_id={old['cell2'].pk}"
    _login(client, old["staff"])
    got = client.get(url + "&year=2017").json()
    assert sorted(r["label"] for r in got) == [
        "Trong sạch, vững mạnh",
        "Đủ tư cách, hoàn thành tốt nhiệm vụ",
    ]
    assert client.get(url + "&year=2020").status_code == 404  # the cell is the other's now
    assert AuditLog.objects.filter(action="view.ratings").count() == 1
    client.logout()
    # The commune it moved to reads nothing of 2017 (it was not theirs then).
    _login(client, old["stranger"])
    assert client.get(url + "&year=2017").status_code == 404
    assert client.get(url + "&year=2020").json() == []


# --- streaks and their consequences on the deadlines page ------------------------------------


def test_two_failed_years_and_five_excellent_ones_reach_the_deadlines_page(client, old):
    rows = [
        [2024, "Chi bộ bản Cũ", "Lò Văn Pọm", None, "Không hoàn thành nhiệm vụ", None, None, None],
        [2025, "Chi bộ bản Cũ", "Lò Văn Pọm", None, "Không hoàn thành nhiệm vụ", None, None, None],
        *[
            [
                y,
                "Chi bộ bản Mới",
                "Lường Thị Xá",
                None,
                "Hoàn thành xuất sắc nhiệm vụ",
                None,
                None,
                None,
            ]
            for y in range(2021, 2026)
        ],
        # Four excellent years of the cell only: no proposal.
        *[
            [y, "Chi bộ bản Mới", None, None, "Hoàn thành xuất sắc nhiệm vụ", None, None, None]
            for y in range(2022, 2026)
        ],
    ]
    imports.commit(imports.read_sheet(_book(rows)), old["commune"], actor=old["staff"])
    url = reverse("members:deadlines") + f"?unit={old['commune'].pk}"
    _login(client, old["viewer"])
    page = client.get(url).content.decode()
    assert (
        "Xem xét, đề nghị xóa tên: Lò Văn Pọm không hoàn thành nhiệm vụ 2 năm liền (2024–2025)."
        in page
    )
    assert (
        "Đề nghị khen thưởng: Lường Thị Xá hoàn thành xuất sắc nhiệm vụ 5 năm liền (2021–2025)."
        in page
    )
    assert "Đề nghị khen thưởng: Chi bộ bản Mới" not in page
    client.logout()
    _login(client, old["stranger"])
    assert client.get(url).status_code == 404


def test_a_streak_counts_only_consecutive_years():
    from chibo.reviews.services.streaks import run

    levels = {2019: "htxs", 2020: "htt", 2021: "htxs", 2022: "htxs", 2024: "htxs"}
    assert run(levels, 2022, "htxs") == 2
    assert run(levels, 2022, "htt", or_above=True) == 4
    assert run(levels, 2024, "htxs") == 1  # 2023 missing breaks it
    assert run(levels, 2023, "htxs") == 0


# --- the decision with its list, as Word and PDF ------------------------------------------------


def test_the_decision_list_opens_in_word_and_pdf_with_the_year_as_decided(client, old):
    import docx
    from pypdf import PdfReader

    rows = [
        [
            2017,
            "Chi bộ bản Cũ",
            "Lò Văn Pọm",
            None,
            "Đủ tư cách, hoàn thành tốt nhiệm vụ",
            None,
            "30-QĐ/ĐU",
            "20/12/2017",
        ],
        [
            2017,
            "Chi bộ bản Mới",
            "Lường Thị Xá",
            None,
            None,
            "Miễn sinh hoạt",
            "30-QĐ/ĐU",
            "20/12/2017",
        ],
        [2017, "Chi bộ bản Mới", None, None, "Trong sạch, vững mạnh", None, None, None],
    ]
    imports.commit(imports.read_sheet(_book(rows)), old["commune"], actor=old["staff"])
    MoveUnit(
        Decision(dt.date(2019, 7, 1), "7-QĐ/TU", "Tỉnh ủy"),
        unit=old["cell2"],
        new_parent=old["other"],
    ).execute(actor=SYSTEM)
    url = reverse("reviews:decision_paper", args=[old["commune"].pk, 2017, "docx"])
    assert client.get(url).status_code == 302  # anonymous
    _login(client, old["viewer"])  # reading: a viewer may
    assert url in client.get(reverse("org:unit", args=[old["commune"].pk])).content.decode()
    resp = client.get(url)
    assert resp.status_code == 200
    d = docx.Document(io.BytesIO(resp.content))
    text = "\n".join(p.text for p in d.paragraphs)
    assert "QUYẾT ĐỊNH" in text and "ĐẢNG ỦY XÃ CŨ" in "\n".join(
        c.text for t in d.tables for row in t.rows for c in row.cells
    )
    assert "Số 30-QĐ/ĐU" in "\n".join(c.text for c in d.tables[0].rows[0].cells)
    assert "năm 2017 của 1 đảng viên" in text and "HTTNV: 1" in text
    assert "1 đảng viên không xếp loại" in text
    annex = d.tables[-1]
    got = [[c.text for c in row.cells] for row in annex.rows]
    # The moved cell's member is in the list: it was the commune's on 31/12/2017. The cell's
    # own rating is not a member's and is not listed.
    assert got == [
        ["STT", "Họ và tên", "Chi bộ", "Mức xếp loại"],
        ["1", "Lò Văn Pọm", "Chi bộ bản Cũ", "Đủ tư cách, hoàn thành tốt nhiệm vụ"],
        ["2", "Lường Thị Xá", "Chi bộ bản Mới", "Không xếp loại: miễn công tác và sinh hoạt đảng"],
    ], got
    assert AuditLog.objects.filter(action="export.rating_decision").count() == 1
    pdf = client.get(url.replace(".docx", ".pdf"))
    assert pdf.status_code == 200
    pages = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "QUYẾT ĐỊNH" in pages and "Lò Văn Pọm" in pages
    # A year with nothing decided, a future year, another commune: 404.
    assert client.get(url.replace("/2017/", "/2016/")).status_code == 404
    assert client.get(url.replace("/2017/", "/2027/")).status_code == 404
    client.logout()
    _login(client, old["stranger"])
    assert client.get(url).status_code == 404


def test_a_merged_communes_office_imports_the_old_communes_results(old):
    """After the 2025 merger the new commune's office carries its predecessors' records: a 2017
    row of an old commune's cell is found under the new commune's lineage."""
    from chibo.org.services import MergeUnits, UnitSpec

    event = MergeUnits(
        Decision(dt.date(2025, 7, 1), "99-QĐ/TU", "Ban Thường vụ Tỉnh ủy"),
        sources=[old["commune"], old["other"]],
        new_spec=UnitSpec(kind=UnitKind.COMMUNE, name="Đảng bộ xã Hợp Nhất"),
        new_parent=Unit.objects.get(name="Đảng bộ tỉnh Cũ"),
    ).execute(actor=SYSTEM)
    new = Unit.objects.get(name="Đảng bộ xã Hợp Nhất")
    office = make_user("canbo.hopnhat", new, Role.OFFICIAL, valid_from=dt.date(2025, 7, 1))
    rows = [
        [
            2017,
            "Chi bộ bản Cũ",
            "Lò Văn Pọm",
            1970,
            "Đủ tư cách, hoàn thành tốt nhiệm vụ",
            None,
            None,
            None,
        ]
    ]
    assert imports.commit(imports.read_sheet(_book(rows)), new, actor=office) == 1
    assert event is not None and Rating.objects.get().year == 2017


def test_a_member_reads_their_own_ratings_and_no_one_elses(client, old):
    rows = [
        [
            2017,
            "Chi bộ bản Cũ",
            "Lò Văn Pọm",
            None,
            "Đủ tư cách, hoàn thành tốt nhiệm vụ",
            None,
            None,
            None,
        ],
        [
            2017,
            "Chi bộ bản Mới",
            "Lường Thị Xá",
            None,
            "Đủ tư cách, hoàn thành nhiệm vụ",
            None,
            None,
            None,
        ],
    ]
    imports.commit(imports.read_sheet(_book(rows)), old["commune"], actor=old["staff"])
    me = make_user("pom", old["cell"], Role.MEMBER, valid_from=OLD)
    old["pom"].user = me
    old["pom"].save(update_fields=["user"])
    _login(client, me)
    page = client.get(reverse("members:detail", args=[old["pom"].pk]))
    assert page.status_code == 200
    assert "Đủ tư cách, hoàn thành tốt nhiệm vụ" in page.content.decode()
    assert client.get(reverse("members:detail", args=[old["xa"].pk])).status_code == 404
    got = client.get(f"/api/v1/reviews/ratings?unit_id={old['cell'].pk}&year=2017").json()
    assert [r["member"] for r in got] == ["Lò Văn Pọm"]


def test_an_overlong_decision_number_is_an_error_of_its_cell(old):
    rows = [[2016, "Chi bộ bản Cũ", None, None, "Trong sạch, vững mạnh", None, "9" * 81, None]]
    p = _plan(old, rows)
    assert [cell for _n, cell, _m in p.errors] == ["G3"] and p.rows == []
