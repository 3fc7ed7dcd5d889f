"""Golden tests of the quarter and year rows of the marts with a month grain: counts over the period, youths
distinct over it, medians over its cases, stocks at its last covered month, running figures, the partial flag, and
suppression across the period hierarchy. Every figure below is worked out by hand in the comments."""

from datetime import date

import pandas as pd
from jeugdmonitor.transforms.marts import aanmeldingen, doorlooptijd, kosten
from jeugdmonitor.transforms.marts.inputs import (
    AANMELDING_COLUMNS,
    DECLARATIE_COLUMNS,
    LEVERING_COLUMNS,
    Inputs,
    Params,
    Window,
    frame,
)

from jeugdmonitor.marts.build import build_gemeente
from tests.mart_frames import expected, rows

WINDOW = Window(date(2025, 1, 1), date(2025, 4, 1))  # data up to April: Q2 and the year are partial
PERIOD = ["periode_type", "periode", "maand", "periode_volledig"]
Q1 = ("kwartaal", "2025KW01", "2025-01-01", True)
Q2 = ("kwartaal", "2025KW02", "2025-04-01", False)
JAAR = ("jaar", "2025JJ00", "2025-01-01", False)


def reg(team, rid, youth, aanmeld, start=None):
    return {
        "team": team,
        "registratie_id": rid,
        "gemeentecode": "GM0001",
        "client_pseudonym": youth,
        "aanmelddatum": aanmeld,
        "datum_start_hulp": start,
        "bron_aanmelding": "zelf",
        "hulpvraag": "opvoeding",
    }


def longer(out):
    return out[out["periode_type"] != "maand"]


def test_aanmeldingen_of_a_quarter_and_a_year_count_youths_distinct_over_the_period():
    inputs = Inputs(
        gemeentecode="GM0001",
        teams=["A", "B"],
        aanmeldingen=frame(
            [
                reg("A", "1", "p1", "2025-01-10"),
                reg("A", "2", "p1", "2025-03-01"),  # 50 days later: counted again, the same youth
                reg("A", "3", "p2", "2025-02-15"),
                reg("A", "4", "p3", "2025-04-02"),
                reg("B", "5", "p1", "2025-02-01"),  # p1 at another team
            ],
            AANMELDING_COLUMNS,
        ),
    )
    out = aanmeldingen.build(inputs, WINDOW, Params())
    assert rows(longer(out), ["team", *PERIOD, "aantal_aanmeldingen", "aantal_jeugdigen"]) == expected(
        [
            ("A", *Q1, 3, 2),  # p1 twice, p2
            ("B", *Q1, 1, 1),
            ("totaal", *Q1, 4, 2),  # p1 and p2: p1 at both teams counts once
            ("A", *Q2, 1, 1),
            ("B", *Q2, 0, 0),
            ("totaal", *Q2, 1, 1),
            ("A", *JAAR, 4, 3),
            ("B", *JAAR, 1, 1),
            ("totaal", *JAAR, 5, 3),
        ]
    )
    months = out[out["periode_type"] == "maand"]
    assert months["periode_volledig"].all() and months["periode"].tolist()[:4] == [
        "2025MM01",
        "2025MM02",
        "2025MM03",
        "2025MM04",
    ]


def doorlooptijd_world():
    return Inputs(
        gemeentecode="GM0001",
        teams=["A"],
        aanmeldingen=frame(
            [
                reg("A", "1", "p1", "2024-12-22", "2025-01-01"),  # 10 days, January
                reg("A", "2", "p2", "2024-12-12", "2025-01-01"),  # 20
                reg("A", "3", "p3", "2024-10-03", "2025-01-01"),  # 90
                reg("A", "4", "p4", "2025-01-10", "2025-02-09"),  # 30, February
                reg("A", "5", "p5", "2025-02-01", "2025-03-13"),  # 40, March
                reg("A", "6", "p6", "2025-02-01", "2025-03-23"),  # 50
                reg("A", "7", "p7", "2025-01-05", "2025-04-10"),  # 95, April
                reg("A", "8", "p8", "2025-03-20"),  # waiting
            ],
            AANMELDING_COLUMNS,
        ),
    )


def test_doorlooptijd_of_a_quarter_is_over_its_cases_and_its_queue_that_of_its_last_month():
    out = doorlooptijd.build(doorlooptijd_world(), WINDOW, Params(norm_dagen=42))
    columns = [*PERIOD, "aantal", "mediaan_dagen", "p80_dagen", "binnen_norm_pct", "wachtend_aantal"]
    got = rows(longer(out[out["team"] == "A"]), [*columns, "wachtend_langer_dan_norm"])
    assert got == expected(
        [
            # Q1: days 10 20 90 | 30 | 40 50. The median of the six is 35 (the monthly medians 20, 30 and 45 would
            # give 30); p80 at position 0.8 x 5 = 4: 50; 4 of 6 within 42 days. Queue on 31 March: 8 (11 days)
            # and 7 (85 days, longer than the norm).
            (*Q1, 6, 35, 50, 400 / 6, 2, 1),
            # Q2 so far (April): 7's 95 days; queue on 30 April: 8 (41 days, within the norm)
            (*Q2, 1, 95, 95, 0, 1, 0),
            # the year so far: 10 20 30 40 50 90 95, median 40, p80 at 4.8: 50 + 0.8 x 40 = 82; 4 of 7 within
            (*JAAR, 7, 40, 82, 400 / 7, 1, 0),
        ]
    )
    january = out[(out["team"] == "A") & (out["periode"] == "2025MM01")]
    assert rows(january, ["aantal", "mediaan_dagen", "wachtend_aantal"]) == expected([(3, 20, 2)])  # 4 and 7 wait


def test_kosten_of_a_quarter_and_a_year_with_their_running_and_budget_figures():
    def line(youth, begin, cents):
        return {
            "gemeentecode": "GM0001",
            "client_pseudonym": youth,
            "product_categorie": "45",
            "product_periode_begin": begin,
            "bedrag_netto": cents,
        }

    inputs = Inputs(
        gemeentecode="GM0001",
        declaraties=frame(
            [
                line("p1", "2025-01-15", 10000),
                line("p2", "2025-02-10", 5000),
                line("p1", "2025-03-01", 2500),
                line("p1", "2025-04-01", 1000),
            ],
            DECLARATIE_COLUMNS,
        ),
    )
    out = kosten.build(inputs, WINDOW, Params(budget={2025: [300.0, 300.0, 300.0, 300.0]}))
    columns = ["netto_bedrag", "aantal_jeugdigen", "kosten_per_jeugdige", "jaar_tot_nu"]
    totaal = ["budget_jaar", "budget_tot_nu", "prognose_lineair"]
    assert rows(longer(out), ["product_categorie", *PERIOD, *columns, *totaal]) == expected(
        [
            # Q1: 100 + 50 + 25 for p1 and p2; year to date that of March
            ("45", *Q1, 175, 2, 87.5, 175, None, None, None),
            ("45", *Q2, 10, 1, 10, 185, None, None, None),
            ("45", *JAAR, 185, 2, 92.5, 185, None, None, None),
            # budget 100 a month; the projection of March: 175 / 3 x 12, of April: 185 / 4 x 12
            ("totaal", *Q1, 175, 2, 87.5, 175, 1200, 300, 700),
            ("totaal", *Q2, 10, 1, 10, 185, 1200, 400, 555),
            ("totaal", *JAAR, 185, 2, 92.5, 185, 1200, 400, 555),
        ]
    )


def suppression_world():
    """Team A: 12, 12, 3 and 20 aanmeldingen in January-April; team B 15 a month; every aanmelding its own youth."""
    counts = {"A": [12, 12, 3, 20], "B": [15, 15, 15, 15]}
    regs = [
        reg(team, f"{team}{m}-{i}", f"{team}{m}-{i}", f"2025-{m:02d}-{i + 1:02d}")
        for team, per_month in counts.items()
        for m, n in enumerate(per_month, start=1)
        for i in range(n)
    ]
    # both teams delivered every month (a team month without an export would be niet_geleverd: test_region.py)
    leveringen = frame([{"team": t, "maand": date(2025, m, 1)} for t in counts for m in range(1, 5)], LEVERING_COLUMNS)
    return Inputs(
        gemeentecode="GM0001", teams=["A", "B"], aanmeldingen=frame(regs, AANMELDING_COLUMNS), leveringen=leveringen
    )


def built_aanmeldingen(period_directions: bool = True) -> pd.DataFrame:
    marts = build_gemeente(suppression_world(), WINDOW, Params(), 10, period_directions=period_directions)
    return next(rows for spec, rows in marts if spec.name == "mart_aanmeldingen")


def test_a_small_month_is_not_recoverable_from_its_quarter_or_from_the_other_team():
    out = built_aanmeldingen()
    got = rows(out, ["team", "periode", "aantal_aanmeldingen", "aantal_jeugdigen"])
    assert got == expected(
        [
            # A's March (3) is small. Q1 of A (27) is published, so one more month of A goes: the smallest, January
            # before February (12 each). Then January and March of the gemeente (27, 18) are published, so B's
            # January and March go too; B's quarter keeps two hidden months. The youths go with the aanmeldingen.
            ("A", "2025MM01", None, None),
            ("A", "2025MM02", 12, 12),
            ("A", "2025MM03", None, None),
            ("A", "2025MM04", 20, 20),
            ("A", "2025KW01", 27, 27),
            ("A", "2025KW02", 20, 20),
            ("A", "2025JJ00", 47, 47),
            ("B", "2025MM01", None, None),
            ("B", "2025MM02", 15, 15),
            ("B", "2025MM03", None, None),
            ("B", "2025MM04", 15, 15),
            ("B", "2025KW01", 45, 45),
            ("B", "2025KW02", 15, 15),
            ("B", "2025JJ00", 60, 60),
            ("totaal", "2025MM01", 27, 27),
            ("totaal", "2025MM02", 27, 27),
            ("totaal", "2025MM03", 18, 18),
            ("totaal", "2025MM04", 35, 35),
            ("totaal", "2025KW01", 72, 72),
            ("totaal", "2025KW02", 35, 35),
            ("totaal", "2025JJ00", 107, 107),
        ]
    )


def test_without_the_period_directions_the_quarter_gives_the_small_month_away():
    out = built_aanmeldingen(period_directions=False).set_index(["team", "periode"])["aantal_aanmeldingen"]
    hidden = out[out.isna()]
    assert list(hidden.index) == [("A", "2025MM03"), ("B", "2025MM03")]
    # A's quarter minus its published months is the hidden March
    assert out[("A", "2025KW01")] - out[("A", "2025MM01")] - out[("A", "2025MM02")] == 3
