"""mart_ots: ondertoezichtstellingen per gemeente, local (iJw) per month, quarter, half-year and year, and CBS per
half-year and year.

Local (bron ijw): an OTS is a zorgperiode with an OTS product or under JuridischeStatus 04 (transforms/marts/zorg.py).
`lopend` counts distinct youths with an OTS active on the last day of the period, `jeugdigen_in_periode` distinct
youths with an OTS at any time in it, `gestart` the OTS zorgperiodes that began in it; a period that runs past the
window is counted up to the window's end; `jeugdigen_in_periode_per_1000` that count per 1,000 youths 0-17
(transforms/marts/rates.py). CBS (bron cbs): jongeren met een OTS (JB 11) and begonnen OTS-trajecten (82975NED),
with the period status.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from jeugdmonitor.schemas.marts import mart_ots
from jeugdmonitor.transforms.marts import rates, zorg
from jeugdmonitor.transforms.marts.common import mart_columns
from jeugdmonitor.transforms.marts.inputs import Inputs, Params, Window
from jeugdmonitor.transforms.marts.periods import month_end

LOCAL_KINDS = ("maand", "kwartaal", "halfjaar", "jaar")


def build(inputs: Inputs, window: Window, params: Params) -> pd.DataFrame:
    zp = inputs.zorgperiodes
    local = zorg.local_figures(zp[zorg.is_ots(zp)], window.periods(LOCAL_KINDS), month_end(window.until)).assign(
        bron="ijw", periode_status=np.nan
    )
    # jeugdigen_in_periode first: its status (the jeugdzorg table) wins over that of the jeugdbescherming table
    cbs = zorg.cbs_rows(inputs.cbs, {"jeugdigen_in_periode": "ots", "gestart": "ots_begonnen"}, window.since)
    cbs = cbs.assign(bron="cbs", lopend=pd.NA)
    out = pd.concat([local, cbs], ignore_index=True).assign(gemeentecode=inputs.gemeentecode)
    out = rates.with_rates(out, inputs.cbs, rates.IN_PERIODE)
    return out.astype(dict.fromkeys(zorg.LOCAL_FIGURES, "Float64"))[mart_columns(mart_ots)]
