"""The roll as of a date uses the tree of that date (issue 9, finding 2)."""

import datetime as dt

from chibo.core.actors import SYSTEM
from chibo.members import roll
from chibo.members.selectors import counts_on
from chibo.org.models import Unit
from chibo.org.services import MergeUnits
from tests.world import decision, make_member

# Columns of the book (0-based): 9 departed, 11 died, 12 left the Party, 13 notes.
DEPARTED, DIED, LEFT, NOTES = 9, 11, 12, 13
D = dt.date(2025, 7, 1)


def on_roll(rows) -> list:
    """Rows still on the book: no departure, death or leaving date."""
    return [r for r in rows if not (r.cells[DEPARTED] or r.cells[DIED] or r.cells[LEFT])]


def ids(rows) -> set[int]:
    return {r.member_id for r in rows}


def test_a_merged_commune_keeps_its_book_before_the_merge_and_the_target_gains_it(world):
    a, b = world.commune_a, world.commune_b
    in_a = make_member(world.cells_a[0], "Lò Văn A")
    in_b = make_member(world.cell_b, "Quàng Văn B")
    MergeUnits(decision(D), sources=[b], into=a).execute(actor=SYSTEM)
    a, b = Unit.objects.get(pk=a.pk), Unit.objects.get(pk=b.pk)
    before = D - dt.timedelta(days=1)
    assert ids(on_roll(roll.rows(b, before, sensitive=True))) == {in_b.pk}
    assert ids(on_roll(roll.rows(a, before, sensitive=True))) == {in_a.pk}
    assert ids(on_roll(roll.rows(a, D, sensitive=True))) == {in_a.pk, in_b.pk}
    # The absorbed commune's book shows its member leaving with the reorganization, not a
    # transfer, and its count agrees with the unit page's on either day.
    (row,) = roll.rows(b, D, sensitive=True)
    assert row.cells[DEPARTED] == "01/07/2025; theo sắp xếp tổ chức"
    (arrival,) = [r for r in roll.rows(a, D, sensitive=True) if r.member_id == in_b.pk]
    assert arrival.cells[10] == "01/07/2025; theo sắp xếp tổ chức"
    for unit in (a, b):
        for day in (before, D):
            assert (
                len(on_roll(roll.rows(unit, day, sensitive=True)))
                == (counts_on(unit, day)["total"])
            )


def test_members_of_a_cell_that_moved_away_are_former_members_of_the_old_commune(world):
    from chibo.members.selectors import former_of
    from chibo.org.services import MoveUnit

    m = make_member(world.cells_a[0], "Lò Văn Cũ")
    MoveUnit(decision(D), unit=world.cells_a[0], new_parent=world.commune_b).execute(actor=SYSTEM)
    a, b = Unit.objects.get(pk=world.commune_a.pk), Unit.objects.get(pk=world.commune_b.pk)
    assert m.pk in set(former_of(a).values_list("pk", flat=True))
    assert m.pk not in set(former_of(b).values_list("pk", flat=True))
    (row,) = roll.rows(a, D, sensitive=True)
    assert row.cells[DEPARTED] == "01/07/2025; theo sắp xếp tổ chức"


def test_restating_in_todays_tree_is_an_explicit_labelled_choice(world, client):
    from django.urls import reverse

    from chibo.org.services import MoveUnit
    from tests.world import PASSWORD

    m = make_member(world.cell_b, "Quàng Văn Đến")
    MoveUnit(decision(D), unit=world.cell_b, new_parent=world.commune_a).execute(actor=SYSTEM)
    a = Unit.objects.get(pk=world.commune_a.pk)
    before = D - dt.timedelta(days=1)
    assert m.pk not in ids(roll.rows(a, before, sensitive=True))
    assert m.pk in ids(on_roll(roll.rows(a, before, sensitive=True, restate=True)))
    client.login(username=world.official_a.username, password=PASSWORD)
    url = reverse("members:roll", args=[a.pk])
    default = client.get(url, {"on": before.isoformat()}).content.decode()
    assert "Quàng Văn Đến" not in default and "theo cây tổ chức của ngày đó" in default
    restated = client.get(url, {"on": before.isoformat(), "tree": "today"}).content.decode()
    assert "Quàng Văn Đến" in restated and "theo cây tổ chức hiện nay" in restated
    api = client.get(f"/api/v1/members/units/{a.pk}/roll", {"on": before.isoformat()}).json()
    assert m.pk not in {r["member_id"] for r in api}
