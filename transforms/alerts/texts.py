"""Dutch formatting for alert texts: months, numbers, euros, percentages."""

from __future__ import annotations

from datetime import date

MONTHS = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)
SEVERITY_LABEL = {"fail": "Fout", "warn": "Waarschuwing", "info": "Ter informatie"}


def maand(day: date) -> str:
    return f"{MONTHS[day.month - 1]} {day.year}"


def datum(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def getal(value: float, decimals: int = 0) -> str:
    """1234567.5 -> '1.234.567,5' (Dutch separators)."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def pct(value: float) -> str:
    return f"{getal(value, 1)}%"


def euro(value: float) -> str:
    return f"€ {getal(value)}"


def halfjaar(periode: str) -> str:
    """'2025HJ01' -> 'eerste halfjaar 2025'."""
    return f"{'eerste' if periode.endswith('01') else 'tweede'} halfjaar {periode[:4]}"


def meervoud(n: int, enkel: str, meer: str) -> str:
    return f"{getal(n)} {enkel if n == 1 else meer}"
