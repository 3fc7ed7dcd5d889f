"""Golden tests for mart_doorlooptijd, mart_doorlooptijd_aanbieder and mart_doorlooptijd_keten.

Each world is small and made by hand; the expected mart rows are written out by hand (day counts worked out on
the calendar, percentiles by linear interpolation at position 0.8 x (n - 1) of the sorted days).
"""

from datetime import date

from jeugdmonitor.schemas.marts import mart_doorlooptijd, mart_doorlooptijd_aanbieder, mart_doorlooptijd_keten
from jeugdmonitor.transforms.marts import doorlooptijd
from jeugdmonitor.transforms.marts.inputs import (
    AANMELDING_COLUMNS,
    TOEWIJZING_COLUMNS,
    ZORGPERIODE_COLUMNS,
    Inputs,
    Params,
    Window,
    frame,
)

from tests.mart_frames import expect, months, pick

NAN = float("nan")
GM = "GM0001"
STATS = ["maand", "aantal", "mediaan_dagen", "p80_dagen", "binnen_norm_pct"]
QUEUE = ["maand", "wachtend_aantal", "wachtend_langer_dan_norm"]
KETEN = [
    "maand",
    "aantal",
    "mediaan_dagen_aanmelding_toewijzing",
    "mediaan_dagen_toewijzing_start",
    "mediaan_dagen_totaal",
    "p80_dagen_totaal",
]


def reg(team, rid, pseudonym, aanmelddatum, start=None, afsluit=None):
    return {
        "team": team,
        "registratie_id": rid,
        "gemeentecode": GM,
        "client_pseudonym": pseudonym,
        "aanmelddatum": aanmelddatum,
        "datum_start_hulp": start,
        "afsluitdatum": afsluit,
    }


def tw(agb, nummer, pseudonym, ingang, eerste=None, einde=None):
    return {
        "gemeentecode": GM,
        "aanbieder_agb": agb,
        "toewijzing_nummer": nummer,
        "client_pseudonym": pseudonym,
        "eerste_toewijzingsdatum": eerste or ingang,
        "toewijzingsdatum": eerste or ingang,
        "ingangsdatum": ingang,
        "einddatum": einde,
        "verwijzer_type": "01",
    }


def zp(agb, nummer, pseudonym, begin):
    return {
        "gemeentecode": GM,
        "aanbieder_agb": agb,
        "client_pseudonym": pseudonym,
        "toewijzing_nummer": nummer,
        "begindatum": begin,
    }


def world(teams=(), aanmeldingen=(), toewijzingen=(), zorgperiodes=()):
    return Inputs(
        gemeentecode=GM,
        teams=list(teams),
        aanmeldingen=frame(list(aanmeldingen), AANMELDING_COLUMNS),
        toewijzingen=frame(list(toewijzingen), TOEWIJZING_COLUMNS),
        zorgperiodes=frame(list(zorgperiodes), ZORGPERIODE_COLUMNS),
    )


# -- mart_doorlooptijd ---------------------------------------------------------------------------------------------


def test_median_p80_and_norm_share_on_known_day_counts_per_team_and_totaal():
    inputs = world(
        ["A", "B"],
        [
            # team A: 10, 20, 30, 40 and 100 days, all starting on 15 March 2024
            reg("A", "a1", "p1", "2024-03-05", "2024-03-15"),
            reg("A", "a2", "p2", "2024-02-24", "2024-03-15"),
            reg("A", "a3", "p3", "2024-02-14", "2024-03-15"),
            reg("A", "a4", "p4", "2024-02-04", "2024-03-15"),
            reg("A", "a5", "p5", "2023-12-06", "2024-03-15"),
            # team B: 5, 10, 43 and 50 days, starting on 20 March 2024
            reg("B", "b1", "p6", "2024-03-15", "2024-03-20"),
            reg("B", "b2", "p7", "2024-03-10", "2024-03-20"),
            reg("B", "b3", "p8", "2024-02-06", "2024-03-20"),
            reg("B", "b4", "p9", "2024-01-30", "2024-03-20"),
        ],
    )
    out = doorlooptijd.build(inputs, Window(date(2024, 3, 1), date(2024, 3, 1)), Params(norm_dagen=42))
    out = months(out)
    # A: sorted 10 20 30 40 100; p80 at position 3.2: 40 + 0.2 x 60 = 52; 4 of 5 within 42 days
    expect(pick(out, STATS, team="A"), STATS, [["2024-03-01", 5, 30.0, 52.0, 80.0]])
    # B: median (10 + 43) / 2; p80 at position 2.4: 43 + 0.4 x 7 = 45.8; 43 and 50 are over the norm
    expect(pick(out, STATS, team="B"), STATS, [["2024-03-01", 4, 26.5, 45.8, 50.0]])
    # totaal pools the nine registrations (not an average of the team figures):
    # 5 10 10 20 30 40 43 50 100 -> median 30; p80 at position 6.4: 43 + 0.4 x 7 = 45.8; 6 of 9 within the norm
    expect(pick(out, STATS, team="totaal"), STATS, [["2024-03-01", 9, 30.0, 45.8, 100 * 6 / 9]])


def test_month_and_year_boundaries_and_the_leap_day():
    inputs = world(
        ["A"],
        [
            reg("A", "r1", "p1", "2024-01-02", "2024-01-31"),  # 29 days, start on the 31st: January
            reg("A", "r2", "p2", "2024-01-02", "2024-02-01"),  # 30 days, start on the 1st: February
            reg("A", "r3", "p3", "2023-12-20", "2024-01-05"),  # 16 days across the year end: January 2024
            reg("A", "r4", "p4", "2024-02-28", "2024-03-01"),  # 2 days: 29 February 2024 exists
        ],
    )
    out = doorlooptijd.build(inputs, Window(date(2023, 12, 1), date(2024, 3, 1)), Params(norm_dagen=42))
    out = months(out)
    expect(
        pick(out, STATS, team="A"),
        STATS,
        [
            ["2023-12-01", 0, NAN, NAN, NAN],
            ["2024-01-01", 2, 22.5, 26.4, 100.0],  # 16 and 29: p80 = 16 + 0.8 x 13
            ["2024-02-01", 1, 30.0, 30.0, 100.0],
            ["2024-03-01", 1, 2.0, 2.0, 100.0],
        ],
    )
    # on each month end the one registration that has not started yet: r3 on 31 Dec, r2 on 31 Jan, r4 on 29 Feb
    expect(
        pick(out, QUEUE, team="A"),
        QUEUE,
        [["2023-12-01", 1, 0], ["2024-01-01", 1, 0], ["2024-02-01", 1, 0], ["2024-03-01", 0, 0]],
    )


def test_queue_at_month_end():
    inputs = world(
        ["A", "B", "C"],
        [
            reg("A", "q1", "p1", "2024-04-10"),  # waiting 20 days
            reg("A", "q2", "p2", "2024-03-01", afsluit="2024-04-15"),  # closed without a start: not waiting
            reg("A", "q3", "p3", "2024-03-01"),  # waiting 60 days: longer than the norm
            reg("A", "q4", "p4", "2024-03-19"),  # waiting exactly 42 days: not longer than the norm
            reg("A", "q5", "p5", "2024-04-01", start="2024-05-02"),  # starts after the month end: waiting
            reg("A", "q6", "p6", "2024-04-01", afsluit="2024-05-03"),  # closed after the month end: waiting
            reg("A", "q7", "p7", "2024-05-01"),  # registered after the month end: not yet waiting
            reg("A", "q8", "p8", "2024-04-01", start="2024-04-30"),  # started on the month end: not waiting, 29 days
            reg("A", "q9", "p9", "2024-04-20", start="2024-04-10"),  # start before aanmelding: left out entirely
            reg("A", "q10", "p11", "2024-04-01", afsluit="2024-04-30"),  # closed on the month end: not waiting
            reg("B", "b1", "p10", "2024-01-10"),  # waiting 111 days
        ],
    )
    out = doorlooptijd.build(inputs, Window(date(2024, 4, 1), date(2024, 4, 1)), Params(norm_dagen=42))
    out = months(out)
    columns = ["team", "aantal", "mediaan_dagen", "wachtend_aantal", "wachtend_langer_dan_norm", "norm_dagen"]
    expect(
        out[columns],
        columns,
        [
            ["A", 1, 29.0, 5, 1, 42],
            ["B", 0, NAN, 1, 1, 42],
            ["C", 0, NAN, 0, 0, 42],  # a team of the gemeente without registrations still has its row
            ["totaal", 1, 29.0, 6, 2, 42],
        ],
    )


def test_a_youth_with_two_aanmeldingen_in_a_month_counts_each_registration():
    # Unlike mart_aanmeldingen there is no 30-day merge: each registration has its own start.
    inputs = world(
        ["A"],
        [
            reg("A", "r1", "p1", "2024-05-02", "2024-05-12"),  # 10 days
            reg("A", "r2", "p1", "2024-05-20", "2024-05-27"),  # 7 days
            reg("A", "r3", "p1", "2024-05-28"),  # a third, still waiting on 31 May
        ],
    )
    out = doorlooptijd.build(inputs, Window(date(2024, 5, 1), date(2024, 5, 1)), Params(norm_dagen=42))
    out = months(out)
    columns = [*STATS, "wachtend_aantal"]
    expect(pick(out, columns, team="A"), columns, [["2024-05-01", 2, 8.5, 9.4, 100.0, 1]])


def test_norm_comes_from_the_params():
    inputs = world(
        ["A"],
        [
            reg("A", "r1", "p1", "2024-05-01", "2024-05-11"),  # 10 days: over a norm of 9
            reg("A", "r3", "p3", "2024-05-02", "2024-05-11"),  # exactly 9 days: within the norm
            reg("A", "r2", "p2", "2024-05-20"),
        ],
    )  # waited 11 days on 31 May
    out = doorlooptijd.build(inputs, Window(date(2024, 5, 1), date(2024, 5, 1)), Params(norm_dagen=9))
    out = months(out)
    columns = [
        "team",
        "binnen_norm_pct",
        "_binnen_norm",
        "_buiten_norm",
        "wachtend_aantal",
        "wachtend_langer_dan_norm",
        "norm_dagen",
    ]
    expect(out[columns], columns, [["A", 50.0, 1, 1, 1, 1, 9], ["totaal", 50.0, 1, 1, 1, 1, 9]])


def test_an_empty_world_gives_the_zero_filled_grid_in_the_mart_columns():
    out = doorlooptijd.build(world(["A"]), Window(date(2024, 1, 1), date(2024, 2, 1)), Params())
    out = months(out)
    assert (
        list(out.columns)
        == [c.name for c in mart_doorlooptijd.columns if c.name not in ("onderdrukt", "levering", "bijgewerkt_op")]
        + doorlooptijd.NORM_SPLIT
    )
    columns = ["gemeentecode", "team", "maand", "aantal", "p80_dagen", "wachtend_aantal", "norm_dagen", "bron"]
    expect(
        pick(out, columns),
        columns,
        [
            [GM, "A", "2024-01-01", 0, NAN, 0, 42, "jgt"],
            [GM, "A", "2024-02-01", 0, NAN, 0, 42, "jgt"],
            [GM, "totaal", "2024-01-01", 0, NAN, 0, 42, "jgt"],
            [GM, "totaal", "2024-02-01", 0, NAN, 0, 42, "jgt"],
        ],
    )


# -- mart_doorlooptijd_aanbieder -----------------------------------------------------------------------------------

AGB1, AGB2 = "11111111", "22222222"


def aanbieder_world():
    return world(
        toewijzingen=[
            tw(AGB1, 1, "p1", "2024-01-10"),  # first start 20 Jan: 10 days (a second start in March does not count)
            tw(AGB1, 2, "p2", "2024-01-01"),  # start 15 Feb: 45 days, over the norm
            tw(AGB2, 3, "p3", "2023-12-15"),  # start 4 Jan 2024: 20 days across the year end
            tw(AGB2, 4, "p4", "2024-01-05"),  # never started: waiting, over the norm from February
            tw(AGB1, 5, "p5", "2024-02-01", einde="2024-02-29"),  # no start; current on 29 Feb, ended by 31 Mar
            tw(AGB2, 6, "p6", "2024-02-01"),  # its start of 5 Feb was deleted (JW305 status 3); the real one 10 Mar
        ],
        zorgperiodes=[
            zp(AGB1, 1, "p1", "2024-01-20"),
            zp(AGB1, 1, "p1", "2024-03-01"),
            zp(AGB1, 2, "p2", "2024-02-15"),
            zp(AGB2, 3, "p3", "2024-01-04"),
            zp(AGB2, 6, "p6", "2024-03-10"),  # 38 days; the deleted start is simply absent from fact_zorgperiode
            zp(AGB2, 99, "p9", "2024-01-15"),  # a start whose toewijzing the gemeente does not hold: ignored
            zp(AGB2, None, "p9", "2024-01-15"),  # taakgericht, no ToewijzingNummer: ignored
        ],
    )


def test_aanbieder_days_from_ingangsdatum_to_the_first_start():
    out = doorlooptijd.build_aanbieder(
        aanbieder_world(), Window(date(2024, 1, 1), date(2024, 3, 1)), Params(norm_dagen=42)
    )
    out = months(out)
    expect(
        pick(out, STATS, aanbieder_agb=AGB1),
        STATS,
        [["2024-01-01", 1, 10.0, 10.0, 100.0], ["2024-02-01", 1, 45.0, 45.0, 0.0], ["2024-03-01", 0, NAN, NAN, NAN]],
    )
    expect(
        pick(out, STATS, aanbieder_agb=AGB2),
        STATS,
        [["2024-01-01", 1, 20.0, 20.0, 100.0], ["2024-02-01", 0, NAN, NAN, NAN], ["2024-03-01", 1, 38.0, 38.0, 100.0]],
    )
    expect(
        pick(out, STATS, aanbieder_agb="totaal"),
        STATS,
        [
            ["2024-01-01", 2, 15.0, 18.0, 100.0],  # 10 and 20: p80 = 10 + 0.8 x 10
            ["2024-02-01", 1, 45.0, 45.0, 0.0],
            ["2024-03-01", 1, 38.0, 38.0, 100.0],
        ],
    )
    assert set(out["aanbieder_agb"]) == {AGB1, AGB2, "totaal"}
    assert set(out["bron"]) == {"ijw"} and set(out["norm_dagen"]) == {42}


def test_aanbieder_queue_of_toewijzingen_without_a_start():
    out = doorlooptijd.build_aanbieder(
        aanbieder_world(), Window(date(2024, 1, 1), date(2024, 3, 1)), Params(norm_dagen=42)
    )
    out = months(out)
    # 31 Jan: 2 (30 days) and 4 (26 days). 29 Feb: 5 (28 days, ends that day), 4 (55 days) and 6 (28 days).
    # 31 Mar: 4 only (86 days); 5 has ended, 6 has started.
    expect(
        pick(out, QUEUE, aanbieder_agb=AGB1), QUEUE, [["2024-01-01", 1, 0], ["2024-02-01", 1, 0], ["2024-03-01", 0, 0]]
    )
    expect(
        pick(out, QUEUE, aanbieder_agb=AGB2), QUEUE, [["2024-01-01", 1, 0], ["2024-02-01", 2, 1], ["2024-03-01", 1, 1]]
    )
    expect(
        pick(out, QUEUE, aanbieder_agb="totaal"),
        QUEUE,
        [["2024-01-01", 2, 0], ["2024-02-01", 3, 1], ["2024-03-01", 1, 1]],
    )


def test_a_start_before_the_ingangsdatum_is_started_but_not_a_day_count():
    inputs = world(toewijzingen=[tw(AGB1, 7, "p7", "2024-03-10")], zorgperiodes=[zp(AGB1, 7, "p7", "2024-03-05")])
    out = doorlooptijd.build_aanbieder(inputs, Window(date(2024, 3, 1), date(2024, 3, 1)), Params())
    out = months(out)
    columns = ["aanbieder_agb", "aantal", "mediaan_dagen", "wachtend_aantal"]
    expect(out[columns], columns, [[AGB1, 0, NAN, 0], ["totaal", 0, NAN, 0]])


# -- mart_doorlooptijd_keten ---------------------------------------------------------------------------------------


def keten_world():
    return world(
        ["A"],
        aanmeldingen=[
            reg("A", "a1", "p1", "2024-01-10"),
            reg("A", "a2", "p2", "2024-01-05"),
            reg("A", "a3", "p3", "2023-01-10"),
            reg("A", "a4a", "p4", "2024-01-02"),
            reg("A", "a4b", "p4", "2024-02-01"),
            reg("A", "a5", "p5", "2024-01-15"),
            reg("A", "a6", "p6", "2024-03-01"),
            reg("A", "a7", "p7", "2023-03-01"),
        ],
        toewijzingen=[
            tw(AGB1, 10, "p1", "2024-01-30"),  # 20 days after a1
            tw(AGB1, 20, "p2", "2023-12-01"),  # before a2: not its follow-up
            tw(AGB1, 30, "p3", "2024-02-14"),  # 400 days after a3: too late to link
            tw(AGB1, 40, "p4", "2024-02-11"),  # follows a4b (the latest aanmelding before it), not a4a
            tw(AGB1, 50, "p5", "2024-02-01"),  # p5's second toewijzing: not the chain's
            tw(AGB2, 51, "p5", "2024-01-20"),  # p5's first toewijzing after a5: 5 days
            tw(AGB1, 60, "p6", "2024-03-10"),  # no start yet: the chain is not complete
            tw(AGB1, 70, "p7", "2024-02-29"),  # exactly 365 days after a7 (the year holds 29 Feb): linked
        ],
        zorgperiodes=[
            zp(AGB1, 10, "p1", "2024-02-09"),  # chain p1: 20 + 10 = 30 days, February
            zp(AGB1, 20, "p2", "2024-02-10"),
            zp(AGB1, 30, "p3", "2024-02-20"),
            zp(AGB1, 40, "p4", "2024-03-01"),  # chain p4: 10 + 19 = 29 days, March
            zp(AGB1, 50, "p5", "2024-02-05"),
            zp(AGB2, 51, "p5", "2024-01-10"),  # before the Toewijzingsdatum: not the start of the chain
            zp(AGB2, 51, "p5", "2024-03-04"),  # chain p5: 5 + 44 = 49 days, March
            zp(AGB1, 70, "p7", "2024-03-11"),  # chain p7: 365 + 11 = 376 days, March
        ],
    )


def test_keten_links_each_toewijzing_to_the_latest_aanmelding_within_a_year():
    chains = doorlooptijd.link_keten(
        *(getattr(keten_world(), name) for name in ("aanmeldingen", "toewijzingen", "zorgperiodes"))
    )
    got = sorted(
        (r.registratie_id, r.eerste_toewijzingsdatum.strftime("%Y-%m-%d"), r.start.strftime("%Y-%m-%d"))
        for r in chains.itertuples()
    )
    assert got == [
        ("a1", "2024-01-30", "2024-02-09"),
        ("a4b", "2024-02-11", "2024-03-01"),
        ("a5", "2024-01-20", "2024-03-04"),
        ("a7", "2024-02-29", "2024-03-11"),
    ]


def test_keten_mart_per_month_of_start_zorg():
    out = doorlooptijd.build_keten(keten_world(), Window(date(2024, 1, 1), date(2024, 4, 1)), Params())
    out = months(out)
    expect(
        pick(out, KETEN),
        KETEN,
        [
            ["2024-01-01", 0, NAN, NAN, NAN, NAN],
            ["2024-02-01", 1, 20.0, 10.0, 30.0, 30.0],
            # steps 10 5 365 | 19 44 11 | totals 29 49 376: p80 at position 1.6 = 49 + 0.6 x 327 = 245.2
            ["2024-03-01", 3, 10.0, 19.0, 49.0, 245.2],
            ["2024-04-01", 0, NAN, NAN, NAN, NAN],
        ],
    )
    assert list(out.columns) == [
        c.name for c in mart_doorlooptijd_keten.columns if c.name not in ("onderdrukt", "bijgewerkt_op")
    ]
    assert set(out["gemeentecode"]) == {GM} and set(out["bron"]) == {"ijw"}


def test_aanbieder_mart_columns():
    out = doorlooptijd.build_aanbieder(world(), Window(date(2024, 1, 1), date(2024, 1, 1)), Params())
    out = months(out)
    assert (
        list(out.columns)
        == [
            c.name
            for c in mart_doorlooptijd_aanbieder.columns
            if c.name not in ("onderdrukt", "levering", "bijgewerkt_op")
        ]
        + doorlooptijd.NORM_SPLIT
    )
    assert out["aanbieder_agb"].tolist() == ["totaal"] and out["aantal"].tolist() == [0]
