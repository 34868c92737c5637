"""The English catalog stays complete: no entry left empty or marked fuzzy (a fuzzy entry is a
guess from another string and is not used by gettext, so the page would fall back silently)."""

import re
from pathlib import Path

PO = Path(__file__).resolve().parents[2] / "locale" / "en" / "LC_MESSAGES" / "django.po"


def test_the_english_catalog_has_no_empty_or_fuzzy_entries():
    entries = PO.read_text(encoding="utf-8").split("\n\n")[1:]  # the first is the header
    fuzzy = [e for e in entries if re.search(r"^#,.*\bfuzzy\b", e, re.M)]
    empty = [
        e
        for e in entries
        if re.search(r'^msgstr(\[\d\])? ""\n?$', e.strip() + "\n", re.M)
        and not re.search(r'^msgstr(\[\d\])? ""\n"', e, re.M)
    ]
    assert not fuzzy, fuzzy[:3]
    assert not empty, empty[:3]
