"""Small-cell suppression with complementary suppression, on mart frames.

A count from 1 up to the threshold (exclusive) is published as NULL with `onderdrukt` true (indicators.md). A
zero is published: there is nobody in it to recognise, and hiding every empty month would make the marts unreadable.

Hiding a cell is not enough where the cell can be computed from others. A `Direction` names such an additive
relation: within a group, the row whose `part` is the total holds the sum of the other rows (the teams of a
gemeente-month, the vormen of uithuisplaatsingen, the months of a quarter, the quarters of a year). A group with
exactly one hidden cell gives it away, so the smallest published non-zero part is hidden too, and that repeats over
every direction until nothing changes. A `Direction` with `equal` names cells that hold the same figure (a stock
such as the queue of a quarter is that of its last month): hidden in one, they are hidden in all. Derived figures
(a median, a percentage, an amount) are hidden with the counts they come from; `carry` hides a running figure
(year to date) from the first hidden period of its group on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from jeugdmonitor.schemas.marts import TOTAAL


@dataclass(frozen=True)
class Direction:
    """Within `group`, the rows with part == total hold the sum of the other rows, for `columns` (None: all).
    With `equal`, every row of the group holds the same figure (`part` is then only a column that must be set)."""

    group: tuple[str, ...]
    part: str
    total: object = TOTAAL
    columns: tuple[str, ...] | None = None
    equal: bool = False


def primary(frame: pd.DataFrame, counts: Sequence[str], threshold: int) -> pd.DataFrame:
    """Per count column, the cells below the threshold (and above zero)."""
    return pd.DataFrame(
        {c: frame[c].notna() & (frame[c] > 0) & (frame[c] < threshold) for c in counts}, index=frame.index
    )


def complementary(frame: pd.DataFrame, hidden: pd.DataFrame, directions: Sequence[Direction]) -> pd.DataFrame:
    """`hidden` closed under every direction: no group is left with a single hidden cell that it gives away."""
    hidden = hidden.copy()
    changed = True
    while changed:
        changed = False
        for direction in directions:
            for column in direction.columns or hidden.columns:
                if column in hidden:
                    changed |= _close(frame, hidden, column, direction)
    return hidden


def _close(frame: pd.DataFrame, hidden: pd.DataFrame, column: str, direction: Direction) -> bool:
    part = frame[direction.part]
    usable = part.notna()
    for group in direction.group:
        usable &= frame[group].notna()
    subset = frame[usable]
    if subset.empty:
        return False
    keys = [subset[g] for g in direction.group]
    if direction.equal:
        mine = hidden.loc[subset.index, column]
        spread = mine.groupby(keys, sort=False).transform("any").astype(bool)
        grown = spread & ~mine & frame.loc[subset.index, column].notna()
        hidden.loc[grown[grown].index, column] = True
        return bool(grown.any())
    # Only groups with a total and exactly one hidden cell give something away: find them without a Python loop.
    n_hidden = hidden.loc[subset.index, column].groupby(keys, sort=False).transform("sum")
    has_total = (part[subset.index] == direction.total).groupby(keys, sort=False).transform("any")
    exposed = subset[(n_hidden == 1) & has_total]
    if exposed.empty:
        return False
    is_total = part == direction.total
    changed = False
    for positions in exposed.groupby(list(direction.group), sort=False).indices.values():
        rows = exposed.index[positions]
        candidates = [i for i in rows if not is_total[i] and not hidden.at[i, column] and pd.notna(frame.at[i, column])]
        if not candidates:
            # the hidden cell is the only part (a gemeente with one team, a quarter with one month so far): the
            # total is that part, so it goes too
            totals = [i for i in rows if is_total[i] and not hidden.at[i, column] and pd.notna(frame.at[i, column])]
            for i in totals:
                hidden.at[i, column] = True
            changed |= bool(totals)
            continue
        # A hidden zero protects little when a part is known to be empty: prefer the smallest non-zero part.
        smallest = min(
            candidates, key=lambda i: (frame.at[i, column] == 0, frame.at[i, column], str(frame.at[i, direction.part]))
        )
        hidden.at[smallest, column] = True
        changed = True
    return changed


def publish(
    frame: pd.DataFrame,
    hidden: pd.DataFrame,
    *,
    rates: Mapping[str, Sequence[str]] | None = None,
    carry: Mapping[str, Sequence[str]] | None = None,
    carry_by: Sequence[str] = (),
    carry_order: str | None = None,
) -> pd.DataFrame:
    """`frame` with the hidden counts NULL, the rates of hidden counts NULL and `onderdrukt` set.

    `carry` maps a running figure to the counts it accumulates: within `carry_by`, in `carry_order`, it is hidden
    from the first row whose count is hidden on; rows with the same `carry_order` (a quarter and its last month
    end on the same day, and so have the same year to date) are hidden together."""
    out = frame.copy()
    for column in hidden.columns:
        out[column] = out[column].astype("Float64").mask(hidden[column])
    for rate, sources in (rates or {}).items():
        out[rate] = out[rate].astype("Float64").mask(hidden[list(sources)].any(axis=1))
    for running, sources in (carry or {}).items():
        ever = hidden[list(sources)].any(axis=1).astype(int)
        ordered = out.assign(_ever=ever)
        assert carry_order is not None, "a running figure needs the order it runs in"
        together = [*carry_by, carry_order]
        ordered["_ever"] = ordered.groupby(together, sort=False, dropna=False)["_ever"].transform("max")
        ordered = ordered.sort_values(carry_order, kind="stable")
        seen = ordered.groupby(list(carry_by), sort=False, dropna=False)["_ever"].cummax().reindex(out.index)
        out[running] = out[running].astype("Float64").mask(seen.astype(bool))
    out["onderdrukt"] = hidden.any(axis=1) if len(hidden.columns) else False
    return out


def suppress(
    frame: pd.DataFrame,
    counts: Sequence[str],
    threshold: int,
    *,
    directions: Sequence[Direction] = (),
    rates: dict[str, Sequence[str]] | None = None,
) -> pd.DataFrame:
    """Primary and complementary suppression of `counts`, then `publish` (for one mart on its own)."""
    hidden = complementary(frame, primary(frame, counts, threshold), directions)
    return publish(frame, hidden, rates=rates)


def safe_ratio(numerator: pd.Series, denominator: pd.Series, scale: float = 1.0) -> pd.Series:
    """numerator / denominator × scale, NULL where the denominator is zero or missing."""
    num = numerator.astype("Float64")
    den = denominator.astype("Float64")
    return (num * scale / den.where(den != 0)).astype("Float64").replace([np.inf, -np.inf], pd.NA)
