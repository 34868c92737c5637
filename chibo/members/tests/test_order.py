"""Vietnamese order and keyset cursors from the database itself (run on SQLite and PostgreSQL)."""

import datetime as dt
import random
import unicodedata

from chibo.core.actors import SYSTEM
from chibo.core.text import search_key
from chibo.members.models import Member
from chibo.members.selectors import keyset_page
from chibo.members.services import add_member

FAMILY = ["Nguyễn", "Trần", "Lê", "Đặng", "Đỗ", "Lò", "Vì", "Ưng", "Âu", "Ông", "Ân"]
MIDDLE = ["Văn", "Thị", "", "Đức", "Ngọc Ánh", "A"]
GIVEN = [
    "An",
    "Ân",
    "Ăn",
    "Anh",
    "Ánh",
    "Ảnh",
    "Bình",
    "Dũng",
    "Dung",
    "Đức",
    "Em",
    "Ê",
    "Yến",
    "Ý",
    "Ỷ",
    "Ơn",
    "Ôn",
    "On",
    "Ưu",
]


def make(world, n=240, seed=3):
    rng = random.Random(seed)
    cell = world.cells_a[0]
    for _ in range(n):
        add_member(
            actor=SYSTEM,
            unit=cell,
            family_name=rng.choice(FAMILY),
            middle_name=rng.choice(MIDDLE),
            given_name=rng.choice(GIVEN),
            gender="m",
            birth_year=1980,
            admitted_on=dt.date(2010, 1, 1),
            recognized_on=dt.date(2011, 1, 1),
            placed_on=dt.date(2020, 1, 1),
        )


def test_it_orders_in_the_database_as_in_python(world):
    make(world)
    from_db = list(Member.objects.order_by("sort_key", "id").values_list("id", flat=True))
    in_python = [m.id for m in sorted(Member.objects.all(), key=lambda m: (m.sort_key, m.id))]
    assert from_db == in_python
    first = Member.objects.order_by("sort_key", "id").first()
    assert first.given_name == "An"


def test_it_pages_by_keyset_without_gaps_or_repeats(world):
    make(world)
    expected = list(Member.objects.order_by("sort_key", "id").values_list("id", flat=True))
    seen, cursor = [], None
    while True:
        page = keyset_page(Member.objects.all(), cursor, size=17)
        if not page:
            break
        seen += [m.id for m in page]
        cursor = (page[-1].sort_key, page[-1].id)
    assert seen == expected


def test_it_finds_names_without_accents_in_any_normal_form(world):
    make(world, n=60)
    target = Member.objects.filter(family_name="Đặng").first()
    query = unicodedata.normalize("NFD", f"DANG {target.middle_name} {target.given_name}".upper())
    hits = Member.objects.filter(search_key__startswith=search_key(query))
    assert target in hits
    assert all(h.family_name == "Đặng" for h in hits)
