"""mart_aanmeldingen and mart_aanmeldingen_uitsplitsing: JGT aanmeldingen per gemeente, team and month, quarter
and year.

Definition (docs/indicators/aanmeldingen.md): a registration counts in the month of its aanmelddatum, except when
the same youth was registered at the same team within `herregistratie_dagen` (30) days before: a re-registration
continues the earlier one. Youths are distinct pseudonyms, distinct over the whole period (a quarter's youths are
not the sum of its months'). Team 'totaal' is the gemeente.
"""

from __future__ import annotations

import pandas as pd
from jeugdmonitor.schemas.marts import TOTAAL
from jeugdmonitor.transforms.marts.common import grid, month_of, over_periods, with_period_labels, with_totaal
from jeugdmonitor.transforms.marts.inputs import Inputs, Params, Window

KENMERKEN = {
    "bron_aanmelding": ["zelf", "huisarts", "school", "jgz", "politie/veilig thuis", "overig"],
    "hulpvraag": ["opvoeding", "psychisch", "ontwikkeling", "school", "veiligheid", "overig"],
}
ONBEKEND = "onbekend"
KEY = ["team", "periode_type", "maand"]


def counted_aanmeldingen(aanmeldingen: pd.DataFrame, herregistratie_dagen: int) -> pd.DataFrame:
    """The registrations that count: not a re-registration within the window, with their month."""
    frame = aanmeldingen.dropna(subset=["aanmelddatum"]).sort_values(
        ["team", "client_pseudonym", "aanmelddatum", "registratie_id"]
    )
    previous = frame.groupby(["team", "client_pseudonym"])["aanmelddatum"].shift()
    counts = previous.isna() | ((frame["aanmelddatum"] - previous).dt.days > herregistratie_dagen)
    return frame[counts].assign(maand=month_of(frame["aanmelddatum"]))


def _grid(inputs: Inputs, window: Window, counted: pd.DataFrame) -> pd.DataFrame:
    return grid("team", sorted(set(inputs.teams) | set(counted["team"])) + [TOTAAL], window)


def build(inputs: Inputs, window: Window, params: Params) -> pd.DataFrame:
    counted = counted_aanmeldingen(inputs.aanmeldingen, params.herregistratie_dagen)
    both = with_totaal(over_periods(counted, window), "team")
    figures = (
        both.groupby(KEY)
        .agg(aantal_aanmeldingen=("registratie_id", "size"), aantal_jeugdigen=("client_pseudonym", "nunique"))
        .reset_index()
    )
    out = _grid(inputs, window, counted).merge(figures, on=KEY, how="left")
    out[["aantal_aanmeldingen", "aantal_jeugdigen"]] = out[["aantal_aanmeldingen", "aantal_jeugdigen"]].fillna(0)
    return with_period_labels(out, window).assign(gemeentecode=inputs.gemeentecode, bron="jgt")


def build_uitsplitsing(inputs: Inputs, window: Window, params: Params) -> pd.DataFrame:
    counted = counted_aanmeldingen(inputs.aanmeldingen, params.herregistratie_dagen)
    both = with_totaal(over_periods(counted, window), "team")
    grid = _grid(inputs, window, counted)
    parts = []
    for kenmerk, known in KENMERKEN.items():
        values = both[kenmerk].fillna(ONBEKEND).replace("", ONBEKEND)
        # from the whole history, not the window: an incremental build has the rows of a full one
        seen = counted[kenmerk].fillna(ONBEKEND).replace("", ONBEKEND)
        categories = sorted(set(known) | set(seen)) + [TOTAAL]
        tagged = pd.concat([both.assign(categorie=values), both.assign(categorie=TOTAAL)], ignore_index=True)
        figures = tagged.groupby([*KEY, "categorie"]).size().rename("aantal_aanmeldingen").reset_index()
        cells = grid.merge(pd.DataFrame({"categorie": categories}), how="cross")
        cells = cells.merge(figures, on=[*KEY, "categorie"], how="left").fillna({"aantal_aanmeldingen": 0})
        parts.append(cells.assign(kenmerk=kenmerk))
    out = with_period_labels(pd.concat(parts, ignore_index=True), window)
    return out.assign(gemeentecode=inputs.gemeentecode, bron="jgt")
