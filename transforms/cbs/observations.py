"""CBS observations as a long DataFrame, and what a new table version changes in the warehouse.

Pure functions: rows in, DataFrames out. The client has already stripped the padded keys (cbs.md §1.7).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

# The natural key of an observation: one cell of a CBS table.
KEY = ["table_id", "measure", "regio_code", "periode", "dimensions"]
VALUE_COLUMNS = ["value", "value_text", "value_attribute", "period_status"]
COLUMNS = [*KEY, "gemeentecode", *VALUE_COLUMNS, "line"]
# v4 leaves empty cells out (cbs.md §2.3); a cell that a newer version no longer returns has become empty.
NOT_RETURNED = "NotReturned"


def dimensions_code(dimensions: Mapping[str, str], skip: Iterable[str]) -> str:
    """The dimensions other than region and period as one stable string: 'Geslacht=T001038;Leeftijd=10010'."""
    skipped = set(skip)
    return ";".join(f"{k}={v}" for k, v in sorted(dimensions.items()) if k not in skipped)


def observations_frame(
    observations: Iterable[dict],
    *,
    table_id: str,
    geo_key: str,
    time_key: str | None,
    period_status: Mapping[str, str | None],
    herindeling: Mapping[str, str],
    fixed_period: str | None = None,
) -> pd.DataFrame:
    """One row per observation ({"measure", "dimensions", "value", "value_attribute"}) in warehouse columns.

    `fixed_period` is the period of tables without a time dimension (Gebieden in Nederland <jaar>: the year).
    Text measures (the codes and names of the Gebieden tables) carry `string_value`: it goes to value_text.
    """
    skip = [geo_key] + ([time_key] if time_key else [])
    rows = []
    for line, obs in enumerate(observations, start=1):
        dims = obs["dimensions"]
        regio = dims.get(geo_key, "")
        periode = dims[time_key] if time_key else fixed_period
        value = obs.get("value")
        text = obs.get("string_value")
        rows.append(
            {
                "table_id": table_id,
                "measure": obs["measure"],
                "regio_code": regio,
                "periode": periode,
                "dimensions": dimensions_code(dims, skip),
                "gemeentecode": current_gemeente(regio, herindeling),
                "value": None if value is None else float(value),
                "value_text": text,
                "value_attribute": obs.get("value_attribute") or "None",
                "period_status": None if periode is None else period_status.get(periode),
                "line": line,
            }
        )
    return pd.DataFrame(rows, columns=COLUMNS)


def current_gemeente(regio: str, herindeling: Mapping[str, str]) -> str | None:
    """The GM code of today's gemeente for a CBS region code; None for regions that are not gemeenten."""
    if not regio.startswith("GM"):
        return None
    seen: set[str] = set()
    while regio in herindeling and regio not in seen:  # a chain of herindelingen ends at today's code
        seen.add(regio)
        regio = herindeling[regio]
    return regio


def without_duplicates(frame: pd.DataFrame) -> tuple[pd.DataFrame, int, int]:
    """The cells once each: a cell that came more than once with the same values is kept once. Returns the frame,
    how many identical repeats were dropped, and how many cells came with different values (kept all: the caller
    must refuse the version, as there is no telling which value is right)."""
    if not frame.duplicated(KEY).any():
        return frame, 0, 0
    distinct = frame.drop_duplicates([*KEY, *VALUE_COLUMNS]).reset_index(drop=True)
    clash = distinct.duplicated(KEY, keep=False)
    conflicting = len(distinct.loc[clash, KEY].drop_duplicates())
    return distinct, len(frame) - len(distinct), conflicting


def content_sha256(frame: pd.DataFrame) -> str:
    """Identity of a table version's content: the same cells give the same hash, whatever the order of fetching."""
    ordered = frame[[*KEY, *VALUE_COLUMNS]].sort_values(KEY)
    digest = hashlib.sha256()
    for row in ordered.itertuples(index=False):
        digest.update(json.dumps([_plain(v) for v in row], ensure_ascii=False).encode())
        digest.update(b"\n")
    return digest.hexdigest()


@dataclass
class Changes:
    inserts: pd.DataFrame  # new cells
    updates: pd.DataFrame  # changed cells, with the warehouse id
    revisions: pd.DataFrame  # old and new value and status of every changed cell
    unchanged: int


def diff(existing: pd.DataFrame, incoming: pd.DataFrame) -> Changes:
    """What loading `incoming` (a new version of one table) changes in `existing` (its rows in the warehouse,
    with their `id`). A value that turns into null is a change too. Cells of the periods in `incoming` that it no
    longer holds become null (value_attribute NotReturned); cells of other periods are left alone."""
    if existing.empty:
        no_updates = incoming.iloc[0:0].assign(id=pd.Series(dtype="int64"))[["id", *COLUMNS]]
        return Changes(incoming[COLUMNS].reset_index(drop=True), no_updates, _revisions(no_updates), 0)
    merged = existing.merge(incoming, on=KEY, how="outer", suffixes=("_old", ""), indicator=True)
    inserts = merged[merged["_merge"] == "right_only"]
    both = merged[merged["_merge"] == "both"]
    gone = merged[(merged["_merge"] == "left_only") & merged["periode"].isin(set(incoming["periode"]))].copy()
    if not gone.empty:
        gone = gone.assign(
            value=None,
            value_text=None,
            value_attribute=NOT_RETURNED,
            period_status=gone["period_status_old"],
            gemeentecode=gone["gemeentecode_old"],
            line=gone["line_old"],
        )
    changed = both[_differs(both)]
    updates = pd.concat([changed, gone]) if not gone.empty else changed
    revisions = _revisions(updates)
    return Changes(
        inserts[COLUMNS].reset_index(drop=True),
        updates[["id", *COLUMNS]].reset_index(drop=True),
        revisions,
        len(both) - len(changed),
    )


def _differs(both: pd.DataFrame) -> pd.Series:
    differs = pd.Series(False, index=both.index)
    for column in VALUE_COLUMNS:
        old, new = both[f"{column}_old"], both[column]
        same = (old == new) | (old.isna() & new.isna())
        differs |= ~same
    return differs


REVISION_COLUMNS = [*KEY, "old_value", "new_value", "old_status", "new_status"]


def _revisions(updates: pd.DataFrame) -> pd.DataFrame:
    if "value_old" not in updates:
        return pd.DataFrame(columns=REVISION_COLUMNS)
    return pd.DataFrame(
        {
            **{k: updates[k] for k in KEY},
            "old_value": updates["value_old"],
            "new_value": updates["value"],
            "old_status": updates["period_status_old"],
            "new_status": updates["period_status"],
        }
    )[REVISION_COLUMNS].reset_index(drop=True)


def _plain(value):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value
