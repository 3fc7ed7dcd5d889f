"""Figures per 1,000 youths of 0-17 (CBS 03759ned population on 1 January) and the target "1 op N" per year.

Which population a period is set against: that on 1 January of the year the period starts in (a month, quarter,
half-year or year: all of one year); while CBS has not published that year yet, the latest earlier year it has
published. `bevolking_peiljaar` names the year used, so a rate on last year's population is visible as such. A
population CBS has not published for any year up to the period leaves the rate unknown, never 0.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
from jeugdmonitor.transforms.marts import zorg
from jeugdmonitor.transforms.marts.suppression import safe_ratio

POPULATION = "bevolking_0_17"
POPULATION_YEAR = "bevolking_peiljaar"
PER = 1000
# mart_ots and mart_uithuisplaatsingen: rate column -> the count it divides
IN_PERIODE = {"jeugdigen_in_periode_per_1000": "jeugdigen_in_periode"}


def population_by_year(cbs: pd.DataFrame) -> dict[int, float]:
    """Year -> youths 0-17 on 1 January (schemas/cbs_indicators.toml bevolking_0_17), the years with a value."""
    values, _ = zorg.cbs_lookup(cbs, POPULATION)
    return {int(code[:4]): float(v) for code, v in values.items() if code.endswith("JJ00") and pd.notna(v)}


def population_for(years: Mapping[int, float], year: int) -> tuple[float | None, int | None]:
    """(population, the year it is of) for a period starting in `year`: that year, else the latest before it."""
    known = [y for y in years if y <= year]
    if not known:
        return None, None
    chosen = max(known)
    return years[chosen], chosen


def with_rates(frame: pd.DataFrame, cbs: pd.DataFrame, rates: Mapping[str, str]) -> pd.DataFrame:
    """`frame` (with periode_start) plus bevolking_0_17, bevolking_peiljaar and each rate column of `rates`
    (rate -> the count it divides) per 1,000 youths."""
    years = population_by_year(cbs)
    chosen = [population_for(years, y) for y in pd.to_datetime(frame["periode_start"]).dt.year]
    out = frame.assign(
        **{
            POPULATION: pd.array([p for p, _ in chosen], dtype="Float64"),
            POPULATION_YEAR: pd.array([y for _, y in chosen], dtype="Int64"),
        }
    )
    for rate, count in rates.items():
        out[rate] = safe_ratio(out[count], out[POPULATION], PER)
    return out


def target_for(doel: float | Mapping[int, float] | None, year: int) -> float | None:
    """The target "1 op N" in force in `year`: one number for every year, or a path of years -> N, linear between
    the given years and the last one holding after it. Before the path's first year there is no target yet."""
    if doel is None:
        return None
    if not isinstance(doel, Mapping):
        return float(doel)
    points = sorted((int(y), float(n)) for y, n in doel.items())
    if not points or year < points[0][0]:
        return None
    for (y0, n0), (y1, n1) in zip(points, points[1:], strict=False):
        if y0 <= year <= y1:
            return round(n0 + (n1 - n0) * (year - y0) / (y1 - y0), 2)
    return points[-1][1]
