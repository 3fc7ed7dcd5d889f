"""Picking CBS figures out of the long CBS frame by purpose, measure and category Title
(schemas/cbs_indicators.toml)."""

from __future__ import annotations

import pandas as pd


def cbs_figure(cbs: pd.DataFrame, spec: dict) -> pd.DataFrame:
    """periode, value, period_status of one CBS figure for the gemeente in `cbs` (one row per period).

    After a herindeling CBS keeps the old gemeenten in the older periods; their cells carry today's gemeentecode,
    so a period can hold several cells: today's gemeente is their sum (NULL only when all are NULL).
    """
    columns = ["periode", "value", "period_status"]
    rows = cbs[(cbs["purpose"] == spec["purpose"]) & (cbs["measure"] == spec["measure"])]
    for dimension, title in spec.get("categorie", {}).items():
        if dimension not in rows:
            return pd.DataFrame(columns=columns)
        rows = rows[rows[dimension] == title]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    grouped = rows.groupby("periode", sort=True)
    return pd.DataFrame(
        {"value": grouped["value"].sum(min_count=1), "period_status": grouped["period_status"].first()}
    ).reset_index()[columns]
