"""Agenda lines: the papers number them (the page's list, the notice, the minutes and their Word
file), so a line the user numbered themself ("1.", "2)", "II.", "a)", "- ") loses its own
marker first — never "1. 1. Kiểm điểm". Pure functions of the text."""

from __future__ import annotations

import re

# A leading marker and the spaces after it: 1. 1) 1.2. (1) I. iv) a) đ. - • + *
# Letters and Roman numerals need a space after the mark ("V.I. Lênin" is not numbered);
# numbers do not ("1.Khai mạc"), but a decimal ("1.5 triệu") is not a marker. A mark alone on
# its line ("I.", "-") is a mark with nothing after it (found by Hypothesis).
_MARKER = re.compile(
    r"""^\s*(?:
        \d{1,3}(?:\.\d{1,3})*[.)](?!\d)\s*
      | \(\s*(?:\d{1,3}|[ivxlc]{1,6}|[IVXLC]{1,6}|[a-zđ]|[A-ZĐ])\s*\)\s*
      | (?:[IVXLC]{1,6}|[ivxlc]{1,6}|[a-zđ]|[A-ZĐ])[.)](?:\s+|$)
      | [-–—•+*](?:\s+|$)
    )""",
    re.VERBOSE,
)


def item(text: str) -> str:
    """The line without the user's own numbering (markers repeated, "1. a) …", go too) and
    with its spaces collapsed."""
    text = " ".join(str(text).split())
    while True:
        stripped = _MARKER.sub("", text, count=1)
        if stripped == text:
            return text
        text = stripped


def items(lines) -> list[str]:
    """The agenda's items as the papers show them: unnumbered, empty lines left out."""
    return [t for t in (item(x) for x in lines) if t]


def numbered(lines) -> list[str]:
    """ "1. Khai mạc", "2. …": the agenda numbered once."""
    return [f"{i}. {t}" for i, t in enumerate(items(lines), start=1)]
