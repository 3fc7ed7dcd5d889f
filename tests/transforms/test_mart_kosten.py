"""Golden tests of mart_kosten: net amounts per month and productcategorie, year to date across a year boundary,
the budget per quarter and both projections, with every expected row written out."""

from __future__ import annotations

from datetime import date

import pandas as pd
from jeugdmonitor.schemas.marts import mart_kosten
from jeugdmonitor.transforms.marts import kosten
from jeugdmonitor.transforms.marts.inputs import DECLARATIE_COLUMNS, Inputs, Params, Window, frame

from tests.mart_frames import expected, months, rows

NA = None


def line(youth, categorie, begin, cents):
    """A fact_declaratieregel row: bedrag_netto in eurocents, a credit already netted into its debet."""
    return {
        "gemeentecode": "GM0001",
        "aanbieder_agb": "12345678",
        "client_pseudonym": youth,
        "product_categorie": categorie,
        "product_code": f"{categorie}A05",
        "product_periode_begin": begin,
        "bedrag_netto": cents,
    }


COLUMNS = [
    "maand",
    "product_categorie",
    "netto_bedrag",
    "aantal_jeugdigen",
    "kosten_per_jeugdige",
    "jaar_tot_nu",
    "budget_jaar",
    "budget_tot_nu",
    "prognose_lineair",
    "prognose_seizoen",
]


def history():
    lines = [line("Y0", "45", "2022-03-01", 50_000)]  # 2022 has one month only: no season pattern for 2023
    lines += [line("Y1", "45", f"2023-{m:02d}-01", 100_000) for m in range(1, 13)]  # 2023: all 12 months
    lines += [
        line("Y3", "45", "2023-11-15", 25_000),  # a debet of 500.00 with a credit of 250.00 netted into it
        line("Y2", "43", "2023-12-01", 300_000),
        line("Y1", "45", "2024-01-01", 120_000),
        line("Y2", "43", "2024-01-01", 60_000),
        line("Y1", "45", "2024-02-29", 80_000),  # ProductPeriode from the leap day: February
        line("Y2", "43", "2024-02-01", -10_000),  # a credit whose debet the warehouse does not hold
        line("Y1", "45", "2024-03-01", 60_000),  # two lines of one youth in one month: one youth
        line("Y1", "45", "2024-03-16", 40_000),
        line("Y1", "45", "2024-04-01", 100_000),
    ]
    return Inputs(gemeentecode="GM0001", declaraties=frame(lines, DECLARATIE_COLUMNS))


def test_mart_kosten_golden():
    params = Params(budget={2024: [30_000.0, 36_000.0, 30_000.0, 24_000.0]})  # no budget for 2023
    out = kosten.build(history(), Window(date(2023, 11, 1), date(2024, 4, 1)), params)
    out = months(out)
    assert list(out.columns) == [c.name for c in mart_kosten.columns if c.name not in ("onderdrukt", "bijgewerkt_op")]
    assert set(out["gemeentecode"]) == {"GM0001"} and set(out["bron"]) == {"ijw"}
    assert rows(out, COLUMNS) == expected(
        [
            # maand, categorie, netto, youths, per youth, year to date, budget year, budget to date, linear, seasonal
            # categorie 43 first appears in December 2023: no row before (a full and an incremental build agree)
            ("2023-12-01", "43", 3000, 1, 3000, 3000, NA, NA, NA, NA),
            ("2024-01-01", "43", 600, 1, 600, 600, NA, NA, NA, NA),
            ("2024-02-01", "43", -100, 1, -100, 500, NA, NA, NA, NA),
            ("2024-03-01", "43", 0, 0, NA, 500, NA, NA, NA, NA),
            ("2024-04-01", "43", 0, 0, NA, 500, NA, NA, NA, NA),
            ("2023-11-01", "45", 1250, 2, 625, 11250, NA, NA, NA, NA),  # year to date from January 2023
            ("2023-12-01", "45", 1000, 1, 1000, 12250, NA, NA, NA, NA),
            ("2024-01-01", "45", 1200, 1, 1200, 1200, NA, NA, NA, NA),  # January resets
            ("2024-02-01", "45", 800, 1, 800, 2000, NA, NA, NA, NA),
            ("2024-03-01", "45", 1000, 1, 1000, 3000, NA, NA, NA, NA),
            ("2024-04-01", "45", 1000, 1, 1000, 4000, NA, NA, NA, NA),
            (
                "2023-11-01",
                "totaal",
                1250,
                2,
                625,
                11250,
                NA,
                NA,
                12272.73,
                NA,
            ),  # 11,250.00 / 11 x 12 = 12,272.7272...: to the cent
            ("2023-12-01", "totaal", 4000, 2, 2000, 15250, NA, NA, 15250, NA),
            ("2024-01-01", "totaal", 1800, 2, 900, 1800, 120000, 10000, 21600, 27450),
            ("2024-02-01", "totaal", 700, 2, 350, 2500, 120000, 20000, 15000, 19062.5),
            ("2024-03-01", "totaal", 1000, 1, 1000, 3500, 120000, 30000, 14000, 17791.67),
            ("2024-04-01", "totaal", 1000, 1, 1000, 4500, 120000, 42000, 13500, 17156.25),
        ]
    )


def test_a_later_window_gives_the_same_rows_for_its_months():
    inputs, params = history(), Params(budget={2024: [30_000.0, 36_000.0, 30_000.0, 24_000.0]})
    full = kosten.build(inputs, Window(date(2022, 3, 1), date(2024, 4, 1)), params)
    full = months(full)
    later = kosten.build(inputs, Window(date(2024, 2, 1), date(2024, 4, 1)), params)
    later = months(later)
    assert rows(later, COLUMNS) == rows(full[full["maand"] >= pd.Timestamp(2024, 2, 1)], COLUMNS)
    assert len(later) == 3 * 3


def test_without_declaraties_only_empty_totaal_rows():
    out = kosten.build(Inputs(gemeentecode="GM0001"), Window(date(2024, 1, 1), date(2024, 2, 1)), Params())
    out = months(out)
    assert rows(out, COLUMNS) == expected(
        [
            ("2024-01-01", "totaal", 0, 0, NA, 0, NA, NA, 0, NA),
            ("2024-02-01", "totaal", 0, 0, NA, 0, NA, NA, 0, NA),
        ]
    )


def test_amounts_are_euros_to_the_cent_half_a_cent_away_from_zero_and_add_up():
    # 10.01 euros for two youths is 5.005 each: 5.01 (round() would give 5.0, as 5.005 is just below the half in
    # binary); a credit of the same size -5.01. Three lines of 0.10, 0.20 and 0.70 add up to 1.00 exactly.
    lines = [
        line("A", "45", "2024-01-01", 500),
        line("B", "45", "2024-01-01", 501),
        line("C", "43", "2024-01-01", -500),
        line("D", "43", "2024-01-01", -501),
        line("E", "44", "2024-01-01", 10),
        line("E", "44", "2024-01-02", 20),
        line("F", "44", "2024-01-03", 70),
    ]
    budget = {2024: [100.0, 100.0, 100.0, 100.0]}  # 33.333... a month
    out = kosten.build(
        Inputs(gemeentecode="GM0001", declaraties=frame(lines, DECLARATIE_COLUMNS)),
        Window(date(2024, 1, 1), date(2024, 1, 1)),
        Params(budget=budget),
    )
    out = out[out["periode_type"] == "maand"]  # the quarter and year rows of January: test_mart_periods.py
    assert rows(out, ["product_categorie", "netto_bedrag", "aantal_jeugdigen", "kosten_per_jeugdige"]) == expected(
        [("43", -10.01, 2, -5.01), ("44", 1.0, 2, 0.5), ("45", 10.01, 2, 5.01), ("totaal", 1.0, 6, 0.17)]
    )
    totaal = out[out["product_categorie"] == "totaal"].iloc[0]
    assert totaal["budget_tot_nu"] == 33.33 and totaal["jaar_tot_nu"] == 1.0
    parts = out[out["product_categorie"] != "totaal"]
    assert round(float(parts["netto_bedrag"].sum()), 2) == totaal["netto_bedrag"]
