"""What jeugdmonitor keeps of each iJw message: one MessageSpec per message type.

The kept set follows Regeling Jeugdwet art. 8f: pseudonym, geboortejaar, gemeentecode, AGB, codes, dates, volumes,
amounts, verwijzer, juridische status. Names, addresses, contact details, geslacht and full birth dates are not
named here, so they are never copied out of the XML.
"""

from __future__ import annotations

from jeugdmonitor.transforms.ijw import fields
from jeugdmonitor.transforms.ijw.records import Field, MessageSpec

DEBET_CREDIT = frozenset({"D", "C"})
EENHEDEN = frozenset({"01", "04", "14", "16", "82", "83", "84"})  # WJ756
FREQUENTIES = frozenset({"1", "2", "4", "6"})  # WMO757
STATUS_AANLEVERING = frozenset({"1", "3"})  # CS058: 1 eerste aanlevering, 3 verwijderen
VERWIJZERS = frozenset({"01", "02", "03", "04", "05", "06", "08"})  # COD327 (no 07)
REDENEN_BEEINDIGING = frozenset({"02", "20", "31", "32", "33", "34", "35", "36", "37", "38", "39"})  # JZ588
REDENEN_WIJZIGING = frozenset(f"{n:02d}" for n in range(1, 15))  # JZ002
JURIDISCHE_STATUS = frozenset({"01", "02", "03", "04", "05", "11", "12"})  # WJ232
VERTEGENWOORDIGING = frozenset({"06", "07", "08", "09", "10"})  # WJ003


def _period(begin: str, end: str, label: str):
    def check(row: dict, line: int, key: str | None) -> None:
        if row.get(begin) and row.get(end):
            fields.period(row[begin], row[end], label, line, key)

    return check


def _signed(amount: int, debet_credit: str) -> int:
    return -amount if debet_credit == "C" else amount


def _signed_amounts(row: dict) -> dict:
    return {
        "bedrag": _signed(row["ingediend_bedrag"], row["debet_credit"]),
        "declaratie_totaal": _signed(row["totaal_bedrag"], row["totaal_debet_credit"]),
    }


JW323 = MessageSpec(
    code="JW323",
    record="Prestatie",
    gemeente_sends=False,
    key="ProductReferentie/ReferentieNummer",
    fields=(
        Field("declaratie_nummer", "DeclaratieNummer", source="context"),
        Field("declaratie_periode_begin", "DeclaratiePeriode/Begindatum", "date", "context"),
        Field("declaratie_periode_eind", "DeclaratiePeriode/Einddatum", "date", "context"),
        Field("totaal_bedrag", "TotaalIngediendBedrag/TotaalBedrag", "int", "context", stage=False),
        Field(
            "totaal_debet_credit",
            "TotaalIngediendBedrag/DebetCredit",
            "code",
            "context",
            codes=DEBET_CREDIT,
            stage=False,
        ),
        Field("referentie_nummer", "ProductReferentie/ReferentieNummer"),
        Field("vorig_referentie_nummer", "ProductReferentie/VorigReferentieNummer", required=False),
        Field("toewijzing_nummer", "ToewijzingNummer", "int"),
        Field("product_categorie", "ProductCategorie"),
        Field("product_code", "ProductCode"),
        Field("product_periode_begin", "ProductPeriode/Begindatum", "date"),
        Field("product_periode_eind", "ProductPeriode/Einddatum", "date"),
        Field("geleverd_volume", "GeleverdVolume", "int"),
        Field("eenheid", "Eenheid", "code", codes=EENHEDEN),
        Field("product_tarief", "ProductTarief", "int", required=False),
        Field("ingediend_bedrag", "IngediendBedrag/Bedrag", "int"),
        Field("debet_credit", "IngediendBedrag/DebetCredit", "code", codes=DEBET_CREDIT),
    ),
    check=_period("product_periode_begin", "product_periode_eind", "ProductPeriode"),
    derive=_signed_amounts,
    derived=(("bedrag", "int64"), ("declaratie_totaal", "int64")),
)

_CLIENT = (Field("geboortejaar", "Geboortedatum/Datum", "year", "client", required=False),)

JW301 = MessageSpec(
    code="JW301",
    record="ToegewezenProduct",
    gemeente_sends=True,
    key="ToewijzingNummer",
    fields=(
        *_CLIENT,
        Field("juridische_status", "JuridischeStatus", "code", "client", required=False, codes=JURIDISCHE_STATUS),
        Field(
            "wettelijke_vertegenwoordiging",
            "WettelijkeVertegenwoordiging",
            "code",
            "client",
            required=False,
            codes=VERTEGENWOORDIGING,
        ),
        Field("toewijzing_nummer", "ToewijzingNummer", "int"),
        Field("referentie_aanbieder", "ReferentieAanbieder", required=False),
        Field("product_categorie", "Product/Categorie", required=False),
        Field("product_code", "Product/Code", required=False),
        Field("toewijzingsdatum", "Toewijzingsdatum", "date"),
        Field("ingangsdatum", "Ingangsdatum", "date"),
        Field("einddatum", "Einddatum", "date", required=False),
        Field("reden_wijziging", "RedenWijziging", "code", required=False, codes=REDENEN_WIJZIGING),
        Field("omvang_volume", "Omvang/Volume", "int", required=False),
        Field("omvang_eenheid", "Omvang/Eenheid", "code", required=False, codes=EENHEDEN),
        Field("omvang_frequentie", "Omvang/Frequentie", "code", required=False, codes=FREQUENTIES),
        Field("budget", "Budget", "int", required=False),
    ),
    check=_period("ingangsdatum", "einddatum", "Einddatum"),
)

_START_FIELDS = (
    *_CLIENT,
    Field("toewijzing_nummer", "ToewijzingNummer", "int", required=False),  # empty only when taakgericht
    Field("product_categorie", "Product/Categorie", required=False),
    Field("product_code", "Product/Code", required=False),
    Field("toewijzing_ingangsdatum", "ToewijzingIngangsdatum", "date", required=False),
    Field("begindatum", "Begindatum", "date"),
)

JW305 = MessageSpec(
    code="JW305",
    record="StartProduct",
    gemeente_sends=False,
    key="ToewijzingNummer",
    fields=(*_START_FIELDS, Field("status_aanlevering", "StatusAanlevering", "code", codes=STATUS_AANLEVERING)),
)

JW307 = MessageSpec(
    code="JW307",
    record="StopProduct",
    gemeente_sends=False,
    key="ToewijzingNummer",
    fields=(
        *_START_FIELDS,
        Field("reden_beeindiging", "RedenBeeindiging", "code", codes=REDENEN_BEEINDIGING),
        Field("einddatum", "Einddatum", "date"),
        Field("status_aanlevering", "StatusAanlevering", "code", codes=STATUS_AANLEVERING),
    ),
    check=_period("begindatum", "einddatum", "Einddatum"),
)

JW315 = MessageSpec(
    code="JW315",
    record="AangevraagdProduct",
    gemeente_sends=False,
    key="ReferentieAanbieder",
    fields=(
        *_CLIENT,
        Field("referentie_aanbieder", "ReferentieAanbieder"),
        Field("product_categorie", "Product/Categorie", required=False),
        Field("product_code", "Product/Code", required=False),
        Field("toewijzing_ingangsdatum", "ToewijzingIngangsdatum", "date"),
        Field("toewijzing_einddatum", "ToewijzingEinddatum", "date", required=False),
        Field("omvang_volume", "Omvang/Volume", "int", required=False),
        Field("omvang_eenheid", "Omvang/Eenheid", "code", required=False, codes=EENHEDEN),
        Field("omvang_frequentie", "Omvang/Frequentie", "code", required=False, codes=FREQUENTIES),
        Field("budget", "Budget", "int", required=False),
        # Only the type: the verwijzer's name and AGB identify a professional and steering does not need them.
        Field("verwijzer_type", "Verwijzer/Type", "code", codes=VERWIJZERS),
    ),
    check=_period("toewijzing_ingangsdatum", "toewijzing_einddatum", "ToewijzingEinddatum"),
)

SPECS = {spec.code: spec for spec in (JW301, JW305, JW307, JW315, JW323)}
