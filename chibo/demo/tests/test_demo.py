"""The demo province reproduces the seeds' figures and the 2025 reform, every unit placed."""

import datetime as dt
from fractions import Fraction

import pytest

from chibo.accounts.models import User
from chibo.core.scope import can
from chibo.demo.province import build
from chibo.members.selectors import counts_on
from chibo.org import selectors
from chibo.org.choices import GRASSROOTS_KINDS, UnitKind
from chibo.org.models import Lineage, Unit

D2024 = dt.date(2024, 6, 1)
SEED_000 = dt.date(2017, 12, 31)
SEED_002 = dt.date(2019, 12, 4)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        from django.db import connection

        built = build()
        yield built
        # module-scoped data: clean up so other modules start empty
        with connection.cursor():
            pass
        from django.core.management import call_command

        call_command("flush", "--noinput", verbosity=0)


@pytest.fixture
def u(demo, db):
    return demo.units


def test_it_has_quang_lam_with_13_cells_and_126_members_2_exempt_on_31_12_2017(u):
    from chibo.members.lifecycle import state_on
    from chibo.members.models import Member

    ql = u["commune:Quảng Lâm"]
    children = selectors.children_on(ql.pk, SEED_000)
    assert len(children) == 13
    assert counts_on(Unit.objects.get(pk=ql.pk), SEED_000)["total"] == 126
    members = Member.objects.filter(placements__unit__in=[c.unit_id for c in children]).distinct()
    on_roll = [m for m in members if state_on(m.events.all(), SEED_000).is_member]
    exempt = [m for m in on_roll if state_on(m.events.all(), SEED_000).activity == "exempt"]
    assert len(exempt) == 2
    # Histories, not a static list: the count moved before and after the seed's date.
    assert counts_on(Unit.objects.get(pk=ql.pk), dt.date(2015, 12, 31))["total"] == 126
    assert counts_on(Unit.objects.get(pk=ql.pk), dt.date(2016, 12, 31))["total"] == 127
    # 2018: one moved to Mường Lay; 2022: the struck-off member restored.
    assert counts_on(Unit.objects.get(pk=ql.pk), dt.date(2019, 1, 1))["total"] == 125
    assert counts_on(Unit.objects.get(pk=ql.pk), D2024)["total"] == 126
    chain = [n.name for n in selectors.ancestors_on(ql.pk, D2024)]
    assert chain == ["Đảng bộ tỉnh Điện Biên", "Đảng bộ huyện Mường Nhé"]


def test_it_has_muong_lay_with_35_grassroots_units_and_1142_members(u):
    ml = u["district:Mường Lay"]
    kids = selectors.children_on(ml.pk, D2024)
    kinds = [k.kind for k in kids]
    assert kinds.count(UnitKind.GRASSROOTS_COMMITTEE) == 5
    assert kinds.count(UnitKind.GRASSROOTS_CELL) == 30
    assert counts_on(Unit.objects.get(pk=ml.pk), SEED_002)["total"] == 1142
    assert counts_on(Unit.objects.get(pk=ml.pk), dt.date(2018, 9, 1))["total"] == 1143
    assert any(k.name == "Chi bộ Tòa án nhân dân thị xã" for k in kids)


def test_it_merges_quang_lam_and_na_co_sa_into_the_new_commune(u, today):
    new = Unit.objects.get(pk=u["new:Xã Quảng Lâm"].pk)
    assert new.kind == UnitKind.COMMUNE and new.admin_era == "post2025"
    assert [n.name for n in selectors.ancestors_on(new.pk, today)] == ["Đảng bộ tỉnh Điện Biên"]
    preds = set(Lineage.objects.filter(successor=new).values_list("predecessor__name", flat=True))
    assert preds == {"Đảng bộ xã Na Cô Sa"}
    # 13 + 7 cells, the two military and the two police cells merged into one each.
    assert len(selectors.children_on(new.pk, today)) == 13 + 7 - 2
    assert new.version_on(D2024).kind == UnitKind.GRASSROOTS_COMMITTEE


def test_it_forms_phuong_muong_lay_from_the_four_old_communes(u):
    ward = u["new:Phường Mường Lay"]
    preds = set(Lineage.objects.filter(successor=ward).values_list("predecessor__name", flat=True))
    assert preds == {
        "Đảng bộ phường Sông Đà",
        "Đảng bộ phường Na Lay",
        "Đảng bộ xã Lay Nưa",
        "Đảng bộ xã Xá Tổng",
    }


def test_it_leaves_no_living_unit_under_an_ended_one(u):
    for unit in Unit.objects.filter(valid_to__isnull=True):
        parent = Unit.objects.get_parent(unit)
        assert parent is None or parent.valid_to is None, unit
    assert not Unit.objects.filter(kind=UnitKind.DISTRICT, valid_to__isnull=True).exists()
    assert not Unit.objects.filter(kind=UnitKind.BLOC, valid_to__isnull=True).exists()


def test_it_keeps_every_living_unit_under_its_province_column(u):
    province = u["province"]
    alive = Unit.objects.filter(valid_to__isnull=True).exclude(pk=province.pk)
    assert alive.exclude(province=province).count() == 0
    grassroots = Unit.objects.filter(valid_to__isnull=True, kind=UnitKind.CELL).exclude(
        commune__isnull=True
    )
    assert grassroots.exists()
    assert all(g.kind in GRASSROOTS_KINDS or g.kind == UnitKind.CELL for g in grassroots)


def test_it_gives_the_new_official_the_old_cells_and_not_the_others(u):
    official = User.objects.get(username="quanglam.vanphong")
    na_co_sa_cell = u["cell:Đảng bộ xã Na Cô Sa:Chi bộ bản Na Cô Sa 1"]
    assert can(official, "view", na_co_sa_cell)
    assert can(official, "view", u["commune:Na Cô Sa"])
    assert not can(official, "view", u["district:Mường Nhé"])
    assert not can(official, "view", u["new:Phường Mường Lay"])


def test_it_warns_about_a_cell_with_fewer_than_three_official_members(u, today):
    cell = Unit.objects.get(pk=u["cell:Đảng bộ xã Na Cô Sa:Chi bộ bản Huổi Dạo"].pk)
    counts = counts_on(cell, today)
    warnings = selectors.warnings_for(
        cell, member_count=counts["total"], official_count=counts["direct_official"]
    )
    assert counts["direct_official"] == 1
    assert any("ít nhất 3" in w for w in warnings)


def test_member_personas_are_linked_and_secretaries_hold_their_seats(u, today):
    from chibo.members.models import Member, Seat, Transfer
    from chibo.members.selectors import deadlines

    for username in ("bithu.huoilu1", "dangvien.huoilu1", "bithu.songda1", "theodoi.quanglam"):
        assert Member.objects.get(user__username=username).ended == ""
    sec = Member.objects.get(user__username="bithu.songda1")
    assert Seat.objects.filter(member=sec, role="secretary", valid_to__isnull=True).exists()
    pending = Transfer.objects.get(arrived_on__isnull=True, kind="official", to_unit__isnull=False)
    assert pending.to_unit == sec.home_unit
    alerts = deadlines(Unit.objects.get(pk=sec.home_unit_id), today)
    assert any(a.kind == "arrival" for a in alerts)
    ethnic = set(Member.objects.values_list("ethnicity", flat=True))
    assert {"03", "08", "01", "29"} <= ethnic  # Thái, Mông, Kinh, Khơ Mú


def test_huoi_lu_1_meets_on_the_3rd_and_its_plan_shows_the_missed_month(u, today):
    from chibo.meetings.services import year_overview

    cell = Unit.objects.get(pk=u["cell:Đảng bộ xã Quảng Lâm:Chi bộ bản Huổi Lụ 1"].pk)
    from chibo.demo.meetings import missed_month, short_quarter

    # Three months ago the cell did not meet; the last ended quarter had no thematic meeting.
    year, month = missed_month(today)
    months, _quarters = year_overview(cell, year, today)
    assert [m.month for m in months if m.missing] == [month]
    year, quarter = short_quarter(today)
    _months, quarters = year_overview(cell, year, today)
    assert [q.quarter for q in quarters if q.short] == [quarter]


def test_huoi_lu_1_held_its_last_meeting_and_prepared_the_next(u):
    from chibo.meetings.models import Meeting, Notice

    cell = Unit.objects.get(pk=u["cell:Đảng bộ xã Quảng Lâm:Chi bộ bản Huổi Lụ 1"].pk)
    held = Meeting.objects.filter(unit=cell, attendance__isnull=False).distinct().get()
    statuses = sorted(a.status for a in held.attendance.all() if a.status != "present")
    assert statuses[-2:] == ["excused", "unexcused"]
    assert held.votes.get().passed and held.speeches.count() == 2 and held.quality == "good"
    nxt = Meeting.objects.filter(unit=cell, notices_sent_at__isnull=False).get()
    assert nxt.planned_on > held.held_on and nxt.agenda and nxt.documents.count() == 1
    names = {n.user.username for n in Notice.objects.filter(meeting=nxt, user__isnull=False)}
    assert {"bithu.huoilu1", "dangvien.huoilu1", "theodoi.quanglam"} <= names
    assert Notice.objects.filter(meeting=nxt, paper=True).exists()
    assert Notice.objects.get(meeting=nxt, follower=True).user.username == "theodoi.quanglam"


def test_the_follower_of_huoi_lu_1_is_behind_and_an_opinion_waits(u, today):
    from chibo.meetings.followup import compliance
    from chibo.meetings.models import RaisedMatter

    cell = Unit.objects.get(pk=u["cell:Đảng bộ xã Quảng Lâm:Chi bộ bản Huổi Lụ 1"].pk)
    # Last year, a whole year: they came in March and June only, 2 of the 4 owed.
    (row,) = compliance(cell, today.year - 1, today)
    assert row.follow_up.user.username == "theodoi.quanglam"
    assert (row.attended, row.target, row.behind) == (2, 4, True)
    matter = RaisedMatter.objects.get()
    assert matter.answered_on is None and matter.routed_to.path == cell.path[:-4]


def test_the_quang_lam_roll_of_2017_is_its_2017_book(u):
    """Seed 000: 126 members (2 exempt) on 31/12/2017 — from the tree of 2017, without the Na
    Cô Sa cells that joined only on 1/7/2025; the same figure as the unit page's."""
    from chibo.members import roll
    from chibo.members.models import Member

    ql = Unit.objects.get(pk=u["commune:Quảng Lâm"].pk)
    rows = roll.rows(ql, SEED_000, sensitive=True)
    current = [r for r in rows if not (r.cells[9] or r.cells[11] or r.cells[12])]
    assert len(current) == 126 == counts_on(ql, SEED_000)["total"]
    assert sum("miễn sinh hoạt" in r.cells[13] for r in current) == 2
    na_co_sa_cells = [c.unit_id for c in selectors.children_on(u["commune:Na Cô Sa"].pk, SEED_000)]
    na_co_sa = set(
        Member.objects.filter(placements__unit__in=na_co_sa_cells).values_list("pk", flat=True)
    )
    assert na_co_sa and not na_co_sa & {r.member_id for r in rows}
    # Everyone in the book had a home placement in one of the 13 cells of 2017 by then.
    cells_2017 = {c.unit_id for c in selectors.children_on(ql.pk, SEED_000)}
    placed = set(
        Member.objects.filter(
            placements__unit__in=cells_2017, placements__valid_from__lte=SEED_000
        ).values_list("pk", flat=True)
    )
    assert {r.member_id for r in rows} == placed


def test_the_muong_lay_rolls_of_2019_hold_its_1142_members(u):
    """Seed 002: 1,142 members in Thị xã Mường Lay's 35 grassroots organizations on 04/12/2019,
    though the town and most of them have since been dissolved, merged or moved."""
    from chibo.members import roll

    ml = Unit.objects.get(pk=u["district:Mường Lay"].pk)
    grassroots = [c.unit_id for c in selectors.children_on(ml.pk, SEED_002)]
    assert len(grassroots) == 35

    def current(unit):
        rows = roll.rows(unit, SEED_002, sensitive=True)
        return [r for r in rows if not (r.cells[9] or r.cells[11] or r.cells[12])]

    per_unit = [len(current(Unit.objects.get(pk=pk))) for pk in grassroots]
    assert sum(per_unit) == 1142 == len(current(ml)) == counts_on(ml, SEED_002)["total"]


# --- Ratings (issue 12 point 10): the seeds' figures from the report engine's output ----------


def _reports(u):
    from chibo.reviews.services import reports

    ql = Unit.objects.get(pk=u["commune:Quảng Lâm"].pk)
    ml = Unit.objects.get(pk=u["district:Mường Lay"].pk)
    return reports, ql, ml


def test_quang_lam_cells_2015_2017_all_tsvm_20_5_percent_exemplary_none_weak(u):
    reports, ql, _ml = _reports(u)
    rep = reports.report(ql, [2015, 2016, 2017], subject=reports.ORGS, method=reports.POOLED)
    # 13 cells a year: no whole count of 13 is 20 %; 8 of the 39 cell-years is 20,5 %.
    assert [y.base for y in rep.years] == [13, 13, 13]
    assert (rep.line("tsvm").count, rep.text("tsvm")) == (39, "100,0%")
    assert (rep.line("tsvm_tb").count, rep.text("tsvm_tb")) == (8, "20,5%")
    assert rep.line("weak").count == 0
    assert reports.sentence(rep) == (
        "Tổng hợp số liệu 3 năm (2015–2017), 100,0% chi bộ đạt trong sạch, vững mạnh, trong "
        "đó 20,5% đạt trong sạch, vững mạnh tiêu biểu, không có chi bộ yếu kém."
    )


def test_quang_lam_members_2015_2017_pooled_97_1_percent_done_or_above_15_percent_excellent(u):
    reports, ql, _ml = _reports(u)
    rep = reports.report(ql, [2015, 2016, 2017], method=reports.POOLED, decimals=1)
    assert rep.text("ht_up") == "97,1%"
    assert reports.report(ql, [2015, 2016, 2017], decimals=0).text("htxs") == "15%"
    # The base: members on 31/12 of each year, the two exempted (from 2016) outside it.
    assert [y.base for y in rep.years] == [126, 125, 124]
    assert [y.counts["outside:exempt"] for y in rep.years] == [0, 2, 2]
    assert "toàn Đảng bộ có 97,1% đảng viên hoàn thành nhiệm vụ trở lên" in reports.sentence(rep)


def test_quang_lam_disciplined_member_rated_violating_then_struck_off(u):
    from chibo.members.models import MemberEvent
    from chibo.reviews.models import Rating

    disc = MemberEvent.objects.get(kind="discipline", effective_date__year=2016)
    assert MemberEvent.objects.filter(member=disc.member, kind="strike_off").exists()
    rows = {r.year: r for r in Rating.objects.filter(member=disc.member)}
    assert rows[2016].label == "Vi phạm tư cách" and rows[2016].level == "khtnv"
    assert 2017 not in rows  # struck off on 10/4/2017: not a member at the year's end


def test_quang_lam_party_committee_tsvm_exemplary_three_years_running(u):
    reports, ql, _ml = _reports(u)
    run = reports.longest(reports.streaks(unit=ql, label_code="tsvm_tb"))
    assert str(run) == "3 năm liền (2015–2017)"


def test_muong_lay_2016_2018_mean_of_years_members_and_grassroots_organizations(u):
    reports, _ql, ml = _reports(u)
    years = [2016, 2017, 2018]
    one = reports.report(ml, years, method=reports.MEAN, decimals=1)
    two = reports.report(ml, years, method=reports.MEAN, decimals=2)
    assert one.text("ht_up") == "99,6%"
    assert two.text("khtnv") == "0,28%"
    assert two.text("not_rated") == "0,12%"
    orgs = reports.report(
        ml, years, subject=reports.ORGS, among=reports.GRASSROOTS, method=reports.MEAN
    )
    assert [y.base for y in orgs.years] == [35, 35, 35]
    assert orgs.line("tsvm").share > Fraction(9, 10) and orgs.line("weak").count == 0
    # 2018 is judged under QĐ 132 and written in its labels.
    from chibo.reviews.models import Rating

    labels_2018 = set(Rating.objects.filter(year=2018).values_list("label", flat=True))
    assert "Hoàn thành tốt nhiệm vụ" in labels_2018 and "Trong sạch, vững mạnh" not in labels_2018
    assert set(Rating.objects.filter(year=2018).values_list("pack", flat=True)) == {"q132_hd16"}


def test_the_ratings_are_of_members_in_their_cells_that_year(u):
    from chibo.members.selectors import members_on
    from chibo.reviews.models import Rating

    for year in (2015, 2016, 2017, 2018):
        on = dt.date(year, 12, 31)
        placed = set(members_on(on).values_list("member_id", "unit_id"))
        rated = set(
            Rating.objects.filter(year=year, member__isnull=False).values_list(
                "member_id", "unit_id"
            )
        )
        assert rated and rated <= placed


def test_the_round_of_last_year_is_in_progress_in_quang_lam_cells(u):
    """Every cell of the new Xã Quảng Lâm has last year's round open under that year's version;
    in Huổi Lụ 1 the demo member assessed themself and half the members have the cell's
    proposal; nothing is decided."""
    from django.utils import timezone

    from chibo.org.choices import CELL_KINDS
    from chibo.reviews import packs
    from chibo.reviews.choices import RoundStatus, Step
    from chibo.reviews.models import Assessment, Rating, Round

    year = timezone.localdate().year - 1
    commune = Unit.objects.get(name="Đảng bộ xã Quảng Lâm", valid_to__isnull=True)
    cells = Unit.objects.filter(
        path__startswith=commune.path, kind__in=CELL_KINDS, valid_to__isnull=True
    )
    rounds = Round.objects.filter(year=year, unit__in=cells)
    assert rounds.count() == cells.count() > 0
    assert {r.pack for r in rounds} == {packs.for_year(year).code}
    lu1 = rounds.get(unit__name="Chi bộ bản Huổi Lụ 1")
    assert lu1.status == RoundStatus.REVIEWING
    selfs = Assessment.objects.filter(round=lu1, step=Step.SELF)
    assert [a.member.user.username for a in selfs] == ["dangvien.huoilu1"]
    assert selfs[0].points is not None and selfs[0].points > 90
    proposals = Assessment.objects.filter(round=lu1, step=Step.PROPOSAL).count()
    from chibo.reviews.services import facts

    assert proposals == len(facts.roll(lu1)) // 2 > 0
    assert not Rating.objects.filter(round__in=rounds).exists()
