"""The business-rule columns of JGT registrations (plain pandas); expectations/stg_jgt_registratie.json decides
what a failure means (severity fail: quarantine; warn: load and report)."""

from __future__ import annotations

import calendar
from datetime import date

import pandas as pd

MIN_AGE, MAX_AGE = 0, 23  # Jeugdwet: up to 18, extended to 23


def month_end(d: date) -> date:
    return date(d.year, d.month, calendar.monthrange(d.year, d.month)[1])


def _dates(frame: pd.DataFrame, column: str) -> pd.Series:
    return pd.to_datetime(frame[column], errors="coerce")


def jgt_checks(frame: pd.DataFrame, region_gemeenten: frozenset[str], team_codes: frozenset[str]) -> pd.DataFrame:
    """`frame` (canonical rows plus `file_key`) with the check_* columns; True means the rule holds or does not
    apply (a missing value is judged by the required-field rules, not here)."""
    out = frame.copy()
    aanmeld, start, eind = _dates(out, "aanmelddatum"), _dates(out, "datum_start_hulp"), _dates(out, "afsluitdatum")
    out["check_gemeente_bekend"] = out["gemeente_export"].isna() | out["gemeentecode"].isin(region_gemeenten)
    out["check_team_bekend"] = out["team_export"].isna() | out["team"].isin(team_codes)
    out["check_start_na_aanmelding"] = start.isna() | aanmeld.isna() | (start >= aanmeld)
    out["check_afsluiting_na_aanmelding"] = eind.isna() | aanmeld.isna() | (eind >= aanmeld)
    ends = pd.to_datetime(
        out["export_maand"].map(lambda m: month_end(m) if isinstance(m, date) else None), errors="coerce"
    )
    future = pd.Series(False, index=out.index)
    for column in (aanmeld, start, eind):
        future |= column.notna() & ends.notna() & (column > ends)
    out["check_niet_in_toekomst"] = ~future
    has_id = out["registratie_id"].notna()
    out["check_registratie_uniek"] = ~(has_id & out.duplicated(["file_key", "registratie_id"], keep="first"))
    age = pd.to_numeric(out["leeftijd_bij_aanmelding"], errors="coerce")
    out["check_leeftijd"] = age.isna() | age.between(MIN_AGE, MAX_AGE)
    return out
