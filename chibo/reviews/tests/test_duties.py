"""Duties and pledges of the year: the services (rules, scope, the member who moved, the outcome
shares the engine reads), the cell's page, the member page's panel and the meeting's agenda line.
The clock stands on 20/6/2026 (the module's `today` marker): every date below is fixed."""

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from chibo.accounts.choices import Role
from chibo.audit.models import AuditLog
from chibo.core.actors import SYSTEM
from chibo.meetings import preparation
from chibo.meetings import services as meetings
from chibo.meetings.models import MeetingKind
from chibo.members import transfers
from chibo.members.models import Transfer
from chibo.reviews import engine, packs
from chibo.reviews.choices import Level, RoundStatus
from chibo.reviews.models import Duty, Pledge, Round
from chibo.reviews.selectors import task_shares
from chibo.reviews.services import duties as s
from tests.world import PASSWORD, make_member, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.today("2026-06-20")]

D = dt.date


@pytest.fixture
def cell(world):
    return world.cells_a[0]


@pytest.fixture
def secretary(world, cell):
    return make_user("bithu.dong", cell, Role.SECRETARY)


@pytest.fixture
def pom(cell):
    return make_member(cell, "Lò Văn Pọm")


def assign(actor, cell, member, **kw):
    fields = {
        "year": 2026,
        "text": "Vận động 5 hộ làm nhà tiêu hợp vệ sinh",
        "area": "Xóm Đông, 12 hộ",
        "target": "5 hộ",
        "due_on": D(2026, 9, 30),
        "assigned_on": D(2026, 1, 8),
    }
    fields.update(kw)
    return s.assign_duty(actor=actor, unit=cell, member=member, **fields)


def changes() -> int:
    return AuditLog.objects.filter(action__startswith="reviews.").count()


# --- Services ---------------------------------------------------------------------------------


def test_it_assigns_a_duty_and_audits_it(secretary, cell, pom):
    duty = assign(secretary, cell, pom)
    duty.refresh_from_db()
    assert (duty.member, duty.unit, duty.year) == (pom, cell, 2026)
    assert (duty.text, duty.area, duty.target) == (
        "Vận động 5 hộ làm nhà tiêu hợp vệ sinh",
        "Xóm Đông, 12 hộ",
        "5 hộ",
    )
    assert (duty.assigned_on, duty.due_on, duty.outcome) == (D(2026, 1, 8), D(2026, 9, 30), "")
    row = AuditLog.objects.get(action="reviews.duty_assign")
    assert row.actor == secretary and row.unit_id == cell.pk and row.object_id == str(duty.pk)
    assert row.after["due_on"] == "2026-09-30"


def test_it_assigns_today_when_no_day_is_given(secretary, cell, pom):
    duty = s.assign_duty(
        actor=secretary,
        unit=cell,
        member=pom,
        year=2026,
        text="Thu đảng phí",
        due_on=D(2026, 12, 31),
    )
    assert duty.assigned_on == D(2026, 6, 20)


@pytest.mark.parametrize(
    ("kw", "words"),
    [
        ({"text": "  "}, "Hãy ghi nội dung nhiệm vụ"),
        ({"text": "x" * 501}, "dài quá 500"),
        ({"due_on": D(2027, 1, 15)}, "Thời hạn phải trong năm 2026"),
        ({"due_on": D(2026, 1, 5)}, "không được trước ngày phân công"),
        ({"assigned_on": D(2026, 6, 21)}, "chưa đến"),
        ({"assigned_on": D(2025, 11, 30)}, "phải trong năm 2026"),
        ({"year": 2027, "due_on": D(2027, 3, 1)}, "phải trong năm 2027"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(secretary, cell, pom, kw, words):
    with pytest.raises(ValidationError) as exc:
        assign(secretary, cell, pom, **kw)
    assert words in " ".join(exc.value.messages)
    assert not Duty.objects.exists()
    assert changes() == 0


def test_the_previous_december_may_assign_the_years_duties(secretary, cell, pom):
    assert assign(secretary, cell, pom, assigned_on=D(2025, 12, 20)).year == 2026


def test_only_the_cells_editors_assign(world, cell, pom):
    other_secretary = make_user("bithu.tay", world.cells_a[1], Role.SECRETARY)
    for outsider in (world.official_b, world.viewer_a, other_secretary):
        with pytest.raises(PermissionDenied):
            assign(outsider, cell, pom)
    assert not Duty.objects.exists() and changes() == 0
    # The commune's office may, as the cell's secretary may.
    assert assign(world.official_a, cell, pom).pk


def test_a_grant_that_ended_no_longer_writes(world, cell, pom):
    gone = make_user("bithu.cu", cell, Role.SECRETARY, valid_to=D(2026, 3, 1))
    with pytest.raises(PermissionDenied):
        assign(gone, cell, pom, assigned_on=D(2026, 1, 8))


def test_a_member_of_another_cell_is_refused(world, secretary, cell):
    tay = make_member(world.cells_a[1], "Lường Thị Tày")
    with pytest.raises(ValidationError) as exc:
        assign(world.official_a, cell, tay)
    assert "không sinh hoạt tại Chi bộ thôn Đông" in exc.value.messages[0]
    # Nor is a member admitted after the day of the assignment.
    late = make_member(cell, "Vi Văn Muộn", placed=D(2026, 3, 1))
    with pytest.raises(ValidationError):
        assign(secretary, cell, late, assigned_on=D(2026, 1, 8))
    assert not Duty.objects.exists()


def _move(world, member, on):
    transfers.transfer_out(
        actor=world.official_a,
        member=member,
        kind=Transfer.Kind.INTERNAL,
        to_unit=world.cells_a[1],
        departed_on=on,
    )


def test_a_member_who_moved_out_is_refused(world, secretary, cell, pom):
    early = assign(secretary, cell, pom, due_on=D(2026, 3, 31))
    _move(world, pom, D(2026, 4, 15))
    # After the move: nothing new at the old cell, even dated back to when they were there
    # if it falls due after they left.
    with pytest.raises(ValidationError) as exc:
        assign(secretary, cell, pom, assigned_on=D(2026, 5, 1))
    assert "không sinh hoạt tại" in exc.value.messages[0]
    with pytest.raises(ValidationError) as exc:
        assign(secretary, cell, pom, assigned_on=D(2026, 1, 8), due_on=D(2026, 9, 30))
    assert "đã chuyển khỏi Chi bộ thôn Đông ngày 15/04/2026" in exc.value.messages[0]
    assert Duty.objects.count() == 1
    # A duty that fell due while they were there still gets its outcome at the old cell.
    s.set_outcome(actor=secretary, duty=early, outcome="late", outcome_on=D(2026, 4, 20))
    assert Duty.objects.get().outcome == "late"
    # Their new cell assigns the rest of the year.
    assert assign(world.official_a, world.cells_a[1], pom, assigned_on=D(2026, 5, 1)).pk


def test_a_duty_due_after_the_member_left_gets_no_outcome_there(world, secretary, cell, pom):
    duty = assign(secretary, cell, pom, due_on=D(2026, 5, 31))
    _move(world, pom, D(2026, 4, 15))
    with pytest.raises(ValidationError) as exc:
        s.set_outcome(actor=secretary, duty=duty, outcome="not_done", outcome_on=D(2026, 6, 1))
    assert "đã chuyển khỏi" in exc.value.messages[0]
    duty.refresh_from_db()
    assert duty.outcome == ""


@pytest.mark.parametrize(
    ("outcome", "on", "words"),
    [
        ("done", D(2026, 4, 1), "“Hoàn thành chậm”"),
        ("exceeded", D(2026, 4, 1), "“Hoàn thành chậm”"),
        ("late", D(2026, 3, 31), "không phải “Hoàn thành chậm”"),
        ("not_done", D(2026, 3, 30), "chưa thể ghi “Không hoàn thành”"),
        ("done", D(2026, 6, 21), "chưa đến"),
        ("done", D(2026, 1, 7), "trước ngày phân công"),
        ("finished", D(2026, 3, 1), "Hãy chọn kết quả"),
    ],
)
def test_an_outcome_must_agree_with_the_due_date(secretary, cell, pom, outcome, on, words):
    duty = assign(secretary, cell, pom, due_on=D(2026, 3, 31))
    before = changes()
    with pytest.raises(ValidationError) as exc:
        s.set_outcome(actor=secretary, duty=duty, outcome=outcome, outcome_on=on)
    assert words in " ".join(exc.value.messages)
    duty.refresh_from_db()
    assert (duty.outcome, duty.outcome_on) == ("", None)
    assert changes() == before


@pytest.mark.parametrize(
    ("outcome", "on"),
    [
        ("done", D(2026, 3, 31)),
        ("exceeded", D(2026, 3, 2)),
        ("late", D(2026, 4, 1)),
        ("not_done", D(2026, 3, 31)),
    ],
)
def test_an_outcome_is_recorded_with_its_day_and_note(secretary, cell, pom, outcome, on):
    duty = assign(secretary, cell, pom, due_on=D(2026, 3, 31))
    s.set_outcome(actor=secretary, duty=duty, outcome=outcome, outcome_on=on, note=" 6/5 hộ ")
    duty.refresh_from_db()
    assert (duty.outcome, duty.outcome_on, duty.outcome_note) == (outcome, on, "6/5 hộ")
    row = AuditLog.objects.get(action="reviews.duty_outcome")
    assert row.before["outcome"] == "" and row.after["outcome"] == outcome


def test_a_duty_is_corrected_only_before_its_outcome(secretary, cell, pom):
    duty = assign(secretary, cell, pom)
    s.edit_duty(actor=secretary, duty=duty, text="Vận động 6 hộ", due_on=D(2026, 10, 31))
    duty.refresh_from_db()
    assert (duty.text, duty.due_on, duty.area) == ("Vận động 6 hộ", D(2026, 10, 31), "")
    edit = AuditLog.objects.get(action="reviews.duty_edit")
    assert edit.before["text"] == "Vận động 5 hộ làm nhà tiêu hợp vệ sinh"
    s.set_outcome(actor=secretary, duty=duty, outcome="done", outcome_on=D(2026, 6, 1))
    with pytest.raises(ValidationError) as exc:
        s.edit_duty(actor=secretary, duty=duty, text="Khác", due_on=D(2026, 5, 1))
    assert "đã có kết quả" in exc.value.messages[0]
    with pytest.raises(ValidationError):
        s.remove_duty(actor=secretary, duty=duty)
    duty.refresh_from_db()
    assert duty.text == "Vận động 6 hộ"


def test_a_duty_assigned_by_mistake_is_removed_and_the_log_keeps_it(secretary, cell, pom):
    duty = assign(secretary, cell, pom)
    s.remove_duty(actor=secretary, duty=duty)
    assert not Duty.objects.exists()
    assert AuditLog.objects.get(action="reviews.duty_remove").before["text"].startswith("Vận")


def test_the_outcome_shares_feed_the_engine(world, secretary, cell, pom):
    outcomes = ["done"] * 3 + ["late"] * 2 + ["exceeded"] + ["not_done"] * 3
    for i, outcome in enumerate(outcomes):
        due = D(2026, 3, 31)
        on = {"late": D(2026, 4, 10), "not_done": D(2026, 4, 1)}.get(outcome, D(2026, 3, 20))
        duty = assign(secretary, cell, pom, text=f"Việc {i}", due_on=due)
        s.set_outcome(actor=secretary, duty=duty, outcome=outcome, outcome_on=on)
    assign(secretary, cell, pom, text="Việc chưa đến hạn", due_on=D(2026, 12, 31))
    # Neither another member's duties nor another year's count.
    assign(secretary, cell, make_member(cell, "Lò Thị Khác"))
    Duty.objects.create(
        member=pom, unit=cell, year=2025, text="Năm trước", due_on=D(2025, 6, 1),
        assigned_on=D(2025, 1, 5), outcome="not_done", outcome_on=D(2025, 6, 2),
    )  # fmt: skip
    tasks = task_shares(pom, 2026)
    assert tasks == engine.Tasks(done=3, late=2, exceeded=1, not_done=3, open=1)
    assert tasks.total == 10 and tasks.completed == 6
    assert tasks.share(tasks.late) == pytest.approx(0.2)
    # What the engine reads: under QĐ 366 a task not done keeps a member below HTNV, and the
    # explanation cites the counts recorded here.
    result = engine.rate_member(
        engine.MemberFacts(year=2026, points=95, tasks=tasks),
        packs.for_year(2026).rules(cell, 2026),
    )
    assert result.level == Level.FAILED
    assert any("(chậm 2/10)" in line.text for line in result.lines)
    # Under QĐ 124 only the floor of half the tasks done applies: 6 of 12 holds, 6 of 13 fails.
    rules = packs.for_year(2024).rules(cell, 2024)
    for i in range(3):
        duty = assign(secretary, cell, pom, text=f"Thêm {i}", due_on=D(2026, 2, 28))
        s.set_outcome(actor=secretary, duty=duty, outcome="not_done", outcome_on=D(2026, 3, 1))
        tasks = task_shares(pom, 2026)
        level = engine.rate_member(
            engine.MemberFacts(year=2024, chosen=Level.GOOD, tasks=tasks), rules
        )
        assert (tasks.completed, tasks.total) == (6, 11 + i)
        assert (level.level == Level.FAILED) == (i == 2), level.lines


def test_a_member_pledges_once_a_year_and_may_change_it(secretary, cell, pom):
    p = s.pledge(
        actor=secretary, unit=cell, member=pom, year=2026, level="htt", text="Gương mẫu",
        pledged_on=D(2026, 1, 10),
    )  # fmt: skip
    again = s.pledge(actor=secretary, unit=cell, member=pom, year=2026, level="htxs")
    assert again.pk == p.pk and Pledge.objects.count() == 1
    again.refresh_from_db()
    assert (again.level, again.text, again.pledged_on) == ("htxs", "", D(2026, 6, 20))
    change = AuditLog.objects.get(action="reviews.pledge_change")
    assert (change.before["level"], change.after["level"]) == ("htt", "htxs")
    with pytest.raises(ValidationError) as exc:
        s.pledge(actor=secretary, unit=cell, member=pom, year=2026, level="xuat sac")
    assert "Hãy chọn mức phấn đấu" in " ".join(exc.value.messages)
    with pytest.raises(PermissionDenied):
        s.pledge(actor=make_user("x", None), unit=cell, member=pom, year=2026, level="ht")
    assert Pledge.objects.get().level == "htxs"


def test_an_organization_pledges_its_level(world, cell):
    p = s.pledge_unit(actor=world.official_a, unit=world.commune_a, year=2026, level="htxs")
    assert (p.member, p.unit, p.level) == (None, world.commune_a, "htxs")
    s.pledge_unit(actor=world.official_a, unit=world.commune_a, year=2026, level="htt")
    assert Pledge.objects.get().level == "htt"
    with pytest.raises(PermissionDenied):
        s.pledge_unit(actor=world.viewer_a, unit=world.commune_a, year=2026, level="ht")
    with pytest.raises(PermissionDenied):
        s.pledge_unit(actor=world.official_b, unit=world.commune_a, year=2026, level="ht")


def test_a_decided_round_locks_the_years_duties_and_pledges(world, secretary, cell, pom):
    duty = assign(secretary, cell, pom, due_on=D(2026, 3, 31))
    s.pledge(actor=secretary, unit=cell, member=pom, year=2026, level="htt")
    Round.objects.create(
        unit=cell, year=2026, pack="366", status=RoundStatus.DECIDED, opened_on=D(2026, 6, 1)
    )
    before = changes()
    for call in (
        lambda: assign(secretary, cell, pom),
        lambda: s.set_outcome(actor=secretary, duty=duty, outcome="done", outcome_on=D(2026, 3, 1)),
        lambda: s.pledge(actor=secretary, unit=cell, member=pom, year=2026, level="htxs"),
        lambda: s.edit_duty(actor=secretary, duty=duty, text="Khác", due_on=D(2026, 4, 1)),
    ):
        with pytest.raises(ValidationError) as exc:
            call()
        assert "đã được quyết định" in exc.value.messages[0]
    assert changes() == before
    assert Pledge.objects.get().level == "htt"


def test_a_recorded_rating_locks_the_members_year(world, secretary, cell, pom):
    from chibo.reviews.services.history import record_rating

    record_rating(
        actor=SYSTEM, year=2026, unit=cell, member=pom, label="htt", decided_on=D(2026, 6, 1)
    )
    with pytest.raises(ValidationError):
        s.pledge(actor=secretary, unit=cell, member=pom, year=2026, level="htxs")


# --- Pages ------------------------------------------------------------------------------------


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def page(cell, year=2026):
    return reverse("reviews:duties", args=[cell.pk]) + f"?year={year}"


def test_the_page_turns_away_anonymous_users(client, cell):
    resp = client.get(page(cell))
    assert resp.status_code == 302 and resp["Location"].startswith("/accounts/login/")


def test_the_page_is_not_found_outside_the_scope(client, world, cell, pom, secretary):
    duty = assign(secretary, cell, pom)
    login(client, world.official_b)
    assert client.get(page(cell)).status_code == 404
    resp = client.post(
        reverse("reviews:duty_outcome", args=[duty.pk]),
        {"outcome": "done", "outcome_on": "2026-06-01"},
    )
    assert resp.status_code == 404
    # A cell's member reads their own duties on their page, never the cell's list.
    user = make_user("lo.van.pom", cell, Role.MEMBER)
    pom.user = user
    pom.save(update_fields=["user"])
    login(client, user)
    assert client.get(page(cell)).status_code == 404


def test_read_only_readers_see_the_list_without_its_controls(client, world, cell, pom, secretary):
    duty = assign(secretary, cell, pom)
    login(client, world.viewer_a)
    html = client.get(page(cell)).content.decode()
    assert "Vận động 5 hộ làm nhà tiêu hợp vệ sinh" in html
    assert 'data-testid="add-duty"' not in html and "Ghi kết quả" not in html
    assert "Sửa nhiệm vụ" not in html and "Ghi đăng ký của tổ chức" not in html
    for url, body in (
        (reverse("reviews:duty_add", args=[cell.pk]), {"member": pom.pk}),
        (reverse("reviews:duty_outcome", args=[duty.pk]), {"outcome": "done"}),
        (reverse("reviews:duty_edit", args=[duty.pk]), {}),
        (reverse("reviews:duty_remove", args=[duty.pk]), {"confirm": "1"}),
        (reverse("reviews:pledge", args=[cell.pk]), {}),
        (reverse("reviews:unit_pledge", args=[cell.pk]), {}),
    ):
        assert client.post(url, body).status_code == 403, url
    assert Duty.objects.get().outcome == "" and not Pledge.objects.exists()


def test_the_secretary_assigns_records_and_pledges_from_the_page(client, cell, pom, secretary):
    login(client, secretary)
    html = client.get(page(cell)).content.decode()
    assert 'data-testid="add-duty"' in html and "Lò Văn Pọm" in html
    resp = client.post(
        reverse("reviews:duty_add", args=[cell.pk]),
        {
            "year": "2026",
            "member": pom.pk,
            "text": "Theo dõi 10 hộ xóm Đông",
            "area": "Xóm Đông",
            "target": "10 hộ",
            "due_on": "2026-06-10",
            "assigned_on": "2026-01-08",
        },
    )
    assert resp.status_code == 302
    duty = Duty.objects.get()
    assert (duty.text, duty.due_on, duty.assigned_on) == (
        "Theo dõi 10 hộ xóm Đông",
        D(2026, 6, 10),
        D(2026, 1, 8),
    )
    # A "done" after the due date is refused in the service's words; nothing changes.
    resp = client.post(
        reverse("reviews:duty_outcome", args=[duty.pk]),
        {"outcome": "done", "outcome_on": "2026-06-15"},
        follow=True,
    )
    assert "là “Hoàn thành chậm”" in resp.content.decode()
    duty.refresh_from_db()
    assert duty.outcome == ""
    client.post(
        reverse("reviews:duty_outcome", args=[duty.pk]),
        {"outcome": "late", "outcome_on": "2026-06-15", "note": "xong 10 hộ"},
    )
    duty.refresh_from_db()
    assert (duty.outcome, duty.outcome_on) == ("late", D(2026, 6, 15))
    client.post(
        reverse("reviews:pledge", args=[cell.pk]),
        {"year": "2026", "member": pom.pk, "level": "htt", "text": "Không vi phạm"},
    )
    client.post(reverse("reviews:unit_pledge", args=[cell.pk]), {"year": "2026", "level": "htxs"})
    assert Pledge.objects.get(member=pom).level == "htt"
    assert Pledge.objects.get(member=None, unit=cell).level == "htxs"
    html = client.get(page(cell)).content.decode()
    assert "Hoàn thành chậm" in html and "Hoàn thành tốt nhiệm vụ" in html
    assert "Hoàn thành xuất sắc nhiệm vụ" in html


def test_removing_a_duty_asks_first(client, cell, pom, secretary):
    duty = assign(secretary, cell, pom)
    login(client, secretary)
    url = reverse("reviews:duty_remove", args=[duty.pk])
    resp = client.post(url)
    assert resp.status_code == 200 and 'data-testid="confirm"' in resp.content.decode()
    assert Duty.objects.exists()
    assert client.post(url, {"confirm": "1"}).status_code == 302
    assert not Duty.objects.exists()


def test_the_list_exports_what_the_page_shows(client, world, cell, pom, secretary):
    duty = assign(secretary, cell, pom, due_on=D(2026, 3, 31))
    s.set_outcome(actor=secretary, duty=duty, outcome="exceeded", outcome_on=D(2026, 3, 30))
    login(client, world.viewer_a)
    resp = client.get(page(cell) + "&format=xlsx")
    assert resp.status_code == 200
    ws = load_workbook(io.BytesIO(b"".join(resp.streaming_content))).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:2] == ("Đảng viên", "Nhiệm vụ")
    assert rows[1][0] == "Lò Văn Pọm" and rows[1][6] == "Vượt mức"
    assert len(rows) == 2
    log = AuditLog.objects.get(action="export.duties")
    assert log.actor == world.viewer_a and log.after == {"rows": 1, "filters": {"year": 2026}}
    login(client, world.official_b)
    assert client.get(page(cell) + "&format=xlsx").status_code == 404


# --- The member page and the meeting's agenda ---------------------------------------------------


def test_the_member_page_shows_the_years_duties_and_pledge(client, world, cell, pom, secretary):
    done = assign(secretary, cell, pom, text="Tuyên truyền", due_on=D(2026, 3, 31))
    s.set_outcome(actor=secretary, duty=done, outcome="done", outcome_on=D(2026, 3, 1))
    assign(secretary, cell, pom, text="Vận động hộ nghèo")
    s.pledge(actor=secretary, unit=cell, member=pom, year=2026, level="htt")
    login(client, world.official_a)
    html = client.get(reverse("members:detail", args=[pom.pk])).content.decode()
    assert "Nhiệm vụ được phân công, đăng ký phấn đấu năm 2026" in html
    assert "Tuyên truyền" in html and "Vận động hộ nghèo" in html
    assert "Hoàn thành: 1 (50,0 %) · Chưa có kết quả: 1 (50,0 %)" in html
    assert "Hoàn thành tốt nhiệm vụ" in html
    assert reverse("reviews:duties", args=[cell.pk]) in html  # the editor's way to the list
    login(client, world.viewer_a)
    html = client.get(reverse("members:detail", args=[pom.pk])).content.decode()
    assert "Tuyên truyền" in html and reverse("reviews:duties", args=[cell.pk]) not in html


def test_the_monthly_meeting_reviews_the_duties_due(world, cell, pom, secretary):
    tay = make_member(cell, "Lường Văn Tày")
    june = [D(2026, 6, 5), D(2026, 6, 12), D(2026, 6, 30)]
    duties = [
        assign(secretary, cell, m, due_on=d) for m, d in zip([pom, tay, pom], june, strict=True)
    ]
    s.set_outcome(actor=secretary, duty=duties[0], outcome="done", outcome_on=D(2026, 6, 5))
    s.set_outcome(actor=secretary, duty=duties[1], outcome="not_done", outcome_on=D(2026, 6, 13))
    assign(secretary, cell, pom, due_on=D(2026, 5, 20))  # overdue, no outcome
    assign(secretary, cell, pom, due_on=D(2026, 7, 20))  # next month's
    meeting = meetings.add_meeting(
        actor=world.official_a, unit=cell, kind=MeetingKind.REGULAR, planned_on=D(2026, 6, 25)
    )
    agenda = preparation.agenda_template(meeting)
    assert (
        "Kiểm điểm việc thực hiện nhiệm vụ được phân công tháng 6/2026: 3 việc đến hạn trong "
        "tháng, 2 việc chưa hoàn thành; 1 việc quá hạn từ các tháng trước chưa có kết quả"
    ) in agenda
    # A meeting early in July reviews June, as the agenda's other review line does.
    early = meetings.add_meeting(
        actor=world.official_a, unit=cell, kind=MeetingKind.REGULAR, planned_on=D(2026, 7, 3)
    )
    assert any("tháng 6/2026: 3 việc" in line for line in preparation.agenda_template(early))
    # Another cell's meeting gets no line.
    other = meetings.add_meeting(
        actor=world.official_a,
        unit=world.cells_a[1],
        kind=MeetingKind.REGULAR,
        planned_on=D(2026, 6, 25),
    )
    assert not any(
        "Kiểm điểm việc thực hiện" in line for line in preparation.agenda_template(other)
    )


def test_the_unit_page_leads_to_the_duties(client, world, cell):
    login(client, world.viewer_a)
    html = client.get(reverse("org:unit", args=[cell.pk])).content.decode()
    assert reverse("reviews:duties", args=[cell.pk]) + "?year=2026" in html
    follower = make_user("theo.doi", cell, Role.FOLLOWER)  # reads meetings, not records
    login(client, follower)
    html = client.get(reverse("org:unit", args=[cell.pk])).content.decode()
    assert reverse("reviews:duties", args=[cell.pk]) not in html


# --- API --------------------------------------------------------------------------------------


def api_post(client, url, body):
    import json

    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_the_api_assigns_records_and_lists(client, world, cell, pom, secretary):
    login(client, secretary)
    body = {
        "unit_id": cell.pk,
        "member_id": pom.pk,
        "year": 2026,
        "text": "Theo dõi 10 hộ",
        "area": "Xóm Đông",
        "due_on": "2026-05-31",
        "assigned_on": "2026-01-08",
    }
    resp = api_post(client, "/api/v1/reviews/duties", body)
    assert resp.status_code == 201, resp.content
    duty_id = resp.json()["id"]
    assert resp.json()["member_name"] == "Lò Văn Pọm"
    # The rules answer 400 in Vietnamese and nothing changes.
    resp = api_post(
        client,
        f"/api/v1/reviews/duties/{duty_id}/outcome",
        {"outcome": "done", "outcome_on": "2026-06-01"},
    )
    assert resp.status_code == 400
    assert "Hoàn thành chậm" in resp.json()["detail"][0]
    resp = api_post(
        client,
        f"/api/v1/reviews/duties/{duty_id}/outcome",
        {"outcome": "late", "outcome_on": "2026-06-01", "note": "chậm 1 ngày"},
    )
    assert resp.status_code == 200 and resp.json()["outcome"] == "late"
    resp = api_post(
        client,
        "/api/v1/reviews/pledges",
        {"unit_id": cell.pk, "member_id": pom.pk, "year": 2026, "level": "htt"},
    )
    assert resp.status_code == 200 and resp.json()["level"] == "htt"
    resp = api_post(
        client, "/api/v1/reviews/pledges", {"unit_id": cell.pk, "year": 2026, "level": "htxs"}
    )
    assert resp.status_code == 200 and resp.json()["member_id"] is None
    data = client.get(f"/api/v1/reviews/duties?unit_id={cell.pk}&year=2026").json()
    assert [d["text"] for d in data["duties"]] == ["Theo dõi 10 hộ"]
    assert data["shares"] == {
        "done": 0,
        "late": 1,
        "exceeded": 0,
        "not_done": 0,
        "open": 0,
        "total": 1,
    }
    assert sorted(p["level"] for p in data["pledges"]) == ["htt", "htxs"]
    # A read-only reader lists but does not write.
    login(client, world.viewer_a)
    assert client.get(f"/api/v1/reviews/duties?unit_id={cell.pk}&year=2026").status_code == 200
    assert api_post(client, "/api/v1/reviews/duties", body).status_code == 403
    assert Duty.objects.count() == 1


def test_the_page_reads_a_fixed_number_of_queries(client, cell, pom, secretary):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(page(cell)).status_code == 200
        return len(ctx.captured_queries)

    assign(secretary, cell, pom)
    login(client, secretary)
    few = count()
    for name in ("Lò Văn Một", "Lò Văn Hai", "Lò Văn Ba"):
        m = make_member(cell, name)
        assign(secretary, cell, m)
        assign(secretary, cell, m, text="Việc thứ hai")
        s.pledge(actor=secretary, unit=cell, member=m, year=2026, level="ht")
    assert count() == few


def test_a_decided_year_shows_no_controls(client, cell, pom, secretary):
    assign(secretary, cell, pom)
    Round.objects.create(
        unit=cell, year=2026, pack="366", status=RoundStatus.DECIDED, opened_on=D(2026, 6, 1)
    )
    login(client, secretary)
    html = client.get(page(cell)).content.decode()
    assert 'data-testid="locked"' in html and "Vận động 5 hộ" in html
    assert 'data-testid="add-duty"' not in html and "Ghi kết quả" not in html
    # Last year's page is the secretary's to fill still.
    assert 'data-testid="add-duty"' in client.get(page(cell, 2025)).content.decode()
