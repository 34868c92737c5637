"""The rating report engine: bases, cumulative rows, pooled against mean of years, half-up
rounding with the decimal comma, the tree of each year, old labels, streaks; the batch record."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from chibo.core.actors import SYSTEM
from chibo.org.choices import UnitKind
from chibo.org.services import MoveUnit
from chibo.reviews.models import Rating
from chibo.reviews.services import reports as r
from chibo.reviews.services.history import record_rating, record_ratings
from tests.world import decision, make_member, make_unit, make_user

OLD = dt.date(2014, 1, 1)

pytestmark = pytest.mark.django_db


@pytest.fixture
def town(db):
    """Two communes since 2014, two cells in the first and one in the second; eight members in
    the first cell, two in the second."""
    p = make_unit(None, UnitKind.PROVINCE, "Đảng bộ tỉnh Thử", on=OLD)
    a = make_unit(p, UnitKind.COMMUNE, "Đảng bộ xã A", on=OLD)
    b = make_unit(p, UnitKind.COMMUNE, "Đảng bộ xã B", on=OLD)
    c1 = make_unit(a, UnitKind.CELL, "Chi bộ thôn 1", on=OLD)
    c2 = make_unit(a, UnitKind.CELL, "Chi bộ thôn 2", on=OLD)
    c3 = make_unit(b, UnitKind.CELL, "Chi bộ thôn 3", on=OLD)
    m1 = [make_member(c1, f"Lò Văn Một{i}", placed=OLD) for i in range(8)]
    m2 = [make_member(c2, f"Lò Văn Hai{i}", placed=OLD) for i in range(2)]
    return {"p": p, "a": a, "b": b, "c1": c1, "c2": c2, "c3": c3, "m1": m1, "m2": m2}


def rate(year, unit, member=None, label="", not_rated=""):
    return record_rating(
        actor=SYSTEM,
        year=year,
        unit=unit,
        member=member,
        label=label,
        not_rated=not_rated,
        decided_on=dt.date(year, 12, 20),
    )


def test_percent_rounds_half_up_with_the_decimal_comma():
    assert r.percent(Fraction(1, 8), 0) == "13%"  # 12.5 → 13 (not banker's 12)
    assert r.percent(Fraction(1, 8), 1) == "12,5%"
    assert r.percent(Fraction(5, 8), 0) == "63%"
    assert r.percent(Fraction(8, 39), 1) == "20,5%"
    assert r.percent(Fraction(1, 3), 2) == "33,33%"
    assert r.percent(Fraction(1, 1), 0) == "100%"
    assert r.percent(None) == "—"


def test_pooled_sums_the_years_and_mean_averages_the_yearly_shares(town):
    c1, m = town["c1"], town["m1"]
    # 2019: 1 of 4 excellent (25 %); 2020: 2 of 2 (100 %).
    for i, member in enumerate(m[:4]):
        rate(2019, c1, member, "htxs" if i == 0 else "ht")
    for member in m[4:6]:
        rate(2020, c1, member, "htxs")
    pooled = r.report(town["a"], [2019, 2020], method=r.POOLED, decimals=1)
    mean = r.report(town["a"], [2019, 2020], method=r.MEAN, decimals=1)
    assert (pooled.line("htxs").count, pooled.text("htxs")) == (3, "50,0%")
    assert mean.text("htxs") == "62,5%"
    assert r.sentence(pooled).startswith("Tổng hợp số liệu 2 năm (2019–2020), toàn Đảng bộ có")
    assert r.sentence(mean).startswith("Bình quân 2 năm (2019–2020)")


def test_at_or_above_is_cumulative_and_the_not_rated_have_their_own_row(town):
    c1, m = town["c1"], town["m1"]
    for member, label in zip(m, ["htxs", "htxs", "htt", "htt", "ht", "khtnv"], strict=False):
        rate(2021, c1, member, label)
    rate(2021, c1, m[6], not_rated="other")  # in the base, its own row
    rate(2021, c1, m[7], not_rated="exempt")  # not required to be rated: outside the base
    rep = r.report(c1, [2021], decimals=1)
    assert rep.base == 7
    counts = {li.code: li.count for li in rep.lines}
    assert counts["htxs"] == 2 and counts["htt_up"] == 4 and counts["ht_up"] == 5
    assert counts["khtnv"] == 1 and counts["not_rated"] == 1
    assert rep.years[0].counts["outside:exempt"] == 1
    # 5/7 + 1/7 + 1/7 = 100 %.
    assert (rep.text("ht_up"), rep.text("khtnv"), rep.text("not_rated")) == (
        "71,4%",
        "14,3%",
        "14,3%",
    )
    assert r.sentence(rep) == (
        "Năm 2021, toàn Chi bộ có 71,4% đảng viên hoàn thành nhiệm vụ trở lên, trong đó 28,6% "
        "hoàn thành xuất sắc nhiệm vụ; không hoàn thành nhiệm vụ, vi phạm tư cách chiếm 14,3%; "
        "không xếp loại (lý do đã ghi nhận) 14,3%."
    )


def test_a_cell_counts_under_its_commune_of_each_year(town):
    c2, m2 = town["c2"], town["m2"]
    rate(2019, c2, label="htt")  # organizations too
    rate(2019, c2, m2[0], "htt")
    MoveUnit(decision(dt.date(2020, 7, 1)), unit=c2, new_parent=town["b"]).execute(actor=SYSTEM)
    rate_on = dt.date(2020, 12, 31)
    assert c2.pk in r.subtree_on(town["b"], rate_on)
    rate(2020, c2, m2[0], "ht")
    a19 = r.report(town["a"], [2019])
    b19 = r.report(town["b"], [2019])
    a20 = r.report(town["a"], [2020])
    b20 = r.report(town["b"], [2020])
    assert (a19.base, b19.base, a20.base, b20.base) == (1, 0, 0, 1)
    assert b19.text("ht_up") == "—"
    assert r.report(town["a"], [2019], subject=r.ORGS).base == 1


def test_old_labels_count_as_tsvm_by_label_and_from_2018_from_the_parameter_up(town):
    a, c1, c2 = town["a"], town["c1"], town["c2"]
    rate(2016, c1, label="Trong sạch, vững mạnh tiêu biểu")
    rate(2016, c2, label="Hoàn thành tốt nhiệm vụ")  # the old HTTNV is below TSVM
    rate(2018, c1, label="htt")
    rate(2018, c2, label="ht")
    old = r.report(a, [2016], subject=r.ORGS, decimals=0)
    assert (old.text("tsvm"), old.text("tsvm_tb")) == ("50%", "50%")
    new = r.report(a, [2018], subject=r.ORGS, decimals=0)
    assert (new.text("tsvm"), new.text("tsvm_tb"), new.text("weak")) == ("50%", "0%", "0%")
    # A plain "TSVM" stays ambiguous in the level rows (HTXSNV or HTTNV), yet counts as TSVM.
    rate(2017, c1, label="Trong sạch, vững mạnh")
    rep = r.report(a, [2017], subject=r.ORGS, decimals=0)
    assert rep.line("ambiguous").count == 1 and rep.text("tsvm") == "100%"
    assert r.sentence(rep) == (
        "Năm 2017, 100% chi bộ đạt trong sạch, vững mạnh, không có chi bộ yếu kém."
    )


def test_streaks_are_consecutive_years_at_a_level_or_above(town):
    c1, member = town["c1"], town["m1"][0]
    for year, label in [
        (2014, "Đủ tư cách, hoàn thành xuất sắc nhiệm vụ"),
        (2015, "Đủ tư cách, hoàn thành tốt nhiệm vụ"),
        (2016, "Đủ tư cách, hoàn thành xuất sắc nhiệm vụ"),
        (2017, "Đủ tư cách, hoàn thành xuất sắc nhiệm vụ"),
        (2018, "htxs"),
    ]:
        rate(year, c1, member, label)
    runs = r.streaks(member=member, level="htxs")
    assert [(x.first, x.last) for x in runs] == [(2014, 2014), (2016, 2018)]
    assert str(r.longest(runs)) == "3 năm liền (2016–2018)"
    assert [(x.first, x.last) for x in r.streaks(member=member, level="htt", or_above=True)] == [
        (2014, 2018)
    ]
    for year in (2015, 2016, 2017):
        rate(year, c1, label="Trong sạch, vững mạnh tiêu biểu")
    rate(2018, c1, label="htxs")
    assert str(r.longest(r.streaks(unit=c1, label_code="tsvm_tb"))) == "4 năm liền (2015–2018)"


def test_the_batch_record_validates_all_or_nothing(town):
    c1, m = town["c1"], town["m1"]
    row = {"year": 2019, "unit": c1, "decided_on": dt.date(2019, 12, 20)}
    rows = [{**row, "member": m[0], "label": "htt"}, {**row, "member": m[0], "label": "ht"}]
    with pytest.raises(ValidationError):
        record_ratings(actor=SYSTEM, rows=rows)
    with pytest.raises(ValidationError):
        record_ratings(actor=SYSTEM, rows=[{**row, "member": m[1], "label": "Giỏi"}])
    assert not Rating.objects.exists()
    outsider = make_user("canbo.b", town["b"], valid_from=OLD)
    with pytest.raises(PermissionDenied):
        record_ratings(actor=outsider, rows=[{**row, "member": m[1], "label": "htt"}])
    done = record_ratings(
        actor=SYSTEM,
        rows=[
            {**row, "member": m[1], "label": "htt"},
            {**row, "member": m[2], "not_rated": "other", "note": "Điều trị dài ngày"},
        ],
    )
    assert [d.level for d in done] == ["htt", ""]
    assert done[1].explanation["lines"][-1]["text"] == "Điều trị dài ngày"
    with pytest.raises(ValidationError):  # a second current rating of the same year
        record_ratings(actor=SYSTEM, rows=[{**row, "member": m[1], "label": "ht"}])


def test_form6_rows_add_up_in_the_tree_of_the_year_and_export_to_excel(town, client):
    import io

    from django.urls import reverse
    from openpyxl import load_workbook

    from chibo.accounts.choices import Role
    from chibo.audit.models import AuditLog
    from tests.world import PASSWORD

    c1, c2, m = town["c1"], town["c2"], town["m1"]
    for member, label in zip(m, ["htxs", "htt", "htt", "ht", "khtnv"], strict=False):
        rate(2021, c1, member, label)
    rate(2021, c1, m[5], not_rated="exempt")
    rate(2021, c1, m[6], not_rated="new_member")
    rate(2021, c1, m[7], not_rated="other")
    rate(2021, c1, label="htxs")
    rate(2021, c2, label="ht")
    from chibo.reviews.services.form6 import form6

    got = {row.code: cells for row, cells in form6(town["a"], 2021).rows}
    cells_col, members_col = 1, 2
    assert [got[k][members_col][0] for k in ("all", "rated", "htxs", "htt", "ht", "failed")] == [
        8,
        5,
        1,
        2,
        1,
        1,
    ]
    assert [got[k][members_col][0] for k in ("not_rated", "new_exempt_suspended", "other")] == [
        3,
        2,
        1,
    ]
    assert got["htt"][members_col][1] == "40,00%"  # 2 of the 5 rated
    assert [got[k][cells_col][0] for k in ("all", "rated", "htxs", "ht")] == [2, 2, 1, 1]
    assert "ambiguous" not in got  # no old labels in 2021

    official = make_user("canbo.thu", town["a"], Role.OFFICIAL, valid_from=OLD)
    url = reverse("reviews:form6", args=[town["a"].pk, 2021])
    assert client.get(url).status_code == 302
    assert client.login(username=official.username, password=PASSWORD)
    assert "2.2. Hoàn thành tốt nhiệm vụ" in client.get(url).content.decode()
    resp = client.get(url + "?format=xlsx")
    ws = load_workbook(io.BytesIO(b"".join(resp.streaming_content))).active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert any(
        row[0] and "2.2. Hoàn thành tốt nhiệm vụ" in row[0] and row[5] == 2 for row in values
    )
    assert AuditLog.objects.filter(action="export.form6").count() == 1
    assert client.get(reverse("reviews:form6", args=[town["b"].pk + 999, 2021])).status_code == 404
