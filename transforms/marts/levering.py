"""Which team months were delivered: a JGT team row of a month without the team's export is "niet geleverd".

A JGT export is a team's snapshot of one month (stg_jgt_registratie.export_maand). A team counts as delivered for
a gemeente and month when an export of that month holds at least one loaded registration of that gemeente. Without
one the team's figures for that month are unknown, not zero: its row is published with its figures NULL and
`levering` 'niet_geleverd'. The gemeente's 'totaal' row keeps the figures of what was delivered and says
'onvolledig' when a team of that month is missing.

Applied after suppression: the counts were protected as computed (a late export can still bring registrations of
the missing month, which the totaal then holds), so that blanking a team row cannot expose a hidden cell.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from jeugdmonitor.schemas.marts import TOTAAL
from jeugdmonitor.transforms.marts.inputs import LEVERING_COLUMNS

GELEVERD = "geleverd"
NIET_GELEVERD = "niet_geleverd"
ONVOLLEDIG = "onvolledig"


def mark(rows: pd.DataFrame, leveringen: pd.DataFrame, figures: Sequence[str]) -> pd.DataFrame:
    """`rows` (team × maand) with `levering` set, and `figures` NULL on the team rows that were not delivered.
    `leveringen`: the (team, maand) pairs with an export for this gemeente."""
    delivered = pd.MultiIndex.from_frame(
        leveringen[LEVERING_COLUMNS].assign(maand=pd.to_datetime(leveringen["maand"])).drop_duplicates()
    )
    keys = pd.MultiIndex.from_arrays([rows["team"], pd.to_datetime(rows["maand"])])
    is_total = (rows["team"] == TOTAAL).to_numpy()
    missing = ~is_total & ~keys.isin(delivered)
    incomplete = pd.to_datetime(rows["maand"]).isin(pd.to_datetime(rows.loc[missing, "maand"]).unique())
    out = rows.copy()
    out["levering"] = GELEVERD
    out.loc[missing, "levering"] = NIET_GELEVERD
    out.loc[is_total & incomplete.to_numpy(), "levering"] = ONVOLLEDIG
    for column in figures:
        out[column] = out[column].astype("Float64").mask(missing)
    return out
