import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from chibo.audit.models import AuditLog
from chibo.core.actors import SYSTEM
from chibo.core.text import part_key
from chibo.org import selectors
from chibo.org.choices import UnitKind
from chibo.org.models import Lineage, Unit, UnitAncestry, UnitLink
from chibo.org.services import (
    ChangeKind,
    Decision,
    DissolveUnit,
    MergeUnits,
    MoveUnit,
    RenameUnit,
    SplitPart,
    SplitUnit,
    UnitSpec,
)
from tests.world import decision, make_unit

D2024 = dt.date(2024, 6, 1)
REFORM = dt.date(2025, 7, 1)


def fresh(u: Unit) -> Unit:
    return Unit.objects.get(pk=u.pk)


def names(nodes) -> list[str]:
    return [n.name for n in nodes]


def test_it_creates_units_with_denormalized_ancestors(world):
    cell = fresh(world.cells_a[0])
    assert cell.province_id == world.province.pk
    assert cell.commune_id == world.commune_a.pk
    assert cell.path.startswith(fresh(world.commune_a).path)
    assert cell.versions.count() == 1


def test_it_reads_the_tree_as_of_any_date_after_a_move(world):
    cell = world.cells_a[0]
    MoveUnit(decision(REFORM, "5-QĐ"), unit=cell, new_parent=world.commune_b).execute(actor=SYSTEM)
    assert "Chi bộ thôn Đông" in names(selectors.children_on(world.commune_a.pk, D2024))
    assert "Chi bộ thôn Đông" not in names(selectors.children_on(world.commune_a.pk, REFORM))
    assert "Chi bộ thôn Đông" in names(selectors.children_on(world.commune_b.pk, REFORM))
    before = [n.unit_id for n in selectors.ancestors_on(cell.pk, D2024)]
    after = [n.unit_id for n in selectors.ancestors_on(cell.pk, REFORM)]
    assert before == [world.province.pk, world.commune_a.pk]
    assert after == [world.province.pk, world.commune_b.pk]
    assert fresh(cell).commune_id == world.commune_b.pk
    assert UnitLink.objects.filter(child=cell).count() == 2


def test_it_keeps_versions_when_renamed_and_reads_the_old_name(world):
    RenameUnit(decision(REFORM), unit=world.commune_a, name="Đảng bộ xã Đồng Tâm Mới").execute(
        actor=SYSTEM
    )
    u = fresh(world.commune_a)
    assert u.name == "Đảng bộ xã Đồng Tâm Mới"
    assert u.version_on(D2024).name == "Đảng bộ xã Đồng Tâm"
    assert u.version_on(REFORM).name == "Đảng bộ xã Đồng Tâm Mới"


def test_it_merges_into_a_new_unit_with_lineage_and_moves_children(world):
    action = MergeUnits(
        Decision(REFORM, "99-QĐ/TU", "Ban Thường vụ Tỉnh ủy"),
        sources=[world.commune_a, world.commune_b],
        new_spec=UnitSpec(kind=UnitKind.COMMUNE, name="Đảng bộ xã Hợp Nhất"),
        new_parent=world.province,
    )
    preview = action.preview()
    assert any("Hợp nhất" in line for line in preview)
    assert Unit.objects.filter(name="Đảng bộ xã Hợp Nhất").count() == 0  # preview wrote nothing
    event = action.execute(actor=world.admin)
    new = action.target
    assert sorted(names(selectors.children_on(new.pk, REFORM))) == sorted(
        [c.name for c in world.cells_a] + [world.cell_b.name]
    )
    assert fresh(world.commune_a).valid_to == REFORM
    assert set(Lineage.objects.filter(successor=new).values_list("predecessor_id", flat=True)) == {
        world.commune_a.pk,
        world.commune_b.pk,
    }
    assert AuditLog.objects.filter(action="org.merge", object_id=str(event.pk)).exists()
    # 2024 is still read in the 2024 tree.
    # Children are listed in Vietnamese order: Đông (đ after d) before Nam and Tây.
    assert names(selectors.children_on(world.commune_a.pk, D2024)) == sorted(
        (c.name for c in world.cells_a), key=part_key
    )


def test_it_refuses_a_dissolution_with_live_children_and_changes_nothing(world):
    action = DissolveUnit(decision(REFORM), unit=world.commune_a)
    errors = action.check()
    assert errors and "còn 3 tổ chức trực thuộc" in errors[0]
    with pytest.raises(ValidationError):
        action.execute(actor=SYSTEM)
    assert fresh(world.commune_a).valid_to is None


def test_it_refuses_a_change_dated_before_the_last_one(world):
    RenameUnit(decision(REFORM), unit=world.commune_a, name="Tên mới").execute(actor=SYSTEM)
    errors = RenameUnit(decision(D2024), unit=fresh(world.commune_a), name="Tên khác").check()
    assert any("không được trước" in e for e in errors)


def test_it_refuses_a_move_into_its_own_subtree(world):
    errors = MoveUnit(decision(REFORM), unit=world.commune_a, new_parent=world.cells_a[0]).check()
    assert errors


def test_it_refuses_a_kind_that_cannot_sit_under_the_parent(world):
    errors = ChangeKind(decision(REFORM), unit=world.cells_a[0], new_kind=UnitKind.PROVINCE).check()
    assert any("không thể trực thuộc" in e for e in errors)


def test_it_splits_a_unit_and_assigns_every_child(world):
    cells = world.cells_a
    action = SplitUnit(
        decision(REFORM),
        source=world.commune_a,
        parts=[
            SplitPart(UnitSpec(kind=UnitKind.COMMUNE, name="Xã Một"), world.province, cells[:2]),
            SplitPart(UnitSpec(kind=UnitKind.COMMUNE, name="Xã Hai"), world.province, cells[2:]),
        ],
    )
    assert action.check() == []
    action.execute(actor=SYSTEM)
    one, two = action.created
    assert len(selectors.children_on(one.pk, REFORM)) == 2
    assert len(selectors.children_on(two.pk, REFORM)) == 1
    assert Lineage.objects.filter(predecessor=world.commune_a).count() == 2


def test_it_refuses_a_split_that_leaves_a_child_unassigned(world):
    action = SplitUnit(
        decision(REFORM),
        source=world.commune_a,
        parts=[
            SplitPart(
                UnitSpec(kind=UnitKind.COMMUNE, name="Xã Một"), world.province, world.cells_a[:1]
            ),
            SplitPart(UnitSpec(kind=UnitKind.COMMUNE, name="Xã Hai"), world.province, []),
        ],
    )
    assert any("Chưa giao" in e for e in action.check())


def test_it_checks_the_actor_scope_before_applying(world):
    action = RenameUnit(decision(REFORM), unit=world.commune_a, name="Không được")
    with pytest.raises(PermissionDenied):
        action.execute(actor=world.official_b)
    with pytest.raises(PermissionDenied):
        RenameUnit(decision(REFORM), unit=world.commune_a, name="Không được").execute(
            actor=world.viewer_a
        )
    assert fresh(world.commune_a).name == "Đảng bộ xã Đồng Tâm"


def test_it_keeps_the_temporal_closure_consistent_with_the_links(world):
    """Ancestry rows must equal what walking the links gives, on every date that matters."""
    cell = world.cells_a[1]
    MoveUnit(
        decision(REFORM),
        unit=world.commune_a,
        new_parent=world.commune_b,
        new_kind=UnitKind.GRASSROOTS_COMMITTEE,
    ).execute(actor=SYSTEM)
    for d in (D2024, REFORM, dt.date(2026, 1, 1)):
        walked, current = [], cell.pk
        while True:
            link = (
                UnitLink.objects.filter(child_id=current, valid_from__lte=d)
                .exclude(valid_to__lte=d)
                .first()
            )
            if link is None:
                break
            walked.insert(0, link.parent_id)
            current = link.parent_id
        assert [n.unit_id for n in selectors.ancestors_on(cell.pk, d)] == walked
    depths = dict(
        UnitAncestry.objects.filter(unit=cell, valid_to__isnull=True).values_list(
            "ancestor_id", "depth"
        )
    )
    assert depths == {
        world.province.pk: 1,
        world.commune_b.pk: 2,
        world.commune_a.pk: 3,
        cell.pk: 4,
    }


def test_it_creates_units_only_under_allowed_kinds(world):
    with pytest.raises(ValidationError):
        make_unit(world.cells_a[0], UnitKind.COMMUNE, "Sai chỗ")


def test_it_describes_a_change_in_the_history_as_it_was_before_the_change(world):
    from chibo.org.models import RestructureEffect

    RenameUnit(decision(REFORM), unit=world.commune_a, name="Đảng bộ xã Mới").execute(actor=SYSTEM)
    MoveUnit(decision(REFORM), unit=world.cells_a[0], new_parent=world.commune_b).execute(
        actor=SYSTEM
    )
    rename = RestructureEffect.objects.get(unit=world.commune_a, event__kind="rename")
    assert "“Đảng bộ xã Đồng Tâm” thành “Đảng bộ xã Mới”" in rename.description
    move = RestructureEffect.objects.get(unit=world.cells_a[0], event__kind="move")
    assert "chuyển từ Đảng bộ xã Mới sang trực thuộc Đảng bộ phường Bắc Sơn" in move.description
