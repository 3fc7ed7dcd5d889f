"""Golden tests of the zorgperiode marts (mart_ots, mart_uithuisplaatsingen, mart_jeugdhulpgebruik,
mart_cbs_vergelijking): small hand-made worlds with every expected row written out."""

from __future__ import annotations

from datetime import date

import pandas as pd
from jeugdmonitor.schemas.marts import (
    mart_cbs_vergelijking,
    mart_jeugdhulpgebruik,
    mart_ots,
    mart_uithuisplaatsingen,
)
from jeugdmonitor.transforms.marts import jeugdhulpgebruik, ots, rates, uithuisplaatsingen, zorg
from jeugdmonitor.transforms.marts.inputs import ZORGPERIODE_COLUMNS, Inputs, Params, Window, frame
from jeugdmonitor.transforms.marts.periods import half_year, month_period

from tests.mart_frames import expected, rows

NA = None  # an empty cell in the expected rows
KLASSE = {
    "48B10": "ots",
    "48B12": "ots",
    "48B11": "voogdij",
    "43A03": "pleegzorg",
    "44A03": "pleegzorg",
    "46A05": "pleegzorg",
    "44A10": "gezinsgericht",
    "43A06": "gesloten",
    "44A15": "overig_verblijf",
    "45A05": "zonder_verblijf",
    "54001": "zonder_verblijf",
    "47A01": "jeugdreclassering",
}


def zp(youth, product, begin, end=None, tijdelijk=0, status="01"):
    """A fact_zorgperiode row as read_inputs builds it (klasse from dim_product, status from the toewijzing)."""
    return {
        "gemeentecode": "GM0001",
        "aanbieder_agb": "12345678",
        "client_pseudonym": youth,
        "toewijzing_nummer": 1,
        "product_categorie": product[:2],
        "product_code": product,
        "klasse": KLASSE[product],
        "juridische_status": status,
        "begindatum": begin,
        "einddatum": end,
        "tijdelijk_beeindigd": tijdelijk,
    }


def jeugdzorg(vorm, periode, value, status):
    """A cell of CBS 85099NED (Jeugdzorg; jongeren per gemeente) as read_cbs returns it."""
    return {
        "purpose": "jeugdzorg",
        "table_id": "85099NED",
        "measure": "JongerenMetJeugdzorg_1",
        "periode": periode,
        "value": value,
        "period_status": status,
        "VormenVanJeugdzorg": vorm,
    }


def bevolking(periode, value, geslacht="Totaal mannen en vrouwen", leeftijd="0 tot 18 jaar"):
    return {
        "purpose": "bevolking",
        "table_id": "03759ned",
        "measure": "BevolkingOp1Januari_1",
        "periode": periode,
        "value": value,
        "period_status": "Definitief",
        "Leeftijd": leeftijd,
        "Geslacht": geslacht,
    }


def world(zorgperiodes, cbs=()):
    return Inputs(
        gemeentecode="GM0001", zorgperiodes=frame(zorgperiodes, ZORGPERIODE_COLUMNS), cbs=pd.DataFrame(list(cbs))
    )


# -- semantics --------------------------------------------------------------------------------------------------


def test_temporary_stop_keeps_care_active_and_a_definitive_stop_ends_it_after_einddatum():
    periods = frame(
        [
            zp("A", "48B10", "2024-01-01", "2024-01-31", tijdelijk=1),
            zp("B", "48B10", "2024-01-01", "2024-01-31", tijdelijk=0),
        ],
        ZORGPERIODE_COLUMNS,
    )
    assert zorg.active_on(periods, date(2024, 1, 31)).tolist() == [True, True]  # einddatum is still a day of care
    assert zorg.active_on(periods, date(2024, 2, 1)).tolist() == [True, False]
    assert zorg.active_on(periods, date(2023, 12, 31)).tolist() == [False, False]
    assert zorg.overlaps(periods, month_period(date(2024, 2, 1))).tolist() == [True, False]
    assert zorg.overlaps(periods, half_year(2023, 2)).tolist() == [False, False]


def test_ots_by_product_or_by_juridische_status_04():
    periods = frame(
        [
            zp("A", "48B10", "2024-01-01"),
            zp("B", "43A03", "2024-01-01", status="04"),
            zp("C", "43A03", "2024-01-01"),
            zp("D", "48B11", "2024-01-01", status=None),
        ],
        ZORGPERIODE_COLUMNS,
    )
    assert zorg.is_ots(periods).tolist() == [True, True, False, False]


# -- mart_ots ---------------------------------------------------------------------------------------------------

OTS_COLUMNS = [
    "gemeentecode",
    "bron",
    "periode",
    "periode_type",
    "periode_start",
    "periode_eind",
    "lopend",
    "jeugdigen_in_periode",
    "gestart",
    "periode_status",
]


def ots_world():
    return world(
        [
            zp("A", "48B10", "2023-06-01", "2024-01-15", tijdelijk=1),  # temporary stop: stays lopend
            zp("A", "48B12", "2024-01-10"),  # a second OTS period of A: counted as a start, A counted once
            zp("B", "48B10", "2023-03-01", "2024-01-31"),  # definitive stop: lopend on 31 Jan, not after
            zp("C", "43A03", "2023-12-31", status="04"),  # begins on 31 Dec; OTS by juridische status only
            zp("C", "48B10", "2023-12-31"),  # and the GI's own OTS product: two starts, one youth
            zp("D", "48B12", "2023-09-01", "2024-01-01"),  # ends on 1 Jan: in January, not lopend at its end
            zp("E", "48B10", "2024-02-29"),  # leap day
            zp("F", "45A05", "2023-01-01"),  # jeugdhulp, no OTS
            zp("F", "48B11", "2023-01-01"),  # voogdij is not OTS
        ],
        [
            jeugdzorg("JB 11 Totaal ondertoezichtstelling", "2023HJ02", 15.0, "Definitief"),
            jeugdzorg("JB 11 Totaal ondertoezichtstelling", "2023JJ00", 25.0, "Definitief"),
            jeugdzorg("JB 11 Totaal ondertoezichtstelling", "2024HJ01", 20.0, "Voorlopig"),
            jeugdzorg("JB 11 Totaal ondertoezichtstelling", "2022JJ00", 30.0, "Definitief"),  # ends before window
            jeugdzorg("JB 11 Totaal ondertoezichtstelling", "2023KW04", 14.0, "Definitief"),  # quarters: skipped
            jeugdzorg("JB 12 Totaal voogdij", "2023HJ02", 5.0, "Definitief"),
            {
                "purpose": "jeugdbescherming",
                "table_id": "82975NED",
                "periode": "2023JJ00",
                "value": 10.0,
                "measure": "BegonnenTrajectenOndertoezichtstelling_2",
                "period_status": "Definitief",
            },
            {
                "purpose": "jeugdbescherming",
                "table_id": "82975NED",
                "periode": "2024JJ00",
                "value": 7.0,
                "measure": "BegonnenTrajectenOndertoezichtstelling_2",
                "period_status": "Voorlopig",
            },
        ],
    )


def test_mart_ots_golden():
    out = ots.build(ots_world(), Window(date(2023, 12, 1), date(2024, 2, 1)), Params())
    assert list(out.columns) == [c.name for c in mart_ots.columns if c.name not in ("onderdrukt", "bijgewerkt_op")]
    g = "GM0001"
    assert rows(out, OTS_COLUMNS) == expected(
        [
            # bron, periode, type, start, eind, lopend, in periode, gestart, status
            (g, "ijw", "2023MM12", "maand", "2023-12-01", "2023-12-31", 4, 4, 2, NA),
            (g, "ijw", "2024MM01", "maand", "2024-01-01", "2024-01-31", 3, 4, 1, NA),
            (g, "ijw", "2024MM02", "maand", "2024-02-01", "2024-02-29", 3, 3, 1, NA),
            # 2023KW04 reaches back before the window, like 2023HJ02: whole; C's two starts on 31 December
            (g, "ijw", "2023KW04", "kwartaal", "2023-10-01", "2023-12-31", 4, 4, 2, NA),
            # the current quarter, half-year and year are counted up to the window's last day (29 February)
            (g, "ijw", "2024KW01", "kwartaal", "2024-01-01", "2024-03-31", 3, 5, 2, NA),
            (g, "ijw", "2023HJ02", "halfjaar", "2023-07-01", "2023-12-31", 4, 4, 3, NA),
            (g, "ijw", "2024HJ01", "halfjaar", "2024-01-01", "2024-06-30", 3, 5, 2, NA),
            (g, "ijw", "2023JJ00", "jaar", "2023-01-01", "2023-12-31", 4, 4, 5, NA),
            (g, "ijw", "2024JJ00", "jaar", "2024-01-01", "2024-12-31", 3, 5, 2, NA),
            (g, "cbs", "2023HJ02", "halfjaar", "2023-07-01", "2023-12-31", NA, 15, NA, "Definitief"),
            (g, "cbs", "2023JJ00", "jaar", "2023-01-01", "2023-12-31", NA, 25, 10, "Definitief"),
            (g, "cbs", "2024HJ01", "halfjaar", "2024-01-01", "2024-06-30", NA, 20, NA, "Voorlopig"),
            (g, "cbs", "2024JJ00", "jaar", "2024-01-01", "2024-12-31", NA, NA, 7, "Voorlopig"),
        ]
    )


def test_mart_ots_without_any_data_has_zero_local_rows_and_no_cbs_rows():
    out = ots.build(world([]), Window(date(2024, 1, 1), date(2024, 1, 1)), Params())
    assert rows(out, ["bron", "periode", "lopend", "jeugdigen_in_periode", "gestart"]) == expected(
        [
            ("ijw", "2024MM01", 0, 0, 0),
            ("ijw", "2024KW01", 0, 0, 0),
            ("ijw", "2024HJ01", 0, 0, 0),
            ("ijw", "2024JJ00", 0, 0, 0),
        ]
    )


# -- mart_uithuisplaatsingen ------------------------------------------------------------------------------------

UHP_COLUMNS = [
    "bron",
    "periode",
    "periode_type",
    "periode_start",
    "periode_eind",
    "vorm",
    "lopend",
    "jeugdigen_in_periode",
    "gestart",
    "periode_status",
]


def test_mart_uithuisplaatsingen_golden():
    inputs = world(
        [
            zp("P", "44A03", "2023-11-01"),  # pleegzorg, then also a gezinshuis: one youth in totaal
            zp("P", "44A10", "2024-02-10"),
            zp("Q", "43A06", "2024-02-29", "2024-03-15"),  # gesloten from the leap day
            zp("R", "44A15", "2023-05-01", "2024-02-15", tijdelijk=1),  # temporary stop: still lopend
            zp("S", "46A05", "2024-01-05", "2024-02-29"),  # definitive stop on the last day of February
            zp("T", "45A05", "2024-01-01"),  # zonder verblijf
            zp("T", "48B10", "2024-01-01"),  # OTS
        ],
        [
            jeugdzorg("JH 1221 Pleegzorg", "2024HJ01", 10.0, "Voorlopig"),
            jeugdzorg("JH 1222 Gezinsgericht", "2024HJ01", 5.0, "Voorlopig"),
            jeugdzorg("JH 1223 Gesloten plaatsing", "2024HJ01", None, "Voorlopig"),  # CBS: confidential
            jeugdzorg("JH 122 Totaal jeugdhulp met verblijf", "2024HJ01", 25.0, "Voorlopig"),
            jeugdzorg("JH 122 Totaal jeugdhulp met verblijf", "2023HJ02", 22.0, "Definitief"),  # before window
            jeugdzorg("JH 1 Totaal jeugdhulp", "2024HJ01", 90.0, "Voorlopig"),
        ],
    )
    out = uithuisplaatsingen.build(inputs, Window(date(2024, 2, 1), date(2024, 2, 1)), Params())
    assert list(out.columns) == [
        c.name for c in mart_uithuisplaatsingen.columns if c.name not in ("onderdrukt", "bijgewerkt_op")
    ]
    assert set(out["gemeentecode"]) == {"GM0001"}
    feb = ("2024MM02", "maand", "2024-02-01", "2024-02-29")
    q1 = ("2024KW01", "kwartaal", "2024-01-01", "2024-03-31")
    hj1 = ("2024HJ01", "halfjaar", "2024-01-01", "2024-06-30")
    y24 = ("2024JJ00", "jaar", "2024-01-01", "2024-12-31")
    # The quarter, half-year and year run past the window (February): counted from 1 January up to 29 February,
    # so lopend is February's (Q's gesloten period and S's pleegzorg are still running that day) and gestart adds
    # S's start in January.
    longer = [
        ("pleegzorg", 2, 2, 1, NA),
        ("gezinsgericht", 1, 1, 1, NA),
        ("gesloten", 1, 1, 1, NA),
        ("overig_verblijf", 1, 1, 0, NA),
        ("totaal", 4, 4, 3, NA),
    ]
    assert rows(out, UHP_COLUMNS) == expected(
        [
            # vorm, lopend, in periode, gestart, status
            ("ijw", *feb, "pleegzorg", 2, 2, 0, NA),
            ("ijw", *feb, "gezinsgericht", 1, 1, 1, NA),
            ("ijw", *feb, "gesloten", 1, 1, 1, NA),
            ("ijw", *feb, "overig_verblijf", 1, 1, 0, NA),
            ("ijw", *feb, "totaal", 4, 4, 2, NA),
            *[("ijw", *period, *figures) for period in (q1, hj1, y24) for figures in longer],
            ("cbs", *hj1, "pleegzorg", NA, 10, NA, "Voorlopig"),
            ("cbs", *hj1, "gezinsgericht", NA, 5, NA, "Voorlopig"),
            ("cbs", *hj1, "gesloten", NA, NA, NA, "Voorlopig"),
            ("cbs", *hj1, "totaal", NA, 25, NA, "Voorlopig"),
        ]
    )


# -- mart_jeugdhulpgebruik --------------------------------------------------------------------------------------

JHG_COLUMNS = [
    "periode",
    "periode_type",
    "periode_start",
    "periode_eind",
    "jeugdigen_met_jeugdhulp",
    "cbs_jongeren_met_jeugdhulp",
    "cbs_periode_status",
    "bevolking_0_17",
    "aandeel_pct",
    "een_op_n",
    "cbs_aandeel_pct",
    "doel_een_op_n",
    "bron",
]


def test_mart_jeugdhulpgebruik_golden():
    inputs = world(
        [
            zp("J1", "45A05", "2023-01-10", "2023-06-30"),  # first half of 2023 only
            zp("J2", "44A03", "2023-12-31"),  # begins on the last day of 2023
            zp("J3", "48B10", "2023-01-01"),  # jeugdbescherming and jeugdreclassering are not jeugdhulp
            zp("J3", "48B11", "2023-01-01"),
            zp("J3", "47A01", "2023-01-01"),
            zp("J4", "45A05", "2024-02-29"),  # two jeugdhulp periods, one youth
            zp("J4", "54001", "2024-03-01"),
            zp("J5", "54001", "2023-08-01", "2023-09-01", tijdelijk=1, status="04"),  # under OTS, still jeugdhulp
        ],
        [
            jeugdzorg("JH 1 Totaal jeugdhulp", "2023HJ02", 240.0, "Definitief"),
            jeugdzorg("JH 1 Totaal jeugdhulp", "2023JJ00", 300.0, "Definitief"),
            jeugdzorg("JH 1 Totaal jeugdhulp", "2024HJ01", 250.0, "Voorlopig"),
            jeugdzorg("JH 122 Totaal jeugdhulp met verblijf", "2024JJ00", 40.0, "Voorlopig"),
            bevolking("2023JJ00", 3000.0),
            bevolking("2024JJ00", 3010.0),
            bevolking("2023JJ00", 1500.0, geslacht="Mannen"),
            bevolking("2023JJ00", 21000.0, leeftijd="Totaal"),
        ],
    )
    out = jeugdhulpgebruik.build(inputs, Window(date(2023, 7, 1), date(2024, 3, 1)), Params(doel_een_op_n=14))
    assert list(out.columns) == [
        c.name for c in mart_jeugdhulpgebruik.columns if c.name not in ("onderdrukt", "bijgewerkt_op")
    ]
    assert rows(out, JHG_COLUMNS) == expected(
        [
            # local, cbs, status, bevolking, aandeel %, 1 op N, cbs aandeel %, doel
            (
                "2023HJ02",
                "halfjaar",
                "2023-07-01",
                "2023-12-31",
                2,
                240,
                "Definitief",
                3000,
                0.066667,
                1500,
                8.0,
                14,
                "ijw",
            ),
            (
                "2024HJ01",
                "halfjaar",
                "2024-01-01",
                "2024-06-30",
                3,
                250,
                "Voorlopig",
                3010,
                0.099668,
                1003.333333,
                8.305648,
                14,
                "ijw",
            ),
            ("2023JJ00", "jaar", "2023-01-01", "2023-12-31", 3, 300, "Definitief", 3000, 0.1, 1000, 10.0, 14, "ijw"),
            ("2024JJ00", "jaar", "2024-01-01", "2024-12-31", 3, NA, NA, 3010, 0.099668, 1003.333333, NA, 14, "ijw"),
        ]
    )


def test_jeugdhulpgebruik_without_youths_or_population_has_no_made_up_ratios():
    # 2025 not published yet: the population of 1 January 2024, and the year says so
    out = jeugdhulpgebruik.build(
        world([], [bevolking("2024JJ00", 3010.0)]), Window(date(2025, 1, 1), date(2025, 1, 1)), Params()
    )
    assert rows(
        out,
        ["periode", "jeugdigen_met_jeugdhulp", "bevolking_0_17", "bevolking_peiljaar", "aandeel_pct", "een_op_n"],
    ) == expected([("2025HJ01", 0, 3010, 2024, 0.0, NA), ("2025JJ00", 0, 3010, 2024, 0.0, NA)])
    assert out["doel_een_op_n"].isna().all()
    # a later year's population is never used for an earlier period
    out = jeugdhulpgebruik.build(
        world([], [bevolking("2024JJ00", 3010.0)]), Window(date(2023, 1, 1), date(2023, 1, 1)), Params()
    )
    assert rows(out, ["periode", "bevolking_0_17", "bevolking_peiljaar", "aandeel_pct", "een_op_n"]) == expected(
        [("2023HJ01", NA, NA, NA, NA), ("2023JJ00", NA, NA, NA, NA)]
    )
    out = jeugdhulpgebruik.build(
        world([], [bevolking("2024JJ00", 3010.0)]), Window(date(2024, 1, 1), date(2024, 1, 1)), Params()
    )
    assert rows(out, ["periode", "aandeel_pct", "een_op_n"]) == expected([("2024HJ01", 0.0, NA), ("2024JJ00", 0.0, NA)])


def test_jeugdhulpgebruik_rates_per_1000_youths():
    inputs = world(
        [
            zp("J1", "45A05", "2023-01-10", "2023-06-30"),
            zp("J2", "44A03", "2023-12-31"),
            zp("J4", "45A05", "2024-02-29"),
        ],
        [
            jeugdzorg("JH 1 Totaal jeugdhulp", "2023JJ00", 300.0, "Definitief"),
            jeugdzorg("JH 1 Totaal jeugdhulp", "2024HJ01", 250.0, "Voorlopig"),
            bevolking("2023JJ00", 2500.0),
        ],
    )
    out = jeugdhulpgebruik.build(inputs, Window(date(2023, 1, 1), date(2024, 1, 1)), Params())
    columns = [
        "periode",
        "jeugdigen_met_jeugdhulp",
        "bevolking_0_17",
        "bevolking_peiljaar",
        "jeugdigen_met_jeugdhulp_per_1000",
        "cbs_jongeren_met_jeugdhulp_per_1000",
    ]
    assert rows(out, columns) == expected(
        [
            ("2023HJ01", 1, 2500, 2023, 0.4, NA),  # 1 / 2,500 x 1,000
            ("2023HJ02", 1, 2500, 2023, 0.4, NA),
            ("2023JJ00", 2, 2500, 2023, 0.8, 120.0),  # CBS 300 / 2,500 x 1,000
            ("2024HJ01", 2, 2500, 2023, 0.8, 100.0),  # 2024 not published: 1 January 2023
            ("2024JJ00", 2, 2500, 2023, 0.8, NA),
        ]
    )


def test_the_target_is_a_path_per_year_linear_between_the_given_years():
    # Leidschendam-Voorburg: 1 op 7 in 2025, 1 op 14 by 2030. None yet in 2024; 2030's holds after it.
    out = jeugdhulpgebruik.build(
        world([]), Window(date(2024, 1, 1), date(2031, 12, 1)), Params(doel_een_op_n={2025: 7, 2030: 14})
    )
    per_year = {
        "2024": NA,
        "2025": 7,
        "2026": 8.4,
        "2027": 9.8,
        "2028": 11.2,
        "2029": 12.6,
        "2030": 14,
        "2031": 14,
    }
    assert rows(out, ["periode", "doel_een_op_n"]) == expected(
        [(f"{y}{p}", doel) for y, doel in per_year.items() for p in ("HJ01", "HJ02", "JJ00")]
    )
    # one number: every period, as before
    out = jeugdhulpgebruik.build(world([]), Window(date(2024, 1, 1), date(2024, 1, 1)), Params(doel_een_op_n=14))
    assert out["doel_een_op_n"].tolist() == [14.0, 14.0]


def test_target_for_a_year():
    path = {2030: 10, 2020: 5, 2025: 10}  # any order; flat between 2025 and 2030
    assert [rates.target_for(path, y) for y in (2019, 2020, 2021, 2024, 2025, 2027, 2030, 2040)] == [
        None,
        5.0,
        6.0,
        9.0,
        10.0,
        10.0,
        10.0,
        10.0,
    ]
    assert rates.target_for({2026: 7.5}, 2026) == 7.5 and rates.target_for({2026: 7.5}, 2025) is None
    assert rates.target_for(12, 1999) == 12.0 and rates.target_for(None, 2025) is None


def test_the_population_is_the_sum_of_the_single_years_when_the_group_is_absent():
    singles = [bevolking("2024JJ00", 100.0 + age, leeftijd=f"{age} jaar") for age in range(18)]  # 1,953
    singles += [bevolking("2024JJ00", 90.0, leeftijd="18 jaar"), bevolking("2024JJ00", 55.0, "Mannen", "3 jaar")]
    # 2025: 17 of the 18 single years (CBS left one empty): unknown, not the sum of 17
    singles += [bevolking("2025JJ00", 100.0, leeftijd=f"{age} jaar") for age in range(18) if age != 9]
    singles += [bevolking("2025JJ00", None, leeftijd="9 jaar")]
    # 2023: the group wins over its single years
    singles += [bevolking("2023JJ00", 2000.0)] + [bevolking("2023JJ00", 1.0, leeftijd=f"{a} jaar") for a in range(18)]
    figure = zorg.cbs_values(pd.DataFrame(singles), "bevolking_0_17")
    assert rows(figure, ["periode", "value"]) == expected([("2023JJ00", 2000), ("2024JJ00", 1953), ("2025JJ00", NA)])
    out = jeugdhulpgebruik.build(world([], singles), Window(date(2023, 1, 1), date(2025, 1, 1)), Params())
    assert rows(out[out["periode_type"] == "jaar"], ["periode", "bevolking_0_17", "bevolking_peiljaar"]) == expected(
        [("2023JJ00", 2000, 2023), ("2024JJ00", 1953, 2024), ("2025JJ00", 1953, 2024)]
    )


def test_mart_ots_rates_per_1000_youths_on_the_latest_population():
    inputs = ots_world()
    inputs.cbs = pd.concat([inputs.cbs, pd.DataFrame([bevolking("2023JJ00", 2000.0)])], ignore_index=True)
    out = ots.build(inputs, Window(date(2023, 12, 1), date(2024, 2, 1)), Params())
    columns = ["bron", "periode", "jeugdigen_in_periode", "bevolking_0_17", "bevolking_peiljaar"]
    assert rows(out, [*columns, "jeugdigen_in_periode_per_1000"]) == expected(
        [
            # 2024 not published: every row on 1 January 2023 (2,000 youths); per 1,000 = count / 2
            ("ijw", "2023MM12", 4, 2000, 2023, 2.0),
            ("ijw", "2024MM01", 4, 2000, 2023, 2.0),
            ("ijw", "2024MM02", 3, 2000, 2023, 1.5),
            ("ijw", "2023KW04", 4, 2000, 2023, 2.0),
            ("ijw", "2024KW01", 5, 2000, 2023, 2.5),
            ("ijw", "2023HJ02", 4, 2000, 2023, 2.0),
            ("ijw", "2024HJ01", 5, 2000, 2023, 2.5),
            ("ijw", "2023JJ00", 4, 2000, 2023, 2.0),
            ("ijw", "2024JJ00", 5, 2000, 2023, 2.5),
            ("cbs", "2023HJ02", 15, 2000, 2023, 7.5),
            ("cbs", "2023JJ00", 25, 2000, 2023, 12.5),
            ("cbs", "2024HJ01", 20, 2000, 2023, 10.0),
            ("cbs", "2024JJ00", NA, 2000, 2023, NA),
        ]
    )


def test_mart_uithuisplaatsingen_rates_per_1000_youths():
    inputs = world(
        [zp("P", "44A03", "2024-01-01"), zp("S", "46A05", "2024-01-05"), zp("Q", "43A06", "2024-02-01")],
        [jeugdzorg("JH 1221 Pleegzorg", "2024HJ01", 10.0, "Voorlopig"), bevolking("2024JJ00", 400.0)],
    )
    out = uithuisplaatsingen.build(inputs, Window(date(2024, 2, 1), date(2024, 2, 1)), Params())
    feb = out[(out["periode"] == "2024MM02") | (out["bron"] == "cbs")]
    assert rows(feb, ["bron", "vorm", "jeugdigen_in_periode", "jeugdigen_in_periode_per_1000"]) == expected(
        [
            ("ijw", "pleegzorg", 2, 5.0),  # 2 / 400 x 1,000
            ("ijw", "gezinsgericht", 0, 0.0),
            ("ijw", "gesloten", 1, 2.5),
            ("ijw", "overig_verblijf", 0, 0.0),
            ("ijw", "totaal", 3, 7.5),
            ("cbs", "pleegzorg", 10, 25.0),
        ]
    )


# -- mart_cbs_vergelijking --------------------------------------------------------------------------------------

VGL_COLUMNS = [
    "periode",
    "periode_type",
    "periode_start",
    "periode_eind",
    "indicator",
    "lokaal",
    "cbs",
    "verschil",
    "verschil_pct",
    "cbs_periode_status",
    "bron",
]


def test_mart_cbs_vergelijking_golden():
    inputs = world(
        [
            zp("V1", "45A05", "2024-01-01"),
            zp("V2", "44A03", "2023-05-01", "2023-12-31"),  # ended on 31 Dec: not in 2024
            zp("V3", "44A03", "2024-03-01", status="04"),  # pleegzorg under OTS: jeugdhulp, verblijf and OTS
            zp("V4", "43A06", "2024-02-29"),
            zp("V5", "48B11", "2022-01-01"),
            zp("V6", "47A01", "2024-01-01"),  # jeugdreclassering: in none of the indicators
        ],
        [
            jeugdzorg("JH 1 Totaal jeugdhulp", "2024HJ01", 10.0, "Voorlopig"),
            jeugdzorg("JH 122 Totaal jeugdhulp met verblijf", "2024HJ01", 4.0, "Voorlopig"),
            jeugdzorg("JH 1221 Pleegzorg", "2024HJ01", 2.0, "Voorlopig"),
            jeugdzorg("JB 11 Totaal ondertoezichtstelling", "2024HJ01", 0.0, "Voorlopig"),
            # no voogdij for 2024HJ01: missing, not 0
            jeugdzorg("JH 1 Totaal jeugdhulp", "2024JJ00", None, "Voorlopig"),  # only an empty cell: no rows
            jeugdzorg("JH 1 Totaal jeugdhulp", "2023HJ02", 8.0, "Definitief"),  # outside the window
            jeugdzorg("JH 1 Totaal jeugdhulp", "2024HJ02", 9.0, "Voorlopig"),  # outside the window
        ],
    )
    out = jeugdhulpgebruik.build_cbs_vergelijking(inputs, Window(date(2024, 1, 1), date(2024, 6, 1)), Params())
    assert list(out.columns) == [
        c.name for c in mart_cbs_vergelijking.columns if c.name not in ("onderdrukt", "bijgewerkt_op")
    ]
    assert set(out["gemeentecode"]) == {"GM0001"}
    hj1 = ("2024HJ01", "halfjaar", "2024-01-01", "2024-06-30")
    assert rows(out, VGL_COLUMNS) == expected(
        [
            # indicator, lokaal, cbs, verschil, verschil %, status
            (*hj1, "jeugdhulp", 3, 10, -7, -70.0, "Voorlopig", "ijw"),
            (*hj1, "jeugdhulp_met_verblijf", 2, 4, -2, -50.0, "Voorlopig", "ijw"),
            (*hj1, "pleegzorg", 1, 2, -1, -50.0, "Voorlopig", "ijw"),
            (*hj1, "ots", 1, 0, 1, NA, "Voorlopig", "ijw"),
            (*hj1, "voogdij", 1, NA, NA, NA, NA, "ijw"),
        ]
    )
