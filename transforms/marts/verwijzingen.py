"""mart_verwijzingen and mart_verwijzingen_team: who refers youths to jeugdhulp, and how often the teams refer on,
per month, quarter and year (a quarter or year row counts the events of its months; youths distinct over it).

Definitions (indicators.md section 3):

- mart_verwijzingen (iJw): new toewijzingen per gemeente, month and verwijzer_type (COD327). A toewijzing is new
  in the month of its eerste_toewijzingsdatum (the Toewijzingsdatum of its first JW301 version; a toewijzing
  removed with RedenWijziging 13 is not in fact_toewijzing and so not counted). The verwijzer comes from the JW315
  it answers; fact_toewijzing already gives a toewijzing without one '01' (gemeentelijke toegang). Every code of
  VERWIJZERS gets a row, plus 'totaal' (all verwijzers); a code outside COD327 gets its own row so that the parts
  always add up to the totaal (complementary suppression relies on that).
- mart_verwijzingen_team (JGT): per team and month, registrations closed in the month (afsluitdatum), those with
  uitkomst doorverwezen_specialistisch, and verwijspercentage = doorverwezen / afgesloten x 100 (NaN without a
  closed registration).

Suppression is not applied here: jeugdmonitor/marts/build.py does it on the rows these functions return.
"""

from __future__ import annotations

import pandas as pd
from jeugdmonitor.schemas.marts import TOTAAL, mart_verwijzingen, mart_verwijzingen_team
from jeugdmonitor.transforms.marts.common import (
    grid,
    mart_columns,
    month_of,
    over_periods,
    period_cells,
    with_period_labels,
    with_totaal,
)
from jeugdmonitor.transforms.marts.inputs import Inputs, Params, Window
from jeugdmonitor.transforms.marts.suppression import safe_ratio

# COD327 Verwijzer (iJw)
VERWIJZERS: dict[str, str] = {
    "01": "Gemeentelijke toegang",
    "02": "Huisarts",
    "03": "Jeugdarts",
    "04": "Gecertificeerde instelling",
    "05": "Medisch specialist",
    "06": "Zelfverwijzer / geen verwijzer",
    "07": "Onbekend",
    "08": "Rechter, Raad voor de Kinderbescherming of (gezins)voogd",
}
ALLE_VERWIJZERS = "Alle verwijzers"
ONBEKENDE_CODE = "Onbekende code (niet in COD327)"
DOORVERWEZEN = "doorverwezen_specialistisch"


def build(inputs: Inputs, window: Window, params: Params) -> pd.DataFrame:
    """mart_verwijzingen: gemeente x maand x verwijzer_type (every COD327 code + 'totaal')."""
    tw = inputs.toewijzingen.dropna(subset=["eerste_toewijzingsdatum"]).drop_duplicates(
        ["gemeentecode", "toewijzing_nummer"]
    )
    tw = tw.assign(
        maand=month_of(tw["eerste_toewijzingsdatum"]), verwijzer_type=tw["verwijzer_type"].fillna("01").astype(str)
    )
    inside = over_periods(tw, window)
    both = pd.concat([inside, inside.assign(verwijzer_type=TOTAAL)], ignore_index=True)
    figures = (
        both.groupby(["periode_type", "maand", "verwijzer_type"])
        .agg(nieuwe_toewijzingen=("toewijzing_nummer", "size"), aantal_jeugdigen=("client_pseudonym", "nunique"))
        .reset_index()
    )

    codes = list(VERWIJZERS) + sorted(set(tw["verwijzer_type"]) - set(VERWIJZERS)) + [TOTAAL]
    cells = period_cells(window).merge(pd.DataFrame({"verwijzer_type": codes}), how="cross")
    out = cells.merge(figures, on=["periode_type", "maand", "verwijzer_type"], how="left")
    counts = ["nieuwe_toewijzingen", "aantal_jeugdigen"]
    out[counts] = out[counts].fillna(0).astype(int)
    names = {**VERWIJZERS, TOTAAL: ALLE_VERWIJZERS}
    out = with_period_labels(out, window).assign(
        verwijzer=out["verwijzer_type"].map(lambda code: names.get(code, ONBEKENDE_CODE)),
        gemeentecode=inputs.gemeentecode,
        bron="ijw",
    )
    return out[mart_columns(mart_verwijzingen)]


def build_team(inputs: Inputs, window: Window, params: Params) -> pd.DataFrame:
    """mart_verwijzingen_team: gemeente x team (+ 'totaal') x maand."""
    closed = inputs.aanmeldingen.dropna(subset=["afsluitdatum"])
    closed = closed.assign(
        maand=month_of(closed["afsluitdatum"]), doorverwezen=(closed["uitkomst"] == DOORVERWEZEN).astype(int)
    )
    figures = (
        with_totaal(over_periods(closed, window), "team")
        .groupby(["team", "periode_type", "maand"])
        .agg(afgesloten=("registratie_id", "size"), doorverwezen_specialistisch=("doorverwezen", "sum"))
        .reset_index()
    )

    teams = sorted(set(inputs.teams) | set(inputs.aanmeldingen["team"].dropna())) + [TOTAAL]
    out = grid("team", teams, window).merge(figures, on=["team", "periode_type", "maand"], how="left")
    counts = ["afgesloten", "doorverwezen_specialistisch"]
    out[counts] = out[counts].fillna(0).astype(int)
    # Not published: the other side of the percentage, so that the builder can hide it when that side is small.
    out["_niet_doorverwezen"] = out["afgesloten"] - out["doorverwezen_specialistisch"]
    # float64 with NaN, like every other figure of the marts (safe_ratio gives nullable Float64 with NA)
    out["verwijspercentage"] = safe_ratio(out["doorverwezen_specialistisch"], out["afgesloten"], 100).astype(float)
    out = with_period_labels(out, window).assign(gemeentecode=inputs.gemeentecode, bron="jgt")
    return out[[*mart_columns(mart_verwijzingen_team), "_niet_doorverwezen"]]
