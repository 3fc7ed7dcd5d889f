"""Small-cell suppression: primary, complementary, and derived rates."""

import pandas as pd
from jeugdmonitor.transforms.marts.suppression import (
    Direction,
    complementary,
    primary,
    publish,
    safe_ratio,
    suppress,
)

BY_TEAM = Direction(("gemeentecode",), "team")


def cells(rows):
    return pd.DataFrame(rows, columns=["gemeentecode", "team", "aantal", "jeugdigen"])


def test_counts_below_the_threshold_become_null_and_flagged_but_zero_is_published():
    out = suppress(
        cells([["GM1", "A", 9, 12], ["GM1", "B", 10, 10], ["GM1", "C", 0, 0], ["GM1", "D", 1, 1]]),
        ["aantal", "jeugdigen"],
        10,
    )
    assert out["aantal"].tolist() == [pd.NA, 10, 0, pd.NA]
    assert out["jeugdigen"].tolist() == [12, 10, 0, pd.NA]
    assert out["onderdrukt"].tolist() == [True, False, False, True]


def test_the_complementary_cell_is_a_non_zero_part_when_there_is_one():
    frame = cells([["GM1", "A", 4, 0], ["GM1", "B", 0, 0], ["GM1", "C", 25, 0], ["GM1", "totaal", 29, 0]])
    out = suppress(frame, ["aantal"], 10, directions=[BY_TEAM])
    assert out["aantal"].tolist() == [pd.NA, 0, pd.NA, 29]


def test_one_hidden_part_next_to_a_published_total_hides_the_smallest_other_part():
    frame = cells(
        [
            ["GM1", "A", 4, 0],
            ["GM1", "B", 30, 0],
            ["GM1", "C", 12, 0],
            ["GM1", "totaal", 46, 0],
            ["GM2", "A", 40, 0],
            ["GM2", "B", 30, 0],
            ["GM2", "totaal", 70, 0],
        ]
    )
    out = suppress(frame, ["aantal"], 10, directions=[BY_TEAM])
    assert out["aantal"].tolist() == [pd.NA, 30, pd.NA, 46, 40, 30, 70]
    assert out["onderdrukt"].tolist() == [True, False, True, False, False, False, False]


def test_a_hidden_total_with_all_parts_published_hides_a_part():
    frame = cells(
        [
            ["GM1", "A", 4, 0],
            ["GM1", "B", 3, 0],
            ["GM1", "totaal", 7, 0],
            ["GM2", "A", 5, 0],
            ["GM2", "B", 12, 0],
            ["GM2", "C", 11, 0],
            ["GM2", "totaal", 28, 0],
        ]
    )
    out = suppress(frame, ["aantal"], 10, directions=[BY_TEAM])
    # GM1: everything small. GM2: A hidden, so the smaller of B and C (C, 11) goes too.
    assert out["aantal"].tolist() == [pd.NA, pd.NA, pd.NA, pd.NA, 12, pd.NA, 28]


def test_without_a_total_nothing_is_recoverable_so_only_primary_suppression():
    frame = cells([["GM1", "A", 4, 0], ["GM1", "B", 30, 0]])
    out = suppress(frame, ["aantal"], 10, directions=[BY_TEAM])
    assert out["aantal"].tolist() == [pd.NA, 30]


def test_a_rate_is_null_when_its_numerator_or_denominator_is_hidden():
    frame = pd.DataFrame({"afgesloten": [20, 8, 30], "doorverwezen": [5, 4, 12]})
    frame["verwijspercentage"] = safe_ratio(frame["doorverwezen"], frame["afgesloten"], 100)
    out = suppress(
        frame, ["afgesloten", "doorverwezen"], 10, rates={"verwijspercentage": ["afgesloten", "doorverwezen"]}
    )
    assert out["verwijspercentage"].tolist() == [pd.NA, pd.NA, 40.0]


def test_safe_ratio_has_no_division_by_zero():
    assert safe_ratio(pd.Series([1, 2]), pd.Series([0, 4]), 100).tolist() == [pd.NA, 50.0]


def test_two_directions_close_a_cross_table():
    # teams x categories with totals both ways: hiding one cell forces a rectangle of four
    rows = [
        (t, c, v)
        for t, c, v in [
            ("A", "x", 4),
            ("A", "y", 20),
            ("A", "totaal", 24),
            ("B", "x", 30),
            ("B", "y", 40),
            ("B", "totaal", 70),
            ("totaal", "x", 34),
            ("totaal", "y", 60),
            ("totaal", "totaal", 94),
        ]
    ]
    frame = pd.DataFrame(rows, columns=["team", "categorie", "aantal"])
    hidden = complementary(
        frame, primary(frame, ["aantal"], 10), [Direction(("team",), "categorie"), Direction(("categorie",), "team")]
    )
    assert sorted(frame.loc[hidden["aantal"], ["team", "categorie"]].itertuples(index=False, name=None)) == [
        ("A", "x"),
        ("A", "y"),
        ("B", "x"),
        ("B", "y"),
    ]


def test_a_running_figure_is_hidden_from_the_first_hidden_month_of_its_year():
    frame = pd.DataFrame(
        {
            "categorie": ["45"] * 4,
            "maand": pd.to_datetime(["2024-12-01", "2025-01-01", "2025-02-01", "2025-03-01"]),
            "jaar": [2024, 2025, 2025, 2025],
            "jeugdigen": [30, 12, 3, 40],
            "jaar_tot_nu": [900.0, 100.0, 130.0, 500.0],
        }
    )
    out = publish(
        frame,
        primary(frame, ["jeugdigen"], 10),
        carry={"jaar_tot_nu": ["jeugdigen"]},
        carry_by=["categorie", "jaar"],
        carry_order="maand",
    )
    assert out["jaar_tot_nu"].tolist() == [900.0, 100.0, pd.NA, pd.NA]


def test_a_hidden_only_part_hides_its_total():
    # one team in the gemeente, or a quarter with one month so far: the total is that part
    frame = cells([["GM1", "A", 12, 0], ["GM1", "totaal", 12, 0]])
    hidden = primary(frame, ["aantal"], 10)
    hidden.loc[0, "aantal"] = True  # hidden to protect a cell elsewhere
    assert complementary(frame, hidden, [BY_TEAM])["aantal"].tolist() == [True, True]


def test_cells_holding_the_same_figure_are_hidden_together():
    # a quarter's queue is that of its last month: March hidden (elsewhere), so Q1 goes too; February stays
    frame = pd.DataFrame(
        {
            "periode": ["2025MM02", "2025MM03", "2025KW01"],
            "eind": ["2025-02", "2025-03", "2025-03"],
            "wachtend": [14, 15, 15],
        }
    )
    hidden = pd.DataFrame({"wachtend": [False, True, False]})
    same = Direction(("eind",), "eind", equal=True)
    assert complementary(frame, hidden, [same])["wachtend"].tolist() == [False, True, True]


def test_a_running_figure_is_hidden_with_every_period_that_ends_with_it():
    # Q1's year to date is March's: a hidden quarter hides March's (and everything after), a hidden March Q1's
    frame = pd.DataFrame(
        {
            "periode": ["2025MM01", "2025MM02", "2025MM03", "2025KW01", "2025MM04"],
            "eind": pd.to_datetime(["2025-01-01", "2025-02-01", "2025-03-01", "2025-03-01", "2025-04-01"]),
            "jaar": [2025] * 5,
            "jeugdigen": [12, 12, 12, 5, 20],
            "jaar_tot_nu": [100.0, 200.0, 300.0, 300.0, 400.0],
        }
    )
    out = publish(
        frame,
        primary(frame, ["jeugdigen"], 10),
        carry={"jaar_tot_nu": ["jeugdigen"]},
        carry_by=["jaar"],
        carry_order="eind",
    )
    assert out["jaar_tot_nu"].tolist() == [100.0, 200.0, pd.NA, pd.NA, pd.NA]
