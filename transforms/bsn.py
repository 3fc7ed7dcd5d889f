"""The burgerservicenummer (BSN): 11-proef and masking. Nothing here stores or logs a BSN."""

from __future__ import annotations

from operator import mul

_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)


def is_valid_bsn(value: str | None) -> bool:
    """True when `value` is nine digits 0-9 that pass the 11-proef (CS002); 000000000 does not count. Digits of
    other scripts (isdigit and int take '١٢٣') are not a BSN."""
    if value is None or len(value) != 9 or not value.isascii() or not value.isdigit() or value == "000000000":
        return False
    return sum(map(mul, map(int, value), _WEIGHTS)) % 11 == 0


def bsn_check_digit(first_eight: str) -> int | None:
    """The ninth digit that makes `first_eight` + digit pass the 11-proef, or None when no digit can."""
    total = sum(int(d) * w for d, w in zip(first_eight, _WEIGHTS[:8], strict=True))
    digit = total % 11
    return None if digit == 10 else digit


def mask_bsn(value: str | None) -> str:
    """A display form that keeps the first two and last two characters: 999900006 -> 99*****06.

    Used wherever a rejected value has to be shown (quarantine, alerts). Two digits at each end are enough to
    tell values apart next to the file and line; showing more would narrow a mistyped real BSN down to a handful
    of people. Short or empty values are masked whole.
    """
    if not value:
        return ""
    value = str(value).strip()
    if len(value) < 7:
        return "*" * len(value)
    return f"{value[:2]}{'*' * (len(value) - 4)}{value[-2:]}"
