import datetime as dt

from chibo.core.actors import SYSTEM
from chibo.org import selectors
from chibo.org.models import Lineage, Unit
from tests.world import PASSWORD, decision


def test_it_previews_a_split_without_writing_then_applies_it(world, client):
    # Splitting a commune creates units under the province: a province-level decision.
    client.login(username="quantri", password=PASSWORD)
    cells = world.cells_a
    url = f"/org/unit/{world.commune_a.pk}/restructure/split/"
    form = {
        "effective_date": "2026-01-01",
        "decision_no": "3-QĐ/TU",
        "issuer": "Ban Thường vụ Tỉnh ủy",
        "name_1": "Xã Đông",
        "name_2": "Xã Tây",
        f"child_{cells[0].pk}": "1",
        f"child_{cells[1].pk}": "2",
        f"child_{cells[2].pk}": "2",
        "preview": "1",
    }
    resp = client.post(url, form)
    assert resp.status_code == 200
    assert "Chia tách Đảng bộ xã Đồng Tâm thành “Xã Đông”, “Xã Tây”" in resp.content.decode()
    assert not Unit.objects.filter(name="Xã Đông").exists()
    form.pop("preview")
    form["apply"] = "1"
    resp = client.post(url, form)
    assert resp.status_code == 302
    east, west = Unit.objects.get(name="Xã Đông"), Unit.objects.get(name="Xã Tây")
    assert [n.name for n in selectors.children_on(west.pk, dt.date(2026, 1, 1))] == sorted(
        [cells[1].name, cells[2].name]
    )
    assert Lineage.objects.filter(predecessor=world.commune_a).count() == 2
    assert east.province_id == world.province.pk


def test_it_shows_errors_in_vietnamese_and_changes_nothing(world, client):
    client.login(username="canbo.a", password=PASSWORD)
    resp = client.post(
        f"/org/unit/{world.commune_a.pk}/restructure/dissolve/",
        {
            "effective_date": "2026-01-01",
            "decision_no": "15-QĐ/TU",
            "issuer": "Ban Thường vụ Tỉnh ủy",
            "apply": "1",
        },
    )
    assert resp.status_code == 200
    assert "còn 3 tổ chức trực thuộc" in resp.content.decode()
    assert Unit.objects.get(pk=world.commune_a.pk).valid_to is None


def test_it_splits_through_the_api_only_for_whoever_holds_the_parent(world, client):
    cells = world.cells_a
    body = {
        "kind": "split",
        "unit_id": world.commune_a.pk,
        "effective_date": "2026-01-01",
        "decision_no": "4-QĐ/TU",
        "issuer": "Ban Thường vụ Tỉnh ủy",
        "parts": [
            {"name": "Xã Một", "children": [cells[0].pk]},
            {"name": "Xã Hai", "children": [cells[1].pk, cells[2].pk]},
        ],
    }
    client.login(username="canbo.a", password=PASSWORD)
    refused = client.post(
        "/api/v1/units/restructure/preview", body, content_type="application/json"
    )
    assert refused.status_code == 403  # the commune's own staff cannot create province units
    client.login(username="quantri", password=PASSWORD)
    preview = client.post(
        "/api/v1/units/restructure/preview", body, content_type="application/json"
    )
    assert preview.status_code == 200 and preview.json()["ok"]
    applied = client.post("/api/v1/units/restructure/apply", body, content_type="application/json")
    assert applied.status_code == 201
    assert Unit.objects.get(pk=applied.json()["result_unit_id"]).name == "Xã Một"


def test_it_shows_the_unit_as_of_a_past_date(world, client):
    from chibo.org.services import RenameUnit

    RenameUnit(decision(dt.date(2025, 7, 1)), unit=world.commune_a, name="Xã Đồng Tâm Mới").execute(
        actor=SYSTEM
    )
    client.login(username="canbo.a", password=PASSWORD)
    old = client.get(f"/org/unit/{world.commune_a.pk}/?on=2024-01-01").content.decode()
    new = client.get(f"/org/unit/{world.commune_a.pk}/").content.decode()
    assert "<h1>Đảng bộ xã Đồng Tâm</h1>" in old
    assert "<h1>Xã Đồng Tâm Mới</h1>" in new


def test_it_loads_children_as_an_htmx_fragment(world, client):
    client.login(username="canbo.a", password=PASSWORD)
    resp = client.get(f"/org/{world.commune_a.pk}/children/", headers={"HX-Request": "true"})
    body = resp.content.decode()
    assert resp.status_code == 200 and "<html" not in body and "Chi bộ thôn Đông" in body


def test_it_records_terms_and_refuses_overlaps(world):
    import pytest
    from django.core.exceptions import ValidationError

    from chibo.org.services import add_term

    add_term(
        actor=world.official_a,
        unit=world.commune_a,
        label="2020–2025",
        start=dt.date(2020, 6, 21),
        end=dt.date(2025, 6, 30),
    )
    with pytest.raises(ValidationError):
        add_term(
            actor=world.official_a, unit=world.commune_a, label="sai", start=dt.date(2024, 1, 1)
        )
    add_term(
        actor=world.official_a, unit=world.commune_a, label="2025–2030", start=dt.date(2025, 8, 16)
    )
    assert [t.label for t in world.commune_a.terms.all()] == ["2025–2030", "2020–2025"]


def test_it_browses_the_past_with_the_scope_of_that_date(world, client):
    """A cell that joined commune A in 2026 was commune B's in 2024: A's official browsing 2024
    does not see it; browsing today does."""
    from chibo.org.services import MoveUnit

    MoveUnit(decision(dt.date(2026, 1, 1)), unit=world.cell_b, new_parent=world.commune_a).execute(
        actor=SYSTEM
    )
    client.login(username="canbo.a", password=PASSWORD)
    past = client.get("/org/?on=2024-06-01").content.decode()
    today = client.get(f"/org/{world.commune_a.pk}/children/").content.decode()
    assert "Chi bộ tổ dân phố 1" not in past and "Đảng bộ phường Bắc Sơn" not in past
    assert "Chi bộ tổ dân phố 1" in today
    api = client.get("/api/v1/units/", {"on": "2024-06-01", "q": "to dan pho"}).json()
    assert api == []


def test_the_unit_page_of_a_past_date_uses_that_days_tree_and_rules(world, client):
    """Issue 9: counts, children and warnings as of D come from the tree and the parameters in
    force on D."""
    import datetime as dt

    from chibo.org.models import Parameter
    from chibo.org.services import MoveUnit
    from tests.world import make_member

    cell = world.cells_a[0]
    for n in ("Lò Văn Một", "Lò Văn Hai", "Lò Văn Ba", "Lò Văn Bốn"):
        make_member(cell, n)
    Parameter.objects.create(
        key="cell_min_official_members", value=5, valid_from=dt.date(2026, 1, 1), source="thử"
    )
    MoveUnit(
        decision(dt.date(2025, 1, 1)), unit=world.cells_a[1], new_parent=world.commune_b
    ).execute(actor=SYSTEM)
    client.login(username=world.official_a.username, password=PASSWORD)
    old = client.get(f"/org/unit/{cell.pk}/?on=2025-06-01").content.decode()
    now = client.get(f"/org/unit/{cell.pk}/").content.decode()
    assert "cần ít nhất" not in old  # 4 official members met the rule of 2025 (3)
    assert "Chi bộ chỉ có 4 đảng viên chính thức (cần ít nhất 5)." in now
    commune = world.commune_a.pk
    before = client.get(f"/org/unit/{commune}/?on=2024-06-01").context["counts"]
    after = client.get(f"/org/unit/{commune}/?on=2025-06-01").context["counts"]
    assert sum(n for _k, n in before) == 3 and sum(n for _k, n in after) == 2
