"""A member who left shows the unit they left only as they were then (issue 9, finding 4)."""

import datetime as dt
import io
import json

import pytest
from django.urls import reverse

from chibo.audit.models import AuditLog
from chibo.core.actors import SYSTEM
from chibo.members import records, services
from chibo.members.models import Departure, Member, Transfer
from chibo.members.transfers import confirm_arrival, transfer_out
from tests.world import PASSWORD, make_member

LEFT = dt.date(2025, 6, 2)
ARRIVED = dt.date(2025, 6, 20)
PNG_OLD = b"\x89PNG\r\n\x1a\n" + b"old" * 10
PNG_NEW = b"\x89PNG\r\n\x1a\n" + b"new" * 10


@pytest.fixture
def moved(world):
    """Lò Văn Đi leaves commune A's first cell for commune B in June 2025 with card 51000111
    and his old photo; commune B then records a new card, an occupation and a new photo."""
    from django.core.files.base import ContentFile

    m = make_member(world.cells_a[0], "Lò Văn Đi")
    records.update_record(actor=SYSTEM, member=m, occupation_now="farmer", position="Trưởng bản")
    services.issue_card(actor=SYSTEM, member=m, card_no="51000111", issued_on=dt.date(2010, 1, 2))
    m = Member.objects.get(pk=m.pk)
    m.photo.save("old.png", ContentFile(PNG_OLD), save=True)
    t = transfer_out(
        actor=SYSTEM, member=m, kind=Transfer.Kind.OFFICIAL, to_unit=world.cell_b, departed_on=LEFT
    )
    confirm_arrival(actor=SYSTEM, transfer=t, arrived_on=ARRIVED)
    m = Member.objects.get(pk=m.pk)
    records.update_record(actor=SYSTEM, member=m, position="Bí thư chi đoàn")
    services.issue_card(
        actor=SYSTEM, member=Member.objects.get(pk=m.pk), card_no="52000999", issued_on=ARRIVED
    )
    m = Member.objects.get(pk=m.pk)
    m.photo.save("new.png", ContentFile(PNG_NEW), save=True)
    world.extra["m"] = m
    return world


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def test_the_transfer_froze_the_record_as_the_cell_knew_it(moved):
    m = moved.extra["m"]
    (d,) = Departure.objects.filter(member=m)
    assert (d.unit_id, d.left_on, d.reason) == (moved.cells_a[0].pk, LEFT, "official")
    assert d.record["card_no"] == "51000111" and d.record["position"] == "Trưởng bản"
    assert d.record["stage"] == "official" and d.photo.read() == PNG_OLD


def test_the_page_photo_api_and_former_list_show_the_member_as_they_left(moved, client):
    w, m = moved, moved.extra["m"]
    login(client, w.official_a)
    page = client.get(reverse("members:detail", args=[m.pk])).content.decode()
    assert "51000111" in page and "Trưởng bản" in page
    assert "52000999" not in page and "Bí thư chi đoàn" not in page
    # Not the current cell (the letter's destination stays, as the sending side wrote it).
    assert 'class="breadcrumbs"' not in page
    assert reverse("org:unit", args=[w.cell_b.pk]) not in page
    photo = client.get(reverse("members:photo", args=[m.pk]))
    assert b"".join(photo.streaming_content) == PNG_OLD
    api = client.get(f"/api/v1/members/{m.pk}").json()
    assert api["record"]["card_no"] == "51000111" and api["home_unit_id"] is None
    assert api["record"]["position"] == "Trưởng bản"
    assert all(p["unit_id"] != w.cell_b.pk for p in api["placements"])
    former = client.get(
        reverse("members:list"), {"unit": w.commune_a.pk, "status": "former"}
    ).content.decode()
    assert "Lò Văn Đi" in former and w.cell_b.name not in former
    assert "rời Chi bộ thôn Đông ngày 02/06/2025" in former
    export = client.get(reverse("members:export"), {"unit": w.commune_a.pk, "status": "former"})
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(export.getvalue())).active
    (row,) = [r for r in ws.iter_rows(min_row=2, values_only=True) if r[0] == "Lò Văn Đi"]
    assert w.cell_b.name not in json.dumps(row, default=str, ensure_ascii=False)
    # The receiving side sees the present.
    client.logout()
    login(client, w.official_b)
    assert "52000999" in client.get(reverse("members:detail", args=[m.pk])).content.decode()
    assert client.get(f"/api/v1/members/{m.pk}").json()["record"]["card_no"] == "52000999"


def test_views_are_filed_under_the_unit_the_reader_reached_the_member_through(moved, client):
    w, m = moved, moved.extra["m"]
    login(client, w.official_a)
    client.get(reverse("members:detail", args=[m.pk]))
    client.get(f"/api/v1/members/{m.pk}")
    views = AuditLog.objects.filter(action="view.member", actor=w.official_a)
    assert views.count() == 2
    assert set(views.values_list("unit_id", flat=True)) == {w.cells_a[0].pk}
    # Commune B's audit log does not show commune A's reading of the record.
    assert (
        not AuditLog.objects.restrict(w.official_b)
        .filter(action="view.member", actor=w.official_a)
        .exists()
    )


def test_a_departure_without_a_copy_keeps_only_name_and_birth(moved, client):
    w, m = moved, moved.extra["m"]
    Departure.objects.filter(member=m).delete()  # as for a departure recorded before copies
    login(client, w.official_a)
    page = client.get(reverse("members:detail", args=[m.pk])).content.decode()
    assert "Lò Văn Đi" in page and "không rõ tại ngày chuyển đi" in page
    assert "52000999" not in page and "51000111" not in page
    assert client.get(reverse("members:photo", args=[m.pk])).status_code == 404


def test_departures_recorded_before_copies_are_backfilled_from_the_audit_log(moved):
    from django.db import transaction

    from chibo.audit.services import record
    from chibo.members.departures import backfill

    m = moved.extra["m"]
    with transaction.atomic():  # the photo page writes this row when B replaces the photo
        record(actor=SYSTEM, action="members.photo", obj=m, before={"photo": "old.png"})
    Departure.objects.filter(member=m).delete()
    assert backfill() == 1
    (d,) = Departure.objects.filter(member=m)
    assert (d.unit_id, d.left_on) == (moved.cells_a[0].pk, LEFT)
    assert d.record["position"] == "Trưởng bản"  # turned back from the later change
    assert d.record["occupation_now"] == "farmer"  # never changed since: as it is
    assert "card_no" in d.unknown and "card_no" not in d.record  # replaced by a card event
    assert "photo" in d.unknown and not d.photo
    assert backfill() == 0  # once


def test_the_book_the_former_api_list_and_the_letter_carry_the_copy(moved, client):
    """Found by a probe: the roll, the API's former list and the transfer letter showed what the
    next unit recorded; the edit and event forms opened on the present record."""
    from docx import Document

    from chibo.members import roll

    w, m = moved, moved.extra["m"]
    (row,) = [r for r in roll.rows(w.commune_a, LEFT, sensitive=True) if r.member_id == m.pk]
    assert "51000111" in row.cells[7] and "52000999" not in row.cells[7]
    login(client, w.official_a)
    items = client.get(f"/api/v1/members/?unit_id={w.commune_a.pk}&status=former").json()["items"]
    (item,) = [i for i in items if i["id"] == m.pk]
    assert item["home_unit_id"] is None and item["home_unit"] is None
    t = Transfer.objects.get(member=m)
    letter = client.get(reverse("members:letter", args=[t.pk]))
    text = "\n".join(
        c.text for tb in Document(io.BytesIO(letter.content)).tables for c in tb._cells
    ) + "\n".join(p.text for p in Document(io.BytesIO(letter.content)).paragraphs)
    assert "51000111" in text and "52000999" not in text
    for url in (
        reverse("members:edit", args=[m.pk]),
        reverse("members:event", args=[m.pk, "card"]),
        reverse("members:transfer", args=[m.pk]),
    ):
        assert client.get(url).status_code == 403, url


def test_a_cell_that_left_with_a_reorganization_leaves_its_members_as_they_were(world, client):
    """Chi bộ thôn Nam moves from commune A to commune B on 1/7/2025; B then records a new
    card and position and a new photo. Commune A's official sees the member as they were when
    the cell left (record, card, photo), under the notice, and in A's former list with why."""
    from django.core.files.base import ContentFile

    from chibo.org.services import MoveUnit
    from tests.world import decision

    south = world.cells_a[2]
    m = make_member(south, "Quàng Văn Theo")
    records.update_record(actor=SYSTEM, member=m, position="Trưởng bản")
    services.issue_card(actor=SYSTEM, member=m, card_no="51000222", issued_on=dt.date(2010, 1, 2))
    m = Member.objects.get(pk=m.pk)
    m.photo.save("old.png", ContentFile(PNG_OLD), save=True)
    gone = make_member(south, "Lò Văn Mất")
    services.record_death(actor=SYSTEM, member=gone, died_on=dt.date(2024, 3, 1))
    moved_on = dt.date(2025, 7, 1)
    MoveUnit(decision(moved_on, "31"), unit=south, new_parent=world.commune_b).execute(actor=SYSTEM)
    (d,) = Departure.objects.filter(member=m)
    assert (d.unit_id, d.left_on, d.reason) == (south.pk, moved_on, "reorganization")
    # The one who had died before already left with his own departure; none written again.
    assert Departure.objects.filter(member=gone).values_list("reason", flat=True).get() == "death"
    records.update_record(actor=SYSTEM, member=Member.objects.get(pk=m.pk), position="Bí thư")
    services.issue_card(
        actor=SYSTEM, member=Member.objects.get(pk=m.pk), card_no="52000333", issued_on=moved_on
    )
    m = Member.objects.get(pk=m.pk)
    m.photo.save("new.png", ContentFile(PNG_NEW), save=True)
    login(client, world.official_a)
    page = client.get(reverse("members:detail", args=[m.pk])).content.decode()
    assert "51000222" in page and "Trưởng bản" in page
    assert "52000333" not in page and "Bí thư" not in page
    assert 'data-testid="until"' in page and "01/07/2025" in page
    photo = client.get(reverse("members:photo", args=[m.pk]))
    assert b"".join(photo.streaming_content) == PNG_OLD
    api = client.get(f"/api/v1/members/{m.pk}").json()
    assert api["record"]["card_no"] == "51000222"
    former = client.get(
        reverse("members:list"), {"unit": world.commune_a.pk, "status": "former"}
    ).content.decode()
    assert "Quàng Văn Theo" in former
    assert "cùng Chi bộ thôn Nam chuyển đi ngày 01/07/2025 (sắp xếp tổ chức)" in former
    # Commune B, where the cell is now, sees the present.
    client.logout()
    login(client, world.official_b)
    page = client.get(reverse("members:detail", args=[m.pk])).content.decode()
    assert "52000333" in page and 'data-testid="until"' not in page


# Found by an adversarial probe of the reorganization copies.


def _new_commune(world):
    from chibo.org.choices import GrassrootsType, UnitKind
    from tests.world import make_unit

    return make_unit(
        world.province,
        UnitKind.COMMUNE,
        "Đảng bộ xã Mới",
        on=dt.date(2025, 1, 1),
        grassroots_type=GrassrootsType.COMMUNE,
    )


def test_a_member_who_left_on_the_move_day_keeps_their_own_departure(world, client):
    from chibo.org.services import MoveUnit
    from tests.world import decision

    south = world.cells_a[2]
    m = make_member(south, "Quàng Văn Theo")
    on = dt.date(2025, 7, 1)
    transfer_out(actor=SYSTEM, member=m, kind="official", departed_on=on, to_unit=world.cell_b)
    MoveUnit(decision(on, "31"), unit=south, new_parent=_new_commune(world)).execute(actor=SYSTEM)
    assert list(Departure.objects.filter(member=m).values_list("reason", flat=True)) == ["official"]
    login(client, world.official_a)
    former = client.get(
        reverse("members:list"), {"unit": world.commune_a.pk, "status": "former"}
    ).content.decode()
    assert "rời Chi bộ thôn Nam ngày 01/07/2025" in former and "sắp xếp tổ chức" not in former


def test_a_backdated_move_copies_what_the_old_side_knew_not_what_came_after(world, client):
    from chibo.org.models import Unit
    from chibo.org.services import MoveUnit
    from tests.world import decision

    south = world.cells_a[2]
    m = make_member(south, "Quàng Văn Theo")
    records.update_record(actor=SYSTEM, member=m, position="Trưởng bản")
    t = transfer_out(
        actor=SYSTEM,
        member=Member.objects.get(pk=m.pk),
        kind="official",
        departed_on=dt.date(2025, 9, 1),
        to_unit=world.cell_b,
    )
    confirm_arrival(actor=SYSTEM, transfer=t, arrived_on=dt.date(2025, 9, 5))
    records.update_record(
        actor=SYSTEM, member=Member.objects.get(pk=m.pk), position="Bí thư phường"
    )
    # The decision moving the cell to another commune from 1/7 is recorded afterwards.
    MoveUnit(
        decision(dt.date(2025, 7, 1), "31"),
        unit=Unit.objects.get(pk=south.pk),
        new_parent=_new_commune(world),
    ).execute(actor=SYSTEM)
    d = Departure.objects.get(member=m, reason="reorganization")
    assert d.record["position"] == "Trưởng bản"
    login(client, world.official_a)
    page = client.get(reverse("members:detail", args=[m.pk])).content.decode()
    assert "Trưởng bản" in page and "Bí thư phường" not in page


def test_a_cell_merged_into_another_communes_cell_leaves_a_copy(world, client):
    from chibo.org.services import MergeUnits
    from tests.world import decision

    south = world.cells_a[2]
    m = make_member(south, "Quàng Văn Theo")
    services.issue_card(actor=SYSTEM, member=m, card_no="51000222", issued_on=dt.date(2010, 1, 2))
    on = dt.date(2025, 7, 1)
    MergeUnits(decision(on, "9"), sources=[south], into=world.cell_b).execute(actor=SYSTEM)
    services.issue_card(
        actor=SYSTEM, member=Member.objects.get(pk=m.pk), card_no="52000333", issued_on=on
    )
    assert list(Departure.objects.filter(member=m).values_list("reason", "left_on")) == [
        ("reorganization", on)
    ]
    login(client, world.official_a)
    page = client.get(reverse("members:detail", args=[m.pk])).content.decode()
    assert "51000222" in page and "52000333" not in page


def test_the_new_commune_never_lists_one_who_died_before_the_cell_came(world, client):
    from chibo.org.services import MoveUnit
    from tests.world import decision

    south = world.cells_a[2]
    gone = make_member(south, "Lò Văn Mất")
    services.record_death(actor=SYSTEM, member=gone, died_on=dt.date(2024, 3, 1))
    MoveUnit(decision(dt.date(2025, 7, 1), "31"), unit=south, new_parent=world.commune_b).execute(
        actor=SYSTEM
    )
    login(client, world.official_b)
    former = client.get(
        reverse("members:list"), {"unit": world.commune_b.pk, "status": "former"}
    ).content.decode()
    assert "Lò Văn Mất" not in former
    client.logout()
    login(client, world.official_a)  # the commune he died in still lists him
    former = client.get(
        reverse("members:list"), {"unit": world.commune_a.pk, "status": "former"}
    ).content.decode()
    assert "Lò Văn Mất" in former


def test_two_moves_the_same_day_and_a_merge_of_communes_write_one_copy_each(world):
    from chibo.org.models import Unit
    from chibo.org.services import MergeUnits, MoveUnit
    from tests.world import decision

    east, west, south = world.cells_a
    people = [
        make_member(c, f"Lò Văn {n}")
        for c, n in zip(world.cells_a, ("Một", "Hai", "Ba"), strict=True)
    ]
    on = dt.date(2025, 7, 1)
    MoveUnit(decision(on, "31"), unit=south, new_parent=world.commune_b).execute(actor=SYSTEM)
    MoveUnit(
        decision(on, "32"), unit=Unit.objects.get(pk=south.pk), new_parent=_new_commune(world)
    ).execute(actor=SYSTEM)
    assert Departure.objects.filter(member=people[2]).count() == 1
    MergeUnits(
        decision(dt.date(2025, 8, 1), "33"),
        sources=[Unit.objects.get(pk=world.commune_a.pk)],
        into=Unit.objects.get(pk=world.commune_b.pk),
    ).execute(actor=SYSTEM)
    assert sorted(Departure.objects.values_list("member_id", flat=True)) == sorted(
        p.pk for p in people
    )
