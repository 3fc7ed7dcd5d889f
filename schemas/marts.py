"""Dimensions (dim_) and the published marts (mart_): the interface monitor owners query.

Mart names and columns are a contract (../shared/reference/indicators.md; docs/indicators/ has a page per mart):
add columns, never rename or drop them. Every mart row carries `onderdrukt` (a count below the threshold was set
to NULL, or a cell was hidden to protect one), `bron` (jgt, ijw or cbs) and `bijgewerkt_op` (build time).
Marts are tables, rebuilt by jeugdmonitor/marts/ for the gemeenten and periods a load changed; every mart has its
entry in jeugdmonitor/marts/registry.py, and every column a comment (tests/test_mart_registry.py).
"""

from __future__ import annotations

from jeugdmonitor.schemas.base import metadata
from sqlalchemy import Boolean, Column, Date, DateTime, Float, Index, Integer, String, Table, Text

# Comments shared with migration 0019 (which keeps its own frozen copy).
AANBIEDER_NAAM = "name of the aanbieder from the region's aanbieders table (region.aanbieders); NULL if not there"
TEAM_WIJKEN = "CBS wijkcodes the team serves, space-separated (region file); NULL if not given"
LEVERING = (
    "team rows: geleverd, or niet_geleverd (no export of the team for the gemeente and month: figures NULL); "
    "totaal: geleverd, or onvolledig (teams without an export; the totaal holds the teams that delivered)"
)

dim_gemeente = Table(
    "dim_gemeente",
    metadata,
    Column("gemeentecode", String(6), primary_key=True, comment="GM + 4 digits"),
    Column("naam", Text, nullable=False),
    Column("jeugdregio_code", String(4), comment="JZ + 2 digits, from CBS Gebieden in Nederland or the config"),
    Column("jeugdregio_naam", Text),
    Column("actueel", Boolean, nullable=False, comment="false for a gemeente that a herindeling dissolved"),
    Column("opgegaan_in", String(6), comment="the gemeente it merged into (herindeling)"),
    Column("opgeheven_per", Date, comment="date of that herindeling"),
    comment="The gemeenten of the region, today's and those dissolved by herindelingen, with their jeugdregio.",
)

dim_periode = Table(
    "dim_periode",
    metadata,
    Column("maand", Date, primary_key=True, comment="first day of the month"),
    Column("maand_eind", Date, nullable=False),
    Column("jaar", Integer, nullable=False),
    Column("kwartaal", Integer, nullable=False),
    Column("halfjaar", Integer, nullable=False),
    Column("cbs_maand", String(8), nullable=False, comment="2025MM01"),
    Column("cbs_kwartaal", String(8), nullable=False, comment="2025KW01"),
    Column("cbs_halfjaar", String(8), nullable=False, comment="2025HJ01"),
    Column("cbs_jaar", String(8), nullable=False, comment="2025JJ00"),
    comment="Every month the marts cover, with its quarter, half-year and year as CBS period codes.",
)

dim_aanbieder = Table(
    "dim_aanbieder",
    metadata,
    Column("aanbieder_agb", String(8), primary_key=True),
    Column("eerste_bericht", Date, comment="Dagtekening of its first iJw message"),
    Column("laatste_bericht", Date),
    Column("naam", Text, comment=AANBIEDER_NAAM),
    comment="Providers (AGB code) that sent iJw messages; names are not in the messages.",
)

dim_product = Table(
    "dim_product",
    metadata,
    Column("product_code", String(5), primary_key=True),
    Column("product_categorie", String(2), nullable=False),
    Column("omschrijving", Text),
    Column(
        "klasse",
        String(24),
        nullable=False,
        comment="zonder_verblijf, pleegzorg, gezinsgericht, gesloten, overig_verblijf, ots, voogdij, jeugdreclassering",
    ),
    Column("vorm", String(2), comment="CBS hulpvorm (01-04 zonder verblijf, 11-14 verblijf)"),
    Column("maatregel", String(2), comment="CBS type maatregel (11 OTS, 21 voogdij, 41/50 jeugdreclassering)"),
    comment="Productcodes with the vorm van hulp the marts count them as (ijw.productcodes, configurable).",
)

dim_team = Table(
    "dim_team",
    metadata,
    Column("team", String(32), primary_key=True),
    Column("naam", Text, nullable=False),
    Column("gemeentecode", String(6), nullable=False),
    Column("wijken", Text, comment=TEAM_WIJKEN),
    comment="The Jeugd- en Gezinsteams of the region (schemas/jgt_region.toml).",
)

dim_productcategorie = Table(
    "dim_productcategorie",
    metadata,
    Column("product_categorie", String(2), primary_key=True, comment="iJw JZ020"),
    Column("omschrijving", Text, nullable=False),
    comment="Product categories of iJw (JZ020; ijw.productcategorieen, configurable), the labels of mart_kosten.",
)

dim_verwijzer = Table(
    "dim_verwijzer",
    metadata,
    Column("verwijzer_type", String(2), primary_key=True, comment="COD327"),
    Column("omschrijving", Text, nullable=False),
    comment="Verwijzer types of iJw (COD327).",
)


def _mart(name: str, comment: str, *columns: Column, period: str = "maand", hierarchy: bool = True) -> Table:
    """A mart: its grain columns first, then the published figures, then the common bookkeeping columns. A mart
    with a `maand` grain has month, quarter and year rows (`hierarchy`): the period columns follow `maand`."""
    has_bron = any(c.name == "bron" for c in columns)  # part of the grain where local and CBS rows share a mart
    if hierarchy and period == "maand":
        at = next(i for i, c in enumerate(columns) if c.name == "maand") + 1
        columns = (*columns[:at], *_periode_hierarchy(), *columns[at:])
    return Table(
        name,
        metadata,
        *columns,
        Column(
            "onderdrukt",
            Boolean,
            nullable=False,
            comment="a count here was suppressed (NULL) or hidden to protect another",
        ),
        *([] if has_bron else [Column("bron", String(4), nullable=False, comment="jgt, ijw or cbs")]),
        Column(
            "bijgewerkt_op",
            DateTime(timezone=True),
            nullable=False,
            comment="when the row was built (one timestamp per gemeente per build)",
        ),
        Index(f"ix_{name}_gemeente_{period}", "gemeentecode", period),
        comment=comment,
    )


def _gemeente() -> Column:
    return Column("gemeentecode", String(6), primary_key=True, comment="GM + 4 digits (dim_gemeente)")


def _team() -> Column:
    return Column("team", String(32), primary_key=True, comment="the JGT team (dim_team); 'totaal': the gemeente")


def _maand() -> Column:
    return Column(
        "maand", Date, primary_key=True, comment="first day of the period (periode_type: the month, quarter or year)"
    )


def _periode_hierarchy() -> list[Column]:
    return [
        Column(
            "periode_type",
            String(8),
            primary_key=True,
            comment="maand, kwartaal or jaar; month queries filter periode_type = 'maand'",
        ),
        Column("periode", String(8), nullable=False, comment="CBS code of the period: 2025MM03, 2025KW01, 2025JJ00"),
        Column(
            "periode_volledig",
            Boolean,
            nullable=False,
            comment="false while the data do not cover every month of the period (the current quarter and year)",
        ),
    ]


def _periode() -> list[Column]:
    return [
        Column("periode", String(8), primary_key=True, comment="CBS code: 2025MM01, 2025KW01, 2025HJ01, 2025JJ00"),
        Column("periode_type", String(8), nullable=False, comment="maand, kwartaal, halfjaar or jaar"),
        Column("periode_start", Date, nullable=False, comment="first day of the period"),
        Column("periode_eind", Date, nullable=False, comment="last day of the period"),
    ]


def _levering() -> Column:
    return Column("levering", String(16), nullable=False, comment=LEVERING)


def _population() -> list[Column]:
    """The youth population a row's rates are per 1,000 of (transforms/marts/rates.py)."""
    return [
        _count(
            "bevolking_0_17",
            "CBS 03759ned: youths 0-17 on 1 January of bevolking_peiljaar (the group 0 tot 18 jaar, else the sum of "
            "the single years 0-17)",
        ),
        Column(
            "bevolking_peiljaar",
            Integer,
            comment="the year of that population: the period's year, else the latest year CBS has published",
        ),
    ]


def _count(name: str, comment: str) -> Column:
    return Column(name, Integer, comment=comment)


def _figure(name: str, comment: str) -> Column:
    return Column(name, Float, comment=comment)


TOTAAL = "totaal"  # the part value of a group's total row (team, verwijzer, vorm, categorie)

mart_aanmeldingen = _mart(
    "mart_aanmeldingen",
    "JGT aanmeldingen per gemeente, team and month (team 'totaal': the gemeente).",
    _gemeente(),
    _team(),
    _maand(),
    _count(
        "aantal_aanmeldingen",
        "registrations with aanmelddatum in the month; a youth registered again at the "
        "same team within 30 days counts once",
    ),
    _count("aantal_jeugdigen", "distinct youths among them"),
    _levering(),
)

mart_aanmeldingen_uitsplitsing = _mart(
    "mart_aanmeldingen_uitsplitsing",
    "JGT aanmeldingen per gemeente, team and month by bron_aanmelding and by hulpvraag.",
    _gemeente(),
    _team(),
    _maand(),
    Column("kenmerk", String(16), primary_key=True, comment="bron_aanmelding or hulpvraag"),
    Column("categorie", String(32), primary_key=True, comment="the value; 'totaal' for all; 'onbekend' if empty"),
    _count("aantal_aanmeldingen", "as in mart_aanmeldingen"),
    _levering(),
)

mart_doorlooptijd = _mart(
    "mart_doorlooptijd",
    "Doorlooptijd aanmelding -> start hulp per gemeente, team and month of start hulp (JGT), and the queue.",
    _gemeente(),
    _team(),
    _maand(),
    _count("aantal", "aanmeldingen whose hulp started in the month"),
    _figure("mediaan_dagen", "median calendar days from aanmelddatum to start hulp"),
    _figure("p80_dagen", "80th percentile of those days"),
    _figure("binnen_norm_pct", "share started within the norm, in %"),
    Column("norm_dagen", Integer, nullable=False, comment="the norm in force (config marts.doorlooptijd_norm_dagen)"),
    _count("wachtend_aantal", "aanmeldingen without start hulp, not closed, on the last day of the month"),
    _count("wachtend_langer_dan_norm", "of those, waiting longer than the norm"),
    _levering(),
)

mart_doorlooptijd_aanbieder = _mart(
    "mart_doorlooptijd_aanbieder",
    "Days from toewijzing (JW301 Ingangsdatum) to start zorg (JW305 Begindatum) per gemeente, aanbieder and "
    "month of start, and open toewijzingen without a start after the norm.",
    _gemeente(),
    Column(
        "aanbieder_agb",
        String(8),
        primary_key=True,
        comment="AGB code of the aanbieder (dim_aanbieder); 'totaal': all aanbieders",
    ),
    _maand(),
    _count("aantal", "toewijzingen whose first start zorg fell in the month"),
    _figure("mediaan_dagen", "median days from Ingangsdatum to Begindatum"),
    _figure("p80_dagen", "80th percentile"),
    _figure("binnen_norm_pct", "share within the norm, in %"),
    Column("norm_dagen", Integer, nullable=False, comment="the norm in force (config marts.doorlooptijd_norm_dagen)"),
    _count("wachtend_aantal", "current toewijzingen without a start on the last day of the month"),
    _count("wachtend_langer_dan_norm", "of those, with Ingangsdatum more than the norm before that day"),
)

mart_doorlooptijd_keten = _mart(
    "mart_doorlooptijd_keten",
    "The whole chain per youth (linked by pseudonym): JGT aanmelding -> toewijzing -> start zorg, per gemeente "
    "and month of start zorg.",
    _gemeente(),
    _maand(),
    _count("aantal", "chains whose start zorg fell in the month"),
    _figure("mediaan_dagen_aanmelding_toewijzing", "median days aanmelddatum -> Toewijzingsdatum"),
    _figure("mediaan_dagen_toewijzing_start", "median days Toewijzingsdatum -> Begindatum"),
    _figure("mediaan_dagen_totaal", "median days aanmelddatum -> Begindatum"),
    _figure("p80_dagen_totaal", "80th percentile of the total"),
)

mart_verwijzingen = _mart(
    "mart_verwijzingen",
    "New toewijzingen per gemeente, month and verwijzer (COD327, from the JW315 that preceded them; "
    "'totaal': all verwijzers).",
    _gemeente(),
    _maand(),
    Column("verwijzer_type", String(8), primary_key=True, comment="COD327 (dim_verwijzer); 'totaal': all verwijzers"),
    Column("verwijzer", Text, nullable=False, comment="the description of verwijzer_type"),
    _count("nieuwe_toewijzingen", "toewijzingen whose first version has its Toewijzingsdatum in the month"),
    _count("aantal_jeugdigen", "distinct youths among them"),
)

mart_verwijzingen_team = _mart(
    "mart_verwijzingen_team",
    "Per gemeente, team and month: closed JGT registrations and those referred on to specialist care.",
    _gemeente(),
    _team(),
    _maand(),
    _count("afgesloten", "registrations closed in the month"),
    _count("doorverwezen_specialistisch", "of those, with uitkomst doorverwezen_specialistisch"),
    _figure("verwijspercentage", "doorverwezen_specialistisch / afgesloten, in %"),
    _levering(),
)

mart_ots = _mart(
    "mart_ots",
    "Ondertoezichtstellingen per gemeente: local per month, half-year and year (iJw) and CBS per half-year and year.",
    _gemeente(),
    Column("bron", String(4), primary_key=True, comment="ijw (local) or cbs"),
    *_periode(),
    _count("lopend", "local: distinct youths with an active OTS on the last day of the period"),
    _count("jeugdigen_in_periode", "distinct youths with an OTS at any time in the period (CBS: JB 11)"),
    _count("gestart", "local: OTS periods that began in the period; CBS: begonnen trajecten (82975NED)"),
    Column("periode_status", String(16), comment="CBS rows: Voorlopig, Nader voorlopig or Definitief"),
    *_population(),
    _figure("jeugdigen_in_periode_per_1000", "jeugdigen_in_periode per 1,000 youths 0-17 (bevolking_0_17)"),
    period="periode_eind",
)

mart_uithuisplaatsingen = _mart(
    "mart_uithuisplaatsingen",
    "Jeugdhulp met verblijf per gemeente and vorm (pleegzorg, gezinsgericht, gesloten, overig_verblijf, "
    "totaal): local per month, half-year and year (iJw), CBS per half-year and year.",
    _gemeente(),
    Column("bron", String(4), primary_key=True, comment="ijw (local) or cbs"),
    *_periode(),
    Column(
        "vorm", String(16), primary_key=True, comment="pleegzorg, gezinsgericht, gesloten, overig_verblijf or totaal"
    ),
    _count("lopend", "local: distinct youths in this vorm on the last day of the period"),
    _count("jeugdigen_in_periode", "distinct youths in this vorm at any time in the period (CBS: JH 122x)"),
    _count("gestart", "local: verblijf periods that began in the period"),
    Column("periode_status", String(16), comment="CBS rows: the period status"),
    *_population(),
    _figure("jeugdigen_in_periode_per_1000", "jeugdigen_in_periode per 1,000 youths 0-17 (bevolking_0_17)"),
    period="periode_eind",
)

mart_kosten = _mart(
    "mart_kosten",
    "Net declared amounts (JW323, credits netted) per gemeente, month and productcategorie ('totaal': all), "
    "with year to date, budget and projections on the totaal rows.",
    _gemeente(),
    _maand(),
    Column("product_categorie", String(8), primary_key=True, comment="iJw productcategorie; 'totaal': all"),
    _figure("netto_bedrag", "debet minus credit, euros, by month of the ProductPeriode"),
    _count("aantal_jeugdigen", "distinct youths declared for"),
    _figure("kosten_per_jeugdige", "netto_bedrag / aantal_jeugdigen, euros"),
    _figure("jaar_tot_nu", "netto_bedrag from January up to and including this month, euros"),
    _figure("budget_jaar", "totaal rows: the year budget (config budget.<gemeente>), euros"),
    _figure("budget_tot_nu", "totaal rows: the budget of the quarters up to this month, pro rata per month"),
    _figure("prognose_lineair", "totaal rows: jaar_tot_nu / months elapsed x 12"),
    _figure("prognose_seizoen", "totaal rows: jaar_tot_nu / the share of last year's total spent by this month"),
)

mart_jeugdhulpgebruik = _mart(
    "mart_jeugdhulpgebruik",
    "Youths with jeugdhulp (local iJw and CBS) against the youth population (CBS 03759ned), per gemeente and "
    "half-year or year: the '1 op N'.",
    _gemeente(),
    *_periode(),
    _count("jeugdigen_met_jeugdhulp", "local: distinct youths with a jeugdhulp zorgperiode (not JB/JR) in the period"),
    _count("cbs_jongeren_met_jeugdhulp", "CBS 85099NED 'JH 1 Totaal jeugdhulp'"),
    Column("cbs_periode_status", String(16), comment="CBS period status: Voorlopig, Nader voorlopig or Definitief"),
    _population()[0],
    _figure("aandeel_pct", "jeugdigen_met_jeugdhulp / bevolking_0_17, in %"),
    _figure("een_op_n", "bevolking_0_17 / jeugdigen_met_jeugdhulp: '1 op N'"),
    _figure("cbs_aandeel_pct", "cbs_jongeren_met_jeugdhulp / bevolking_0_17, in %"),
    _figure("cbs_een_op_n", "bevolking_0_17 / cbs_jongeren_met_jeugdhulp: CBS counts PGB and all providers too"),
    _figure(
        "doel_een_op_n",
        "the target in force in the period's year (config marts.doel_een_op_n: one number, or a path per year)",
    ),
    _population()[1],
    _figure("jeugdigen_met_jeugdhulp_per_1000", "jeugdigen_met_jeugdhulp per 1,000 youths 0-17 (bevolking_0_17)"),
    _figure("cbs_jongeren_met_jeugdhulp_per_1000", "cbs_jongeren_met_jeugdhulp per 1,000 youths 0-17"),
    period="periode_eind",
)

mart_cbs_vergelijking = _mart(
    "mart_cbs_vergelijking",
    "Local figures against CBS for the same gemeente and half-year or year: the basis of the reconciliation alert.",
    _gemeente(),
    *_periode(),
    Column(
        "indicator", String(32), primary_key=True, comment="jeugdhulp, jeugdhulp_met_verblijf, pleegzorg, ots, voogdij"
    ),
    _count("lokaal", "distinct youths in the period, from iJw"),
    _count("cbs", "CBS jongeren met jeugdzorg for the matching category"),
    _figure("verschil", "lokaal - cbs"),
    _figure("verschil_pct", "(lokaal - cbs) / cbs, in %"),
    Column("cbs_periode_status", String(16), comment="CBS period status: Voorlopig, Nader voorlopig or Definitief"),
    period="periode_eind",
)

mart_aanbieder_scorecard = _mart(
    "mart_aanbieder_scorecard",
    "Data quality per gemeente, aanbieder and month: deliveries, rejected files, quarantined lines, late or "
    "missing declarations, missing JW305 starts and JW307 stops. Built by the alerts step (jeugdmonitor/alerts).",
    _gemeente(),
    Column("aanbieder_agb", String(8), primary_key=True, comment="AGB code of the aanbieder (dim_aanbieder)"),
    Column("maand", Date, primary_key=True, comment="first day of the month"),
    _count("bestanden", "iJw files delivered in the month (Dagtekening; a rejected file: the day it was loaded)"),
    _count("bestanden_afgekeurd", "of those, rejected whole"),
    _count("regels_quarantaine", "lines of those files in quarantine"),
    Column("quarantaine_redenen", Text, comment="those lines by reason_code: 'bsn_invalid=2; date_invalid=1'"),
    _count("actieve_toewijzingen", "current toewijzingen active in the month"),
    _count("declaraties", "declaraties (JW323) with a ProductPeriode in the month"),
    _count("declaraties_te_laat", "of those, sent after day alerts.declaratie_dag of the next month"),
    Column(
        "niet_gedeclareerd",
        Boolean,
        nullable=False,
        comment="active toewijzingen, no declaratie, and the deadline has passed",
    ),
    _count("ontbrekende_starts", "active toewijzingen without a JW305 start more than the norm after Ingangsdatum"),
    _count("ontbrekende_stops", "open starts whose toewijzing ended before the month (no JW307 stop)"),
    hierarchy=False,
)

MARTS = [
    mart_aanmeldingen,
    mart_aanmeldingen_uitsplitsing,
    mart_doorlooptijd,
    mart_doorlooptijd_aanbieder,
    mart_doorlooptijd_keten,
    mart_verwijzingen,
    mart_verwijzingen_team,
    mart_ots,
    mart_uithuisplaatsingen,
    mart_kosten,
    mart_jeugdhulpgebruik,
    mart_cbs_vergelijking,
]
# Not in MARTS: jeugdmonitor.marts does not build it (the alerts step does, after the indicator marts).
SCORECARD = mart_aanbieder_scorecard
DIMENSIONS = [dim_gemeente, dim_periode, dim_aanbieder, dim_product, dim_productcategorie, dim_team, dim_verwijzer]
