"""Golden tests for mart_verwijzingen and mart_verwijzingen_team: hand-made worlds, expected rows by hand."""

from datetime import date

from jeugdmonitor.schemas.marts import mart_verwijzingen, mart_verwijzingen_team
from jeugdmonitor.transforms.marts import verwijzingen
from jeugdmonitor.transforms.marts.inputs import (
    AANMELDING_COLUMNS,
    TOEWIJZING_COLUMNS,
    Inputs,
    Params,
    Window,
    frame,
)

from tests.mart_frames import expect, months, pick

NAN = float("nan")
GM = "GM0001"


def tw(nummer, pseudonym, verwijzer, eerste, toewijzingsdatum=None):
    return {
        "gemeentecode": GM,
        "aanbieder_agb": "11111111",
        "toewijzing_nummer": nummer,
        "client_pseudonym": pseudonym,
        "eerste_toewijzingsdatum": eerste,
        "toewijzingsdatum": toewijzingsdatum or eerste,
        "ingangsdatum": eerste,
        "verwijzer_type": verwijzer,
    }


def reg(team, rid, afsluit=None, uitkomst=None):
    return {
        "team": team,
        "registratie_id": rid,
        "gemeentecode": GM,
        "client_pseudonym": f"p-{rid}",
        "aanmelddatum": "2024-01-15",
        "afsluitdatum": afsluit,
        "uitkomst": uitkomst,
    }


def mart_columns(table):
    return [c.name for c in table.columns if c.name not in ("onderdrukt", "levering", "bijgewerkt_op")]


def test_verwijzers_are_cod327():
    assert list(verwijzingen.VERWIJZERS) == ["01", "02", "03", "04", "05", "06", "07", "08"]
    assert verwijzingen.VERWIJZERS["04"] == "Gecertificeerde instelling"
    assert verwijzingen.VERWIJZERS["08"] == "Rechter, Raad voor de Kinderbescherming of (gezins)voogd"


def test_new_toewijzingen_per_verwijzer_with_a_totaal():
    inputs = Inputs(
        gemeentecode=GM,
        toewijzingen=frame(
            [
                tw(1, "p1", "01", "2024-03-05"),
                tw(2, "p1", "01", "2024-03-20"),  # the same youth again: two toewijzingen, one jeugdige
                tw(3, "p2", "02", "2024-03-31"),  # last day of March
                tw(7, "p1", "02", "2024-03-25"),  # p1 through the huisarts too: one jeugdige in the totaal
                tw(4, "p3", "08", "2024-04-01"),  # first day of April
                tw(6, "p4", "04", "2024-04-15"),
                # first version in February, a later version in March: new in February, so not in these months
                tw(5, "p2", "01", "2024-02-10", toewijzingsdatum="2024-03-15"),
            ],
            TOEWIJZING_COLUMNS,
        ),
    )
    out = verwijzingen.build(inputs, Window(date(2024, 3, 1), date(2024, 4, 1)), Params())
    out = months(out)
    assert list(out.columns) == mart_columns(mart_verwijzingen)
    columns = ["maand", "verwijzer_type", "verwijzer", "nieuwe_toewijzingen", "aantal_jeugdigen"]
    expect(
        pick(out, columns),
        columns,
        [
            ["2024-03-01", "01", "Gemeentelijke toegang", 2, 1],
            ["2024-03-01", "02", "Huisarts", 2, 2],
            ["2024-03-01", "03", "Jeugdarts", 0, 0],
            ["2024-03-01", "04", "Gecertificeerde instelling", 0, 0],
            ["2024-03-01", "05", "Medisch specialist", 0, 0],
            ["2024-03-01", "06", "Zelfverwijzer / geen verwijzer", 0, 0],
            ["2024-03-01", "07", "Onbekend", 0, 0],
            ["2024-03-01", "08", "Rechter, Raad voor de Kinderbescherming of (gezins)voogd", 0, 0],
            ["2024-03-01", "totaal", "Alle verwijzers", 4, 2],
            ["2024-04-01", "01", "Gemeentelijke toegang", 0, 0],
            ["2024-04-01", "02", "Huisarts", 0, 0],
            ["2024-04-01", "03", "Jeugdarts", 0, 0],
            ["2024-04-01", "04", "Gecertificeerde instelling", 1, 1],
            ["2024-04-01", "05", "Medisch specialist", 0, 0],
            ["2024-04-01", "06", "Zelfverwijzer / geen verwijzer", 0, 0],
            ["2024-04-01", "07", "Onbekend", 0, 0],
            ["2024-04-01", "08", "Rechter, Raad voor de Kinderbescherming of (gezins)voogd", 1, 1],
            ["2024-04-01", "totaal", "Alle verwijzers", 2, 2],
        ],
    )
    assert set(out["gemeentecode"]) == {GM} and set(out["bron"]) == {"ijw"}


def test_a_code_outside_cod327_gets_its_own_row_so_the_parts_add_up():
    inputs = Inputs(
        gemeentecode=GM,
        toewijzingen=frame([tw(1, "p1", "99", "2024-03-05"), tw(2, "p2", "01", "2024-03-06")], TOEWIJZING_COLUMNS),
    )
    out = verwijzingen.build(inputs, Window(date(2024, 3, 1), date(2024, 3, 1)), Params())
    out = months(out)
    columns = ["verwijzer_type", "verwijzer", "nieuwe_toewijzingen"]
    expect(
        out[out["nieuwe_toewijzingen"] > 0][columns].reset_index(drop=True),
        columns,
        [["01", "Gemeentelijke toegang", 1], ["99", verwijzingen.ONBEKENDE_CODE, 1], ["totaal", "Alle verwijzers", 2]],
    )


def test_verwijspercentage_per_team_and_totaal():
    inputs = Inputs(
        gemeentecode=GM,
        teams=["A", "B", "C"],
        aanmeldingen=frame(
            [
                reg("A", "a1", "2024-05-02", "doorverwezen_specialistisch"),
                reg("A", "a2", "2024-05-10", "doorverwezen_voorliggend_veld"),
                reg("A", "a3", "2024-05-15", "afgesloten_zonder_vervolg"),
                reg("A", "a4", "2024-05-31", "afgesloten_zonder_vervolg"),  # last day of May
                reg("A", "a5", "2024-06-01", "doorverwezen_specialistisch"),  # first day of June
                reg("A", "a6"),  # still open: not closed in any month
                reg("B", "b1", "2024-05-20", "doorverwezen_specialistisch"),
                reg("B", "b2", "2024-05-21", "doorverwezen_specialistisch"),
                reg("B", "b3", "2024-05-25"),  # closed without an uitkomst: closed, not referred
            ],
            AANMELDING_COLUMNS,
        ),
    )
    out = verwijzingen.build_team(inputs, Window(date(2024, 5, 1), date(2024, 6, 1)), Params())
    out = months(out)
    assert list(out.columns) == [*mart_columns(mart_verwijzingen_team), "_niet_doorverwezen"]
    assert out["_niet_doorverwezen"].tolist() == (out["afgesloten"] - out["doorverwezen_specialistisch"]).tolist()
    columns = ["team", "maand", "afgesloten", "doorverwezen_specialistisch", "verwijspercentage"]
    expect(
        pick(out, columns),
        columns,
        [
            ["A", "2024-05-01", 4, 1, 25.0],
            ["A", "2024-06-01", 1, 1, 100.0],
            ["B", "2024-05-01", 3, 2, 200 / 3],
            ["B", "2024-06-01", 0, 0, NAN],  # nothing closed: no percentage
            ["C", "2024-05-01", 0, 0, NAN],
            ["C", "2024-06-01", 0, 0, NAN],
            ["totaal", "2024-05-01", 7, 3, 300 / 7],
            ["totaal", "2024-06-01", 1, 1, 100.0],
        ],
    )
    assert set(out["bron"]) == {"jgt"}
