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
    masks = {column: hidden[column].to_numpy(dtype=bool, copy=True) for column in hidden.columns}
    groups = [(direction, _Groups.of(frame, direction)) for direction in directions]
    values: dict[str, np.ndarray] = {}
    changed = True
    while changed:
        changed = False
        for direction, grouped in groups:
            if grouped is None:
                continue
            for column in direction.columns or hidden.columns:
                if column in masks:
                    if column not in values:
                        values[column] = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
                    changed |= grouped.close(masks[column], values[column], direction.equal)
    return pd.DataFrame(masks, index=hidden.index, columns=hidden.columns)


@dataclass(frozen=True)
class _Groups:
    """The groups of one direction over a frame, as positions: computed once, then closed for every column and
    every round (a frame copy per round and column made the closure the slowest part of a build)."""

    rows: np.ndarray  # positions of the rows that take part (part and group columns set)
    ids: np.ndarray  # their group number
    is_total: np.ndarray  # per row in `rows`
    has_total: np.ndarray  # per group
    members: list[np.ndarray]  # per group: indexes into `rows`
    labels: np.ndarray  # per row in `rows`: the part as text (the last tie-break)

    @classmethod
    def of(cls, frame: pd.DataFrame, direction: Direction) -> _Groups | None:
        usable = frame[direction.part].notna()
        for group in direction.group:
            usable &= frame[group].notna()
        rows = np.flatnonzero(usable.to_numpy())
        if not len(rows):
            return None
        keys = frame.iloc[rows][list(direction.group)]
        ids = keys.groupby(list(direction.group), sort=False).ngroup().to_numpy()
        part = frame[direction.part].iloc[rows]
        is_total = (part == direction.total).to_numpy()
        count = int(ids.max()) + 1
        has_total = np.bincount(ids, weights=is_total, minlength=count) > 0
        order = np.argsort(ids, kind="stable")
        members = np.split(order, np.flatnonzero(np.diff(ids[order])) + 1)
        return cls(rows, ids, is_total, has_total, members, part.astype(str).to_numpy())

    def close(self, hidden: np.ndarray, values: np.ndarray, equal: bool) -> bool:
        """Hide what the groups give away in `hidden` (in place); whether anything changed."""
        mine = hidden[self.rows]
        known = ~np.isnan(values[self.rows])
        if equal:
            spread = np.bincount(self.ids, weights=mine, minlength=len(self.has_total)) > 0
            grown = spread[self.ids] & ~mine & known
            hidden[self.rows[grown]] = True
            return bool(grown.any())
        # Only groups with a total and exactly one hidden cell give something away.
        n_hidden = np.bincount(self.ids, weights=mine, minlength=len(self.has_total))
        changed = False
        for group in np.flatnonzero((n_hidden == 1) & self.has_total):
            members = self.members[group]
            open_ = members[~mine[members] & known[members]]
            candidates = open_[~self.is_total[open_]]
            if not len(candidates):
                # the hidden cell is the only part (a gemeente with one team, a quarter with one month so far):
                # the total is that part, so it goes too
                totals = open_[self.is_total[open_]]
                hidden[self.rows[totals]] = True
                changed |= bool(len(totals))
                continue
            # A hidden zero protects little when a part is known to be empty: prefer the smallest non-zero part.
            amounts = values[self.rows[candidates]]
            smallest = min(
                range(len(candidates)), key=lambda k: (amounts[k] == 0, amounts[k], self.labels[candidates[k]])
            )
            hidden[self.rows[candidates[smallest]]] = True
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
