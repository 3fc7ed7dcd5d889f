"""Every mart in one place: its table, the pure function that builds it, how it is protected (counts, additive
relations for complementary suppression, the figures that go with their counts), the figures it shares with other
marts (links), whether monitor_lezer reads it, its docs page and its golden test.

The mart step's build order (`SPECS`), the shared figures (`LINKS`) and the docs index are derived from MARTS or
checked against it; migrations keep their own frozen lists, and tests/test_mart_registry.py checks a migrated
warehouse against MARTS (table, column comments, reader grant and row-level-security policy) as well as the docs
page and the golden test of every entry."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass, field
from typing import Literal

import pandas as pd
from sqlalchemy import (
    Table,
)

from jeugdmonitor.schemas.marts import (
    SCORECARD,
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
from jeugdmonitor.transforms.alerts import scorecard
from jeugdmonitor.transforms.marts import (
    aanmeldingen,
    doorlooptijd,
    jeugdhulpgebruik,
    kosten,
    ots,
    uithuisplaatsingen,
    verwijzingen,
)
from jeugdmonitor.transforms.marts.suppression import Direction


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


@dataclass(frozen=True)
class Mart:
    """One mart: what it is built from and how it is protected (transforms/marts/suppression.py), who reads it,
    where it is explained and tested."""

    table: Table
    # the pure function that computes its rows; for the mart step (Inputs, Window, Params) -> rows
    build: Callable[..., pd.DataFrame]
    counts: tuple[str, ...] = ()  # suppressed when small; columns starting with _ are helpers, never published
    directions: tuple[Direction, ...] = ()  # additive relations for complementary suppression
    rates: dict[str, tuple[str, ...]] = field(default_factory=dict)  # derived column -> the counts it uses
    carry: dict[str, tuple[str, ...]] = field(default_factory=dict)  # running figure -> counts (within a year)
    carry_by: tuple[str, ...] = ()
    # counts that add up from months to quarters, half-years and years (or whose hiding hides a figure that does,
    # as the youths of mart_kosten hide its amounts), within `time_group` (every grain column but the period)
    over_time: tuple[str, ...] = ()
    time_group: tuple[str, ...] = ()
    # stocks: the figure of a quarter, half-year or year is that of its last covered month
    stock: tuple[str, ...] = ()
    period_column: str = "maand"  # rows with this column >= the first changed month are rebuilt
    _: KW_ONLY
    page: str  # its page in docs/indicators/, listed in docs/indicators/README.md
    golden: str  # the test module (tests/transforms/) that checks `build` on known rows
    links: tuple[Link, ...] = ()  # figures of earlier marts that this one publishes again
    reader: bool = True  # monitor_lezer may read it, row-level security per gemeente (PostgreSQL)
    step: Literal["marts", "alerts"] = "marts"  # the step that builds it; "marts" suppresses with the fields above
    # JGT team marts: the figures published as NULL for a team month without the team's export (levering.py)
    per_levering: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.table.name

    def all_directions(self, period_directions: bool = True) -> tuple[Direction, ...]:
        """The breakdown directions and, unless switched off (to show what they protect), the period ones."""
        if not period_directions:
            return self.directions
        over = [
            Direction((*self.time_group, f"_t_{fine}_{coarse}"), f"_p_{fine}_{coarse}", columns=self.over_time)
            for fine, coarse in NESTED
            if self.over_time
        ]
        same = [Direction((*self.time_group, "_eind"), "_eind", columns=self.stock, equal=True)] if self.stock else []
        return (*self.directions, *over, *same)


# (part, total) period kinds: a quarter is the sum of its months, a year of its months, quarters or half-years
NESTED = (
    ("maand", "kwartaal"),
    ("maand", "halfjaar"),
    ("maand", "jaar"),
    ("kwartaal", "halfjaar"),
    ("kwartaal", "jaar"),
    ("halfjaar", "jaar"),
)
_PERIOD = ("periode_type",)  # in every breakdown group of a mart with a month grain: a month is not its quarter


def _by(*group: str, part: str) -> tuple[Direction, ...]:
    return (Direction(group, part),)


def _lokaal(a: str, a_where: dict[str, object], a_column: str, indicator: str) -> Link:
    """A local figure of mart `a`, published again as the `lokaal` figure of mart_cbs_vergelijking."""
    return Link(a, a_where, a_column, "mart_cbs_vergelijking", {"indicator": indicator}, "lokaal", ("periode",))


_DAYS = {
    "mediaan_dagen": ("aantal",),
    "p80_dagen": ("aantal",),
    "binnen_norm_pct": ("aantal", "_binnen_norm", "_buiten_norm"),
}
_STOCK = ("lopend", "jeugdigen_in_periode", "gestart")
_PER_1000: dict[str, tuple[str, ...]] = {"jeugdigen_in_periode_per_1000": ("jeugdigen_in_periode",)}
_STARTS = ("aantal", "_binnen_norm", "_buiten_norm")  # add up over periods; the queue is a stock
_QUEUE = ("wachtend_aantal", "wachtend_langer_dan_norm")

# Medians and percentiles of a small group would show individual day counts: they go with their count, and a
# percentage also with the small count it implies (within the norm, or not). Amounts of a few youths would show
# what one youth's care cost: they go with the number of youths, and the year to date from a hidden month on.
# A link sits with the mart that publishes the figure again; LINKS keeps their order here.
_LOCAL: dict[str, object] = {"bron": "ijw"}
MARTS: list[Mart] = [
    Mart(
        mart_aanmeldingen,
        aanmeldingen.build,
        ("aantal_aanmeldingen", "aantal_jeugdigen"),
        directions=_by("gemeentecode", *_PERIOD, "maand", part="team"),
        # nearly every aanmelding is a youth of its own: the youths would show a hidden aanmeldingen count
        rates={"aantal_jeugdigen": ("aantal_aanmeldingen", "aantal_jeugdigen")},
        over_time=("aantal_aanmeldingen",),
        time_group=("gemeentecode", "team"),
        page="aanmeldingen.md",
        per_levering=("aantal_aanmeldingen", "aantal_jeugdigen"),
        golden="tests/transforms/test_mart_aanmeldingen.py",
    ),
    Mart(
        mart_aanmeldingen_uitsplitsing,
        aanmeldingen.build_uitsplitsing,
        ("aantal_aanmeldingen",),
        directions=(
            Direction(("gemeentecode", "team", *_PERIOD, "maand", "kenmerk"), "categorie"),
            Direction(("gemeentecode", *_PERIOD, "maand", "kenmerk", "categorie"), "team"),
        ),
        over_time=("aantal_aanmeldingen",),
        time_group=("gemeentecode", "team", "kenmerk", "categorie"),
        page="aanmeldingen.md",
        golden="tests/transforms/test_mart_aanmeldingen.py",
        per_levering=("aantal_aanmeldingen",),
        links=(
            Link(
                "mart_aanmeldingen",
                {},
                "aantal_aanmeldingen",
                "mart_aanmeldingen_uitsplitsing",
                {"categorie": TOTAAL},
                "aantal_aanmeldingen",
                ("team", *_PERIOD, "maand"),
            ),
        ),
    ),
    Mart(
        mart_doorlooptijd,
        doorlooptijd.build,
        ("aantal", "wachtend_aantal", "wachtend_langer_dan_norm", "_binnen_norm", "_buiten_norm"),
        directions=_by("gemeentecode", *_PERIOD, "maand", part="team"),
        rates=_DAYS,
        over_time=_STARTS,
        time_group=("gemeentecode", "team"),
        stock=_QUEUE,
        page="doorlooptijd.md",
        golden="tests/transforms/test_mart_doorlooptijd.py",
        per_levering=(
            "aantal",
            "mediaan_dagen",
            "p80_dagen",
            "binnen_norm_pct",
            "wachtend_aantal",
            "wachtend_langer_dan_norm",
        ),
    ),
    Mart(
        mart_doorlooptijd_aanbieder,
        doorlooptijd.build_aanbieder,
        ("aantal", "wachtend_aantal", "wachtend_langer_dan_norm", "_binnen_norm", "_buiten_norm"),
        directions=_by("gemeentecode", *_PERIOD, "maand", part="aanbieder_agb"),
        rates=_DAYS,
        over_time=_STARTS,
        time_group=("gemeentecode", "aanbieder_agb"),
        stock=_QUEUE,
        page="doorlooptijd.md",
        golden="tests/transforms/test_mart_doorlooptijd.py",
    ),
    Mart(
        mart_doorlooptijd_keten,
        doorlooptijd.build_keten,
        ("aantal",),
        rates={
            "mediaan_dagen_aanmelding_toewijzing": ("aantal",),
            "mediaan_dagen_toewijzing_start": ("aantal",),
            "mediaan_dagen_totaal": ("aantal",),
            "p80_dagen_totaal": ("aantal",),
        },
        over_time=("aantal",),
        time_group=("gemeentecode",),
        page="doorlooptijd.md",
        golden="tests/transforms/test_mart_doorlooptijd.py",
    ),
    Mart(
        mart_verwijzingen,
        verwijzingen.build,
        ("nieuwe_toewijzingen", "aantal_jeugdigen"),
        directions=_by("gemeentecode", *_PERIOD, "maand", part="verwijzer_type"),
        rates={"aantal_jeugdigen": ("nieuwe_toewijzingen", "aantal_jeugdigen")},
        over_time=("nieuwe_toewijzingen",),
        time_group=("gemeentecode", "verwijzer_type"),
        page="verwijzingen.md",
        golden="tests/transforms/test_mart_verwijzingen.py",
    ),
    Mart(
        mart_verwijzingen_team,
        verwijzingen.build_team,
        ("afgesloten", "doorverwezen_specialistisch", "_niet_doorverwezen"),
        directions=_by("gemeentecode", *_PERIOD, "maand", part="team"),
        rates={"verwijspercentage": ("afgesloten", "doorverwezen_specialistisch", "_niet_doorverwezen")},
        over_time=("afgesloten", "doorverwezen_specialistisch", "_niet_doorverwezen"),
        time_group=("gemeentecode", "team"),
        page="verwijzingen.md",
        golden="tests/transforms/test_mart_verwijzingen.py",
        per_levering=("afgesloten", "doorverwezen_specialistisch", "verwijspercentage"),
    ),
    Mart(
        mart_ots,
        ots.build,
        _STOCK,
        rates=_PER_1000,
        over_time=("gestart",),
        time_group=("gemeentecode", "bron"),
        stock=("lopend",),
        period_column="periode_eind",
        page="ots.md",
        golden="tests/transforms/test_mart_zorg.py",
    ),
    Mart(
        mart_uithuisplaatsingen,
        uithuisplaatsingen.build,
        _STOCK,
        directions=_by("gemeentecode", "bron", "periode", part="vorm"),
        rates=_PER_1000,
        over_time=("gestart",),
        time_group=("gemeentecode", "bron", "vorm"),
        stock=("lopend",),
        period_column="periode_eind",
        page="uithuisplaatsingen.md",
        golden="tests/transforms/test_mart_zorg.py",
    ),
    Mart(
        mart_kosten,
        kosten.build,
        ("aantal_jeugdigen",),
        directions=_by("gemeentecode", *_PERIOD, "maand", part="product_categorie"),
        rates={"netto_bedrag": ("aantal_jeugdigen",), "kosten_per_jeugdige": ("aantal_jeugdigen",)},
        # the youths are distinct over a period, but the amounts they hide add up: months to quarter to year
        over_time=("aantal_jeugdigen",),
        time_group=("gemeentecode", "product_categorie"),
        carry={
            "jaar_tot_nu": ("aantal_jeugdigen",),
            "prognose_lineair": ("aantal_jeugdigen",),
            "prognose_seizoen": ("aantal_jeugdigen",),
        },
        carry_by=("product_categorie", "_jaar"),
        page="kosten.md",
        golden="tests/transforms/test_mart_kosten.py",
    ),
    # CBS figures are public (rounded and suppressed by CBS itself): only the local counts are protected here.
    Mart(
        mart_jeugdhulpgebruik,
        jeugdhulpgebruik.build,
        ("jeugdigen_met_jeugdhulp",),
        rates={
            "aandeel_pct": ("jeugdigen_met_jeugdhulp",),
            "een_op_n": ("jeugdigen_met_jeugdhulp",),
            "jeugdigen_met_jeugdhulp_per_1000": ("jeugdigen_met_jeugdhulp",),
        },
        period_column="periode_eind",
        page="jeugdhulpgebruik.md",
        golden="tests/transforms/test_mart_zorg.py",
    ),
    Mart(
        mart_cbs_vergelijking,
        jeugdhulpgebruik.build_cbs_vergelijking,
        ("lokaal",),
        rates={"verschil": ("lokaal",), "verschil_pct": ("lokaal",)},
        period_column="periode_eind",
        page="cbs-vergelijking.md",
        golden="tests/transforms/test_mart_zorg.py",
        links=(
            _lokaal("mart_jeugdhulpgebruik", {}, "jeugdigen_met_jeugdhulp", "jeugdhulp"),
            _lokaal("mart_ots", _LOCAL, "jeugdigen_in_periode", "ots"),
            _lokaal("mart_uithuisplaatsingen", {**_LOCAL, "vorm": "pleegzorg"}, "jeugdigen_in_periode", "pleegzorg"),
            _lokaal(
                "mart_uithuisplaatsingen", {**_LOCAL, "vorm": TOTAAL}, "jeugdigen_in_periode", "jeugdhulp_met_verblijf"
            ),
        ),
    ),
    # Counts of files and messages, not of people: nothing to suppress. Rebuilt whole by the alerts step.
    Mart(
        SCORECARD,
        scorecard.build,
        step="alerts",
        page="aanbieder-scorecard.md",
        golden="tests/transforms/test_alert_scorecard.py",
    ),
]

# What the mart step builds, in this order, and the figures it hides together across marts.
SPECS: list[Mart] = [mart for mart in MARTS if mart.step == "marts"]
LINKS: list[Link] = [link for mart in SPECS for link in mart.links]
