"""Vietnamese text: NFC storage, an accent-free search key and an ICU sort key.

Both keys are computed here, in Python, and stored; the databases only compare them byte by
byte (BinaryCharField), so SQLite and PostgreSQL give the same order, the same keyset cursors
and the same search hits.
"""

from __future__ import annotations

import threading
import unicodedata

import icu

# đ/Đ has no decomposition in Unicode: map it by hand before stripping marks.
_D_MAP = str.maketrans({"đ": "d", "Đ": "D"})
_local = threading.local()


def nfc(s: str) -> str:
    """NFC, trimmed, inner whitespace collapsed: how names are stored."""
    return " ".join(unicodedata.normalize("NFC", s or "").split())


def search_key(s: str) -> str:
    """Lower case, no diacritics, đ → d, only ASCII letters/digits and single spaces.
    NFC, NFD and case variants of a text give the same key."""
    decomposed = unicodedata.normalize("NFD", (s or "").translate(_D_MAP))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    bare = bare.translate(_D_MAP)
    kept = "".join(c if c.isascii() and c.isalnum() else " " for c in bare)
    return " ".join(kept.split())


def split_full_name(full: str) -> tuple[str, str, str]:
    """(family, middle, given) in Vietnamese order: first word, the words between, last word."""
    parts = nfc(full).split(" ") if nfc(full) else []
    if not parts:
        return "", "", ""
    if len(parts) == 1:
        return "", "", parts[0]
    return parts[0], " ".join(parts[1:-1]), parts[-1]


def _collator() -> icu.Collator:
    # ICU collators are not safe to share between threads: one per thread.
    coll = getattr(_local, "collator", None)
    if coll is None:
        coll = icu.Collator.createInstance(icu.Locale("vi_VN"))
        coll.setStrength(icu.Collator.TERTIARY)
        _local.collator = coll
    return coll


def part_key(part: str) -> str:
    """ICU's sort key for one name part, as lower-case hex (byte order = ICU order); the trailing
    NUL terminator is dropped (ICU keys have no other NUL byte)."""
    return _collator().getSortKey(nfc(part)).rstrip(b"\x00").hex()


def sort_key(family: str, middle: str, given: str) -> str:
    """The stored Vietnamese sort key: given name, then family name, then middle name, each by
    ICU's Vietnamese collation (a < ă < â < b … d < đ …, tones after the base letter).

    Parts are joined by a space, which is below every hex digit: when one part's key is a prefix
    of another's, the shorter sorts first, as in ICU, and the next part only breaks ties."""
    return " ".join(part_key(p) for p in (given, family, middle))


def full_name_sort_key(full: str) -> str:
    return sort_key(*split_full_name(full))


def icu_version() -> str:
    """What built the stored sort keys; a change calls for `chibo rebuild_text_keys`."""
    return f"ICU {icu.ICU_VERSION}, Unicode {icu.UNICODE_VERSION}, PyICU {icu.VERSION}"
