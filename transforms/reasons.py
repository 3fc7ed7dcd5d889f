"""Why a file or record was not loaded: a stable code for machines and a plain Dutch sentence for people.

Policy staff and data engineers read `reden` in quarantine reports and alerts, so it names the problem in words,
not in XML paths. A reason names the problem, the line, the field or the layout's own column names, never what the
file holds: a `detail` is built from those only. The record key and the offending value do come from the file;
a Rejection masks them itself (jeugdmonitor.transforms.masking), so no caller can forget.
"""

from __future__ import annotations

from dataclasses import dataclass

from jeugdmonitor.transforms.masking import masked

REASONS: dict[str, str] = {
    # whole files
    "empty_file": "Het bestand is leeg.",
    "not_well_formed": (
        "Het bestand is geen geldige XML (bijvoorbeeld afgebroken of in een verkeerde tekenset): {detail}"
    ),
    "unknown_message": "Het bestand is geen iJw-bericht dat de monitor kent: {detail}",
    "unsupported_version": "Het bericht hoort bij een iJw-versie die de monitor nog niet kan lezen: {detail}",
    "xsd_invalid": "Het bericht voldoet niet aan het iJw-schema (XSD): {detail}",
    "header_invalid": "De kop van het bericht is onvolledig of onjuist: {detail}",
    # any file, before or while it is read (jeugdmonitor.discovery, the loaders)
    "inbox_symlink": "Het bestand is een snelkoppeling (symbolische link); de monitor leest alleen gewone bestanden "
    "die in de inbox zelf staan.",
    "inbox_not_a_file": "Dit is geen gewoon bestand (bijvoorbeeld een pipe of een apparaat); de monitor leest alleen "
    "gewone bestanden.",
    "inbox_name_invalid": "De naam van het bestand of de map is geen geldige UTF-8-tekst; geef het een andere naam.",
    "unexpected_error": "Het bestand kon niet worden verwerkt door een onverwachte fout ({detail}); de rest van de "
    "inbox is wel geladen.",
    # records
    "bsn_invalid": "Het BSN voldoet niet aan de elfproef.",
    "missing_field": "Verplicht veld '{field}' ontbreekt.",
    "date_invalid": "Datum in '{field}' is geen geldige datum (verwacht JJJJ-MM-DD).",
    "date_timezone": "Datum in '{field}' bevat een tijdzone; iJw-datums horen zonder tijdzone.",
    "number_invalid": "Waarde in '{field}' is geen geheel getal.",
    "code_invalid": "Waarde in '{field}' is geen geldige code.",
    "period_reversed": "De einddatum ligt voor de begindatum in '{field}'.",
    "file_too_large": "Het bestand is groter dan de 25 MB die de iJw-standaard toestaat: {detail}",
    "xml_doctype": "Het bericht bevat een DOCTYPE (DTD); iJw-berichten hebben die niet, en de monitor leest ze niet.",
    # business rules (expectations/*.json)
    "amount_mismatch": "Het ingediende bedrag is niet gelijk aan volume maal tarief.",
    "period_not_in_month": "De productperiode valt niet binnen één kalendermaand.",
    "period_after_declaratie": "De productperiode ligt na de declaratieperiode.",
    "duplicate_reference": "Deze prestatie is al eerder aangeleverd (zelfde referentienummer); niet dubbel geteld.",
    "credit_unknown_debet": "De creditregel verwijst naar een debetregel die de monitor niet kent.",
    "toewijzing_unknown": "Het toewijzingnummer komt niet voor in een toewijzing (JW301) van deze gemeente.",
    "product_code_mismatch": "De productcode past niet bij de productcategorie.",
    "product_code_unknown": "De productcode staat niet in de productcodelijst van de gemeente.",
    "unknown_category": "De productcategorie is onbekend.",
    "total_mismatch": "Het totaalbedrag van de declaratie klopt niet met de som van de prestaties.",
    # JGT exports (transforms/jgt/, expectations/stg_jgt_registratie.json)
    "layout_unknown": "De kolommen van het bestand passen bij geen bekende JGT-indeling: {detail}",
    "file_unreadable": "Het bestand kan niet worden gelezen: {detail}",
    "export_too_large": "Het bestand is te groot voor een JGT-export: {detail}",
    "xlsx_invalid": "Het bestand heeft de extensie .xlsx maar is geen Excel-bestand (geen zip-archief).",
    "xlsx_too_large": "Het Excel-bestand is uitgepakt te groot (mogelijk een zip-bom): {detail}",
    "csv_limit": "Het bestand overschrijdt een grens voor CSV-bestanden: {detail}",
    "row_malformed": "De regel heeft meer kolommen dan de kopregel.",
    "jgt_date_invalid": "Datum in '{field}' is geen geldige datum (verwacht DD-MM-JJJJ, eventueel met tijd).",
    "duplicate_registratie": (
        "Dit registratienummer staat twee keer in dezelfde export; alleen de eerste regel is geladen."
    ),
    "gemeente_unknown": "De gemeente hoort niet bij de regio van de monitor (of is onbekend).",
    "team_unknown": "Het team is geen bekend Jeugd- en Gezinsteam van de regio.",
    "start_before_aanmelding": "De hulp start voor de datum van aanmelding.",
    "afsluiting_before_aanmelding": "De registratie is afgesloten voor de datum van aanmelding.",
    "date_in_future": "Een datum ligt na het einde van de exportmaand.",
    "age_implausible": "De leeftijd bij aanmelding ligt niet tussen 0 en 23 jaar.",
    # CBS StatLine (expectations/stg_cbs_waarneming.json)
    "cbs_period_invalid": "De CBS-periodecode is geen jaar, halfjaar, kwartaal of maand.",
    "cbs_period_unknown": "De periode staat niet in de perioden van deze CBS-tabel.",
    "cbs_region_invalid": "De CBS-regiocode is geen bekende soort regio (Nederland, provincie, jeugdregio, gemeente).",
    "cbs_region_unknown": "De regio is niet gevraagd: hij hoort niet bij de regio van de monitor.",
    "cbs_negative": "Het CBS-cijfer is negatief.",
    "cbs_not_rounded": "Het CBS-aantal is geen veelvoud van 5, terwijl CBS deze aantallen afrondt.",
}


@dataclass(frozen=True)
class Rejection:
    """A record that does not load, with where it is and why."""

    reason_code: str
    reden: str
    line: int | None = None
    record_key: str | None = None
    field: str | None = None
    value_masked: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "record_key", masked(self.record_key))
        object.__setattr__(self, "value_masked", masked(self.value_masked))


def rejection(
    code: str,
    *,
    line: int | None = None,
    record_key: str | None = None,
    field: str | None = None,
    value_masked: str | None = None,
    detail: str = "",
) -> Rejection:
    reden = REASONS[code].format(field=field or "", detail=detail).strip()
    return Rejection(code, reden, line, record_key, field, value_masked)


def unexpected(exc: BaseException) -> Rejection:
    """A file refused for an error nobody planned for: named by the error's type only, because its message can
    quote what the file holds."""
    return rejection("unexpected_error", detail=type(exc).__name__)


class FileRejected(Exception):
    """The whole file is refused; nothing of it loads."""

    def __init__(self, code: str, detail: str = "", line: int | None = None):
        self.rejection = rejection(code, line=line, detail=detail)
        super().__init__(self.rejection.reden)
