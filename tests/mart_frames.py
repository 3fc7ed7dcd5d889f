"""Comparing mart frames in golden tests: plain values (None for NaN/NA, ISO dates, rounded floats) and picks."""

from __future__ import annotations

import math

import pandas as pd


def cell(value):
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, float | int) and not isinstance(value, bool):
        return round(float(value), 6)
    return value


def rows(out: pd.DataFrame, columns: list[str]) -> list[tuple]:
    """The frame as sorted tuples of `columns`: NaN/NA -> None, dates -> ISO strings, numbers -> floats."""
    return sorted(tuple(cell(v) for v in record) for record in out[columns].astype(object).itertuples(index=False))


def expected(lines: list[tuple]) -> list[tuple]:
    return sorted(tuple(cell(v) for v in line) for line in lines)


def pick(out: pd.DataFrame, columns: list[str], **where) -> pd.DataFrame:
    """The rows of `out` matching `where`, in `columns`, with maand as ISO text."""
    selected = out
    for column, value in where.items():
        selected = selected[selected[column] == value]
    selected = selected.assign(maand=pd.to_datetime(selected["maand"]).dt.strftime("%Y-%m-%d"))
    return selected[columns].reset_index(drop=True)


def expect(got: pd.DataFrame, columns: list[str], lines: list) -> None:
    pd.testing.assert_frame_equal(got, pd.DataFrame(lines, columns=columns), check_dtype=False)


def months(out: pd.DataFrame) -> pd.DataFrame:
    """The month rows of a mart frame (a mart with a month grain also has quarter and year rows)."""
    return out[out["periode_type"] == "maand"].reset_index(drop=True)
