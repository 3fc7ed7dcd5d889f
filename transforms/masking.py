"""The one masker for everything a file brings that is shown to people: rejected values, record keys, file names.

A delivered file can carry a BSN or a birth date anywhere: in a cell that shifted one column, in a header row that
is really a data row, in its own name (`export_999900006.csv`). What the monitor shows of it (quarantine rows,
the `quarantine` command, alerts, run artifacts) goes through `masked`, so that no caller can forget:

- Digits. A value keeps its digits only when it holds at most four of them in at most two groups: a code such as
  GM0546 or ZTW2, a small number such as -5.0. Anything with more digits or more groups (a BSN, also written as
  `999 900 006` or with a digit per cell; a date such as 2011-04-03, 03-04-2011, 3-4-11 or 03042011; an AGB
  code; a long reference number) has every digit replaced by `#`. The shape stays (`####-##-##`, `DCL#########`),
  so a reader still sees what kind of value it was and how long; the file and line find the record itself.
- Control and format characters (newlines, NUL, ANSI escapes, bidirectional overrides) are shown as visible
  symbols, so a value cannot break a report line, colour a terminal or reorder the text around it.
- Length: at most `limit` characters (64, the width of the quarantine columns), cut with an ellipsis.

Letters stay: a name in a code field would show. That is why reasons name the field and the layout's own column
names, never a value (see transforms/reasons.py), and why the masked value is only in the quarantine, never in
an alert.
"""

from __future__ import annotations

import re
import unicodedata

LIMIT = 64
KEPT_DIGITS = 4  # GM0546: a gemeentecode keeps its digits; a date (at least 3 groups or 6 digits) never does
KEPT_GROUPS = 2  # -5.0 keeps its digits; 3-4-11 does not

_DIGIT = re.compile(r"\d")  # every script's decimal digits, not only 0-9
_DIGIT_GROUP = re.compile(r"\d+")
_C0_PICTURES = {code: chr(0x2400 + code) for code in range(0x20)} | {0x7F: "\u2421"}  # NUL -> ␀, ESC -> ␛


def masked(value: object, limit: int = LIMIT) -> str | None:
    """`value` as it may be shown: digits hidden unless it is a short code, control characters visible, at most
    `limit` characters. None stays None."""
    if value is None:
        return None
    text = str(value)
    digits = _DIGIT.findall(text)
    if len(digits) > KEPT_DIGITS or len(_DIGIT_GROUP.findall(text)) > KEPT_GROUPS:
        text = _DIGIT.sub("#", text)
    text = "".join(_visible(c) for c in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _visible(char: str) -> str:
    if char in "\t ":
        return " "
    if ord(char) in _C0_PICTURES:
        return _C0_PICTURES[ord(char)]
    if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
        return "\ufffd"
    return char
