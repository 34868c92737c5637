"""Vietnamese text: NFC storage, an accent-free search key and an ICU sort key.

Both keys are computed here, in Python, and stored; the databases only compare them byte by
byte (BinaryCharField: COLLATE "C" on PostgreSQL, BINARY on SQLite), so both databases give the
same order, the same keyset cursors and the same search hits, whatever collations the database
server happens to have.
"""

from __future__ import annotations

import hashlib
import threading
import unicodedata

import icu

# đ/Đ has no canonical decomposition in Unicode (it is a letter of its own, not d + a mark), so
# stripping combining marks leaves it alone: map it by hand.
_D_MAP = str.maketrans({"đ": "d", "Đ": "D"})

# Every Vietnamese letter with every tone, upper and lower case: the probe for the collation
# fingerprint in icu_version().
_VI_LETTERS = (
    "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ"
)

# ICU collators keep per-call state and must not be used by two threads at once: one per thread
# (creating one is cheap next to a lock held on every key).
_local = threading.local()


def nfc(s: str) -> str:
    """NFC, trimmed, inner whitespace runs collapsed to one space: how names are stored."""
    return " ".join(unicodedata.normalize("NFC", s or "").split())


def search_key(s: str) -> str:
    """The accent-free search key: lower case, no diacritics, đ → d, ASCII letters and digits
    only, words separated by single spaces. NFC, NFD and case variants give the same key.

    Stored and indexed, and searched with LIKE 'key%': punctuation becomes a space, so a key (or
    a query passed through this function) never holds a LIKE wildcard ('%', '_')."""
    # NFD splits every precomposed letter into base + combining marks; dropping the marks
    # removes tones and the breve/circumflex/horn together (ắ → a, ờ → o, ự → u).
    decomposed = unicodedata.normalize("NFD", (s or "").translate(_D_MAP))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    kept = "".join(c if c.isascii() and c.isalnum() else " " for c in bare)
    return " ".join(kept.split())


def split_full_name(full: str) -> tuple[str, str, str]:
    """(family, middle, given) in Vietnamese order: the first word, the words between (maybe
    ""), the last word. One word is a given name: ("", "", word). Empty text: ("", "", "")."""
    words = nfc(full).split()
    if not words:
        return "", "", ""
    if len(words) == 1:
        return "", "", words[0]
    return words[0], " ".join(words[1:-1]), words[-1]


def _collator() -> icu.Collator:
    coll = getattr(_local, "collator", None)
    if coll is None:
        # "vi" tailors the root order: a < ă < â, d < đ, e < ê, o < ô < ơ, u < ư as letters
        # (primary), tones as accents after the bare letter (secondary: ngang < huyền < hỏi <
        # ngã < sắc < nặng), case last (tertiary). Tertiary is the default; set it anyway so
        # the stored keys cannot change with a default.
        coll = icu.Collator.createInstance(icu.Locale("vi"))
        coll.setStrength(icu.Collator.TERTIARY)
        _local.collator = coll
    return coll


def part_key(part: str) -> str:
    """ICU's Vietnamese sort key for one name part, as lower-case hex.

    Hex keeps byte order: every byte becomes two characters of the same width and
    '0' < … < '9' < 'a' < … < 'f' in ASCII, so comparing the hex strings character by character
    is comparing the key bytes. ICU's trailing NUL terminator is dropped (no other byte of an
    ICU key is 0x00). An empty part still has a key ("0101", the level separators), and it
    sorts before any name's."""
    return _collator().getSortKey(nfc(part)).rstrip(b"\x00").hex()


def sort_key(family: str, middle: str, given: str) -> str:
    """The stored Vietnamese sort key: given name, then family name, then middle name, each by
    ICU's Vietnamese collation (a < ă < â < b … d < đ …, tones after the bare letter).

    Plain byte comparison of two keys (Python `<`, COLLATE "C", SQLite BINARY) agrees with
    comparing (given, family, middle) part by part with ICU:
    - the parts' hex keys are joined by a space, which is below every hex digit, so a part is
      compared as a whole before the next part is looked at; and when one part's key is a
      prefix of the other's, the shorter (the space) sorts first, as ICU's own byte order does;
    - a separator cannot occur inside a hex key (unlike a "00" pair, which can straddle bytes).
    Names equal at ICU's tertiary strength (after NFC) get equal keys; callers break the tie
    with the primary key."""
    return " ".join(part_key(p) for p in (given, family, middle))


def full_name_sort_key(full: str) -> str:
    """sort_key() of a full name written in Vietnamese order ("Nguyễn Văn An")."""
    return sort_key(*split_full_name(full))


def icu_version() -> str:
    """What built the stored sort keys: ICU, its Unicode version and a fingerprint of the
    Vietnamese collation (its tailoring rules and the keys of every Vietnamese letter).
    Recorded next to the keys; when it changes, run `chibo rebuild_text_keys`.

    PyICU exposes no collator version, and the fingerprint catches what a version number
    would: any change of the keys that the stored ones were compared against."""
    coll = _collator()
    probe = _VI_LETTERS + _VI_LETTERS.upper() + "0123456789 "
    digest = hashlib.sha256(coll.getRules().encode())
    for ch in probe:
        digest.update(coll.getSortKey(ch))
    return f"ICU {icu.ICU_VERSION}, Unicode {icu.UNICODE_VERSION}, vi {digest.hexdigest()[:12]}"
