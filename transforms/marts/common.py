"""Shapes every mart shares: its output columns, months as first-day Timestamps, and the part × month grid."""

from __future__ import annotations

import pandas as pd
from jeugdmonitor.schemas.marts import TOTAAL
from jeugdmonitor.transforms.marts.inputs import Window
from sqlalchemy import Table


def mart_columns(table: Table) -> list[str]:
    """The columns a build returns: the table's, without those the builder adds (onderdrukt, levering,
    bijgewerkt_op)."""
    return [c.name for c in table.columns if c.name not in ("onderdrukt", "levering", "bijgewerkt_op")]


def month_of(dates: pd.Series) -> pd.Series:
    return dates.dt.to_period("M").dt.to_timestamp()


def with_totaal(frame: pd.DataFrame, part: str) -> pd.DataFrame:
    """The rows twice: as they are, and with `part` set to 'totaal' (the group's total)."""
    return pd.concat([frame, frame.assign(**{part: TOTAAL})], ignore_index=True)


def grid(part: str, values: list[str], window: Window) -> pd.DataFrame:
    """Every value of `part` × every month of the window: a mart has a row even for a month without events."""
    return pd.MultiIndex.from_product([values, pd.to_datetime(window.months)], names=[part, "maand"]).to_frame(
        index=False
    )


def from_first_appearance(frame: pd.DataFrame, part: str, first: pd.Series) -> pd.DataFrame:
    """Rows of a part discovered in the data (an aanbieder, a productcategorie) only from the month it first
    appears (`first`: part -> first month). Without this, a part that first shows up in a late delivery would
    get zero rows for earlier months in a full rebuild but not in an incremental one. 'totaal' is always there."""
    starts = pd.to_datetime(frame[part].map(dict(first)))
    return frame[(frame[part] == TOTAAL) | (frame["maand"] >= starts)].reset_index(drop=True)
