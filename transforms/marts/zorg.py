"""What the zorgperiode marts share: when a zorgperiode is active, which klassen make up OTS, verblijf and
jeugdhulp, the local figures per period, and the CBS figures per period.

A zorgperiode (fact_zorgperiode: a JW305 start with its live JW307 stop) is active on day d when it began on or
before d and has not definitively stopped before d. A temporary stop (RedenBeeindiging 20, tijdelijk_beeindigd 1)
interrupts delivery but not the care relation, so the youth still counts; a definitive stop ends care from the
day after einddatum (the einddatum itself is the last day of care).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pandas as pd
from jeugdmonitor.schemas import load_cbs_indicators
from jeugdmonitor.transforms.marts.cbs import cbs_figure
from jeugdmonitor.transforms.marts.periods import Period, parse_cbs_period, period_columns

VERBLIJF_VORMEN = ("pleegzorg", "gezinsgericht", "gesloten", "overig_verblijf")
JEUGDHULP_KLASSEN = ("zonder_verblijf", *VERBLIJF_VORMEN)  # not ots, voogdij or jeugdreclassering (JB/JR)
OTS_JURIDISCHE_STATUS = "04"  # WJ232 on the JW301: the youth is under an OTS whatever the product
CBS_KINDS = ("halfjaar", "jaar")  # CBS youth-care figures per gemeente come per half-year and year
PERIOD_COLUMNS = ("periode", "periode_type", "periode_start", "periode_eind")
LOCAL_FIGURES = ("lopend", "jeugdigen_in_periode", "gestart")
# datetime64 even for a frame without rows, so concatenated local and CBS parts keep date columns
PERIOD_DTYPES = {"periode_start": "datetime64[ns]", "periode_eind": "datetime64[ns]"}


# -- which zorgperiodes ---------------------------------------------------------------------------------------


def is_ots(zp: pd.DataFrame) -> pd.Series:
    """OTS by product (klasse ots) or by the JuridischeStatus of the toewijzing (a jeugdhulp product under OTS)."""
    status = zp["juridische_status"].astype("string").str.strip() == OTS_JURIDISCHE_STATUS
    return (zp["klasse"] == "ots") | status.fillna(False).astype(bool)


def is_verblijf(zp: pd.DataFrame) -> pd.Series:
    return zp["klasse"].isin(VERBLIJF_VORMEN)


def is_jeugdhulp(zp: pd.DataFrame) -> pd.Series:
    return zp["klasse"].isin(JEUGDHULP_KLASSEN)


def is_klasse(klasse: str):
    return lambda zp: zp["klasse"] == klasse


# -- when -----------------------------------------------------------------------------------------------------


def _not_ended_before(zp: pd.DataFrame, day: pd.Timestamp) -> pd.Series:
    """True where care has not definitively ended before `day`: no stop, a temporary stop, or einddatum >= day."""
    temporary = pd.to_numeric(zp["tijdelijk_beeindigd"], errors="coerce").fillna(0) == 1
    return zp["einddatum"].isna() | temporary | (zp["einddatum"] >= day)


def active_on(zp: pd.DataFrame, day: date | pd.Timestamp) -> pd.Series:
    day = pd.Timestamp(day)
    return (zp["begindatum"] <= day) & _not_ended_before(zp, day)


def overlaps(zp: pd.DataFrame, period: Period) -> pd.Series:
    start, end = pd.Timestamp(period.start), pd.Timestamp(period.end)
    return (zp["begindatum"] <= end) & _not_ended_before(zp, start)


def began_in(zp: pd.DataFrame, period: Period) -> pd.Series:
    return zp["begindatum"].between(pd.Timestamp(period.start), pd.Timestamp(period.end))


def distinct_youths(zp: pd.DataFrame, mask: pd.Series) -> int:
    return int(zp.loc[mask, "client_pseudonym"].nunique())


# -- rows -----------------------------------------------------------------------------------------------------


def period_row(period: Period) -> dict:
    """periode, periode_type, periode_start, periode_eind with the dates as Timestamps (as the input frames)."""
    return {k: (pd.Timestamp(v) if isinstance(v, date) else v) for k, v in period_columns(period).items()}


def local_figures(zp: pd.DataFrame, periods: list[Period], until: date | None = None) -> pd.DataFrame:
    """Per period: youths active on its last day (lopend), youths at any time in it, zorgperiodes begun in it.
    A period that runs past `until` (the window's last day) is counted up to that day: a quarter's or year's
    lopend is then that of its last covered month, and its gestart the sum of its months."""
    rows = []
    for p in periods:
        seen = p if until is None or p.end <= until else replace(p, end=until)
        rows.append(
            {
                **period_row(p),
                "lopend": distinct_youths(zp, active_on(zp, seen.end)),
                "jeugdigen_in_periode": distinct_youths(zp, overlaps(zp, seen)),
                "gestart": int(began_in(zp, seen).sum()),
            }
        )
    out = pd.DataFrame(rows, columns=[*PERIOD_COLUMNS, *LOCAL_FIGURES])
    return out.astype({**PERIOD_DTYPES, **dict.fromkeys(LOCAL_FIGURES, "Int64")})


def cbs_values(cbs: pd.DataFrame, name: str) -> pd.DataFrame:
    """periode, value, period_status of CBS figure `name` (schemas/cbs_indicators.toml), half-years and years."""
    if not {"purpose", "measure", "periode"} <= set(cbs.columns):  # a frame with no CBS cells at all
        return pd.DataFrame({"periode": [], "value": pd.array([], dtype="Float64"), "period_status": []})
    figure = cbs_figure(cbs, load_cbs_indicators()[name])
    kinds = figure["periode"].map(_cbs_kind)
    figure = figure[kinds.isin(CBS_KINDS)]
    return figure.assign(value=pd.to_numeric(figure["value"], errors="coerce").astype("Float64")).reset_index(drop=True)


def _cbs_kind(code: object) -> str | None:
    try:
        period = parse_cbs_period(str(code))
    except ValueError:  # not a CBS period code at all
        return None
    return period.kind if period else None


def cbs_rows(cbs: pd.DataFrame, figures: dict[str, str], since: date) -> pd.DataFrame:
    """One row per CBS half-year or year ending on or after `since` for which any of `figures` (column -> CBS
    figure name) has a row, with the period columns and `periode_status`: the status of the first figure in
    `figures` that has the period (the figures may come from tables published at different times)."""
    lookups = {column: cbs_lookup(cbs, name) for column, name in figures.items()}
    codes = sorted({code for values, _ in lookups.values() for code in values})
    rows = []
    for code in codes:
        period = parse_cbs_period(code)
        assert period is not None, "cbs_values keeps the codes of the kinds parse_cbs_period knows"
        if pd.Timestamp(period.end) < pd.Timestamp(since):
            continue
        status = next((s[code] for _, s in lookups.values() if code in s), None)
        rows.append(
            {
                **period_row(period),
                **{c: values.get(code) for c, (values, _) in lookups.items()},
                "periode_status": status,
            }
        )
    out = pd.DataFrame(rows, columns=[*PERIOD_COLUMNS, *figures, "periode_status"])
    return out.sort_values(["periode_eind", "periode_type"], kind="stable", ignore_index=True).astype(
        {**PERIOD_DTYPES, **dict.fromkeys(figures, "Float64")}
    )


def cbs_lookup(cbs: pd.DataFrame, name: str) -> tuple[dict[str, float], dict[str, object]]:
    """periode -> value and periode -> period_status of one CBS figure."""
    values = cbs_values(cbs, name)
    return (
        dict(zip(values["periode"], values["value"], strict=True)),
        dict(zip(values["periode"], values["period_status"], strict=True)),
    )
