"""Dutch formatting for alert texts: months, numbers, euros, percentages."""

from __future__ import annotations

from datetime import date

from jeugdmonitor.transforms.reasons import REASONS

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


def opsomming(values: list[str], shown: int = 3) -> str:
    """'a; b; c en 2 meer': distinct values in their first order, a few of them."""
    distinct = list(dict.fromkeys(values))
    return "; ".join(distinct[:shown]) + (f" en {len(distinct) - shown} meer" if len(distinct) > shown else "")


def dutch_reason(code: str, redenen: list) -> tuple[str, list[str]]:
    """A reason for people and the technical details apart: a parser's or library's own (English) words in the
    `{detail}` of a reason (transforms/reasons.py) are kept for the data role, not put in a Dutch sentence.
    Returns the Dutch sentence and the distinct details (masked when they were recorded)."""
    said = [str(r) for r in redenen if isinstance(r, str) and r]
    template = REASONS.get(code)
    if template is None or "{detail}" not in template:
        return (said[0] if said else template or f"reden {code}"), []
    prefix, suffix = template.split("{detail}", 1)
    dutch = prefix.rstrip(" :(").rstrip() + "."
    details = [
        (r[: -len(suffix)] if suffix and r.endswith(suffix) else r)[len(prefix) :].strip()
        for r in said
        if r.startswith(prefix) and len(r) > len(prefix)
    ]
    return dutch, list(dict.fromkeys(details))
