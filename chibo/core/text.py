"""PROVISIONAL — being replaced by the full module with Hypothesis tests."""

import unicodedata

import icu


def nfc(s: str) -> str:
    return " ".join(unicodedata.normalize("NFC", s).split())


def search_key(s: str) -> str:
    s = unicodedata.normalize("NFD", nfc(s).replace("đ", "d").replace("Đ", "D"))
    s = "".join(c for c in s if not unicodedata.combining(c)).lower()
    return " ".join("".join(c if c.isalnum() else " " for c in s).split())


_COLL = icu.Collator.createInstance(icu.Locale("vi"))


def sort_key(family: str, middle: str, given: str) -> str:
    return " ".join(_COLL.getSortKey(p).rstrip(b"\0").hex() for p in (given, family, middle))


def split_full_name(full: str) -> tuple[str, str, str]:
    parts = nfc(full).split()
    if len(parts) == 1:
        return "", "", parts[0]
    return parts[0], " ".join(parts[1:-1]), parts[-1]


def icu_version() -> str:
    return icu.ICU_VERSION
