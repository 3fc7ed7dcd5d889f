"""Check columns for the GX suite expectations/stg_cbs_waarneming.json: the rules GX cannot express alone."""

from __future__ import annotations

from collections.abc import Collection

import pandas as pd


def add_checks(
    frame: pd.DataFrame,
    *,
    known_periods: Collection[str],
    requested_regions: Collection[str],
    count_measures: Collection[str],
    rounded: bool,
) -> pd.DataFrame:
    """`frame` with check_periode_bekend, check_regio_gevraagd and check_veelvoud_5 (True = fine).

    CBS rounds the counts of the jeugd tables to multiples of 5 (cbs.md §3.4); percentages and the population
    table are not rounded, so the rule only applies to count measures of tables configured as `rounded`.
    """
    value = frame["value"]
    is_rounded_count = frame["measure"].isin(set(count_measures)) & value.notna() if rounded else False
    return frame.assign(
        check_periode_bekend=frame["periode"].isin(set(known_periods)),
        check_regio_gevraagd=frame["regio_code"].isin(set(requested_regions)),
        check_veelvoud_5=~(is_rounded_count & (value.fillna(0) % 5 != 0)),
    )
