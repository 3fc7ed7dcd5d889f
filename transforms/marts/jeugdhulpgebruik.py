"""mart_jeugdhulpgebruik (youths with jeugdhulp against the youth population: the '1 op N') and
mart_cbs_vergelijking (local figures against CBS, the basis of the reconciliation alert), per gemeente and
half-year or year.

Local figures are distinct youths with a zorgperiode of the indicator's kind overlapping the period
(transforms/marts/zorg.py). Jeugdhulp excludes jeugdbescherming and jeugdreclassering, as CBS 'JH 1' does. A
missing CBS figure stays missing (NaN), never 0, so neither a share nor a difference is made up from it.
"""

from __future__ import annotations

import pandas as pd
from jeugdmonitor.schemas.marts import mart_cbs_vergelijking, mart_jeugdhulpgebruik
from jeugdmonitor.transforms.marts import rates, zorg
from jeugdmonitor.transforms.marts.common import mart_columns
from jeugdmonitor.transforms.marts.inputs import Inputs, Params, Window
from jeugdmonitor.transforms.marts.suppression import safe_ratio

KINDS = ("halfjaar", "jaar")
RATES = {
    "jeugdigen_met_jeugdhulp_per_1000": "jeugdigen_met_jeugdhulp",
    "cbs_jongeren_met_jeugdhulp_per_1000": "cbs_jongeren_met_jeugdhulp",
}

# indicator -> the zorgperiodes it counts; the CBS figure of schemas/cbs_indicators.toml has the same name
INDICATORS = {
    "jeugdhulp": zorg.is_jeugdhulp,
    "jeugdhulp_met_verblijf": zorg.is_verblijf,
    "pleegzorg": zorg.is_klasse("pleegzorg"),
    "ots": zorg.is_ots,
    "voogdij": zorg.is_klasse("voogdij"),
}


def build(inputs: Inputs, window: Window, params: Params) -> pd.DataFrame:
    zp = inputs.zorgperiodes
    jeugdhulp = zp[zorg.is_jeugdhulp(zp)]
    cbs_value, cbs_status = zorg.cbs_lookup(inputs.cbs, "jeugdhulp")
    rows = [
        {
            **zorg.period_row(p),
            "jeugdigen_met_jeugdhulp": zorg.distinct_youths(jeugdhulp, zorg.overlaps(jeugdhulp, p)),
            "cbs_jongeren_met_jeugdhulp": cbs_value.get(p.code),
            "cbs_periode_status": cbs_status.get(p.code),
        }
        for p in window.periods(KINDS)
    ]
    out = pd.DataFrame(
        rows,
        columns=[*zorg.PERIOD_COLUMNS, "jeugdigen_met_jeugdhulp", "cbs_jongeren_met_jeugdhulp", "cbs_periode_status"],
    )
    out = out.astype(
        {**zorg.PERIOD_DTYPES, "jeugdigen_met_jeugdhulp": "Int64", "cbs_jongeren_met_jeugdhulp": "Float64"}
    )
    # the population on 1 January of the period's year (also for the second half-year), else the latest published
    out = rates.with_rates(out, inputs.cbs, RATES)
    out["aandeel_pct"] = safe_ratio(out["jeugdigen_met_jeugdhulp"], out["bevolking_0_17"], 100)
    out["een_op_n"] = safe_ratio(out["bevolking_0_17"], out["jeugdigen_met_jeugdhulp"])
    out["cbs_aandeel_pct"] = safe_ratio(out["cbs_jongeren_met_jeugdhulp"], out["bevolking_0_17"], 100)
    out["cbs_een_op_n"] = safe_ratio(out["bevolking_0_17"], out["cbs_jongeren_met_jeugdhulp"])
    doelen = [rates.target_for(params.doel_een_op_n, start.year) for start in out["periode_start"]]
    out["doel_een_op_n"] = pd.array(doelen, dtype="Float64")
    out = out.assign(gemeentecode=inputs.gemeentecode, bron="ijw")
    return out[mart_columns(mart_jeugdhulpgebruik)]


def build_cbs_vergelijking(inputs: Inputs, window: Window, params: Params) -> pd.DataFrame:
    """Per half-year and year of the window for which CBS published a value of any of the indicators: each
    indicator's local count against CBS. A period CBS has not published (or published only empty) has no rows:
    there is nothing to reconcile yet."""
    zp = inputs.zorgperiodes
    lookups = {name: zorg.cbs_lookup(inputs.cbs, name) for name in INDICATORS}
    published = {code for values, _ in lookups.values() for code, value in values.items() if pd.notna(value)}
    rows = []
    for period in window.periods(KINDS):
        if period.code not in published:
            continue
        for name, selects in INDICATORS.items():
            selected = zp[selects(zp)]
            values, statuses = lookups[name]
            rows.append(
                {
                    **zorg.period_row(period),
                    "indicator": name,
                    "lokaal": zorg.distinct_youths(selected, zorg.overlaps(selected, period)),
                    "cbs": values.get(period.code),
                    "cbs_periode_status": statuses.get(period.code),
                }
            )
    out = pd.DataFrame(rows, columns=[*zorg.PERIOD_COLUMNS, "indicator", "lokaal", "cbs", "cbs_periode_status"])
    out = out.astype({**zorg.PERIOD_DTYPES, "lokaal": "Int64", "cbs": "Float64"})
    out["verschil"] = (out["lokaal"].astype("Float64") - out["cbs"]).astype("Float64")
    out["verschil_pct"] = safe_ratio(out["verschil"], out["cbs"], 100)
    out = out.assign(gemeentecode=inputs.gemeentecode, bron="ijw")
    return out[mart_columns(mart_cbs_vergelijking)]
