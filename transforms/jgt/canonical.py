"""Raw JGT cells → canonical registration rows, per the layout's TOML (columns, value maps, date formats).

The BSN is checked (11-proef) and replaced by its pseudonym here; the birth date becomes a birth year (the exact
age at aanmelding is computed first, for the plausibility check, and is not stored). A cell that cannot be read
(a date that does not exist, a code outside the layout's value map, a bad BSN) rejects its row with the line and
the field; the business rules over readable rows are in checks.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from jeugdmonitor.schemas.jgt_layouts import Layout, RegionTables, norm
from jeugdmonitor.transforms.bsn import is_valid_bsn
from jeugdmonitor.transforms.jgt.read import RawTable
from jeugdmonitor.transforms.reasons import Rejection, rejection

DATE_FIELDS = ("geboortedatum", "aanmelddatum", "datum_start_hulp", "afsluitdatum")
_EXPORT_MONTH = re.compile(r"(20\d\d)[-_]?(0[1-9]|1[0-2])(?!\d)")


@dataclass(frozen=True)
class RegionLookup:
    """Gemeenten and teams of the configured region, for mapping names and codes to GM codes and team codes."""

    gemeenten: frozenset[str]  # the region's GM codes
    by_name: dict[str, str]  # normalised name → GM code (old names map to their old code)
    herindeling: dict[str, str]  # old GM code → new GM code
    teams: dict[str, str]  # normalised team code or display name → team code
    team_codes: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def build(cls, tables: RegionTables, region_codes: list[str] | None = None) -> RegionLookup:
        """The lookup over the region file's `tables`, for the gemeenten `region_codes` (default: the file's)."""
        codes = frozenset(region_codes or tables.gemeenten)
        by_name = {norm(naam): code for code, naam in tables.gemeenten.items()}
        by_name |= {norm(naam): code for naam, code in tables.oude_namen.items()}
        teams = {}
        for code, (naam, gemeente) in tables.teams.items():
            if gemeente in codes:
                teams[norm(code)] = code
                teams[norm(naam)] = code
        return cls(codes, by_name, dict(tables.herindeling), teams, frozenset(teams.values()))

    def gemeentecode(self, value: str | None) -> str | None:
        """A GM code for a name, 'GM0638', '0638' or '638'; old codes follow their herindeling. None: unknown."""
        if value is None:
            return None
        text = value.strip()
        digits = text[2:] if text[:2].upper() == "GM" else text
        if digits.isdigit() and len(digits) <= 4:
            code: str | None = f"GM{int(digits):04d}"
        else:
            code = self.by_name.get(norm(text))
            if code is None:
                return None
        seen = set()
        while code in self.herindeling and code not in seen:  # a chain of herindelingen ends at today's code
            seen.add(code)
            code = self.herindeling[code]
        return code

    def team(self, value: str | None) -> str | None:
        return None if value is None else self.teams.get(norm(value))


@dataclass
class Canonical:
    rows: list[dict] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)


def parse_date(value: object, formats: tuple[str, ...]) -> date | None:
    """A date from an Excel cell or a Dutch date text (dd-mm-jjjj, d-m-jjjj, with or without a time).
    Raises ValueError for text that is no date (31-02-2025)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = " ".join(str(value).split())
    for fmt in formats:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def export_month(name: str | None, title: str | None, dates: list[date]) -> date | None:
    """The month the export is a snapshot of: from the file name (TEAM_2025-01.csv), else the newest date in it."""
    for text in (name, title):
        if text and (m := _EXPORT_MONTH.search(text)):
            return date(int(m.group(1)), int(m.group(2)), 1)
    if dates:
        newest = max(dates)
        return date(newest.year, newest.month, 1)
    return None


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def canonical_rows(
    table: RawTable, pseudonymise: Callable[[str], str], region: RegionLookup, file_name: str | None = None
) -> Canonical:
    layout: Layout = table.layout
    out = Canonical()
    source_of = {f: c for c in table.frame.columns for s, f in layout.columns.items() if norm(s) == norm(c)}
    column_of = {f: source_of.get(f) for f in layout.columns.values()}
    label = {f: (column_of[f] or f) for f in column_of}  # the column name as the team wrote it, for the reasons
    dates_seen: list[date] = []
    for record in table.frame.to_dict("records"):
        line = int(record["line"])
        raw = {f: (record.get(c) if c else None) for f, c in column_of.items()}
        key = raw.get("registratie_id")
        key = str(key)[:64] if key is not None else None
        if record.get("te_veel_kolommen"):
            out.rejections.append(rejection("row_malformed", line=line, record_key=key))
            continue
        problem = None
        row: dict = {
            "line": line,
            "registratie_id": key,
            "team_export": raw.get("team"),
            "gemeente_export": raw.get("gemeente"),
        }
        bsn = raw.get("bsn")
        bsn = str(bsn).strip() if bsn is not None else None
        if bsn is not None and not is_valid_bsn(bsn):
            problem = rejection("bsn_invalid", line=line, record_key=key, field=label["bsn"], value_masked=bsn)
        row["client_pseudonym"] = pseudonymise(bsn) if bsn is not None and problem is None else None
        parsed_dates: dict[str, date | None] = {}
        for f in DATE_FIELDS:
            try:
                parsed_dates[f] = parse_date(raw.get(f), layout.date_formats)
            except ValueError:
                parsed_dates[f] = None
                problem = problem or rejection(
                    "jgt_date_invalid", line=line, record_key=key, field=label[f], value_masked=raw.get(f)
                )
        for f in ("bron_aanmelding", "hulpvraag", "uitkomst"):
            value = raw.get(f)
            if value is None:
                row[f] = None
                continue
            row[f] = layout.values[f].get(norm(str(value)))
            if row[f] is None:
                problem = problem or rejection(
                    "code_invalid", line=line, record_key=key, field=label[f], value_masked=value
                )
        if problem is not None:
            out.rejections.append(problem)
            continue
        born = parsed_dates["geboortedatum"]
        aanmeld = parsed_dates["aanmelddatum"]
        row.update(
            {
                "geboortejaar": born.year if born else None,
                "leeftijd_bij_aanmelding": _age(born, aanmeld) if born and aanmeld else None,
                "aanmelddatum": aanmeld,
                "datum_start_hulp": parsed_dates["datum_start_hulp"],
                "afsluitdatum": parsed_dates["afsluitdatum"],
                "gemeentecode": region.gemeentecode(raw.get("gemeente")),
                "team": region.team(raw.get("team")),
            }
        )
        dates_seen.extend(d for f, d in parsed_dates.items() if d is not None and f != "geboortedatum")
        out.rows.append(row)
    month = export_month(file_name, table.title, dates_seen)
    for row in out.rows:
        row["export_maand"] = month
    return out
