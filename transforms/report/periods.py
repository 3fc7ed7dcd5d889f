"""Dutch labels of periods and numbers for the report pages."""

from __future__ import annotations

import math
from datetime import date

import pandas as pd

MAANDEN = ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]


def periode_label(code: str) -> str:
    """A CBS period code in plain Dutch: 2025MM03 'mrt 2025', 2025KW01 'K1 2025', 2025HJ02 '2e halfjaar 2025',
    2025JJ00 '2025'."""
    year, kind, number = code[:4], code[4:6], int(code[6:8])
    if kind == "MM":
        return f"{MAANDEN[number - 1]} {year}"
    if kind == "KW":
        return f"K{number} {year}"
    if kind == "HJ":
        return f"{number}e halfjaar {year}"
    return year


def maand_label(day: date | pd.Timestamp) -> str:
    return f"{MAANDEN[day.month - 1]} {day.year}"


def is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def getal(value: object, decimals: int = 0) -> str:
    """Dutch notation: thousands with a dot, decimal comma."""
    if is_missing(value):
        return ""
    text = f"{float(value):,.{decimals}f}"  # type: ignore[arg-type]
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def euro(value: object) -> str:
    return "" if is_missing(value) else f"€ {getal(value)}"
