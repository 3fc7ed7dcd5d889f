"""Months, quarters, half-years and years as the marts use them: `maand` is the first day; CBS codes for longer
periods."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(first: date) -> date:
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def months(first: date, last: date) -> list[date]:
    """First days of every month from `first`'s month to `last`'s month, inclusive."""
    out, current, stop = [], month_start(first), month_start(last)
    while current <= stop:
        out.append(current)
        current = month_end(current) + timedelta(days=1)
    return out


@dataclass(frozen=True)
class Period:
    code: str  # CBS: 2025MM03, 2025KW01, 2025HJ01, 2025JJ00
    kind: str  # maand, kwartaal, halfjaar, jaar
    start: date
    end: date


def month_period(first: date) -> Period:
    return Period(f"{first.year}MM{first.month:02d}", "maand", first, month_end(first))


def quarter(year: int, number: int) -> Period:
    start = date(year, 3 * number - 2, 1)
    return Period(f"{year}KW0{number}", "kwartaal", start, month_end(date(year, 3 * number, 1)))


def half_year(year: int, half: int) -> Period:
    start = date(year, 1 if half == 1 else 7, 1)
    end = date(year, 6, 30) if half == 1 else date(year, 12, 31)
    return Period(f"{year}HJ0{half}", "halfjaar", start, end)


def year_period(year: int) -> Period:
    return Period(f"{year}JJ00", "jaar", date(year, 1, 1), date(year, 12, 31))


def periods(first: date, last: date, kinds: tuple[str, ...] = ("maand", "halfjaar", "jaar")) -> list[Period]:
    """Every month, quarter, half-year and year that overlaps [first, last] (longer periods whole, even if partly
    outside)."""
    out: list[Period] = []
    if "maand" in kinds:
        out += [month_period(m) for m in months(first, last)]
    years = range(first.year, last.year + 1)
    if "kwartaal" in kinds:
        out += [p for y in years for q in (1, 2, 3, 4) if (p := quarter(y, q)).end >= first and p.start <= last]
    if "halfjaar" in kinds:
        out += [p for y in years for p in (half_year(y, 1), half_year(y, 2)) if p.end >= first and p.start <= last]
    if "jaar" in kinds:
        out += [year_period(y) for y in years]
    return out


def parse_cbs_period(code: str) -> Period | None:
    """The Period of a CBS code for a year, half-year, quarter or month; None for other kinds (peildata)."""
    year, kind, number = int(code[:4]), code[4:6], int(code[6:8])
    if kind == "JJ":
        return year_period(year)
    if kind == "KW" and 1 <= number <= 4:
        return quarter(year, number)
    if kind == "HJ" and number in (1, 2):
        return half_year(year, number)
    if kind == "MM" and 1 <= number <= 12:
        return month_period(date(year, number, 1))
    return None


def period_columns(period: Period) -> dict:
    return {
        "periode": period.code,
        "periode_type": period.kind,
        "periode_start": period.start,
        "periode_eind": period.end,
    }


def to_dates(series: pd.Series) -> pd.Series:
    """A column of dates (from SQLite strings or PostgreSQL dates) as datetime64, NaT where empty."""
    return pd.to_datetime(series, errors="coerce")
