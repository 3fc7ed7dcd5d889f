"""Picking CBS figures out of the long CBS frame by purpose, measure and category Title
(schemas/cbs_indicators.toml)."""

from __future__ import annotations

import pandas as pd

COLUMNS = ["periode", "value", "period_status"]


def cbs_figure(cbs: pd.DataFrame, spec: dict) -> pd.DataFrame:
    """periode, value, period_status of one CBS figure for the gemeente in `cbs` (one row per period).

    After a herindeling CBS keeps the old gemeenten in the older periods; their cells carry today's gemeentecode,
    so a period can hold several cells: today's gemeente is their sum (NULL only when all are NULL).

    A spec with `som_van` ({dimension: [Titles]}) falls back, for a period where its own category has no value, on
    the sum of those categories; all of them must have a value, else the period stays unknown (a sum of 17 of the
    18 single years would look like a figure and be wrong).
    """
    direct = _cells(cbs, spec, spec.get("categorie", {}))
    parts = spec.get("som_van")
    if not parts:
        return direct
    summed = _sum_of(cbs, spec, parts)
    # per period: the category's own value, else the complete sum, else (unknown) its own empty cell or the sum's
    found = [f for f in (direct[direct["value"].notna()], summed[summed["value"].notna()], direct, summed) if len(f)]
    if not found:
        return pd.DataFrame(columns=COLUMNS)
    out = pd.concat(found, ignore_index=True).drop_duplicates("periode", keep="first")
    return out.sort_values("periode", ignore_index=True)[COLUMNS]


def _cells(cbs: pd.DataFrame, spec: dict, categorie: dict) -> pd.DataFrame:
    rows = _selected(cbs, spec, categorie)
    if rows.empty:
        return pd.DataFrame(columns=COLUMNS)
    grouped = rows.groupby("periode", sort=True)
    return pd.DataFrame(
        {"value": grouped["value"].sum(min_count=1), "period_status": grouped["period_status"].first()}
    ).reset_index()[COLUMNS]


def _selected(cbs: pd.DataFrame, spec: dict, categorie: dict) -> pd.DataFrame:
    """The cells of the spec's purpose and measure whose category Title in each dimension of `categorie` is the one
    given (a list: any of them)."""
    if not {"purpose", "measure"} <= set(cbs.columns):
        return cbs.iloc[0:0]
    rows = cbs[(cbs["purpose"] == spec["purpose"]) & (cbs["measure"] == spec["measure"])]
    for dimension, title in categorie.items():
        if dimension not in rows:
            return rows.iloc[0:0]
        rows = rows[rows[dimension].isin(title) if isinstance(title, list) else rows[dimension] == title]
    return rows


def _sum_of(cbs: pd.DataFrame, spec: dict, parts: dict[str, list[str]]) -> pd.DataFrame:
    """Per period the sum of the categories in `parts` (one dimension), NULL unless every one has a value."""
    ((dimension, titles),) = parts.items()
    categorie = {**spec.get("categorie", {}), dimension: list(titles)}
    rows = _selected(cbs, spec, categorie)
    if rows.empty:
        return pd.DataFrame(columns=COLUMNS)
    rows = rows.assign(value=pd.to_numeric(rows["value"], errors="coerce"))
    per_part = rows.groupby(["periode", dimension], sort=True)["value"].sum(min_count=1).reset_index()
    grouped = per_part.groupby("periode", sort=True)["value"]
    complete = grouped.count() == len(set(titles))
    value = grouped.sum(min_count=1).where(complete)
    status = rows.groupby("periode", sort=True)["period_status"].first()
    return pd.DataFrame({"value": value, "period_status": status}).reset_index()[COLUMNS]
