"""The member review round as services: facts from chibo's own records, the steps, the quota,
the lock, the re-rating that keeps the original, scope, and the quota and cap properties."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chibo.accounts.choices import Role
from chibo.audit.models import AuditLog
from chibo.core.actors import SYSTEM
from chibo.members import transfers
from chibo.members.models import Transfer
from chibo.members.services import discipline, exempt, suspend
from chibo.org.choices import CellType, UnitKind
from chibo.reviews import engine, packs
from chibo.reviews.choices import RANK, Finding, Level, NotRated, Outcome, RoundStatus
from chibo.reviews.models import Conclusion, Duty, Rating, Round, StateRating
from chibo.reviews.services import facts as F
from chibo.reviews.services import rounds
from tests.world import World, make_member, make_unit, make_user

D = dt.date
X, G, H, K = Level.EXCELLENT, Level.GOOD, Level.DONE, Level.FAILED
YEAR = 2025  # a past year on the tests' day, QĐ 366 in force

# These tests spell their dates out (decided 16/11/2026, "năm 2027 chưa bắt đầu", …): they run on
# that day whatever CHIBO_TEST_TODAY says (on 15/03/2027 or 05/01/2026 fourteen of them failed).
pytestmark = [pytest.mark.django_db, pytest.mark.today("2026-11-16")]


@pytest.fixture
def w(world: World) -> World:
    world.cell = world.cells_a[0]
    world.secretary = make_user("bithu.dong", world.cell, Role.SECRETARY)
    return world


def people(cell, *names, **kw):
    return [make_member(cell, n, **kw) for n in names]


def _propose_all(w, rnd, levels):
    for m, level in levels.items():
        rounds.propose(
            actor=w.secretary, round=rnd, member=m, level=level, votes_for=5, votes_base=6
        )


def decide(w, rnd, levels, no="15-QĐ/ĐU"):
    return rounds.decide(
        actor=w.official_a,
        round=rnd,
        decisions=levels,
        decision_no=no,
        decided_on=D(2026, 11, 16),
    )


# --- opening -------------------------------------------------------------------------------


def test_a_round_per_cell_and_year_under_the_version_of_its_year(w):
    rnd = rounds.open_round(actor=w.secretary, unit=w.cell, year=YEAR)
    assert (rnd.pack, rnd.status, rnd.opened_on) == ("q366_hd43", "open", D(2026, 11, 16))
    with pytest.raises(ValidationError) as e:
        rounds.open_round(actor=w.secretary, unit=w.cell, year=YEAR)
    assert e.value.messages == ["Chi bộ đã có đợt đánh giá năm 2025."]
    with pytest.raises(ValidationError) as e:
        rounds.open_round(actor=w.secretary, unit=w.cell, year=2027)
    assert e.value.messages == ["Năm 2027 chưa bắt đầu: chưa thể mở đợt đánh giá."]
    with pytest.raises(ValidationError) as e:
        rounds.open_round(actor=w.official_a, unit=w.commune_a, year=YEAR)
    assert e.value.messages == ["Chỉ mở đợt đánh giá đảng viên ở chi bộ."]
    assert Round.objects.count() == 1
    assert AuditLog.objects.filter(action="reviews.round.open").count() == 1


def test_opening_needs_the_members_right_on_the_cell(w):
    with pytest.raises(PermissionDenied):
        rounds.open_round(actor=w.viewer_a, unit=w.cell, year=YEAR)
    with pytest.raises(PermissionDenied):
        rounds.open_round(actor=w.official_b, unit=w.cell, year=YEAR)
    assert not Round.objects.exists()


# --- facts from the records ---------------------------------------------------------------


def test_a_discipline_in_the_year_lowers_the_result_one_from_last_year_does_not(w):
    a, b = people(w.cell, "Lò Văn An", "Cầm Văn Bình")
    discipline(
        actor=SYSTEM,
        member=a,
        form="reprimand",
        decided_by="cell",
        effective_date=D(2025, 6, 3),
        decision_no="03-QĐ/CB",
        issuer="Chi bộ thôn Đông",
        reason="Vi phạm quy định nơi cư trú",
    )
    discipline(
        actor=SYSTEM,
        member=b,
        form="warning",
        decided_by="cell",
        effective_date=D(2024, 12, 20),
        decision_no="09-QĐ/CB",
        issuer="Chi bộ thôn Đông",
    )
    rnd = rounds.open_round(actor=w.secretary, unit=w.cell, year=YEAR)
    fa, fb = F.member_facts(rnd, a), F.member_facts(rnd, b)
    assert len(fa.disciplined) == 1 and "03-QĐ/CB" in fa.disciplined[0].detail
    assert fb.disciplined == ()
    _propose_all(w, rnd, {a: G, b: G})
    ra, rb = decide(w, rnd, {a: G, b: G})
    assert (ra.member, ra.level, ra.proposed_level) == (a, K, G)
    assert (rb.member, rb.level) == (b, G)
    assert [ln["code"] for ln in ra.explanation["lines"]] == ["chosen", "no_tasks", "disciplined"]


def test_a_member_who_left_mid_year_is_not_on_the_cells_roll(w):
    stay, gone = people(w.cell, "Lò Văn An", "Quàng Văn Dũng")
    transfers.transfer_out(
        actor=SYSTEM,
        member=gone,
        kind=Transfer.Kind.OFFICIAL,
        destination="Đảng bộ xã Mường Phăng",
        departed_on=D(2025, 7, 1),
    )
    rnd = rounds.open_round(actor=w.secretary, unit=w.cell, year=YEAR)
    assert F.roll(rnd) == [stay]
    rounds.propose(actor=w.secretary, round=rnd, member=stay, level=G, votes_for=3, votes_base=4)
    with pytest.raises(ValidationError) as e:
        rounds.propose(
            actor=w.secretary, round=rnd, member=gone, level=G, votes_for=3, votes_base=4
        )
    assert e.value.messages == [
        "Quàng Văn Dũng không thuộc danh sách đánh giá của chi bộ năm 2025."
    ]


def test_admitted_three_months_before_year_end_listed_apart_exempt_not_rated(w):
    old, new = (
        make_member(w.cell, "Lò Văn An"),
        make_member(
            w.cell,
            "Lò Thị Hoa",
            gender="f",
            admitted=D(2025, 10, 1),
            recognized=None,
            placed=D(2025, 10, 1),
        ),
    )
    sick = make_member(w.cell, "Cầm Văn Sáu", birth_year=1950)
    exempt(
        actor=SYSTEM,
        member=sick,
        effective_date=D(2025, 3, 1),
        resolution_no="02-NQ/CB",
        ground="health",
        health_reason="Điều trị dài ngày",
    )
    rnd = rounds.open_round(actor=w.secretary, unit=w.cell, year=YEAR)
    assert set(F.roll(rnd)) == {old, new, sick}
    f = F.member_facts(rnd, new)
    assert (f.official, f.admitted_on) == (False, D(2025, 10, 1))
    _propose_all(w, rnd, {old: G})
    # Deciding a level for someone the rules leave unrated is refused.
    with pytest.raises(ValidationError) as e:
        decide(w, rnd, {old: G, new: G})
    assert e.value.messages == ["Không xếp loại theo quy định (liệt kê riêng): Lò Thị Hoa."]
    out = {r.member: r for r in decide(w, rnd, {old: G})}
    assert (out[new].level, out[new].not_rated) == ("", NotRated.NEW_MEMBER)
    assert (out[sick].level, out[sick].not_rated) == ("", NotRated.EXEMPT)
    assert out[old].level == G
    # The health reason is nowhere in the stored explanation.
    assert "Điều trị" not in str(out[sick].explanation)


def test_duties_state_rating_and_the_band_of_the_cells_points(w):
    a, b = people(w.cell, "Lò Văn An", "Cầm Văn Bình")
    for i, outcome in enumerate([Outcome.EXCEEDED] * 2 + [Outcome.DONE] * 2 + [Outcome.LATE]):
        Duty.objects.create(
            member=a,
            unit=w.cell,
            year=YEAR,
            text=f"Nhiệm vụ {i}",
            due_on=D(2025, 10, 1),
            assigned_on=D(2025, 1, 10),
            outcome=outcome,
        )
    StateRating.objects.create(
        member=b, year=YEAR, level=K, agency="UBND xã", recorded_on=D(2026, 1, 5)
    )
    rnd = rounds.open_round(actor=w.secretary, unit=w.cell, year=YEAR)
    assert F.member_facts(rnd, a).tasks == engine.Tasks(done=2, late=1, exceeded=2)
    scores = {"1.1": 10, "1.2": 10, "1.3": 10, "2.1": 38, "2.2": 15, "2.3": 12}  # 95 points
    rounds.propose(
        actor=w.secretary, round=rnd, member=a, level=X, votes_for=4, votes_base=4, scores=scores
    )
    rounds.propose(actor=w.secretary, round=rnd, member=b, level=G, votes_for=4, votes_base=4)
    # 95 points is the HTXS band, but a late duty (1 of 5, within the 20 % ceiling) keeps a
    # at HTNV; b's KHTNV in the state rating caps b.
    ra, rb = decide(w, rnd, {a: X, b: G})
    assert (ra.level, float(ra.points)) == (H, 95.0)
    assert ra.explanation["groups"] == {"1": 30.0, "2": 65.0}
    assert [ln["code"] for ln in ra.explanation["lines"]] == ["band", "exceeded", "on_time"]
    assert rb.level == K and rb.explanation["lines"][-1]["code"] == "state_failed"


def test_a_suspended_member_is_not_rated_and_a_conclusion_of_the_year_caps(w):
    a, b, c = people(w.cell, "Lò Văn An", "Cầm Văn Bình", "Lường Văn Ba")
    suspend(
        actor=SYSTEM,
        member=a,
        effective_date=D(2025, 9, 1),
        decision_no="12-QĐ/ĐU",
        issuer="Đảng ủy xã Đồng Tâm",
    )
    Conclusion.objects.create(
        member=b,
        unit=w.commune_a,
        kind=Finding.DEGRADATION,
        concluded_on=D(2025, 8, 8),
        decision_no="4-KL/UBKT",
        issuer="Ủy ban kiểm tra Đảng ủy xã",
    )
    Conclusion.objects.create(
        member=c,
        unit=w.commune_a,
        kind=Finding.DEGRADATION,
        concluded_on=D(2024, 8, 8),
        decision_no="2-KL/UBKT",
        issuer="Ủy ban kiểm tra Đảng ủy xã",
    )
    rnd = rounds.open_round(actor=w.secretary, unit=w.cell, year=YEAR)
    _propose_all(w, rnd, {b: G, c: G})
    out = {r.member: r for r in decide(w, rnd, {b: G, c: G})}
    assert (out[a].level, out[a].not_rated) == ("", NotRated.SUSPENDED)
    assert out[b].level == K and out[b].explanation["lines"][-1]["code"] == "conclusion"
    assert out[c].level == G  # last year's conclusion counted last year


# --- steps ---------------------------------------------------------------------------------


def test_self_assessment_only_by_the_member_with_checked_scores(w):
    a, b = people(w.cell, "Lò Văn An", "Cầm Văn Bình")
    a.user = make_user("lo.van.an")
    a.save(update_fields=["user"])
    rnd = rounds.open_round(actor=w.secretary, unit=w.cell, year=YEAR)
    with pytest.raises(PermissionDenied):
        rounds.self_assess(actor=a.user, round=rnd, member=b, level=G)
    with pytest.raises(PermissionDenied):
        rounds.self_assess(actor=w.secretary, round=rnd, member=a, level=G)
    with pytest.raises(ValidationError) as e:
        rounds.self_assess(actor=a.user, round=rnd, member=a, scores={"1.1": 11, "9.9": 1})
    assert e.value.messages == [
        "Điểm tiêu chí 1.1 phải từ 0 đến 10.",
        "Không có tiêu chí “9.9”.",
    ]
    s = rounds.self_assess(
        actor=a.user, round=rnd, member=a, scores={"1.1": 9, "2.1": 35.5}, level=G
    )
    assert (float(s.points), s.step, s.author) == (44.5, "self", a.user)


def test_a_proposal_needs_more_than_half_of_the_votes(w):
    (a,) = people(w.cell, "Lò Văn An")
    rnd = rounds.open_round(actor=w.secretary, unit=w.cell, year=YEAR)
    with pytest.raises(ValidationError) as e:
        rounds.propose(actor=w.secretary, round=rnd, member=a, level=G, votes_for=3, votes_base=6)
    assert e.value.messages == ["Mức đề xuất cần quá nửa số biểu quyết tán thành (mới có 3/6)."]
    with pytest.raises(PermissionDenied):
        rounds.propose(actor=w.viewer_a, round=rnd, member=a, level=G, votes_for=4, votes_base=6)
    rounds.propose(actor=w.secretary, round=rnd, member=a, level=G, votes_for=4, votes_base=6)
    rnd.refresh_from_db()
    assert rnd.status == RoundStatus.REVIEWING


# --- quota, lock, re-rating ----------------------------------------------------------------


def _five(w):
    ms = people(w.cell, "Lò Văn An", "Cầm Văn Bình", "Lường Văn Ba", "Tòng Văn Sơn", "Vì Văn Tư")
    rnd = rounds.open_round(actor=w.secretary, unit=w.cell, year=YEAR)
    levels = dict(zip(ms, [X, X, G, G, G], strict=True))
    _propose_all(w, rnd, levels)
    return rnd, ms, levels


def test_the_quota_refuses_then_an_exception_lets_it_pass(w):
    rnd, ms, levels = _five(w)
    with pytest.raises(ValidationError) as e:
        decide(w, rnd, levels)
    assert e.value.messages == [
        "Vượt giới hạn HTXSNV: quyết định 2 đảng viên HTXSNV, tối đa 1 (20% của 5 đảng viên "
        "HTTNV trở lên). Hãy hạ mức hoặc ghi văn bản cho phép vượt của cấp có thẩm quyền."
    ]
    assert not Rating.objects.exists()
    rnd.refresh_from_db()
    assert rnd.status == RoundStatus.REVIEWING
    with pytest.raises(PermissionDenied):
        rounds.record_quota_exception(
            actor=w.secretary,
            round=rnd,
            extra=1,
            decision_no="7-CV/TU",
            decided_on=D(2026, 1, 15),
            issuer="Ban Thường vụ Tỉnh ủy",
        )
    exc = rounds.record_quota_exception(
        actor=w.official_a,
        round=rnd,
        extra=1,
        decision_no="7-CV/TU",
        decided_on=D(2026, 1, 15),
        issuer="Ban Thường vụ Tỉnh ủy",
    )
    out = decide(w, rnd, levels)
    assert sorted(r.level for r in out) == sorted([X, X, G, G, G])
    assert {r.exception_id for r in out if r.level == X} == {exc.pk}
    text = rounds.explain(next(r for r in out if r.level == X), w.official_a)
    assert "HTXSNV: 2; tối đa 2 (20% của 5 được xếp HTTNV trở lên), có văn bản cho vượt 1." in text
    assert (
        "Vượt giới hạn HTXSNV theo văn bản số 7-CV/TU ngày 15/01/2026 của Ban Thường vụ Tỉnh ủy."
        in text
    )


def test_a_decision_locks_and_a_rerating_keeps_the_original(w):
    rnd, ms, levels = _five(w)
    levels[ms[1]] = G
    out = decide(w, rnd, levels)
    rnd.refresh_from_db()
    assert rnd.status == RoundStatus.DECIDED and all(r.current for r in out)
    with pytest.raises(ValidationError) as e:
        decide(w, rnd, levels, no="16-QĐ/ĐU")
    assert e.value.messages == ["Đợt đánh giá năm 2025 đã có quyết định: kết quả đã khóa."]
    with pytest.raises(ValidationError):
        rounds.propose(
            actor=w.secretary, round=rnd, member=ms[0], level=H, votes_for=5, votes_base=6
        )
    other = next(r for r in out if r.member == ms[2])
    # A second HTXS breaks the quota in a re-rating too.
    with pytest.raises(ValidationError) as e:
        rounds.rerate(actor=w.official_a, rating=other, level=X, reason="Xét lại")
    assert e.value.messages[0].startswith("Vượt giới hạn HTXSNV: quyết định 2 đảng viên HTXSNV")
    target = next(r for r in out if r.member == ms[0])
    complaint = rounds.complain(actor=w.secretary, rating=target, text="Chưa xét đủ kết quả")
    with pytest.raises(ValidationError) as e:
        rounds.rerate(actor=w.official_a, rating=target, level=H, reason="  ")
    assert e.value.messages == ["Hãy ghi lý do đánh giá lại."]
    with pytest.raises(PermissionDenied):
        rounds.rerate(actor=w.secretary, rating=target, level=H, reason="Xét lại")
    new = rounds.rerate(
        actor=w.official_a,
        rating=target,
        level=H,
        reason="Nhiệm vụ chưa đạt chỉ tiêu",
        decision_no="20-QĐ/ĐU",
    )
    target.refresh_from_db()
    complaint.refresh_from_db()
    assert (target.current, target.level, target.superseded_by) == (False, X, new)
    assert (new.current, new.level, new.supersedes, new.source) == (True, H, target, "revision")
    assert new.reason == "Nhiệm vụ chưa đạt chỉ tiêu"
    assert (complaint.resolved_by, complaint.closed_on) == (new, D(2026, 11, 16))
    assert Rating.objects.filter(member=ms[0], year=YEAR).count() == 2
    assert new.explanation["lines"][-1]["text"] == (
        "Đánh giá lại (trước: HTXSNV): Nhiệm vụ chưa đạt chỉ tiêu"
    )
    with pytest.raises(ValidationError) as e:
        rounds.rerate(actor=w.official_a, rating=target, level=K, reason="Lần nữa")
    assert e.value.messages == ["Kết quả này đã được đánh giá lại."]
    assert AuditLog.objects.filter(action="reviews.rerate").count() == 1


def test_nothing_changes_when_a_decision_is_incomplete(w):
    rnd, ms, levels = _five(w)
    del levels[ms[4]]
    levels[ms[0]] = "xuat sac"
    with pytest.raises(ValidationError) as e:
        decide(w, rnd, levels)
    assert e.value.messages == [
        "Mức xếp loại không hợp lệ: Lò Văn An.",
        "Chưa quyết định mức cho: Vì Văn Tư.",
    ]
    assert not Rating.objects.exists()


# --- scope -----------------------------------------------------------------------------------


def test_scope_of_the_decision(w):
    rnd, ms, levels = _five(w)
    levels[ms[1]] = G
    ended = make_user("canbo.cu", w.commune_a, Role.OFFICIAL, valid_to=D(2026, 6, 1))
    for actor in (w.official_b, w.viewer_a, w.secretary, ended):
        with pytest.raises(PermissionDenied):
            rounds.decide(
                actor=actor,
                round=rnd,
                decisions=levels,
                decision_no="15-QĐ/ĐU",
                decided_on=D(2026, 11, 16),
            )
    assert not Rating.objects.exists()
    assert decider_name(rnd) == "Đảng bộ xã Đồng Tâm"


def decider_name(rnd):
    return rounds.decider_of(rnd).name


def test_a_grassroots_cell_decides_its_own_members_by_default(w):
    cell = make_unit(w.commune_a, UnitKind.GRASSROOTS_CELL, "Chi bộ Trường Tiểu học")
    secretary = make_user("bithu.truong", cell, Role.SECRETARY)
    rnd = rounds.open_round(actor=secretary, unit=cell, year=YEAR)
    assert rounds.decider_of(rnd) == cell
    cell2 = make_unit(w.commune_a, UnitKind.GRASSROOTS_COMMITTEE, "Đảng bộ Trường THPT")
    sub = make_unit(cell2, UnitKind.CELL, "Chi bộ Tổ Toán", cell_type=CellType.VILLAGE)
    rnd2 = rounds.open_round(actor=w.official_a, unit=sub, year=YEAR)
    assert rounds.decider_of(rnd2) == cell2


# --- the explanation and the sensitive-field rule -----------------------------------------------


def test_the_explanation_hides_the_discipline_details_from_readers_without_sensitive(w):
    from django.test import Client
    from django.urls import reverse

    (a,) = people(w.cell, "Lò Văn An")
    a.user = make_user("lo.van.an")
    a.save(update_fields=["user"])
    discipline(
        actor=SYSTEM,
        member=a,
        form="reprimand",
        decided_by="cell",
        effective_date=D(2025, 6, 3),
        decision_no="03-QĐ/CB",
        issuer="Chi bộ thôn Đông",
        reason="Vi phạm quy định nơi cư trú",
    )
    rnd = rounds.open_round(actor=w.secretary, unit=w.cell, year=YEAR)
    _propose_all(w, rnd, {a: G})
    (r,) = decide(w, rnd, {a: G})
    hidden = rounds.explain(r, w.viewer_a)
    assert hidden[0] == "Kết quả: KHTNV (theo Quy định 366-QĐ/TW, Hướng dẫn 43-HD/BTCTW)."
    assert "Xếp KHTNV: bị kỷ luật trong năm." in hidden
    assert not any("03-QĐ/CB" in line or "nơi cư trú" in line for line in hidden)
    full = (
        "Xếp KHTNV: bị kỷ luật trong năm — Khiển trách số 03-QĐ/CB ngày 03/06/2025 "
        "(Chi bộ thôn Đông): Vi phạm quy định nơi cư trú."
    )
    assert full in rounds.explain(r, w.official_a)
    assert full in rounds.explain(r, a.user)  # the member reads their own
    client = Client()
    client.force_login(a.user)
    page = client.get(reverse("reviews:round_self", args=[rnd.pk])).content.decode()
    assert "Vi phạm quy định nơi cư trú" in page and "Kết quả xếp loại" in page
    assert hidden[-1] == "Quyết định số 15-QĐ/ĐU ngày 16/11/2026 của Đảng bộ xã Đồng Tâm."


# --- properties --------------------------------------------------------------------------------

LEVELS = st.sampled_from([X, G, H, K])


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(st.tuples(LEVELS, st.booleans()), min_size=1, max_size=7),
    st.integers(min_value=0, max_value=2),
)
def test_no_decided_round_breaks_its_quota_without_an_exception_and_caps_hold(w, rows, extra):
    with transaction.atomic():
        cell = make_unit(w.commune_a, UnitKind.CELL, "Chi bộ thôn Thử", cell_type=CellType.VILLAGE)
        names = [
            "Lò Văn An",
            "Cầm Văn Bình",
            "Lường Văn Ba",
            "Tòng Văn Sơn",
            "Vì Văn Tư",
            "Quàng Văn Dũng",
            "Lò Văn Pọm",
        ]
        ms = [make_member(cell, names[i]) for i in range(len(rows))]
        for m, (_lv, punished) in zip(ms, rows, strict=True):
            if punished:
                discipline(
                    actor=SYSTEM,
                    member=m,
                    form="reprimand",
                    decided_by="cell",
                    effective_date=D(2025, 5, 5),
                    decision_no="1-QĐ",
                    issuer="Chi bộ",
                )
        rnd = rounds.open_round(actor=SYSTEM, unit=cell, year=YEAR)
        levels = {m: lv for m, (lv, _p) in zip(ms, rows, strict=True)}
        for m, lv in levels.items():
            rounds.propose(actor=SYSTEM, round=rnd, member=m, level=lv, votes_for=2, votes_base=2)
        if extra:
            rounds.record_quota_exception(
                actor=SYSTEM,
                round=rnd,
                extra=extra,
                decision_no="5-CV",
                decided_on=D(2026, 1, 2),
                issuer="Tỉnh ủy",
            )
        try:
            out = rounds.decide(
                actor=SYSTEM,
                round=rnd,
                decisions=levels,
                decision_no="9-QĐ",
                decided_on=D(2026, 11, 16),
            )
        except ValidationError as e:
            assert "Vượt giới hạn HTXSNV" in e.messages[0]
            assert not Rating.objects.filter(round=rnd).exists()
            out = []
        rules = packs.get("q366_hd43").rules(cell, YEAR)
        decided = [r.level for r in Rating.objects.filter(round=rnd, current=True)]
        q = engine.quota(decided, rules)
        if out:
            excellent = sum(lv == X for lv in decided)
            assert excellent <= q.allowed + extra
            if excellent > q.allowed:
                assert all(r.exception_id for r in out if r.level == X)
        for r in out:
            chosen, punished = rows[ms.index(r.member)]
            assert RANK[r.level] <= RANK[chosen]  # caps only lower
            if punished:
                assert r.level == K
        transaction.set_rollback(True)


# --- the round's page ------------------------------------------------------------------------


def test_the_round_page_lists_the_roll_and_explains_under_the_sensitive_rule(client, w):
    from django.urls import reverse

    a, b = people(w.cell, "Lò Văn An", "Cầm Văn Bình")
    discipline(
        actor=SYSTEM,
        member=a,
        form="reprimand",
        decided_by="cell",
        effective_date=D(2025, 6, 3),
        decision_no="03-QĐ/CB",
        issuer="Chi bộ thôn Đông",
        reason="Vi phạm quy định nơi cư trú",
    )
    rnd = rounds.open_round(actor=w.secretary, unit=w.cell, year=YEAR)
    url = reverse("reviews:round", args=[rnd.pk])
    client.force_login(w.viewer_a)
    page = client.get(url).content.decode()
    assert "Lò Văn An" in page and "Chưa quyết định" in page
    assert "Cấp quyết định: Đảng bộ xã Đồng Tâm" in page
    _propose_all(w, rnd, {a: G, b: G})
    decide(w, rnd, {a: G, b: G})
    page = client.get(url).content.decode()
    assert "Xếp KHTNV: bị kỷ luật trong năm." in page
    assert "03-QĐ/CB" not in page and "nơi cư trú" not in page
    client.force_login(w.official_a)
    page = client.get(url).content.decode()
    assert "Vi phạm quy định nơi cư trú" in page


def test_the_decision_page_shows_the_quota_refuses_and_needs_confirmation(client, w):
    from django.urls import reverse

    rnd, ms, levels = _five(w)
    url = reverse("reviews:round_decide", args=[rnd.pk])
    client.force_login(w.viewer_a)
    assert client.get(url).status_code == 403
    assert (
        "Quyết định xếp loại"
        not in client.get(reverse("reviews:round", args=[rnd.pk])).content.decode()
    )
    client.force_login(w.official_a)
    page = client.get(url).content.decode()
    assert "HTXSNV: 2; tối đa 1 (20% của 5 được xếp HTTNV trở lên)." in page
    body = {f"level_{m.pk}": lv for m, lv in levels.items()}
    body.update(decision_no="15-QĐ/ĐU", decided_on="2026-11-16")
    resp = client.post(url, body)
    assert resp.status_code == 400
    assert "Hãy xác nhận: quyết định sẽ khóa kết quả xếp loại." in resp.content.decode()
    resp = client.post(url, {**body, "confirm": "1"})
    assert resp.status_code == 400
    assert "Vượt giới hạn HTXSNV: quyết định 2 đảng viên HTXSNV, tối đa 1" in resp.content.decode()
    assert not Rating.objects.exists()
    body[f"level_{ms[1].pk}"] = G
    resp = client.post(url, {**body, "confirm": "1"})
    assert resp.status_code == 302
    assert Rating.objects.filter(round=rnd, current=True).count() == 5


def test_the_secretary_opens_the_round_and_proposes_from_the_pages(client, w):
    from django.urls import reverse

    (a,) = people(w.cell, "Lò Văn An")
    client.force_login(w.secretary)
    resp = client.post(reverse("reviews:round_open", args=[w.cell.pk]), {"year": "2027"})
    assert resp.status_code == 302 and not Round.objects.exists()
    resp = client.post(reverse("reviews:round_open", args=[w.cell.pk]), {"year": "2025"})
    rnd = Round.objects.get()
    assert resp["Location"] == reverse("reviews:round", args=[rnd.pk])
    url = reverse("reviews:round_propose", args=[rnd.pk, a.pk])
    page = client.get(url).content.decode()
    assert "Nhiệm vụ được giao: 0" in page
    resp = client.post(url, {"level": G, "votes_for": "2", "votes_base": "4"})
    assert resp.status_code == 400
    assert "Mức đề xuất cần quá nửa số biểu quyết tán thành (mới có 2/4)." in resp.content.decode()
    resp = client.post(url, {"level": G, "votes_for": "3", "votes_base": "4", "comment": "Tốt"})
    assert resp.status_code == 302
    p = rnd.assessments.get(member=a, step="proposal")
    assert (p.level, p.votes_for, p.votes_base, p.comment, p.author) == (
        G,
        3,
        4,
        "Tốt",
        w.secretary,
    )


def test_the_member_fills_the_self_assessment_on_their_own_page(client, w):
    from django.urls import reverse

    a, b = people(w.cell, "Lò Văn An", "Cầm Văn Bình")
    a.user = make_user("lo.van.an")
    a.save(update_fields=["user"])
    Duty.objects.create(
        member=a,
        unit=w.cell,
        year=YEAR,
        text="Vận động 10 hộ làm đường",
        due_on=D(2025, 10, 1),
        assigned_on=D(2025, 1, 10),
        outcome=Outcome.EXCEEDED,
    )
    rnd = rounds.open_round(actor=w.secretary, unit=w.cell, year=YEAR)
    url = reverse("reviews:round_self", args=[rnd.pk])
    client.force_login(w.secretary)  # not on the roll as a member
    assert client.get(url).status_code == 404
    assert client.get(reverse("members:me")).status_code == 404  # no member's account
    client.force_login(a.user)
    # The user menu's "Hồ sơ của tôi" leads to the member's page, which links the round.
    me = client.get(reverse("members:me"))
    assert me.status_code == 302 and me["Location"] == reverse("members:detail", args=[a.pk])
    assert url in client.get(me["Location"]).content.decode()
    page = client.get(url).content.decode()
    assert "Vận động 10 hộ làm đường" in page and "Vượt mức" in page
    assert 'name="score_2.1"' in page
    resp = client.post(url, {"score_1.1": "12", "level": G})
    assert resp.status_code == 400
    assert "Điểm tiêu chí 1.1 phải từ 0 đến 10." in resp.content.decode()
    resp = client.post(url, {"score_1.1": "9,5", "score_2.1": "36", "level": G})
    assert resp.status_code == 302
    s = rnd.assessments.get(member=a, step="self")
    assert (float(s.points), s.scores, s.level) == (45.5, {"1.1": 9.5, "2.1": 36.0}, G)


def test_the_cells_page_lists_its_rounds_and_opens_one_for_those_who_may(client, w):
    from django.urls import reverse

    rnd = rounds.open_round(actor=w.secretary, unit=w.cell, year=YEAR)
    url = reverse("org:unit", args=[w.cell.pk])
    client.force_login(w.secretary)
    page = client.get(url).content.decode()
    assert reverse("reviews:round", args=[rnd.pk]) in page
    assert "Mở đợt đánh giá năm 2026" in page and "Mở đợt đánh giá năm 2025" not in page
    client.force_login(w.viewer_a)
    page = client.get(url).content.decode()
    assert reverse("reviews:round", args=[rnd.pk]) in page
    assert "Mở đợt đánh giá năm" not in page


def test_a_complaint_from_the_members_page_and_the_rerating_page(client, w):
    from django.urls import reverse

    (a,) = people(w.cell, "Lò Văn An")
    a.user = make_user("lo.van.an")
    a.save(update_fields=["user"])
    rnd = rounds.open_round(actor=w.secretary, unit=w.cell, year=YEAR)
    _propose_all(w, rnd, {a: G})
    (r,) = decide(w, rnd, {a: G})
    client.force_login(a.user)
    resp = client.post(reverse("reviews:rating_complain", args=[r.pk]), {"text": "Xin xét lại"})
    assert resp["Location"] == reverse("reviews:round_self", args=[rnd.pk])
    assert r.complaints.get().text == "Xin xét lại"
    url = reverse("reviews:rating_rerate", args=[r.pk])
    assert client.get(url).status_code in (403, 404)  # the member does not re-rate
    client.force_login(w.official_a)
    page = client.get(url).content.decode()
    assert "Xin xét lại" in page
    body = {"level": H, "reason": "Theo khiếu nại", "decided_on": "2026-11-16"}
    resp = client.post(url, body)
    assert resp.status_code == 400 and Rating.objects.count() == 1
    resp = client.post(url, {**body, "confirm": "1"})
    assert resp.status_code == 302
    r.refresh_from_db()
    assert (r.current, r.superseded_by.level, r.superseded_by.reason) == (
        False,
        H,
        "Theo khiếu nại",
    )
    assert r.complaints.get().resolved_by == r.superseded_by


def test_the_decision_page_records_the_exception_then_the_quota_lets_it_pass(client, w):
    from django.urls import reverse

    from chibo.reviews.models import QuotaException

    rnd, ms, levels = _five(w)
    url = reverse("reviews:round_decide", args=[rnd.pk])
    exc_url = reverse("reviews:round_quota_exception", args=[rnd.pk])
    body = {f"level_{m.pk}": lv for m, lv in levels.items()}
    body.update(decision_no="15-QĐ/ĐU", decided_on="2026-11-16", confirm="1")
    client.force_login(w.official_a)
    resp = client.post(url, body)
    assert resp.status_code == 400 and 'data-testid="quota-exception" open' in resp.content.decode()
    good = {
        "extra": "1",
        "exception_no": "7-CV/HU",
        "exception_on": "2026-11-15",
        "issuer": "Ban Thường vụ Đảng ủy xã",
    }
    # A read-only viewer may not record it; an almost-right form records nothing.
    client.force_login(w.viewer_a)
    assert client.post(exc_url, good).status_code == 403
    client.force_login(w.official_a)
    client.post(exc_url, {**good, "extra": "0"})
    client.post(exc_url, {**good, "exception_on": "2099-01-01"})
    client.post(exc_url, {**good, "exception_on": "15/11/2026"})
    assert not QuotaException.objects.exists()
    assert client.post(exc_url, good).status_code == 302
    page = client.get(url).content.decode()
    assert "HTXSNV: 2; tối đa 2 (20% của 5 được xếp HTTNV trở lên), có văn bản cho vượt 1." in page
    assert client.post(url, body).status_code == 302
    assert Rating.objects.filter(round=rnd, current=True, level=X).count() == 2
