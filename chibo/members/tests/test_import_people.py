"""The roll import never mistakes one person for another (issue 10, finding 1): ethnic groups
by every common spelling, the admission age by the admission rule, identity numbers that match
only the same person, every row checked against the database, the preview in words."""

import datetime as dt
import unicodedata

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chibo.core import params
from chibo.core.text import search_key
from chibo.members import choices as c
from chibo.members import imports, rules
from chibo.members.models import Member
from chibo.members.records import update_record
from chibo.members.services import issue_card
from chibo.org.models import Parameter
from tests.world import make_member

from .books import book, row


def _plan(world, rows, **kw):
    sheet = imports.read(book(rows, **kw))
    return imports.validate(
        sheet, imports.auto_mapping(sheet.headers), world.commune_a, user=world.official_a
    )


# --- ethnic groups ----------------------------------------------------------------------------


def test_it_reads_hmong_as_dien_bien_writes_it(world):
    c0 = world.cells_a[0].name
    plan = _plan(
        world,
        [
            row(c0, ethnicity="H'Mông"),
            row(c0, name="Giàng Thị Mỷ", gender="Nữ", ethnicity="H’Mông"),
            row(c0, name="Sùng A Chớ", ethnicity="Hmông"),
            row(c0, name="Thào A Lử", ethnicity="Mèo"),  # the historical name
        ],
    )
    assert plan.errors == []
    assert [r.values["ethnicity"] for r in plan.rows] == ["08", "08", "08", "08"]


def test_other_names_resolve_and_a_name_of_no_group_does_not():
    assert c.ethnicity_code("H'Mông") == "08"
    assert c.ethnicity_code("Khơ-mú") == "29"
    assert c.ethnicity_code("M'Nông") == "20"
    assert c.ethnicity_code("Chàm") == "17"
    # An other name shared by several groups is left out: "Thổ" is the group named Thổ (24),
    # not the Tày or Khơ Me who were also called so.
    assert c.ethnicity_code("Thổ") == "24"
    assert c.ethnicity_code("Xyz") is None
    assert c.ethnicity_code("") is None


def test_the_list_has_the_54_groups_with_their_official_names_first():
    assert len(c.ETHNICITY_SPELLINGS) == 54
    assert [names[0] for names in c.ETHNICITY_SPELLINGS.values()] == [
        name for _code, name in c.ETHNICITIES
    ]
    assert {"H'Mông", "Hmông", "Mông", "Mèo"} <= set(c.ETHNICITY_SPELLINGS["08"])


SPELLINGS = [(code, s) for code, names in c.ETHNICITY_SPELLINGS.items() for s in names]
CASES = [str.upper, str.lower, str.title, str]


@given(
    st.sampled_from(SPELLINGS),
    st.sampled_from(["NFC", "NFD"]),
    st.sampled_from(CASES),
    st.sampled_from(["'", "’", "ʼ"]),
    st.sampled_from(["", " ", "  "]),
)
def test_every_listed_spelling_resolves_to_its_group(pair, form, case, apostrophe, pad):
    code, spelling = pair
    text = case(spelling.replace("'", apostrophe).replace("’", apostrophe))
    text = pad + unicodedata.normalize(form, text) + pad
    assert c.ethnicity_code(text) == code


# --- the age at admission ---------------------------------------------------------------------


def test_an_admission_at_17_is_flagged_by_the_admission_rule(world):
    c0 = world.cells_a[0].name
    plan = _plan(
        world,
        [
            row(c0, birth="10/03/2003", admitted="10/09/2020", recognized_on="10/09/2021"),
            # 18 years to the day: allowed.
            row(
                c0,
                name="Lò Thị Ánh",
                gender="Nữ",
                birth="10/03/2002",
                admitted="10/03/2020",
                recognized_on="10/03/2021",
            ),
        ],
    )
    assert [(n, col) for n, col, _m in plan.errors] == [(2, "Ngày vào Đảng")]
    message = plan.errors[0][2]
    assert "10/09/2020" in message and "chưa đủ 18 tuổi (mới 17 tuổi 6 tháng)" in message


def test_the_age_is_judged_by_the_rule_in_force_on_the_admission_day(world):
    # A hypothetical earlier rule (16 years until 1/1/2000) judges the admissions of its time.
    Parameter.objects.create(
        key="admission_min_age_years",
        value=16,
        valid_from=dt.date(1980, 1, 1),
        valid_to=dt.date(2000, 1, 1),
    )
    c0 = world.cells_a[0].name
    plan = _plan(
        world,
        [
            row(c0, birth="10/03/1978", admitted="10/09/1995", recognized_on="10/09/1996"),
            row(
                c0,
                name="Lò Văn Cường",
                birth="10/03/2003",
                admitted="10/09/2020",
                recognized_on="10/09/2021",
            ),
        ],
    )
    assert [(n, col) for n, col, _m in plan.errors] == [(3, "Ngày vào Đảng")]


def test_a_birth_after_the_admission_is_said_so(world):
    c0 = world.cells_a[0].name
    plan = _plan(world, [row(c0, birth="10/03/1996", admitted="19/05/1995")])
    assert (2, "Ngày vào Đảng", "Ngày vào Đảng phải sau ngày sinh.") in plan.errors


KEY = "admission_min_age_years"
DAYS = st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2040, 12, 31))


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(DAYS, st.one_of(st.none(), st.integers(1, 8000)), st.integers(14, 21)),
        max_size=4,
        unique_by=lambda t: t[0],
    ),
    st.lists(DAYS, min_size=1, max_size=40),
)
def test_dated_params_agree_with_params_get_on_every_day(periods, days):
    """The import's lookup of a dated parameter for thousands of days (one query per stretch
    without a change) gives what params.get gives, day by day, overlapping rows included."""
    Parameter.objects.filter(key=KEY).delete()
    for start, length, value in periods:
        end = start + dt.timedelta(days=length) if length else None
        Parameter.objects.create(key=KEY, value=value, valid_from=start, valid_to=end)
    dated = rules.DatedParams()
    assert [dated.get(KEY, d) for d in days] == [params.get(KEY, d) for d in days]


# --- identity numbers -------------------------------------------------------------------------

IDENT = "011068001234"
OUT_OF_SCOPE = "Số định danh đã được dùng cho một đảng viên ngoài phạm vi của bạn"


def _holder(world, unit, name="Lò Văn Pọm", birth=dt.date(1968, 5, 12), **kw):
    """A member holding IDENT (with their full birth date, or only its year: birth=None)."""
    m = make_member(unit, name, birth_year=kw.pop("birth_year", birth.year if birth else 1968))
    fields = {"identity_type": "cccd", "identity_no": IDENT, **kw}
    if birth:
        fields["birth_date"] = birth
    return update_record(actor=world.admin, member=m, **fields)


def _plan_as(user, world, rows, unit=None):
    sheet = imports.read(book(rows))
    return imports.validate(
        sheet, imports.auto_mapping(sheet.headers), unit or world.commune_a, user=user
    )


def test_another_person_with_a_members_identity_number_is_an_error_naming_them(world):
    _holder(world, world.cells_a[1])
    c0 = world.cells_a[0].name
    other = row(c0, name="Quàng Thị Én", gender="Nữ", birth="03/04/1975", identity_no=IDENT)
    plan = _plan_as(world.official_a, world, [other])
    assert plan.rows == []
    assert plan.errors == [
        (
            2,
            "Số CCCD/CMND",
            "Số định danh 011068001234 đã được dùng cho đảng viên Lò Văn Pọm (sinh 12/05/1968): "
            "họ tên hoặc ngày sinh ở dòng này khác, nên đây không phải cùng một người. Kiểm "
            "tra lại số định danh.",
        )
    ]
    with pytest.raises(ValidationError):
        imports.commit(plan, actor=world.official_a)
    pom = Member.objects.get(identity_no=IDENT)
    assert (pom.full_name, pom.gender) == ("Lò Văn Pọm", "m")
    # The same name born another year is not the same person either.
    plan = _plan_as(world.official_a, world, [row(c0, birth="12/05/1969", identity_no=IDENT)])
    assert [(n, col) for n, col, _m in plan.errors] == [(2, "Số CCCD/CMND")]


def test_a_number_held_out_of_scope_never_names_its_holder(world):
    _holder(world, world.cell_b)  # commune B: outside official_a's scope
    c0 = world.cells_a[0].name
    for line in (
        row(c0, name="Quàng Thị Én", gender="Nữ", birth="03/04/1975", identity_no=IDENT),
        row(c0, identity_no=IDENT),  # even the same person: where they are is not for A
    ):
        plan = _plan_as(world.official_a, world, [line])
        assert plan.errors == [(2, "Số CCCD/CMND", OUT_OF_SCOPE)]
        assert plan.rows == []
    # Who sees both communes is told who holds it and why it is not an update.
    plan = _plan_as(world.admin, world, [row(c0, identity_no=IDENT)])
    assert plan.errors == [
        (
            2,
            "Số CCCD/CMND",
            "Số định danh 011068001234 là của đảng viên Lò Văn Pọm (sinh 12/05/1968), người "
            "không đang sinh hoạt ở Đảng bộ xã Đồng Tâm: đảng viên chuyển đến phải làm thủ tục "
            "chuyển sinh hoạt, không nhập qua tệp.",
        )
    ]


def test_the_same_person_is_matched_by_name_key_and_birth(world):
    pom = _holder(world, world.cells_a[0], birth=None, birth_year=1968)  # a year, no date
    c0 = world.cells_a[0].name
    name = unicodedata.normalize("NFD", "LÒ VĂN PỌM")
    plan = _plan_as(world.official_a, world, [row(c0, name=name, identity_no=IDENT)])
    assert plan.errors == []
    assert [(r.action, r.member_id) for r in plan.rows] == [("update", pom.pk)]


NAMES = ["Lò Văn Pọm", "Giàng Thị Mỷ", "Đỗ Văn Hùng", "Quàng Thị Én", "Hà Văn Tú"]


@given(
    st.sampled_from(NAMES),
    st.sampled_from(["NFC", "NFD"]),
    st.sampled_from(CASES),
    st.dates(min_value=dt.date(1920, 1, 1), max_value=dt.date(2010, 12, 31)),
    st.dates(min_value=dt.date(1920, 1, 1), max_value=dt.date(2010, 12, 31)),
)
def test_same_person_is_one_name_key_and_one_birth(name, form, case, birth, other):
    key = search_key(name)
    written = search_key(unicodedata.normalize(form, case(name)))
    assert imports.same_person(written, birth, key, birth, birth.year)
    assert imports.same_person(written, birth, key, None, birth.year)  # only the year known
    assert imports.same_person(written, other, key, birth, birth.year) == (other == birth)
    assert imports.same_person(written, other, key, None, birth.year) == (other.year == birth.year)
    assert not imports.same_person(search_key(name + " Hai"), birth, key, birth, birth.year)
    assert not imports.same_person(written, None, key, birth, birth.year)


def test_every_row_is_checked_against_the_database_even_with_other_errors(world):
    _holder(world, world.cell_b, "Hà Văn Tú")  # out of scope
    cuong = make_member(world.cells_a[1], "Lò Văn Cường")
    issue_card(
        actor=world.official_a, member=cuong, card_no="62000123", issued_on=dt.date(2002, 1, 3)
    )
    c0 = world.cells_a[0].name
    plan = _plan_as(
        world.official_a,
        world,
        [
            row(c0, name="Quàng Thị Én", birth="12/05/68", identity_no=IDENT),
            row("Chi bộ không có", name="Lò Thị Ánh", gender="Nữ", card_no="62000123"),
        ],
    )
    assert plan.errors == [
        (2, "Ngày sinh", "Năm “68” chỉ có hai chữ số: không rõ thế kỷ, hãy ghi đủ bốn chữ số."),
        (2, "Số CCCD/CMND", OUT_OF_SCOPE),
        (3, "Chi bộ", "Không tìm thấy chi bộ “Chi bộ không có” trong Đảng bộ xã Đồng Tâm."),
        (3, "Số thẻ đảng viên", "Số thẻ 62000123 đã thuộc về một đảng viên khác trong hệ thống."),
    ]


# --- the preview ------------------------------------------------------------------------------


def test_the_preview_says_what_changes_in_words(world):
    pom = _holder(world, world.cells_a[0], ethnicity="03")
    c0 = world.cells_a[0].name
    line = row(
        c0,
        gender="Nữ",  # a typing error corrected: same name, same birth, same number
        ethnicity="H'Mông",
        identity_no=IDENT,
        religion="Phật giáo",
        education="12/12",
        theory_level="Trung cấp",
        occupation_now="Nông, lâm, ngư nghiệp",
    )
    plan = _plan_as(world.official_a, world, [line])
    assert plan.errors == [] and plan.rows[0].member_id == pom.pk
    changes = {f: (old, new) for f, old, new in plan.rows[0].changes}
    assert changes == {
        "gender": ("Nam", "Nữ"),
        "ethnicity": ("Thái", "Mông"),
        "religion": ("", "Phật giáo"),
        "education_system": ("", "Hệ 12 năm"),
        "education_grade": ("", "12"),
        "theory_level": ("", "Trung cấp"),
        "occupation_now": ("", "Nông, lâm, ngư nghiệp"),
        "admitted_on": ("19/05/2000", "19/05/1995"),
        "recognized_on": ("19/05/2001", "19/05/1996"),
    }
