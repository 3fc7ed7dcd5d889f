"""`jeugdmonitor export`: one gemeente's indicators as an Excel workbook for policy staff.

The export reads what a reader reads: the reader views (lees_, jeugdmonitor.schemas.readers). On PostgreSQL it
refuses to read as a role that row-level security does not apply to (a superuser, the owner of the marts, a role
with BYPASSRLS): connect as a reader login, or let the owner act as a reader role (`als`, SET ROLE), so the
gemeente's bindings decide what is in the file. SQLite has no users: there the gemeente filter is all there is.

One sheet per indicator (view) with Dutch headers, number formats, a frozen header row and an autofilter; a cell a
suppression hid says "onderdrukt" (never 0, never empty); a first sheet "Toelichting" with the gemeente, the date of
the data (latest build, latest period) and one paragraph per indicator.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from sqlalchemy import Connection, Engine, text

from jeugdmonitor.marts.registry import MARTS
from jeugdmonitor.schemas.readers import EUROS, RENAMES, view_name

ONDERDRUKT = "onderdrukt"
# The mart that row-level security protects on PostgreSQL; its owner is not subject to it.
_PROTECTED = "mart_aanmeldingen"


@dataclass(frozen=True)
class Indicator:
    view: str
    blad: str  # the sheet's name (at most 31 characters)
    definitie: str  # one paragraph, plain Dutch


INDICATOREN = [
    Indicator(
        "lees_aanmeldingen",
        "Aanmeldingen",
        "Aanmeldingen bij de Jeugd- en Gezinsteams per team en maand (team 'hele gemeente': de gemeente). Een "
        "jeugdige die binnen 30 dagen opnieuw bij hetzelfde team wordt aangemeld, telt één keer. Levering zegt of "
        "het team over die maand gegevens heeft aangeleverd.",
    ),
    Indicator(
        "lees_aanmeldingen_uitsplitsing",
        "Aanmeldingen uitgesplitst",
        "Dezelfde aanmeldingen, uitgesplitst naar bron van de aanmelding en naar hulpvraag.",
    ),
    Indicator(
        "lees_doorlooptijd",
        "Doorlooptijd JGT",
        "Dagen van aanmelding tot start van de hulp bij het Jeugd- en Gezinsteam, per maand waarin de hulp "
        "begon: mediaan, 80e percentiel en het deel dat binnen de norm startte; daarnaast de wachtenden op de "
        "laatste dag van de maand.",
    ),
    Indicator(
        "lees_doorlooptijd_aanbieder",
        "Doorlooptijd aanbieder",
        "Dagen van toewijzing tot start van de zorg per aanbieder, per maand van de start, en de toewijzingen die "
        "langer dan de norm op een start wachten.",
    ),
    Indicator(
        "lees_doorlooptijd_keten",
        "Doorlooptijd keten",
        "De hele keten per jeugdige: van aanmelding bij het JGT via de toewijzing tot de start van de zorg, per "
        "maand waarin de zorg begon (medianen in dagen).",
    ),
    Indicator(
        "lees_verwijzingen",
        "Verwijzingen",
        "Nieuwe toewijzingen per maand naar verwijzer (huisarts, gemeentelijke toegang, jeugdarts, enzovoort).",
    ),
    Indicator(
        "lees_verwijzingen_team",
        "Doorverwijzingen JGT",
        "Afgesloten aanmeldingen per team en maand, en hoeveel daarvan zijn doorverwezen naar specialistische "
        "jeugdhulp (in aantal en als percentage).",
    ),
    Indicator(
        "lees_ots",
        "Ondertoezichtstelling",
        "Jeugdigen met een ondertoezichtstelling (OTS): lokaal uit de iJw-berichten per maand, halfjaar en jaar, "
        "en volgens het CBS per halfjaar en jaar; met het aantal per 1.000 jeugdigen van 0 tot 18 jaar.",
    ),
    Indicator(
        "lees_uithuisplaatsingen",
        "Uithuisplaatsingen",
        "Jeugdhulp met verblijf (pleegzorg, gezinsgericht, gesloten, overig verblijf en totaal): lokaal per "
        "maand, halfjaar en jaar, CBS per halfjaar en jaar; met het aantal per 1.000 jeugdigen van 0 tot 18 jaar.",
    ),
    Indicator(
        "lees_kosten",
        "Kosten",
        "Gedeclareerde bedragen (debet min credit) in euro's per maand en productcategorie, met het bedrag tot "
        "nu toe in het jaar en, op de totaalregels, het budget en twee prognoses voor het hele jaar.",
    ),
    Indicator(
        "lees_jeugdhulpgebruik",
        "Jeugdhulpgebruik",
        "Jeugdigen met jeugdhulp tegenover alle jeugdigen van 0 tot 18 jaar ('1 op N'), lokaal en volgens het "
        "CBS, per halfjaar en jaar; met het doel '1 op N' dat voor dat jaar geldt.",
    ),
    Indicator(
        "lees_cbs_vergelijking",
        "Vergelijking CBS",
        "De lokale aantallen naast die van het CBS voor dezelfde gemeente en periode, met het verschil in "
        "aantal en in procenten.",
    ),
    Indicator(
        "lees_aanbieder_scorecard",
        "Scorecard aanbieders",
        "De kwaliteit van de aanlevering per aanbieder en maand: bestanden, afgekeurde bestanden en regels, "
        "te late of ontbrekende declaraties, ontbrekende start- en stopberichten.",
    ),
]

# Dutch headers for the reader views' columns; a column without one (a new mart column) keeps its own name.
KOPPEN: dict[str, str] = {
    "gemeentecode": "Gemeentecode",
    "gemeente_naam": "Gemeente",
    "team": "Teamcode",
    "team_naam": "Team",
    "maand": "Maand (eerste dag)",
    "periode": "Periodecode (CBS)",
    "periode_label": "Periode",
    "periode_type": "Soort periode",
    "periode_volledig": "Periode volledig",
    "periode_start": "Begin periode",
    "periode_eind": "Einde periode",
    "aantal_aanmeldingen": "Aantal aanmeldingen",
    "aantal_jeugdigen": "Aantal jeugdigen",
    "levering": "Levering",
    "onderdrukt": "Onderdrukt",
    "bron": "Bron",
    "bijgewerkt_op": "Bijgewerkt op",
    "kenmerk": "Kenmerk",
    "categorie": "Categorie",
    "aantal_gestart": "Aantal gestart",
    "mediaan_dagen": "Mediaan (dagen)",
    "p80_dagen": "80e percentiel (dagen)",
    "binnen_norm_pct": "Binnen de norm",
    "norm_dagen": "Norm (dagen)",
    "aantal_wachtend": "Aantal wachtend",
    "aantal_wachtend_langer_dan_norm": "Aantal langer wachtend dan de norm",
    "aanbieder_agb": "AGB-code aanbieder",
    "aanbieder_naam": "Aanbieder",
    "mediaan_dagen_aanmelding_toewijzing": "Mediaan aanmelding tot toewijzing (dagen)",
    "mediaan_dagen_toewijzing_start": "Mediaan toewijzing tot start (dagen)",
    "mediaan_dagen_totaal": "Mediaan totaal (dagen)",
    "p80_dagen_totaal": "80e percentiel totaal (dagen)",
    "verwijzer_type": "Code verwijzer",
    "verwijzer_omschrijving": "Verwijzer",
    "aantal_nieuwe_toewijzingen": "Aantal nieuwe toewijzingen",
    "aantal_afgesloten": "Aantal afgesloten",
    "aantal_doorverwezen_specialistisch": "Aantal doorverwezen naar specialistische hulp",
    "doorverwezen_pct": "Doorverwezen",
    "aantal_lopend": "Aantal lopend (einde periode)",
    "aantal_jeugdigen_in_periode": "Aantal jeugdigen in de periode",
    "cbs_periode_status": "Status CBS-cijfer",
    "bevolking_0_17": "Jeugdigen 0 tot 18 jaar",
    "bevolking_peiljaar": "Peiljaar bevolking",
    "jeugdigen_in_periode_per_1000": "Per 1.000 jeugdigen",
    "vorm": "Vorm",
    "product_categorie": "Productcategorie",
    "product_categorie_omschrijving": "Omschrijving productcategorie",
    "netto_bedrag": "Netto bedrag",
    "kosten_per_jeugdige": "Kosten per jeugdige",
    "jaar_tot_nu": "Bedrag jaar tot nu",
    "budget_jaar": "Budget jaar",
    "budget_tot_nu": "Budget tot nu",
    "prognose_lineair": "Prognose jaar (lineair)",
    "prognose_seizoen": "Prognose jaar (seizoen)",
    "aantal_jeugdigen_met_jeugdhulp": "Aantal jeugdigen met jeugdhulp",
    "cbs_aantal_jeugdigen_met_jeugdhulp": "Aantal jeugdigen met jeugdhulp (CBS)",
    "aandeel_pct": "Aandeel met jeugdhulp",
    "een_op_n": "1 op N",
    "cbs_aandeel_pct": "Aandeel met jeugdhulp (CBS)",
    "cbs_een_op_n": "1 op N (CBS)",
    "doel_een_op_n": "Doel 1 op N",
    "jeugdigen_met_jeugdhulp_per_1000": "Met jeugdhulp per 1.000 jeugdigen",
    "cbs_jeugdigen_met_jeugdhulp_per_1000": "Met jeugdhulp per 1.000 jeugdigen (CBS)",
    "indicator": "Indicator",
    "aantal_lokaal": "Aantal lokaal",
    "cbs_aantal": "Aantal CBS",
    "verschil": "Verschil (aantal)",
    "verschil_pct": "Verschil",
    "aantal_bestanden": "Aantal bestanden",
    "aantal_bestanden_afgekeurd": "Aantal bestanden afgekeurd",
    "aantal_regels_quarantaine": "Aantal regels in quarantaine",
    "quarantaine_redenen": "Redenen quarantaine",
    "aantal_actieve_toewijzingen": "Aantal actieve toewijzingen",
    "aantal_declaraties": "Aantal declaraties",
    "aantal_declaraties_te_laat": "Aantal declaraties te laat",
    "niet_gedeclareerd": "Niet gedeclareerd",
    "aantal_ontbrekende_starts": "Aantal ontbrekende starts",
    "aantal_ontbrekende_stops": "Aantal ontbrekende stops",
}
EURO = "€ #,##0.00"
GEHEEL = "#,##0"
EEN_DECIMAAL = "#,##0.0"
PROCENT = "0.0%"
DATUM = "dd-mm-yyyy"
TIJDSTIP = "dd-mm-yyyy hh:mm"


class ExportRefused(Exception):
    """The export cannot be made as asked; the message is one line."""


def suppressible(view: str) -> frozenset[str]:
    """The reader columns of `view` that the suppression sets to NULL (registry: counts, rates, running figures)."""
    for mart in MARTS:
        if view_name(mart.name) == view:
            names = {*mart.counts, *mart.rates, *mart.carry}
            return frozenset(RENAMES.get(n, n) for n in names if not n.startswith("_"))
    return frozenset()


def _is_count(column: str) -> bool:
    return column.startswith(("aantal_", "cbs_aantal", "bevolking_0_17")) or column in {"norm_dagen", "verschil"}


def number_format(column: str, value: object) -> str | None:
    """The Excel number format of a column: by its name (one vocabulary), else by the value's type."""
    if column in EUROS:
        return EURO
    if column.endswith("_pct"):
        return PROCENT
    if _is_count(column):
        return GEHEEL
    if column.endswith("_peiljaar"):
        return "0"
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return GEHEEL
    if isinstance(value, float | Decimal):
        return EEN_DECIMAAL  # medians, percentiles, rates per 1,000, 1 op N
    if isinstance(value, datetime | pd.Timestamp):
        return TIJDSTIP
    if isinstance(value, date):
        return DATUM
    return None


def _cell(column: str, value: object, hidden: bool) -> object:
    """What the cell holds: the marker for a hidden figure, percentages as fractions (Excel's %), plain values."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ONDERDRUKT if hidden else None
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)  # Excel has no time zones
    if isinstance(value, Decimal):
        value = float(value)
    if column.endswith("_pct") and isinstance(value, int | float):
        return value / 100
    if isinstance(value, float) and (_is_count(column) or column.endswith("_peiljaar")) and value.is_integer():
        return int(value)  # a count column with NULLs comes back as floats
    return value


def read(engine: Engine, gemeente: str, als: str | None = None) -> dict[str, pd.DataFrame]:
    """Every reader view's rows of `gemeente`, read as a reader (or as the role `als`)."""
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            if als:
                conn.execute(text(f"SET ROLE {conn.dialect.identifier_preparer.quote(als)}"))
            _require_reader(conn)
        elif als:
            raise ExportRefused("--als needs PostgreSQL: SQLite has no roles")
        frames = {
            ind.view: pd.read_sql_query(
                text(f"SELECT * FROM {ind.view} WHERE gemeentecode = :g"), conn, params={"g": gemeente}
            )
            for ind in INDICATOREN
        }
        conn.rollback()
    if all(frame.empty for frame in frames.values()):
        raise ExportRefused(
            f"no rows of {gemeente} to export: not in the warehouse, or not readable by this reader (its binding)"
        )
    return frames


def _require_reader(conn: Connection) -> None:
    bypasses = conn.execute(
        text(
            "SELECT r.rolsuper OR r.rolbypassrls OR pg_has_role(current_user, c.relowner, 'USAGE') "
            "FROM pg_roles r, pg_class c WHERE r.rolname = current_user AND c.oid = CAST(:t AS regclass)"
        ),
        {"t": _PROTECTED},
    ).scalar()
    if bypasses:
        raise ExportRefused(
            "the export reads as a reader and this database user is not subject to row-level security (owner, "
            "superuser or BYPASSRLS): connect as a reader login (--url) or act as a reader role (--als ROLE)"
        )


def write(frames: dict[str, pd.DataFrame], gemeente: str, path: Path, now: datetime | None = None) -> None:
    """The workbook: Toelichting first, then one sheet per indicator."""
    workbook = Workbook()
    toelichting = workbook.active
    assert toelichting is not None
    toelichting.title = "Toelichting"
    for indicator in INDICATOREN:
        _sheet(workbook, indicator, frames[indicator.view])
    _toelichting(toelichting, frames, gemeente, now or datetime.now(UTC))
    workbook.save(path)


def _sheet(workbook: Workbook, indicator: Indicator, frame: pd.DataFrame) -> None:
    sheet = workbook.create_sheet(indicator.blad)
    columns = list(frame.columns)
    sheet.append([KOPPEN.get(c, c) for c in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    hidden_columns = suppressible(indicator.view)
    records = frame.astype(object).where(frame.notna(), None).to_dict("records")
    for number, record in enumerate(records, start=2):
        hidden = bool(record.get("onderdrukt"))
        for index, column in enumerate(columns, start=1):
            value = record[column]
            cell = sheet.cell(row=number, column=index, value=_cell(column, value, hidden and column in hidden_columns))
            if (fmt := number_format(column, value)) and cell.value != ONDERDRUKT:
                cell.number_format = fmt
            elif cell.value == ONDERDRUKT:
                cell.alignment = Alignment(horizontal="right")
    sheet.freeze_panes = "A2"
    if columns:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(len(records) + 1, 1)}"
        for index, column in enumerate(columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = max(
                10, min(40, len(KOPPEN.get(column, column)) + 2)
            )


def _latest(frames: dict[str, pd.DataFrame]) -> tuple[datetime | None, str | None]:
    """The latest build time and the label of the latest period in the export."""
    stamps, periods = [], []
    for frame in frames.values():
        if frame.empty:
            continue
        stamps.append(pd.to_datetime(frame["bijgewerkt_op"], utc=True).max())
        end = "periode_eind" if "periode_eind" in frame else "maand"
        if end in frame and "periode_label" in frame:
            row = frame.loc[pd.to_datetime(frame[end]).idxmax()]
            periods.append((pd.Timestamp(row[end]), str(row["periode_label"])))
    stamp = max(stamps).to_pydatetime() if stamps else None
    return stamp, (max(periods)[1] if periods else None)


def _toelichting(sheet, frames: dict[str, pd.DataFrame], gemeente: str, now: datetime) -> None:
    stamp, period = _latest(frames)
    naam = next((str(f["gemeente_naam"].iloc[0]) for f in frames.values() if not f.empty), gemeente)
    rows: list[list[object]] = [
        ["Jeugdmonitor: indicatoren van de gemeente", f"{naam} ({gemeente})"],
        ["Gegevens bijgewerkt op", stamp.astimezone(UTC).replace(tzinfo=None) if stamp else "onbekend"],
        ["Laatste periode", period or "onbekend"],
        ["Export gemaakt op", now.astimezone(UTC).replace(tzinfo=None)],
        [
            "Onderdrukt",
            "Een aantal kleiner dan de drempel (standaard 10) staat niet in de cijfers, net als een cijfer waaruit "
            "zo'n aantal terug te rekenen is. Zo'n cel toont 'onderdrukt'; een lege cel betekent: niet van "
            "toepassing of niet aangeleverd.",
        ],
        ["Tijden", "Tijden zijn in UTC."],
        [],
        ["Blad", "Indicator (view in de database)", "Definitie"],
    ]
    rows += [[ind.blad, ind.view, ind.definitie] for ind in INDICATOREN]
    for row in rows:
        sheet.append(row)
    for cell in (sheet["B2"], sheet["B4"]):
        cell.number_format = TIJDSTIP
    for cell in sheet[8]:
        cell.font = Font(bold=True)
    sheet["A1"].font = Font(bold=True)
    sheet.column_dimensions["A"].width = 30
    sheet.column_dimensions["B"].width = 34
    sheet.column_dimensions["C"].width = 100
    for row in sheet.iter_rows(min_row=5):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def export(engine: Engine, gemeente: str, path: Path, als: str | None = None) -> dict[str, int]:
    """Write `gemeente`'s workbook to `path`; the number of rows per sheet."""
    frames = read(engine, gemeente, als)
    write(frames, gemeente, path)
    return {ind.blad: len(frames[ind.view]) for ind in INDICATOREN}
