"""The roll import never mistakes one person for another (issue 10, finding 1): ethnic groups
by every common spelling, the admission age by the admission rule, identity numbers that match
only the same person, every row checked against the database, the preview in words."""

import datetime as dt
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chibo.core import params
from chibo.core.models import Parameter
from chibo.members import choices as c
from chibo.members import imports, rules

from .books import book, row


def _plan(world, rows, **kw):
    sheet = imports.read(book(rows, **kw))
    return imports.validate(sheet, imports.auto_mapping(sheet.headers), world.commune_a)


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


def test_a_spelling_of_no_group_is_refused_by_name():
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
