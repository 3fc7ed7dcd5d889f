"""Monthly registration exports of the Jeugd- en Gezinsteams (JGT), as their registration systems write them.

Why they look messy: the pipeline must cope with what teams really deliver. Two layouts exist (`Team.layout`):

v1 (`;`-separated, header on line 1; gemeente as its name, team as its display name)::

    Registratienummer;BSN;Geboortedatum;Gemeente;Team;Datum aanmelding;Bron aanmelding;Hulpvraag;
    Datum start hulp;Datum afsluiting;Uitkomst

    Bron aanmelding: Zelfmelding | Huisarts | School | JGZ | Politie/Veilig Thuis | Overig
    Hulpvraag:       Opvoeding | Psychische klachten | Ontwikkeling | School | Veiligheid |
                     Overig (o.a. financiële zorgen)
    Uitkomst:        Afgesloten zonder vervolg | Doorverwezen naar specialistische jeugdhulp |
                     Doorverwezen naar voorliggend veld
    Dates dd-mm-jjjj, or d-m-jjjj for some teams.

v2 (`;`-separated; gemeente as its 4-digit code, team as its code)::

    client_bsn;dossier_id;geb_datum;gemeentecode;wijkteam;aanmelddatum;aangemeld_door;categorie_hulpvraag;
    startdatum_hulp;einddatum;resultaat

    aangemeld_door:      zelf | huisarts | school | jeugdgezondheidszorg | politie / veilig thuis | anders
    categorie_hulpvraag: opvoedingsvragen | psychische klachten | ontwikkeling | onderwijs | veiligheid | overig
    resultaat:           beëindigd zonder vervolg | verwezen specialistische jeugdhulp | verwezen voorliggend veld
    Dates dd-mm-jjjj; aanmelddatum with a time (dd-mm-jjjj hh:mm).

Common to both: empty strings for missing values, some trailing spaces, encodings that rotate per team (UTF-8,
UTF-8 with BOM, cp1252), CRLF line ends. One team per region exports XLSX instead: a title row, the header on
row 2, real Excel dates. Each monthly export is a snapshot at the end of the month of the team's registrations
that were open during the month: dates after the export are not known yet and stay empty.
"""

from __future__ import annotations

import io
import random
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from jeugdmonitor.synthetic.messages import Defect
from jeugdmonitor.synthetic.regions import Gemeente, Team
from jeugdmonitor.synthetic.world import Registration, month_end

V1_COLUMNS = (
    "Registratienummer",
    "BSN",
    "Geboortedatum",
    "Gemeente",
    "Team",
    "Datum aanmelding",
    "Bron aanmelding",
    "Hulpvraag",
    "Datum start hulp",
    "Datum afsluiting",
    "Uitkomst",
)
V2_COLUMNS = (
    "client_bsn",
    "dossier_id",
    "geb_datum",
    "gemeentecode",
    "wijkteam",
    "aanmelddatum",
    "aangemeld_door",
    "categorie_hulpvraag",
    "startdatum_hulp",
    "einddatum",
    "resultaat",
)

LABELS = {
    "v1": {
        "bron": {
            "zelf": "Zelfmelding",
            "huisarts": "Huisarts",
            "school": "School",
            "jgz": "JGZ",
            "politie/veilig thuis": "Politie/Veilig Thuis",
            "overig": "Overig",
        },
        "hulpvraag": {
            "opvoeding": "Opvoeding",
            "psychisch": "Psychische klachten",
            "ontwikkeling": "Ontwikkeling",
            "school": "School",
            "veiligheid": "Veiligheid",
            "overig": "Overig (o.a. financiële zorgen)",
        },
        "uitkomst": {
            "zonder_vervolg": "Afgesloten zonder vervolg",
            "specialistisch": "Doorverwezen naar specialistische jeugdhulp",
            "voorliggend_veld": "Doorverwezen naar voorliggend veld",
        },
    },
    "v2": {
        "bron": {
            "zelf": "zelf",
            "huisarts": "huisarts",
            "school": "school",
            "jgz": "jeugdgezondheidszorg",
            "politie/veilig thuis": "politie / veilig thuis",
            "overig": "anders",
        },
        "hulpvraag": {
            "opvoeding": "opvoedingsvragen",
            "psychisch": "psychische klachten",
            "ontwikkeling": "ontwikkeling",
            "school": "onderwijs",
            "veiligheid": "veiligheid",
            "overig": "overig",
        },
        "uitkomst": {
            "zonder_vervolg": "beëindigd zonder vervolg",
            "specialistisch": "verwezen specialistische jeugdhulp",
            "voorliggend_veld": "verwezen voorliggend veld",
        },
    },
}
ENCODINGS = ("utf-8", "utf-8-sig", "cp1252")
# Column positions per layout, so that defects can be planted without knowing the layout.
FIELDS = {
    "v1": {
        "nummer": 0,
        "bsn": 1,
        "geboortedatum": 2,
        "gemeente": 3,
        "team": 4,
        "aanmelddatum": 5,
        "bron": 6,
        "hulpvraag": 7,
        "start": 8,
        "afsluiting": 9,
        "uitkomst": 10,
    },
    "v2": {
        "bsn": 0,
        "nummer": 1,
        "geboortedatum": 2,
        "gemeente": 3,
        "team": 4,
        "aanmelddatum": 5,
        "bron": 6,
        "hulpvraag": 7,
        "start": 8,
        "afsluiting": 9,
        "uitkomst": 10,
    },
}
FIXED_TIME = datetime(2000, 1, 1)  # what XLSX metadata says instead of the wall clock
_MAANDEN = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)


@dataclass(frozen=True)
class ExportStyle:
    """How one team's system writes: layout, file format, encoding, date style, trailing spaces."""

    layout: str
    xlsx: bool
    encoding: str
    short_dates: bool  # d-m-jjjj instead of dd-mm-jjjj
    trailing_spaces: bool


def team_style(team: Team, gemeente_index: int, team_index: int, xlsx: bool) -> ExportStyle:
    k = gemeente_index + team_index
    return ExportStyle(team.layout, xlsx, ENCODINGS[k % 3], team.layout == "v1" and k % 4 == 1, k % 3 == 2)


@dataclass
class Row:
    """One export row: native values (str, date, datetime or None) until written."""

    values: list
    registration: Registration | None
    defect: Defect | None = None


@dataclass
class Export:
    team: Team
    month: date
    style: ExportStyle
    rows: list[Row] = field(default_factory=list)

    @property
    def rel(self) -> str:
        return (
            f"jgt/{self.team.code}_{self.month.year:04d}-{self.month.month:02d}.{'xlsx' if self.style.xlsx else 'csv'}"
        )

    @property
    def columns(self) -> tuple[str, ...]:
        return V1_COLUMNS if self.style.layout == "v1" else V2_COLUMNS

    @property
    def first_data_line(self) -> int:
        return 3 if self.style.xlsx else 2


def build_export(
    team: Team, gemeente: Gemeente, month: date, style: ExportStyle, registrations: list[Registration]
) -> Export:
    """The snapshot at the end of `month` of the team's registrations open during it."""
    m_end = month_end(month)
    export = Export(team, month, style)
    labels = LABELS[style.layout]
    for reg in registrations:
        if reg.aanmelddatum > m_end or (reg.afsluiting is not None and reg.afsluiting < month):
            continue
        start = reg.start if reg.start is not None and reg.start <= m_end else None
        closed = reg.afsluiting is not None and reg.afsluiting <= m_end
        afsluiting = reg.afsluiting if closed else None
        uitkomst = labels["uitkomst"][reg.uitkomst] if closed and reg.uitkomst else None
        if style.layout == "v1":
            values = [
                reg.nummer,
                reg.youth.bsn,
                reg.youth.geboortedatum,
                gemeente.naam,
                team.naam,
                reg.aanmelddatum,
                labels["bron"][reg.bron],
                labels["hulpvraag"][reg.hulpvraag],
                start,
                afsluiting,
                uitkomst,
            ]
        else:
            hh, mm = (int(x) for x in reg.aanmeldtijd.split(":"))
            aanmeld = datetime(reg.aanmelddatum.year, reg.aanmelddatum.month, reg.aanmelddatum.day, hh, mm)
            values = [
                reg.youth.bsn,
                reg.nummer,
                reg.youth.geboortedatum,
                gemeente.code4,
                team.code,
                aanmeld,
                labels["bron"][reg.bron],
                labels["hulpvraag"][reg.hulpvraag],
                start,
                afsluiting,
                uitkomst,
            ]
        export.rows.append(Row(values, reg))
    return export


def _fmt(value: object, short: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%d-%m-%Y %H:%M")
    if isinstance(value, date):
        return f"{value.day}-{value.month}-{value.year}" if short else value.strftime("%d-%m-%Y")
    return str(value)


def write_export(root: Path, export: Export, noise: random.Random) -> list[Defect]:
    """Write the export; returns its planted defects with file and line filled in."""
    path = root / export.rel
    path.parent.mkdir(parents=True, exist_ok=True)
    style = export.style
    defects = []
    for i, row in enumerate(export.rows):
        if row.defect is not None:
            row.defect.file, row.defect.line = export.rel, export.first_data_line + i
            defects.append(row.defect)
    if style.xlsx:
        path.write_bytes(_xlsx_bytes(export))
        return defects
    lines = [";".join(export.columns)]
    for row in export.rows:
        cells = [_fmt(v, style.short_dates) for v in row.values]
        if style.trailing_spaces:
            cells = [c + " " if c and not c[0].isdigit() and noise.random() < 0.15 else c for c in cells]
        lines.append(";".join(cells))
    text = "\r\n".join(lines) + "\r\n"
    path.write_bytes(text.encode(style.encoding))
    return defects


def _xlsx_bytes(export: Export) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Registraties"
    ws.append([f"Registraties {export.team.naam} - {_MAANDEN[export.month.month - 1]} {export.month.year}"])
    ws.append(list(export.columns))
    for row in export.rows:
        ws.append(row.values)
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, datetime):
                cell.number_format = "dd-mm-yyyy hh:mm"
            elif isinstance(cell.value, date):
                cell.number_format = "dd-mm-yyyy"
    wb.properties.creator = "jeugdmonitor synthetic"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    buffer = io.BytesIO()
    wb.save(buffer)
    return deterministic_zip(buffer.getvalue())


def deterministic_zip(data: bytes) -> bytes:
    """Rewrite an XLSX so that equal content gives equal bytes: openpyxl stamps the wall clock into
    docProps/core.xml and into every zip entry's time."""
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():  # openpyxl's own order: stable, [Content_Types].xml first
            content = src.read(name)
            if name == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:)",
                    lambda m: m.group(1) + stamp.encode() + m.group(3),
                    content,
                )
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, content)
    return out.getvalue()
