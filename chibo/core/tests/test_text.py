import threading
import unicodedata

import icu
from hypothesis import given, settings
from hypothesis import strategies as st

from chibo.core.text import (
    full_name_sort_key,
    icu_version,
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
# (family, middle, given); family may be missing (a one-word name), middle may be empty or two
# words. Short syllables from a small alphabet make equal parts and prefixes common.
parts = st.tuples(
    st.just("") | syllable,
    st.lists(syllable, max_size=2).map(" ".join),
    syllable,
)
# The oracle: a collator of our own, compared part by part.
COLL = icu.Collator.createInstance(icu.Locale("vi"))


def icu_cmp(x, y):
    for p, q in zip(x, y, strict=True):
        c = COLL.compare(nfc(p), nfc(q))
        if c:
            return c
    return 0


def test_it_normalizes_stored_text_to_nfc_with_single_spaces():
    nfd = unicodedata.normalize("NFD", "  Nguyễn\t Văn \n Ánh ")
    assert nfc(nfd) == "Nguyễn Văn Ánh"
    assert nfc(nfd) == unicodedata.normalize("NFC", nfc(nfd))
    assert nfc("") == "" and nfc("   ") == ""


@given(name)
def test_it_gives_nfc_nfd_and_case_variants_the_same_search_key(s):
    variants = [
        s,
        unicodedata.normalize("NFD", s),
        unicodedata.normalize("NFC", s),
        s.upper(),
        s.lower(),
        unicodedata.normalize("NFD", s.upper()),
        unicodedata.normalize("NFKD", s.lower()),
        f"  {s}  ".replace(" ", " \t "),
    ]
    assert len({search_key(v) for v in variants}) == 1


@given(name)
def test_it_keeps_search_keys_to_ascii_words(s):
    key = search_key(s)
    assert key.isascii() and key == " ".join(key.split()) and key == key.lower()
    assert all(c.isalnum() or c == " " for c in key)


def test_it_matches_d_with_dj_and_drops_every_mark():
    assert search_key("Đặng Đình Đức") == "dang dinh duc"
    assert search_key("Đặng") == search_key("dang") == search_key("DANG")
    assert search_key("đ") == search_key("Đ") == search_key("d")
    assert search_key("Ắ Ờ Ự Ễ Ỷ") == "a o u e y"


def test_it_turns_punctuation_into_single_spaces_and_keeps_digits():
    assert search_key("Chi bộ 3 – Khu phố 5/7 (Phường Bến Nghé)") == (
        "chi bo 3 khu pho 5 7 phuong ben nghe"
    )
    assert search_key("100%_đúng") == "100 dung"  # never a LIKE wildcard


def test_it_orders_names_the_vietnamese_way():
    # Given names first. Tones are accents after the bare letter (A, Ả before An), a < ă < â,
    # d < đ, e < ê as letters.
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
        "Lò Chi",
        "Lò Dung",
        "Đỗ Dũng",
        "Hoàng Đức",
        "Lò Em",
        "Vì Ê",
        "Lò Ơn",
        "Lò Ưng",
    ]
    assert sorted(reversed(ordered), key=full_name_sort_key) == ordered


def test_it_orders_the_six_tones_ngang_huyen_hoi_nga_sac_nang():
    ordered = ["Ma", "Mà", "Mả", "Mã", "Má", "Mạ", "Mác", "Man", "Mă", "Mâ", "Mb"]
    assert sorted(reversed(ordered), key=lambda g: sort_key("", "", g)) == ordered


def test_it_sorts_by_given_name_then_family_then_middle():
    assert full_name_sort_key("Trần Văn An") < full_name_sort_key("Nguyễn Văn Bình")
    assert full_name_sort_key("Lê An") < full_name_sort_key("Nguyễn An")  # then family
    assert full_name_sort_key("Lê Thị An") < full_name_sort_key("Lê Văn An")  # then middle
    assert full_name_sort_key("Lê An") < full_name_sort_key("Lê Văn An")  # no middle first


def test_it_compares_a_shorter_part_before_its_extension_whatever_follows():
    # Given "An" is a prefix of "Anh": the family name after it must not matter.
    assert sort_key("Vũ", "", "An") < sort_key("An", "", "Anh")
    assert sort_key("Vũ", "Văn", "An") < sort_key("An", "", "Anh")
    assert sort_key("", "", "Anh") < sort_key("A", "", "Anh")  # a missing family comes first


@given(parts, parts)
@settings(max_examples=500)
def test_it_orders_stored_keys_as_icu_orders_given_then_family_then_middle(a, b):
    """Plain string comparison of the stored keys (code points = bytes for ASCII: COLLATE "C",
    SQLite BINARY) agrees with ICU's Vietnamese comparison of (given, family, middle)."""
    (fa, ma, ga), (fb, mb, gb) = a, b
    expected = icu_cmp((ga, fa, ma), (gb, fb, mb))
    ka, kb = sort_key(fa, ma, ga), sort_key(fb, mb, gb)
    assert ka.isascii() and kb.isascii()
    assert (ka > kb) - (ka < kb) == expected
    assert (ka.encode() > kb.encode()) - (ka.encode() < kb.encode()) == expected


@given(name)
def test_it_splits_names_into_family_middle_given_and_back(s):
    family, middle, given_ = split_full_name(s)
    assert " ".join(p for p in (family, middle, given_) if p) == nfc(s)
    assert given_ == nfc(s).split(" ")[-1]
    assert " " not in family and " " not in given_


def test_it_splits_short_names():
    assert split_full_name("  An ") == ("", "", "An")
    assert split_full_name("Lê An") == ("Lê", "", "An")
    assert split_full_name("Tôn Nữ Thị  Hà") == ("Tôn", "Nữ Thị", "Hà")
    assert split_full_name("") == ("", "", "")


@given(name)
def test_it_is_deterministic_and_normalization_blind(s):
    key = full_name_sort_key(s)
    assert key == full_name_sort_key(s)
    assert key == full_name_sort_key(unicodedata.normalize("NFD", s))
    assert key == full_name_sort_key(f"  {s} ")


def test_it_gives_every_thread_the_same_keys():
    names = ["Nguyễn Văn An", "Đặng Thị Ánh", "Lò Ưng", "Tôn Nữ Thị Hà"] * 50
    expected = [full_name_sort_key(n) for n in names]
    results = []

    def work():
        results.append([full_name_sort_key(n) for n in names])

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [expected] * 8


def test_it_names_the_icu_that_built_the_keys():
    version = icu_version()
    assert version == icu_version()
    assert icu.ICU_VERSION in version and icu.UNICODE_VERSION in version
