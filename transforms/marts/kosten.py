"""mart_kosten: net declared amounts per gemeente, month, quarter and year and productcategorie ('totaal': all),
with year to date, the budget and two projections to year end on the totaal rows.

A line counts in the month of its ProductPeriode begin with its net amount (fact_declaratieregel.bedrag_netto,
eurocents: a credit is netted into the debet it corrects; a credit without its debet is its own negative line).
Every month of the window gets a row per categorie ever declared, so an incremental rebuild gives the rows of a
full one. Year to date starts in January whatever the window: the input holds the whole history. Sums are taken
in cents and turned into euros last, so the cumulative figures carry no rounding drift. A quarter or year row
sums the amounts of its months in the window and counts the youths distinct over them; its year to date, budget
and projections are those of its last covered month (so a year's jaar_tot_nu is its netto_bedrag).

Every amount is published in euros with two decimals, rounded once, at the end (sum, then round): netto_bedrag
and jaar_tot_nu are exact sums of cents, so the categorieen add up to totaal and the months to jaar_tot_nu to the
cent; a derived amount (per youth, the budget pro rata, a projection) is computed unrounded and rounded on its own,
half a cent away from zero, and is not meant to be added up.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd
from jeugdmonitor.schemas.marts import TOTAAL, mart_kosten
from jeugdmonitor.transforms.marts.common import (
    PERIOD_KINDS,
    from_first_appearance,
    last_month,
    mart_columns,
    month_of,
    over_periods,
    period_cells,
    with_period_labels,
)
from jeugdmonitor.transforms.marts.inputs import Inputs, Params, Window
from jeugdmonitor.transforms.marts.periods import months
from jeugdmonitor.transforms.marts.suppression import safe_ratio

ONBEKEND = "onbekend"
KEY = ["product_categorie", "maand"]
EUROS = (
    "netto_bedrag",
    "kosten_per_jeugdige",
    "jaar_tot_nu",
    "budget_jaar",
    "budget_tot_nu",
    "prognose_lineair",
    "prognose_seizoen",
)
CENT = Decimal("0.01")
CARRIED = ["jaar_tot_nu", "budget_jaar", "budget_tot_nu", "prognose_lineair", "prognose_seizoen"]


def _lines(declaraties: pd.DataFrame) -> pd.DataFrame:
    lines = declaraties.dropna(subset=["product_periode_begin"])
    return lines.assign(
        maand=lines["product_periode_begin"].dt.to_period("M").dt.to_timestamp(),
        product_categorie=lines["product_categorie"].fillna(ONBEKEND).replace("", ONBEKEND),
        cents=pd.to_numeric(lines["bedrag_netto"], errors="coerce").fillna(0).astype("int64"),
    )


def _monthly(lines: pd.DataFrame, key: list[str] = KEY) -> pd.DataFrame:
    """cents and distinct youths per categorie and month (or `key`), with a 'totaal' categorie over all lines."""
    both = pd.concat([lines, lines.assign(product_categorie=TOTAAL)], ignore_index=True)
    # a youth whose every line was credited away received nothing that month: not counted
    both = both.assign(_declared=both["client_pseudonym"].where(both["cents"] != 0))
    return (
        both.groupby(key)
        .agg(cents=("cents", "sum"), aantal_jeugdigen=("_declared", "nunique"), regels=("cents", "size"))
        .reset_index()
    )


def build(inputs: Inputs, window: Window, params: Params) -> pd.DataFrame:
    lines = _lines(inputs.declaraties)
    monthly = _monthly(lines)
    categories = sorted(set(lines["product_categorie"])) + [TOTAAL]
    # from January of the window's first year, so that jaar_tot_nu of the window's first month is complete
    span = pd.to_datetime(months(date(window.since.year, 1, 1), window.until))
    grid = pd.MultiIndex.from_product([categories, span], names=KEY).to_frame(index=False)
    out = grid.merge(monthly, on=KEY, how="left").fillna({"cents": 0, "aantal_jeugdigen": 0, "regels": 0})
    out["cents"] = out["cents"].astype("int64")
    year = out["maand"].dt.year
    cumulative = out.groupby([out["product_categorie"], year])["cents"].cumsum()
    out = out.assign(
        netto_bedrag=(out["cents"] / 100).astype("Float64"),
        aantal_jeugdigen=out["aantal_jeugdigen"].astype("Int64"),
        jaar_tot_nu=(cumulative / 100).astype("Float64"),
    )
    out["kosten_per_jeugdige"] = safe_ratio(out["netto_bedrag"], out["aantal_jeugdigen"])
    out = out[out["maand"] >= pd.Timestamp(window.since)].reset_index(drop=True)
    out = _totaal_figures(out, monthly, params).assign(periode_type="maand")
    out = pd.concat([out, _longer_periods(lines, out, categories, window)], ignore_index=True)
    out = from_first_appearance(
        out, "product_categorie", month_of(lines["product_periode_begin"]).groupby(lines["product_categorie"]).min()
    )
    out = with_period_labels(out, window)
    out = out.assign(**{c: euros(out[c]) for c in EUROS})
    return out.assign(gemeentecode=inputs.gemeentecode, bron="ijw")[mart_columns(mart_kosten)]


def euros(amounts: pd.Series) -> pd.Series:
    """Amounts in euros rounded to the cent, half a cent away from zero (as on an invoice; round() would round a
    half to even, and 5.005 as a binary float is just below the half). The shortest decimal text of a float is
    what was computed (5.005), so Decimal rounds that, not the binary noise."""
    rounded = [
        None if pd.isna(a) else float(Decimal(repr(float(a))).quantize(CENT, rounding=ROUND_HALF_UP)) for a in amounts
    ]
    return pd.Series(pd.array(rounded, dtype="Float64"), index=amounts.index)


def _longer_periods(lines: pd.DataFrame, months: pd.DataFrame, categories: list[str], window: Window) -> pd.DataFrame:
    """The quarter and year rows: sums and youths over their months in the window, the running and budget
    figures of their last covered month."""
    key = ["product_categorie", "periode_type", "maand"]
    sums = _monthly(over_periods(lines, window), key)
    cells = period_cells(window)
    cells = cells[cells["periode_type"] != PERIOD_KINDS[0]]
    cells = pd.DataFrame({"product_categorie": categories}).merge(cells, how="cross")
    out = cells.merge(sums, on=key, how="left").fillna({"cents": 0, "aantal_jeugdigen": 0})
    out = out.assign(
        netto_bedrag=(out["cents"].astype("int64") / 100).astype("Float64"),
        aantal_jeugdigen=out["aantal_jeugdigen"].astype("Int64"),
    )
    out["kosten_per_jeugdige"] = safe_ratio(out["netto_bedrag"], out["aantal_jeugdigen"])
    carried = months[["product_categorie", "maand", *CARRIED]].rename(columns={"maand": "_last"})
    out = out.assign(_last=last_month(out, window)).merge(carried, on=["product_categorie", "_last"], how="left")
    return out.drop(columns=["_last", "cents", "regels"])


def _totaal_figures(out: pd.DataFrame, monthly: pd.DataFrame, params: Params) -> pd.DataFrame:
    """budget_jaar, budget_tot_nu, prognose_lineair and prognose_seizoen on the totaal rows (NaN elsewhere)."""
    figures = {
        c: np.full(len(out), np.nan) for c in ("budget_jaar", "budget_tot_nu", "prognose_lineair", "prognose_seizoen")
    }
    totaal = monthly[monthly["product_categorie"] == TOTAAL]
    last_year_shares: dict[int, dict[int, float] | None] = {}
    for i, row in out[out["product_categorie"] == TOTAAL].iterrows():
        year, month, ytd = row["maand"].year, row["maand"].month, float(row["jaar_tot_nu"])
        quarters = params.budget.get(year)
        if quarters is not None and len(quarters) == 4:
            figures["budget_jaar"][i] = float(sum(quarters))
            # a quarter's budget is spread evenly over its three months
            figures["budget_tot_nu"][i] = sum(quarters[(m - 1) // 3] / 3 for m in range(1, month + 1))
        figures["prognose_lineair"][i] = ytd / month * 12
        if year not in last_year_shares:
            last_year_shares[year] = _shares(totaal, year - 1)
        shares = last_year_shares[year]
        if shares is not None and shares[month] > 0:
            figures["prognose_seizoen"][i] = ytd / shares[month]
    return out.assign(**{c: pd.array(v, dtype="Float64") for c, v in figures.items()})


def _shares(totaal: pd.DataFrame, year: int) -> dict[int, float] | None:
    """month -> the share of `year`'s total declared through that month; None unless all 12 months have lines
    (a partial year, e.g. the first year of data, would make any season pattern up) or the total is not positive."""
    rows = totaal[(totaal["maand"].dt.year == year) & (totaal["regels"] > 0)]
    if rows["maand"].dt.month.nunique() < 12:
        return None
    cents = rows.groupby(rows["maand"].dt.month)["cents"].sum().sort_index()
    total = cents.sum()
    if total <= 0:
        return None
    return {int(m): float(c) / total for m, c in cents.cumsum().items()}
