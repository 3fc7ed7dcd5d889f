"""mart_uithuisplaatsingen: jeugdhulp met verblijf per gemeente and vorm, local (iJw) per month, quarter, half-year
and year, and CBS per half-year and year.

The vorm is the klasse of the productcode (pleegzorg, gezinsgericht, gesloten, overig_verblijf). Vorm 'totaal'
counts distinct youths in any verblijf vorm, so a youth who moved from pleegzorg to a gezinshuis counts once
there (totaal is not the sum of the vormen); its `gestart` does count every verblijf zorgperiode begun. Figures
as for OTS (transforms/marts/ots.py), with the rate per 1,000 youths 0-17. CBS: JH 1221-1224 per vorm and JH 122
for totaal.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from jeugdmonitor.schemas.marts import TOTAAL, mart_uithuisplaatsingen
from jeugdmonitor.transforms.marts import rates, zorg
from jeugdmonitor.transforms.marts.common import mart_columns
from jeugdmonitor.transforms.marts.inputs import Inputs, Params, Window
from jeugdmonitor.transforms.marts.periods import month_end

LOCAL_KINDS = ("maand", "kwartaal", "halfjaar", "jaar")
CBS_FIGURES = {
    "pleegzorg": "pleegzorg",
    "gezinsgericht": "gezinsgericht",
    "gesloten": "gesloten",
    "overig_verblijf": "overig_verblijf",
    TOTAAL: "jeugdhulp_met_verblijf",
}


def build(inputs: Inputs, window: Window, params: Params) -> pd.DataFrame:
    zp = inputs.zorgperiodes
    periods = window.periods(LOCAL_KINDS)
    selections = {vorm: zp["klasse"] == vorm for vorm in zorg.VERBLIJF_VORMEN} | {TOTAAL: zorg.is_verblijf(zp)}
    parts = [
        zorg.local_figures(zp[mask], periods, month_end(window.until)).assign(
            vorm=vorm, bron="ijw", periode_status=np.nan
        )
        for vorm, mask in selections.items()
    ]
    for vorm, name in CBS_FIGURES.items():
        rows = zorg.cbs_rows(inputs.cbs, {"jeugdigen_in_periode": name}, window.since)
        parts.append(rows.assign(vorm=vorm, bron="cbs", lopend=pd.NA, gestart=pd.NA))
    out = pd.concat(parts, ignore_index=True).assign(gemeentecode=inputs.gemeentecode)
    out = rates.with_rates(out, inputs.cbs, rates.IN_PERIODE)
    out = out.astype(dict.fromkeys(zorg.LOCAL_FIGURES, "Float64"))
    return out[mart_columns(mart_uithuisplaatsingen)]
