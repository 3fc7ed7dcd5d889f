"""How each mart is built and protected: its transform, its counts, the additive relations for complementary
suppression, the figures that go with their counts, and the figures two marts share (LINKS)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import (
    Table,
)

from jeugdmonitor.schemas.marts import (
    TOTAAL,
    mart_aanmeldingen,
    mart_aanmeldingen_uitsplitsing,
    mart_cbs_vergelijking,
    mart_doorlooptijd,
    mart_doorlooptijd_aanbieder,
    mart_doorlooptijd_keten,
    mart_jeugdhulpgebruik,
    mart_kosten,
    mart_ots,
    mart_uithuisplaatsingen,
    mart_verwijzingen,
    mart_verwijzingen_team,
)
from jeugdmonitor.transforms.marts import (
    aanmeldingen,
    doorlooptijd,
    jeugdhulpgebruik,
    kosten,
    ots,
    uithuisplaatsingen,
    verwijzingen,
)
from jeugdmonitor.transforms.marts.inputs import (
    Inputs,
    Params,
    Window,
)
from jeugdmonitor.transforms.marts.suppression import Direction


@dataclass(frozen=True)
class MartSpec:
    """How one mart is built and protected (transforms/marts/suppression.py)."""

    table: Table
    build: Callable[[Inputs, Window, Params], pd.DataFrame]
    counts: tuple[str, ...]  # suppressed when small; columns starting with _ are helpers, never published
    directions: tuple[Direction, ...] = ()  # additive relations for complementary suppression
    rates: dict[str, tuple[str, ...]] = field(default_factory=dict)  # derived column -> the counts it uses
    carry: dict[str, tuple[str, ...]] = field(default_factory=dict)  # running figure -> counts (within a year)
    carry_by: tuple[str, ...] = ()
    # counts that add up from months to half-years to years, within these columns (the local stock marts)
    over_time: tuple[str, ...] = ()
    time_group: tuple[str, ...] = ()
    period_column: str = "maand"  # rows with this column >= the first changed month are rebuilt

    def all_directions(self) -> tuple[Direction, ...]:
        if not self.over_time:
            return self.directions
        return (*self.directions, Direction((*self.time_group, "_hj"), "_hj_deel", columns=self.over_time),
                Direction((*self.time_group, "_jj"), "_jj_deel", columns=self.over_time))


@dataclass(frozen=True)
class Link:
    """The same figure published in two marts: hidden in one, it is hidden in the other."""

    a: str
    a_where: dict[str, object]
    a_column: str
    b: str
    b_where: dict[str, object]
    b_column: str
    keys: tuple[str, ...]


def _by(*group: str, part: str) -> tuple[Direction, ...]:
    return (Direction(group, part),)


_DAYS = {"mediaan_dagen": ("aantal",), "p80_dagen": ("aantal",),
         "binnen_norm_pct": ("aantal", "_binnen_norm", "_buiten_norm")}
_STOCK = ("lopend", "jeugdigen_in_periode", "gestart")

# Medians and percentiles of a small group would show individual day counts: they go with their count, and a
# percentage also with the small count it implies (within the norm, or not). Amounts of a few youths would show
# what one youth's care cost: they go with the number of youths, and the year to date from a hidden month on.
SPECS: list[MartSpec] = [
    MartSpec(mart_aanmeldingen, aanmeldingen.build, ("aantal_aanmeldingen", "aantal_jeugdigen"),
             directions=_by("gemeentecode", "maand", part="team")),
    MartSpec(mart_aanmeldingen_uitsplitsing, aanmeldingen.build_uitsplitsing, ("aantal_aanmeldingen",),
             directions=(Direction(("gemeentecode", "team", "maand", "kenmerk"), "categorie"),
                         Direction(("gemeentecode", "maand", "kenmerk", "categorie"), "team"))),
    MartSpec(mart_doorlooptijd, doorlooptijd.build,
             ("aantal", "wachtend_aantal", "wachtend_langer_dan_norm", "_binnen_norm", "_buiten_norm"),
             directions=_by("gemeentecode", "maand", part="team"), rates=_DAYS),
    MartSpec(mart_doorlooptijd_aanbieder, doorlooptijd.build_aanbieder,
             ("aantal", "wachtend_aantal", "wachtend_langer_dan_norm", "_binnen_norm", "_buiten_norm"),
             directions=_by("gemeentecode", "maand", part="aanbieder_agb"), rates=_DAYS),
    MartSpec(mart_doorlooptijd_keten, doorlooptijd.build_keten, ("aantal",),
             rates={"mediaan_dagen_aanmelding_toewijzing": ("aantal",), "mediaan_dagen_toewijzing_start": ("aantal",),
                    "mediaan_dagen_totaal": ("aantal",), "p80_dagen_totaal": ("aantal",)}),
    MartSpec(mart_verwijzingen, verwijzingen.build, ("nieuwe_toewijzingen", "aantal_jeugdigen"),
             directions=_by("gemeentecode", "maand", part="verwijzer_type")),
    MartSpec(mart_verwijzingen_team, verwijzingen.build_team,
             ("afgesloten", "doorverwezen_specialistisch", "_niet_doorverwezen"),
             directions=_by("gemeentecode", "maand", part="team"),
             rates={"verwijspercentage": ("afgesloten", "doorverwezen_specialistisch", "_niet_doorverwezen")}),
    MartSpec(mart_ots, ots.build, _STOCK, over_time=("gestart",), time_group=("gemeentecode", "bron"),
             period_column="periode_eind"),
    MartSpec(mart_uithuisplaatsingen, uithuisplaatsingen.build, _STOCK,
             directions=_by("gemeentecode", "bron", "periode", part="vorm"), over_time=("gestart",),
             time_group=("gemeentecode", "bron", "vorm"), period_column="periode_eind"),
    MartSpec(mart_kosten, kosten.build, ("aantal_jeugdigen",),
             directions=_by("gemeentecode", "maand", part="product_categorie"),
             rates={"netto_bedrag": ("aantal_jeugdigen",), "kosten_per_jeugdige": ("aantal_jeugdigen",)},
             carry={"jaar_tot_nu": ("aantal_jeugdigen",), "prognose_lineair": ("aantal_jeugdigen",),
                    "prognose_seizoen": ("aantal_jeugdigen",)}, carry_by=("product_categorie", "_jaar")),
    # CBS figures are public (rounded and suppressed by CBS itself): only the local counts are protected here.
    MartSpec(mart_jeugdhulpgebruik, jeugdhulpgebruik.build, ("jeugdigen_met_jeugdhulp",),
             rates={"aandeel_pct": ("jeugdigen_met_jeugdhulp",), "een_op_n": ("jeugdigen_met_jeugdhulp",)},
             period_column="periode_eind"),
    MartSpec(mart_cbs_vergelijking, jeugdhulpgebruik.build_cbs_vergelijking, ("lokaal",),
             rates={"verschil": ("lokaal",), "verschil_pct": ("lokaal",)}, period_column="periode_eind"),
]

_LOCAL: dict[str, object] = {"bron": "ijw"}
LINKS: list[Link] = [
    Link("mart_aanmeldingen", {}, "aantal_aanmeldingen", "mart_aanmeldingen_uitsplitsing", {"categorie": TOTAAL},
         "aantal_aanmeldingen", ("team", "maand")),
    Link("mart_jeugdhulpgebruik", {}, "jeugdigen_met_jeugdhulp", "mart_cbs_vergelijking", {"indicator": "jeugdhulp"},
         "lokaal", ("periode",)),
    Link("mart_ots", _LOCAL, "jeugdigen_in_periode", "mart_cbs_vergelijking", {"indicator": "ots"}, "lokaal",
         ("periode",)),
    Link("mart_uithuisplaatsingen", {**_LOCAL, "vorm": "pleegzorg"}, "jeugdigen_in_periode", "mart_cbs_vergelijking",
         {"indicator": "pleegzorg"}, "lokaal", ("periode",)),
    Link("mart_uithuisplaatsingen", {**_LOCAL, "vorm": TOTAAL}, "jeugdigen_in_periode", "mart_cbs_vergelijking",
         {"indicator": "jeugdhulp_met_verblijf"}, "lokaal", ("periode",)),
]
