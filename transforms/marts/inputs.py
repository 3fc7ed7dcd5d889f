"""What a mart build is handed for one gemeente: fact frames, the months to build, and the parameters.

Readers (jeugdmonitor/marts/inputs.py) fill Inputs from the fact_ views; tests fill them by hand. Date columns are
datetime64 (NaT when empty) whatever the database, so the transforms give the same result on SQLite and
PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd
from jeugdmonitor.transforms.marts.periods import Period, months, periods

# Columns of each input frame, so a hand-made frame in a test and a frame read from the warehouse agree.
AANMELDING_COLUMNS = [
    "team",
    "registratie_id",
    "gemeentecode",
    "client_pseudonym",
    "geboortejaar",
    "aanmelddatum",
    "bron_aanmelding",
    "hulpvraag",
    "datum_start_hulp",
    "afsluitdatum",
    "uitkomst",
]
TOEWIJZING_COLUMNS = [
    "gemeentecode",
    "aanbieder_agb",
    "toewijzing_nummer",
    "client_pseudonym",
    "juridische_status",
    "product_categorie",
    "product_code",
    "klasse",
    "eerste_toewijzingsdatum",
    "toewijzingsdatum",
    "ingangsdatum",
    "einddatum",
    "verwijzer_type",
]
ZORGPERIODE_COLUMNS = [
    "gemeentecode",
    "aanbieder_agb",
    "client_pseudonym",
    "toewijzing_nummer",
    "product_categorie",
    "product_code",
    "klasse",
    "juridische_status",
    "begindatum",
    "einddatum",
    "tijdelijk_beeindigd",
]
DECLARATIE_COLUMNS = [
    "gemeentecode",
    "aanbieder_agb",
    "client_pseudonym",
    "product_categorie",
    "product_code",
    "product_periode_begin",
    "bedrag_netto",
]
LEVERING_COLUMNS = ["team", "maand"]  # the months a team delivered an export with this gemeente's registrations
CBS_COLUMNS = ["purpose", "table_id", "measure", "periode", "categorie", "value", "period_status"]
DATE_COLUMNS = {
    "aanmelddatum",
    "datum_start_hulp",
    "afsluitdatum",
    "eerste_toewijzingsdatum",
    "toewijzingsdatum",
    "ingangsdatum",
    "einddatum",
    "begindatum",
    "product_periode_begin",
    "maand",
}


def frame(rows: list[dict] | pd.DataFrame | None, columns: list[str]) -> pd.DataFrame:
    """A typed input frame from dicts or a frame (missing keys are empty); dates become datetime64."""
    out = pd.DataFrame(rows if rows is not None else [], columns=columns)
    for column in columns:
        if column in DATE_COLUMNS:
            out[column] = pd.to_datetime(out[column], errors="coerce")
    return out


@dataclass
class Window:
    """Build the months from `since` to `until` (first days), and the half-years and years that overlap them."""

    since: date
    until: date

    @property
    def months(self) -> list[date]:
        return months(self.since, self.until)

    def periods(self, kinds: tuple[str, ...] = ("maand", "halfjaar", "jaar")) -> list[Period]:
        return periods(self.since, self.until, kinds)


@dataclass
class Params:
    norm_dagen: int = 42
    # the target "1 op N": one number for every year, or a path {year: N} (transforms/marts/rates.py target_for)
    doel_een_op_n: float | dict[int, float] | None = None
    # budget per year: the four quarters in euros
    budget: dict[int, list[float]] = field(default_factory=dict)
    herregistratie_dagen: int = 30


@dataclass
class Inputs:
    gemeentecode: str
    teams: list[str] = field(default_factory=list)
    aanmeldingen: pd.DataFrame = field(default_factory=lambda: frame(None, AANMELDING_COLUMNS))
    toewijzingen: pd.DataFrame = field(default_factory=lambda: frame(None, TOEWIJZING_COLUMNS))
    zorgperiodes: pd.DataFrame = field(default_factory=lambda: frame(None, ZORGPERIODE_COLUMNS))
    declaraties: pd.DataFrame = field(default_factory=lambda: frame(None, DECLARATIE_COLUMNS))
    cbs: pd.DataFrame = field(default_factory=lambda: frame(None, CBS_COLUMNS))
    leveringen: pd.DataFrame = field(default_factory=lambda: frame(None, LEVERING_COLUMNS))
