"""The synthetic product catalogue and aanbieders (care providers) of the generated world.

Product codes follow the shape of the national standaardproductcodelijst Jeugdwet (JZ21: categorie + letter +
two digits), but the list is compact and the tariffs are invented orders of magnitude. Each product knows how the
monitor classifies it (CBS hulpvorm for jeugdhulp, CBS type maatregel for jeugdbescherming/jeugdreclassering), so
the generator can count the same youths the pipeline is expected to count. AGB codes start with 75 and are
synthetic. Nothing here is random: the catalogue is the same in every run.
"""

from __future__ import annotations

from dataclasses import dataclass

# Monitor classes ("klasse"): the verblijf split used by the marts and the CBS measures.
ZONDER_VERBLIJF = "zonder_verblijf"
PLEEGZORG = "pleegzorg"
GEZINSGERICHT = "gezinsgericht"
GESLOTEN = "gesloten"
OVERIG_VERBLIJF = "overig_verblijf"
OTS = "ots"
VOOGDIJ = "voogdij"
JEUGDRECLASSERING = "jeugdreclassering"

VERBLIJF_KLASSEN = (PLEEGZORG, GEZINSGERICHT, GESLOTEN, OVERIG_VERBLIJF)
JEUGDHULP_KLASSEN = (ZONDER_VERBLIJF, *VERBLIJF_KLASSEN)

# WJ756 Eenheid
MINUUT, UUR, ETMAAL, DAGDEEL, STUKS_OUTPUT, EURO, STUKS_INSPANNING = "01", "04", "14", "16", "82", "83", "84"
# WMO757 Frequentie
PER_WEEK, PER_MAAND = "2", "4"


@dataclass(frozen=True)
class Product:
    """One product: what is delivered, in which unit, at what price, and how the monitor classifies it."""

    code: str  # ProductCode (max 5 characters)
    categorie: str  # JZ020 ProductCategorie
    omschrijving: str
    eenheid: str  # WJ756
    # Tariff in eurocents per eenheid; for Eenheid 01 (minutes) this is the hourly tariff (IV081); None for 83.
    tarief: int | None
    klasse: str  # one of the klasse constants above
    vorm: str | None = None  # CBS hulpvorm (01-04 zonder verblijf, 11-14 verblijf) for jeugdhulp products
    maatregel: str | None = None  # CBS type maatregel (11 OTS, 21 voogdij, 41/50 JR) for JB/JR products
    # Toegewezen Omvang (Volume per Frequentie): (low, high, frequentie); for 83 the volume is cents per month.
    omvang: tuple[int, int, str] = (1, 1, PER_WEEK)
    crisis: bool = False

    @property
    def verblijf(self) -> bool:
        return self.klasse in VERBLIJF_KLASSEN

    @property
    def jeugdhulp(self) -> bool:
        """Jeugdhulp in the CBS sense: not jeugdbescherming (48) and not jeugdreclassering (47)."""
        return self.klasse in JEUGDHULP_KLASSEN


def amount_cents(product: Product, volume: int, tarief: int | None = None) -> int:
    """IngediendBedrag for a volume: Volume x Tarief (TR346), minutes against an hourly tariff (IV081:
    multiply first, then divide by 60 and round half up to cents), or the volume itself for Eenheid 83 (CS339)."""
    if product.eenheid == EURO:
        return volume
    tarief = product.tarief if tarief is None else tarief
    assert tarief is not None
    if product.eenheid == MINUUT:
        return (volume * tarief * 2 + 60) // 120
    return volume * tarief


_P = Product
CATALOGUE: tuple[Product, ...] = (
    # Jeugdhulp zonder verblijf
    _P("45A05", "45", "Jeugdhulp ambulant regulier", UUR, 9850, ZONDER_VERBLIJF, vorm="02", omvang=(1, 3, PER_WEEK)),
    _P(
        "45A07",
        "45",
        "Jeugdhulp ambulant specialistisch",
        UUR,
        11650,
        ZONDER_VERBLIJF,
        vorm="02",
        omvang=(1, 3, PER_WEEK),
    ),
    _P("45A10", "45", "Jeugdhulp ambulant in netwerk", UUR, 7400, ZONDER_VERBLIJF, vorm="04", omvang=(1, 2, PER_WEEK)),
    _P(
        "45A48",
        "45",
        "Intensieve ambulante gezinsbehandeling",
        UUR,
        12800,
        ZONDER_VERBLIJF,
        vorm="02",
        omvang=(3, 6, PER_WEEK),
    ),
    _P("45A31", "45", "Diagnostiek jeugdhulp", MINUUT, 12100, ZONDER_VERBLIJF, vorm="02", omvang=(60, 150, PER_WEEK)),
    _P("41A02", "41", "Dagbehandeling jeugd", DAGDEEL, 7850, ZONDER_VERBLIJF, vorm="03", omvang=(2, 6, PER_WEEK)),
    _P("41A06", "41", "Dagbehandeling intensief", DAGDEEL, 9600, ZONDER_VERBLIJF, vorm="03", omvang=(4, 8, PER_WEEK)),
    _P("54001", "54", "Jeugd-ggz behandeling", MINUUT, 13200, ZONDER_VERBLIJF, vorm="02", omvang=(45, 120, PER_WEEK)),
    _P("54002", "54", "Jeugd-ggz diagnostiek", MINUUT, 13800, ZONDER_VERBLIJF, vorm="02", omvang=(60, 180, PER_WEEK)),
    _P("54004", "54", "Jeugd-ggz intensief", UUR, 14500, ZONDER_VERBLIJF, vorm="02", omvang=(2, 4, PER_WEEK)),
    _P(
        "50A01",
        "50",
        "Maatwerkarrangement jeugd",
        EURO,
        None,
        ZONDER_VERBLIJF,
        vorm="02",
        omvang=(60_000, 250_000, PER_MAAND),
    ),
    _P(
        "46A01",
        "46",
        "Crisishulp ambulant",
        UUR,
        12500,
        ZONDER_VERBLIJF,
        vorm="02",
        omvang=(4, 8, PER_WEEK),
        crisis=True,
    ),
    # Jeugdhulp met verblijf
    _P("43A03", "43", "Pleegzorg met behandeling", ETMAAL, 6450, PLEEGZORG, vorm="11", omvang=(7, 7, PER_WEEK)),
    _P("44A03", "44", "Pleegzorg bestandspleeggezin", ETMAAL, 3350, PLEEGZORG, vorm="11", omvang=(7, 7, PER_WEEK)),
    _P("44A07", "44", "Pleegzorg netwerkpleeggezin", ETMAAL, 2950, PLEEGZORG, vorm="11", omvang=(7, 7, PER_WEEK)),
    _P("44A18", "44", "Deeltijdpleegzorg", ETMAAL, 3100, PLEEGZORG, vorm="11", omvang=(2, 3, PER_WEEK)),
    _P("43A20", "43", "Gezinshuis met behandeling", ETMAAL, 17800, GEZINSGERICHT, vorm="12", omvang=(7, 7, PER_WEEK)),
    _P("44A10", "44", "Gezinshuis", ETMAAL, 13200, GEZINSGERICHT, vorm="12", omvang=(7, 7, PER_WEEK)),
    _P("43A06", "43", "JeugdzorgPlus gesloten", ETMAAL, 62500, GESLOTEN, vorm="13", omvang=(7, 7, PER_WEEK)),
    _P("43A12", "43", "JeugdzorgPlus intensief", ETMAAL, 69800, GESLOTEN, vorm="13", omvang=(7, 7, PER_WEEK)),
    _P("43A15", "43", "Residentiele behandelgroep", ETMAAL, 29800, OVERIG_VERBLIJF, vorm="14", omvang=(7, 7, PER_WEEK)),
    _P("44A15", "44", "Begeleid wonen jeugd", ETMAAL, 17500, OVERIG_VERBLIJF, vorm="14", omvang=(7, 7, PER_WEEK)),
    _P("46A05", "46", "Crisispleegzorg", ETMAAL, 9200, PLEEGZORG, vorm="11", omvang=(7, 7, PER_WEEK), crisis=True),
    _P(
        "46A03",
        "46",
        "Crisisopvang residentieel",
        ETMAAL,
        41500,
        OVERIG_VERBLIJF,
        vorm="14",
        omvang=(7, 7, PER_WEEK),
        crisis=True,
    ),
    # Jeugdbescherming (GI maandtarief, SAP GI) and jeugdreclassering
    _P("48B10", "48", "Ondertoezichtstelling", STUKS_OUTPUT, 184500, OTS, maatregel="11", omvang=(1, 1, PER_MAAND)),
    _P(
        "48B12",
        "48",
        "Ondertoezichtstelling met uithuisplaatsing",
        STUKS_OUTPUT,
        209000,
        OTS,
        maatregel="11",
        omvang=(1, 1, PER_MAAND),
    ),
    _P("48B11", "48", "Voogdij", STUKS_OUTPUT, 141000, VOOGDIJ, maatregel="21", omvang=(1, 1, PER_MAAND)),
    _P("48B13", "48", "Voogdij intensief", STUKS_OUTPUT, 152000, VOOGDIJ, maatregel="21", omvang=(1, 1, PER_MAAND)),
    _P(
        "47A01",
        "47",
        "Jeugdreclassering toezicht en begeleiding",
        STUKS_OUTPUT,
        121000,
        JEUGDRECLASSERING,
        maatregel="41",
        omvang=(1, 1, PER_MAAND),
    ),
    _P(
        "47A05",
        "47",
        "Intensieve jeugdreclassering",
        STUKS_OUTPUT,
        248000,
        JEUGDRECLASSERING,
        maatregel="50",
        omvang=(1, 1, PER_MAAND),
    ),
)
PRODUCTS: dict[str, Product] = {p.code: p for p in CATALOGUE}


@dataclass(frozen=True)
class Aanbieder:
    """A care provider. `start_mediaan` is its typical number of days from toewijzing to start (its queue);
    `gewicht` its relative market share among the aanbieders that offer a product."""

    agb: str  # 8 digits, synthetic (75......)
    naam: str
    producten: tuple[str, ...]
    start_mediaan: float
    gewicht: float = 1.0
    gi: bool = False  # gecertificeerde instelling (jeugdbescherming / jeugdreclassering)


_A = Aanbieder
AANBIEDERS: tuple[Aanbieder, ...] = (
    _A("75100012", "Jeugdbescherming Kust en Rijn", ("48B10", "48B12", "48B11", "48B13", "47A01", "47A05"), 2, 3, True),
    _A("75100024", "Stichting Voogdij en Reclassering", ("48B10", "48B11", "48B13", "47A01"), 3, 2, True),
    _A("75100036", "Gecertificeerde Instelling Midden", ("48B10", "48B12", "48B11", "47A01", "47A05"), 2, 2, True),
    _A("75200015", "Pleegzorg Rijnland", ("43A03", "44A03", "44A07", "44A18", "46A05"), 6, 3),
    _A("75200027", "Stichting Thuisbasis Pleegzorg", ("44A03", "44A07", "44A18", "43A03"), 8, 2),
    _A("75200039", "Pleeggezin en Co", ("44A03", "44A07", "46A05"), 5, 1),
    _A("75300018", "Gezinshuizen De Linde", ("43A20", "44A10"), 14, 1),
    _A("75300021", "Horizon Residentieel", ("43A15", "44A15", "46A03", "45A48"), 12, 2),
    _A("75300033", "De Jutter Jeugdzorg", ("43A15", "44A15", "43A20", "45A48"), 16, 2),
    _A("75300045", "Kamertraining Rijnstreek", ("44A15",), 20, 1),
    _A("75400011", "JeugdzorgPlus Het Rijnlandhuis", ("43A06", "43A12"), 3, 2),
    _A("75400023", "Gesloten Zorg Groot-Holland", ("43A06", "43A12"), 4, 1),
    _A("75500014", "Kinder- en Jeugdpsychiatrie Rijnland", ("54001", "54002", "54004", "41A06"), 35, 3),
    _A("75500026", "GGZ Jong Duin- en Bollenstreek", ("54001", "54002", "54004"), 28, 2),
    _A("75500038", "Praktijk Gezinspsychologie Leiden", ("54001", "54002", "45A31"), 18, 2),
    _A("75500041", "Jeugd-ggz Hollandse Meren", ("54001", "54002", "54004"), 24, 2),
    _A("75500053", "Psychologenpraktijk De Brug", ("54001", "54002", "45A31"), 14, 1),
    _A("75600017", "Jeugdhulp Ambulant West", ("45A05", "45A07", "45A10", "45A48", "46A01"), 10, 3),
    _A("75600029", "Stichting Opvoedpunt", ("45A05", "45A10", "50A01"), 7, 2),
    _A("75600031", "Kind en Gezin Specialistisch", ("45A07", "45A31", "45A48"), 15, 2),
    _A("75600043", "Dagcentrum De Regenboog", ("41A02", "41A06"), 21, 2),
    _A("75600055", "Zorgboerderij Het Groene Hart", ("41A02", "50A01"), 12, 1),
    _A("75600067", "Crisisdienst Jeugd Holland", ("46A01", "46A05", "46A03"), 0.5, 2),
    _A("75600079", "Autismecentrum Rijn en Bollen", ("41A02", "45A07", "45A31"), 25, 1),
    _A("75600082", "Stichting Gezinshulp Noord", ("45A05", "45A07", "45A10", "50A01"), 9, 2),
)
AANBIEDERS_BY_AGB: dict[str, Aanbieder] = {a.agb: a for a in AANBIEDERS}


def offering(code: str, aanbieders: tuple[Aanbieder, ...] = AANBIEDERS) -> tuple[Aanbieder, ...]:
    """The aanbieders (in catalogue order) that offer product `code`."""
    return tuple(a for a in aanbieders if code in a.producten)


def _check_catalogue() -> None:
    """Fail at import when the catalogue is inconsistent: a typo here would produce silently odd data."""
    assert len({a.agb for a in AANBIEDERS}) == len(AANBIEDERS)
    for a in AANBIEDERS:
        assert len(a.agb) == 8 and a.agb.isdigit(), a.agb
        for code in a.producten:
            assert code in PRODUCTS, (a.naam, code)
    for p in CATALOGUE:
        assert len(p.code) <= 5 and p.code.startswith(p.categorie), p.code
        assert (p.tarief is None) == (p.eenheid == EURO), p.code
        assert offering(p.code), f"nobody offers {p.code}"


_check_catalogue()
