"""Criteria sets: built from the version's framework or copied from last year, edited within
the totals, in the committee's scope on the day; the set that applies to a unit."""

from __future__ import annotations

import copy
import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from chibo.accounts.choices import Role
from chibo.audit.models import AuditLog
from chibo.core.actors import SYSTEM
from chibo.org.choices import CellType, UnitKind
from chibo.org.services import MoveUnit
from chibo.reviews.choices import PersonKind, Step
from chibo.reviews.models import Assessment, CriteriaSet, Round
from chibo.reviews.services import criteria as svc
from tests.world import World, decision, make_unit, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.today("2026-03-10")]

ORG, MEMBER = CriteriaSet.Subject.ORG, CriteriaSet.Subject.MEMBER

# The QĐ 366 framework for members as written in the pack (asserted literally, not read back).
MEMBER_366 = [
    ("1", 30, [("1.1", 10, False), ("1.2", 10, False), ("1.3", 10, False)]),
    ("2", 70, [("2.1", 40, True), ("2.2", 15, True), ("2.3", 15, False)]),
]


def shape(groups):
    return [
        (g["code"], g["max_points"], [(c["code"], c["max_points"], c["quantitative"]) for c in cs])
        for g in groups
        for cs in [g["criteria"]]
    ]


def new_set(w: World, year=2026, subject=MEMBER, **kw) -> CriteriaSet:
    return svc.create_from_framework(
        actor=w.official_a, owner=w.commune_a, year=year, subject=subject, **kw
    )


def rows() -> list[tuple]:
    return list(CriteriaSet.objects.values_list("id", "name", "groups", "updated_at"))


def test_it_builds_a_set_from_the_framework_of_the_year(world):
    s = new_set(world, person_kind=PersonKind.LEADER)
    assert (s.pack, s.year, s.created_on, s.owner) == (
        "q366_hd43",
        2026,
        dt.date(2026, 3, 10),
        world.commune_a,
    )
    assert shape(s.groups) == MEMBER_366
    assert s.max_points == 100
    assert "giữ chức vụ lãnh đạo" in s.name and "2026" in s.name
    log = AuditLog.objects.get(action="reviews.criteria_create", object_id=str(s.pk))
    assert log.unit_id == world.commune_a.pk and log.actor == world.official_a


def test_a_second_set_for_the_same_key_is_refused(world):
    new_set(world)
    with pytest.raises(ValidationError, match="đã có bộ tiêu chí năm 2026"):
        new_set(world)
    assert CriteriaSet.objects.count() == 1


def test_a_copy_keeps_the_edited_structure_and_where_it_came_from(world):
    old = new_set(world, year=2025, subject=ORG, org_type="cell:village")
    groups = copy.deepcopy(old.groups)
    groups[1]["criteria"][0]["text"] = "Phát triển kinh tế thôn, bản"
    groups[1]["criteria"][0]["max_points"] = 45
    groups[1]["criteria"][1]["max_points"] = 25
    svc.edit(actor=world.official_a, criteria_set=old, groups=groups)
    new = svc.copy_last_year(
        actor=world.official_a,
        owner=world.commune_a,
        year=2026,
        subject=ORG,
        org_type="cell:village",
    )
    assert new.copied_from == old and new.year == 2026 and new.org_type == "cell:village"
    assert new.groups[1]["criteria"][0]["text"] == "Phát triển kinh tế thôn, bản"
    assert shape(new.groups) == [
        ("1", 30, [("1.1", 10, False), ("1.2", 10, True), ("1.3", 10, True)]),
        ("2", 70, [("2.1", 45, True), ("2.2", 25, False)]),
    ]
    assert "2026" in new.name and "2025" not in new.name
    assert AuditLog.objects.filter(action="reviews.criteria_copy", object_id=str(new.pk)).exists()


def test_copying_last_year_needs_last_years_set(world):
    with pytest.raises(ValidationError, match="Năm 2025 .* chưa có bộ tiêu chí"):
        svc.copy_last_year(actor=world.official_a, owner=world.commune_a, year=2026, subject=ORG)
    assert not CriteriaSet.objects.exists()


def _bad(groups, message, w, s):
    before = rows()
    logs = AuditLog.objects.count()
    with pytest.raises(ValidationError) as exc:
        svc.edit(actor=w.official_a, criteria_set=s, groups=groups)
    assert any(message in m for m in exc.value.messages), exc.value.messages
    assert rows() == before and AuditLog.objects.count() == logs


def test_the_points_must_add_up_and_nothing_changes_on_bad_input(world):
    s = new_set(world)
    g = copy.deepcopy(s.groups)
    g[0]["max_points"] = 20  # 20 + 70 = 90, and group 1's criteria add up to 30
    g[0]["criteria"][0]["max_points"] = 5
    g[0]["criteria"][1]["max_points"] = 5
    _bad(g, "Tổng điểm các nhóm là 90, phải bằng 100 điểm", world, s)

    g = copy.deepcopy(s.groups)
    g[0]["criteria"][0]["max_points"] = 31
    _bad(g, "Nhóm 1, tiêu chí 1: 31 điểm, quá điểm tối đa của nhóm (30 điểm)", world, s)

    g = copy.deepcopy(s.groups)
    g[1]["criteria"][0]["max_points"] = 35
    _bad(g, "Nhóm 2: các tiêu chí cộng lại 65 điểm, khác điểm tối đa của nhóm (70)", world, s)

    g = copy.deepcopy(s.groups)
    g[0]["criteria"][2]["max_points"] = "mười"
    g[1]["name"] = "  "
    _bad(g, "Nhóm 1, tiêu chí 3: điểm tối đa phải là một số.", world, s)
    _bad(g, "Nhóm 2: chưa ghi tên nhóm.", world, s)
    _bad([], "ít nhất một nhóm", world, s)
    one = [{"name": "Một nhóm", "max_points": 100, "criteria": []}]
    _bad(one, "ít nhất một tiêu chí", world, s)
    with pytest.raises(ValidationError):
        svc.edit(actor=world.official_a, criteria_set=s, name="")
    s.refresh_from_db()
    assert shape(s.groups) == MEMBER_366


def test_an_edit_that_adds_up_is_saved_and_audited(world):
    s = new_set(world)
    g = copy.deepcopy(s.groups)
    g[0]["max_points"] = 25
    g[0]["criteria"] = [{"text": "Tư tưởng, đạo đức", "max_points": 25}]
    g[1]["max_points"] = 75
    g[1]["criteria"].append({"text": "Công tác dân vận", "max_points": "5", "quantitative": True})
    svc.edit(actor=world.official_a, criteria_set=s, groups=g, name="Tiêu chí đảng viên 2026")
    s.refresh_from_db()
    assert s.name == "Tiêu chí đảng viên 2026"
    assert shape(s.groups) == [
        ("1", 25, [("1.1", 25, False)]),
        ("2", 75, [("2.1", 40, True), ("2.2", 15, True), ("2.3", 15, False), ("2.4", 5, True)]),
    ]
    log = AuditLog.objects.get(action="reviews.criteria_edit")
    assert log.before["name"] != log.after["name"] and "groups" in log.after


def test_only_a_committee_with_change_today_writes(world, today):
    s = new_set(world)
    ended = make_user("het.han", world.commune_a, Role.OFFICIAL, valid_to=today)
    for actor in (world.official_b, world.viewer_a, ended):
        with pytest.raises(PermissionDenied):
            svc.create_from_framework(actor=actor, owner=world.commune_a, year=2026, subject=ORG)
        with pytest.raises(PermissionDenied):
            svc.edit(actor=actor, criteria_set=s, name="Đổi tên")
        with pytest.raises(PermissionDenied):
            svc.delete(actor=actor, criteria_set=s)
    # Another committee's set: commune B's official may not copy commune A's set into B.
    with pytest.raises(PermissionDenied):
        svc.copy_set(actor=world.official_b, source=s, owner=world.commune_b, year=2027)
    # A cell is not a committee that issues criteria sets, even for its own official.
    cell_official = make_user("bithu", world.cells_a[0], Role.OFFICIAL)
    with pytest.raises(ValidationError, match="không phải cấp đó"):
        svc.create_from_framework(
            actor=cell_official, owner=world.cells_a[0], year=2026, subject=ORG
        )
    assert CriteriaSet.objects.count() == 1
    assert CriteriaSet.objects.get().name == s.name


def test_the_date_of_issue_is_checked(world):
    with pytest.raises(ValidationError, match="sau hôm nay"):
        new_set(world, created_on=dt.date(2026, 3, 11))
    with pytest.raises(ValidationError, match="2027–2029"):
        new_set(world, year=2028, created_on=dt.date(2026, 1, 5))
    assert not CriteriaSet.objects.exists()


def test_a_past_year_is_judged_by_its_own_older_pack(world):
    # 2024 is rated under QĐ 124, for which chibo holds no framework: no set can be built.
    with pytest.raises(ValidationError, match="Quy định 124-QĐ/TW"):
        new_set(world, year=2024)
    # A set recorded under QĐ 124 (e.g. imported) is not copied into a QĐ 366 year,
    legacy = CriteriaSet.objects.create(
        owner=world.commune_a,
        year=2024,
        pack="q124_hd25",
        subject=MEMBER,
        name="Tiêu chí 2024",
        groups=[{"code": "1", "name": "Chung", "max_points": 100, "criteria": []}],
        created_on=dt.date(2024, 1, 10),
    )
    with pytest.raises(ValidationError, match="không sao chép được giữa hai quy định"):
        svc.copy_set(actor=world.official_a, source=legacy, year=2025)
    # … and a set whose pack is not the one in force for its year is not edited.
    CriteriaSet.objects.filter(pk=legacy.pk).update(year=2025)
    legacy.refresh_from_db()
    with pytest.raises(ValidationError, match="không sửa được"):
        svc.edit(actor=world.official_a, criteria_set=legacy, name="Đổi tên")
    assert CriteriaSet.objects.count() == 1


def _assess(s: CriteriaSet, unit) -> Assessment:
    r = Round.objects.create(unit=unit, year=s.year, pack=s.pack, opened_on=dt.date(2026, 3, 1))
    return Assessment.objects.create(round=r, unit=unit, step=Step.SELF, criteria_set=s)


def test_a_used_set_keeps_its_criteria_and_is_not_deleted(world):
    s = new_set(world, subject=ORG)
    _assess(s, world.cells_a[0])
    g = copy.deepcopy(s.groups)
    g[0]["criteria"][0]["text"] = "Khác đi"
    _bad(g, "đã dùng để chấm 1 phiếu", world, s)
    svc.edit(actor=world.official_a, criteria_set=s, name="Tên mới")  # the name may change
    with pytest.raises(ValidationError, match="không xóa được"):
        svc.delete(actor=world.official_a, criteria_set=s)
    assert CriteriaSet.objects.filter(pk=s.pk, name="Tên mới").exists()


def test_an_unused_set_is_deleted_with_its_audit_row(world):
    s = new_set(world)
    svc.delete(actor=world.official_a, criteria_set=s)
    assert not CriteriaSet.objects.exists()
    log = AuditLog.objects.get(action="reviews.criteria_delete")
    assert log.before["name"] == s.name and log.unit_id == world.commune_a.pk


# --- set_for ---------------------------------------------------------------------------------


@pytest.fixture
def sets(world):
    """The province's set for any organization, commune A's for village cells and for any."""
    tinh = make_user("tinh.tochuc", world.province, Role.OFFICIAL)
    province = svc.create_from_framework(actor=tinh, owner=world.province, year=2026, subject=ORG)
    village = new_set(world, subject=ORG, org_type="cell:village", name="Thôn bản A")
    anyone = new_set(world, subject=ORG, name="Mọi tổ chức A")
    leader = new_set(world, person_kind=PersonKind.LEADER, name="Lãnh đạo A")
    return {"province": province, "village": village, "any": anyone, "leader": leader}


def test_the_nearest_committee_and_the_unit_type_decide(world, sets):
    assert svc.set_for(world.cells_a[0], 2026, ORG) == sets["village"]
    school = make_unit(world.commune_a, UnitKind.CELL, "Chi bộ trường", cell_type=CellType.SCHOOL)
    assert svc.set_for(school, 2026, ORG) == sets["any"]
    assert svc.set_for(world.cell_b, 2026, ORG) == sets["province"]
    # A commune itself is rated by the set of the committee above it, not by its own.
    assert svc.set_for(world.commune_a, 2026, ORG) == sets["province"]
    assert svc.set_for(world.cells_a[0], 2026, MEMBER, person_kind="leader") == sets["leader"]


def test_without_a_set_the_framework_applies(world, sets):
    fw = svc.set_for(world.cells_a[0], 2026, MEMBER, person_kind=PersonKind.MEMBER)
    assert fw.pk is None and fw.pack == "q366_hd43" and shape(fw.groups) == MEMBER_366
    assert svc.set_for(world.cells_a[0], 2027, ORG).pk is None  # no set for 2027 yet
    assert svc.set_for(world.cells_a[0], 2024, ORG) is None  # QĐ 124: no framework in chibo


def test_the_tree_of_the_year_decides(world, sets):
    cell = world.cells_a[1]
    MoveUnit(decision(dt.date(2026, 2, 1), "21"), unit=cell, new_parent=world.commune_b).execute(
        actor=SYSTEM
    )
    # On 31/12/2026 the cell lies in commune B (no set of its own): the province's applies.
    assert svc.set_for(cell, 2026, ORG) == sets["province"]
    # Asked on a day before the move, commune A's set for village cells.
    assert svc.set_for(cell, 2026, ORG, on=dt.date(2026, 1, 15)) == sets["village"]


# --- Pages -------------------------------------------------------------------------------------


def _login(client, user):
    client.force_login(user)
    return client


def test_the_pages_answer_four_ways(client, world):
    s = new_set(world, subject=ORG)
    detail = reverse("reviews:criteria_detail", args=[s.pk])
    edit_url = reverse("reviews:criteria_edit", args=[s.pk])
    assert client.get(detail).status_code == 302  # anonymous: to the login page
    _login(client, world.official_b)
    assert client.get(detail).status_code == 404
    assert client.post(edit_url, {"name": "x", "groups": "0"}).status_code == 404
    _login(client, world.viewer_a)
    page = client.get(detail).content.decode()
    assert s.name in page and 'data-testid="criteria-edit"' not in page
    assert client.get(edit_url).status_code == 403
    assert client.post(edit_url, {"name": "x", "groups": "0"}).status_code == 403
    _login(client, world.official_a)
    assert 'data-testid="criteria-edit"' in client.get(detail).content.decode()
    assert client.get(edit_url).status_code == 200
    s.refresh_from_db()
    assert s.name != "x"


def test_the_row_editor_saves_and_refuses_with_the_typed_text_kept(client, world):
    s = new_set(world)
    _login(client, world.official_a)
    url = reverse("reviews:criteria_edit", args=[s.pk])
    body = {
        "name": "Tiêu chí đảng viên thôn bản",
        "groups": "3",
        "g0-name": "Tư tưởng, đạo đức, lối sống",
        "g0-max": "30",
        "g0-lines": "Tư tưởng chính trị | 15\nĐạo đức, lối sống | 15",
        "g1-name": "Thực hiện nhiệm vụ",
        "g1-max": "70",
        "g1-lines": "Nhiệm vụ được giao | 50 | định lượng\n\nNêu gương nơi cư trú | 20",
        "g2-name": "",
        "g2-max": "",
        "g2-lines": "",
    }
    bad = {**body, "g1-lines": "Nhiệm vụ được giao | 55 | định lượng\nNêu gương | 20"}
    resp = client.post(url, bad)
    assert resp.status_code == 400
    page = resp.content.decode()
    assert "các tiêu chí cộng lại 75 điểm" in page and "Nhiệm vụ được giao | 55" in page
    s.refresh_from_db()
    assert shape(s.groups) == MEMBER_366
    resp = client.post(url, {**body, "g0-lines": "Tư tưởng chính trị ; 15"})
    assert resp.status_code == 400 and "nội dung | điểm tối đa" in resp.content.decode()
    assert client.post(url, body).status_code == 302
    s.refresh_from_db()
    assert s.name == "Tiêu chí đảng viên thôn bản"
    assert shape(s.groups) == [
        ("1", 30, [("1.1", 15, False), ("1.2", 15, False)]),
        ("2", 70, [("2.1", 50, True), ("2.2", 20, False)]),
    ]


def test_the_create_page_builds_or_copies(client, world):
    _login(client, world.official_a)
    url = reverse("reviews:criteria_create", args=[world.commune_a.pk])
    body = {
        "source": "framework",
        "year": "2025",
        "subject": "org",
        "org_type": "cell:village",
        "person_kind": "",
        "name": "",
        "created_on": "2026-03-10",
    }
    assert client.post(url, body).status_code == 302
    old = CriteriaSet.objects.get(year=2025)
    listing = client.get(reverse("reviews:criteria_list", args=[world.commune_a.pk]) + "?year=2026")
    assert "Sao chép sang năm 2026" in listing.content.decode()
    assert client.post(url, {**body, "source": "copy", "year": "2026"}).status_code == 302
    assert CriteriaSet.objects.get(year=2026).copied_from == old
    resp = client.post(url, {**body, "source": "copy", "year": "2026", "org_type": "cell:school"})
    assert resp.status_code == 400 and "chưa có bộ tiêu chí" in resp.content.decode()
    assert CriteriaSet.objects.count() == 2


def test_delete_asks_first(client, world):
    s = new_set(world)
    _login(client, world.official_a)
    url = reverse("reviews:criteria_delete", args=[s.pk])
    assert 'data-testid="confirm-delete"' in client.get(url).content.decode()
    assert client.post(url, {}).status_code == 200  # no confirmation: asks again
    assert CriteriaSet.objects.filter(pk=s.pk).exists()
    assert client.post(url, {"confirm": "1"}).status_code == 302
    assert not CriteriaSet.objects.filter(pk=s.pk).exists()


# --- API ---------------------------------------------------------------------------------------

API = "/api/v1/reviews/criteria-sets/"


def _post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_the_api_creates_copies_and_edits_through_the_services(client, world):
    _login(client, world.official_a)
    resp = _post(client, API, {"owner_id": world.commune_a.pk, "year": 2025, "subject": "org"})
    assert resp.status_code == 201, resp.content
    old = resp.json()
    assert (old["pack"], old["max_points"], old["framework_total"]) == ("q366_hd43", 100, 100)
    assert [g["max_points"] for g in old["groups"]] == [30, 70]
    body = {"owner_id": world.commune_a.pk, "year": 2026, "source": "copy"}
    resp = _post(client, API, {**body, "copy_from_id": old["id"]})
    assert resp.status_code == 201 and resp.json()["copied_from_id"] == old["id"]
    new = resp.json()
    groups = new["groups"]
    groups[0]["max_points"] = 40  # 40 + 70 ≠ 100: refused, nothing changed
    resp = _post(client, f"{API}{new['id']}", {"groups": groups})
    assert resp.status_code == 400
    assert any("Nhóm 1: các tiêu chí cộng lại 30 điểm" in m for m in resp.json()["detail"])
    resp = _post(client, f"{API}{new['id']}", {"name": "Tiêu chí 2026"})
    assert resp.status_code == 200 and resp.json()["name"] == "Tiêu chí 2026"
    listed = client.get(f"{API}?unit_id={world.commune_a.pk}&year=2026").json()
    assert [(s["id"], s["max_points"]) for s in listed] == [(new["id"], 100)]
    # Another committee's set is not there for commune B; a reader may not write.
    _login(client, world.official_b)
    assert client.get(f"{API}{new['id']}").status_code == 404
    _login(client, world.viewer_a)
    assert client.get(f"{API}{new['id']}").json()["can_edit"] is False
    assert _post(client, f"{API}{new['id']}", {"name": "x"}).status_code == 403
    assert CriteriaSet.objects.get(pk=new["id"]).name == "Tiêu chí 2026"


def test_a_committees_page_links_to_its_criteria_sets(client, world):
    _login(client, world.viewer_a)
    commune = client.get(reverse("org:unit", args=[world.commune_a.pk])).content.decode()
    assert reverse("reviews:criteria_list", args=[world.commune_a.pk]) in commune
    cell = client.get(reverse("org:unit", args=[world.cells_a[0].pk])).content.decode()
    assert 'data-testid="criteria-links"' not in cell
