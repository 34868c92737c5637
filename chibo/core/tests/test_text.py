import unicodedata

import icu
from hypothesis import given, settings
from hypothesis import strategies as st

from chibo.core.text import (
    full_name_sort_key,
    nfc,
    search_key,
    sort_key,
    split_full_name,
)

LETTERS = (
    "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ"
)
syllable = st.text(alphabet=LETTERS + LETTERS.upper(), min_size=1, max_size=7)
name = st.lists(syllable, min_size=1, max_size=4).map(" ".join)
parts = st.tuples(syllable, st.lists(syllable, max_size=2).map(" ".join), syllable)
COLL = icu.Collator.createInstance(icu.Locale("vi_VN"))


@given(name)
def test_it_gives_nfc_nfd_and_case_variants_the_same_search_key(s):
    variants = [
        s,
        unicodedata.normalize("NFD", s),
        unicodedata.normalize("NFC", s),
        s.upper(),
        s.lower(),
        unicodedata.normalize("NFD", s.upper()),
    ]
    assert len({search_key(v) for v in variants}) == 1


@given(name)
def test_it_keeps_search_keys_to_ascii_words(s):
    key = search_key(s)
    assert key.isascii() and key == " ".join(key.split()) and key == key.lower()


def test_it_matches_d_with_dj():
    assert search_key("Đặng Đình Đức") == "dang dinh duc"
    assert search_key("đ") == search_key("Đ") == search_key("d")


@given(parts, parts)
@settings(max_examples=300)
def test_it_orders_stored_keys_as_icu_orders_given_then_family_then_middle(a, b):
    """Plain string comparison of the stored keys (= COLLATE "C" and SQLite BINARY) agrees with
    ICU's Vietnamese comparison of (given, family, middle)."""
    fa, ma, ga = a
    fb, mb, gb = b

    def icu_cmp(x, y):
        for p, q in zip(x, y, strict=True):
            c = COLL.compare(nfc(p), nfc(q))
            if c:
                return c
        return 0

    expected = icu_cmp((ga, fa, ma), (gb, fb, mb))
    ka, kb = sort_key(fa, ma, ga), sort_key(fb, mb, gb)
    got = (ka > kb) - (ka < kb)
    assert got == expected


def test_it_orders_names_the_vietnamese_way():
    ordered = [
        "Lò A",
        "Lò Ả",
        "Lò An",
        "Trần Thị Anh",
        "Nguyễn Văn Ánh",
        "Lò Ăn",
        "Lê Ân",
        "Lò Ba",
        "Phạm Bình",
        "Lò Dung",
        "Đỗ Dũng",
        "Hoàng Đức",
        "Lò Em",
        "Vì Ê",
    ]
    assert sorted(reversed(ordered), key=full_name_sort_key) == ordered


def test_it_sorts_by_given_name_before_family_name():
    assert full_name_sort_key("Trần Văn An") < full_name_sort_key("Nguyễn Văn Bình")
    assert full_name_sort_key("Lê An") < full_name_sort_key("Nguyễn An")  # then family


@given(name)
def test_it_splits_names_into_family_middle_given_and_back(s):
    family, middle, given_ = split_full_name(s)
    assert " ".join(p for p in (family, middle, given_) if p) == nfc(s)
    assert given_ == nfc(s).split(" ")[-1]


@given(name)
def test_it_is_deterministic_and_normalization_blind(s):
    assert full_name_sort_key(s) == full_name_sort_key(unicodedata.normalize("NFD", s))
