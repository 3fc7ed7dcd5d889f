"""Which team months were delivered: a JGT team row of a month without the team's export is "niet geleverd".

A JGT export is a team's snapshot of one month (stg_jgt_registratie.export_maand). A team counts as delivered for
a gemeente and month when an export of that month holds at least one loaded registration of that gemeente. Without
one the team's figures for that month are unknown, not zero: its row is published with its figures NULL and
`levering` 'niet_geleverd'. The gemeente's 'totaal' row keeps the figures of what was delivered and says
'onvolledig' when a team of that month is missing.

A quarter or year row of a team follows its months (those the marts cover): all delivered is 'geleverd', none
is 'niet_geleverd' with its figures NULL, some is 'onvolledig' with the figures of what was delivered; the totaal
row of a quarter or year is 'onvolledig' when a team missed a month of it.

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
    """`rows` (team × period) with `levering` set, and `figures` NULL on the team rows that were not delivered.
    `leveringen`: the (team, maand) pairs with an export for this gemeente. Rows without `periode_type` are months."""
    delivered = pd.MultiIndex.from_frame(
        leveringen[LEVERING_COLUMNS].assign(maand=pd.to_datetime(leveringen["maand"])).drop_duplicates()
    )
    start = pd.to_datetime(rows["maand"])
    kind = rows["periode_type"] if "periode_type" in rows else pd.Series(MAAND, index=rows.index)
    is_total = rows["team"] == TOTAAL
    is_month = kind == MAAND
    # per team month the marts cover: missing or not; then per quarter and year of the team (and of any team)
    months = pd.DataFrame({"team": rows["team"], "maand": start})[is_month & ~is_total]
    months["missing"] = ~pd.MultiIndex.from_frame(months[["team", "maand"]]).isin(delivered)
    status = pd.Series(GELEVERD, index=rows.index, dtype=object)
    incomplete = pd.Series(False, index=rows.index)
    for period, first_day in _PERIODS.items():
        of_kind = (kind == period).to_numpy()
        key = first_day(months["maand"])
        per_team = months.groupby([months["team"], key])["missing"].agg(["sum", "size"])
        found = per_team.reindex(pd.MultiIndex.from_arrays([rows["team"], start]))
        n_missing, n_months = found["sum"].fillna(0).to_numpy(), found["size"].fillna(0).to_numpy()
        team_rows = of_kind & ~is_total.to_numpy()
        status[team_rows & (n_missing > 0)] = ONVOLLEDIG
        status[team_rows & (n_missing > 0) & (n_missing == n_months)] = NIET_GELEVERD
        any_missing = months.groupby(key)["missing"].any().reindex(start).fillna(False).to_numpy()
        incomplete |= of_kind & is_total.to_numpy() & any_missing
    status[incomplete] = ONVOLLEDIG
    out = rows.copy()
    out["levering"] = status
    for column in figures:
        out[column] = out[column].astype("Float64").mask(status == NIET_GELEVERD)
    return out


MAAND = "maand"
# the first day of the period of each kind that a month falls in
_PERIODS = {
    MAAND: lambda maand: maand,
    "kwartaal": lambda maand: maand.dt.to_period("Q").dt.start_time,
    "jaar": lambda maand: maand.dt.to_period("Y").dt.start_time,
}
