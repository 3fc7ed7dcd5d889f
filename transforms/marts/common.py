"""Shapes every mart shares: its output columns, months as first-day Timestamps, the period rows (month, quarter,
year) and the part × period grid.

A mart with a `maand` grain has a row per month, quarter and year (`periode_type` maand, kwartaal, jaar; `maand`
the first day of the period). A quarter or year row is computed from the events of its months that the window
covers, so that it is the sum of its published months where a figure adds up; a period the window does not cover
whole (the current quarter and year, or the first one when the data start within it) has `periode_volledig` false.
"""

from __future__ import annotations

import pandas as pd
from jeugdmonitor.schemas.marts import TOTAAL
from jeugdmonitor.transforms.marts.inputs import Window
from sqlalchemy import Table

PERIOD_KINDS = ("maand", "kwartaal", "jaar")
_FREQ = {"maand": "M", "kwartaal": "Q", "jaar": "Y"}
_CODE = {"maand": "MM", "kwartaal": "KW", "jaar": "JJ"}


def mart_columns(table: Table) -> list[str]:
    """The columns a build returns: the table's, without those the builder adds (onderdrukt, levering,
    bijgewerkt_op)."""
    return [c.name for c in table.columns if c.name not in ("onderdrukt", "levering", "bijgewerkt_op")]


def month_of(dates: pd.Series) -> pd.Series:
    return dates.dt.to_period("M").dt.to_timestamp()


def with_totaal(frame: pd.DataFrame, part: str) -> pd.DataFrame:
    """The rows twice: as they are, and with `part` set to 'totaal' (the group's total)."""
    return pd.concat([frame, frame.assign(**{part: TOTAAL})], ignore_index=True)


def period_start(months: pd.Series, kind: str) -> pd.Series:
    """The first day of the `kind` period (maand, kwartaal, jaar) each month lies in."""
    return months.dt.to_period(_FREQ[kind]).dt.to_timestamp()


def over_periods(frame: pd.DataFrame, window: Window) -> pd.DataFrame:
    """The events of `frame` (with their `maand`) in the window's months, once per period kind: `periode_type`
    says which, and `maand` becomes the first day of that period. Grouping by (periode_type, maand) then gives
    month, quarter and year figures from the same events (a quarter's median is over the quarter's cases)."""
    months = pd.to_datetime(window.months)
    inside = frame[frame["maand"].isin(months)] if len(months) else frame.iloc[0:0]
    return pd.concat(
        [inside.assign(periode_type=kind, maand=period_start(inside["maand"], kind)) for kind in PERIOD_KINDS],
        ignore_index=True,
    )


def period_cells(window: Window) -> pd.DataFrame:
    """(periode_type, maand) of every month of the window and of every quarter and year that overlaps it."""
    months = pd.Series(pd.to_datetime(window.months), dtype="datetime64[ns]")
    cells = [
        pd.DataFrame({"periode_type": kind, "maand": period_start(months, kind).drop_duplicates()})
        for kind in PERIOD_KINDS
    ]
    return pd.concat(cells, ignore_index=True)


def grid(part: str, values: list[str], window: Window) -> pd.DataFrame:
    """Every value of `part` × every period of the window: a mart has a row even for a period without events."""
    return pd.DataFrame({part: values}).merge(period_cells(window), how="cross")


def _last_months(frame: pd.DataFrame) -> pd.Series:
    """The first day of the last month of each row's period (a month row: its own month)."""
    out = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    starts = pd.to_datetime(frame["maand"])
    for kind, freq in _FREQ.items():
        mask = frame["periode_type"] == kind
        if mask.any():
            out[mask] = starts[mask].dt.to_period(freq).dt.asfreq("M", "end").dt.to_timestamp()
    return out


def last_month(frame: pd.DataFrame, window: Window) -> pd.Series:
    """The last month of each row's period that the window covers (a month row: its own month)."""
    return _last_months(frame).clip(upper=pd.Timestamp(window.until))


def with_period_labels(frame: pd.DataFrame, window: Window) -> pd.DataFrame:
    """`periode` (the CBS code: 2025MM03, 2025KW01, 2025JJ00) and `periode_volledig` (the window covers every
    month of the period) for rows with periode_type and maand."""
    start = pd.to_datetime(frame["maand"])
    kind = frame["periode_type"]
    number = start.dt.month.where(kind == "maand", ((start.dt.month - 1) // 3 + 1).where(kind == "kwartaal", 0))
    code = start.dt.year.astype(str) + kind.map(_CODE) + number.map(lambda n: f"{int(n):02d}")
    covered = (start >= pd.Timestamp(window.since)) & (_last_months(frame) <= pd.Timestamp(window.until))
    return frame.assign(periode=code, periode_volledig=covered.astype(bool))


def from_first_appearance(frame: pd.DataFrame, part: str, first: pd.Series) -> pd.DataFrame:
    """Rows of a part discovered in the data (an aanbieder, a productcategorie) only from the month it first
    appears (`first`: part -> first month): a quarter or year from the one it appears in. Without this, a part
    that first shows up in a late delivery would get zero rows for earlier months in a full rebuild but not in an
    incremental one. 'totaal' is always there."""
    starts = pd.to_datetime(frame[part].map(dict(first)))
    ends = _last_months(frame) if "periode_type" in frame else frame["maand"]
    return frame[(frame[part] == TOTAAL) | (ends >= starts)].reset_index(drop=True)
