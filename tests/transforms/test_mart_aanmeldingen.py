"""Golden tests of mart_aanmeldingen and its uitsplitsing: re-registrations, two aanmeldingen in a month, month
and year boundaries, the 'totaal' team, with the expected rows written out."""

from datetime import date

from jeugdmonitor.transforms.marts import aanmeldingen
from jeugdmonitor.transforms.marts.inputs import AANMELDING_COLUMNS, Inputs, Params, Window, frame

from tests.mart_frames import months


def reg(team, rid, youth, day, bron="huisarts", hulpvraag="opvoeding"):
    return {
        "team": team,
        "registratie_id": rid,
        "gemeentecode": "GM0001",
        "client_pseudonym": youth,
        "aanmelddatum": day,
        "bron_aanmelding": bron,
        "hulpvraag": hulpvraag,
    }


WORLD = Inputs(
    gemeentecode="GM0001",
    teams=["A", "B"],
    aanmeldingen=frame(
        [
            reg("A", "1", "p1", "2024-12-31"),  # the last day of the year: December
            reg("A", "2", "p1", "2025-01-20"),  # 20 days later at the same team: a re-registration, not counted
            reg("A", "3", "p1", "2025-03-01"),  # 40 days after the previous one: counted again
            reg("A", "4", "p2", "2025-01-01"),  # the first day of the year: January
            reg("A", "5", "p3", "2025-01-05", bron="school"),
            reg("A", "6", "p3", "2025-01-30", bron="zelf"),  # two in one month, 25 days apart: once
            reg("B", "7", "p3", "2025-01-06", hulpvraag="psychisch"),  # another team: its own aanmelding
            reg("B", "8", "p4", "2025-02-28", bron=None),
        ],
        AANMELDING_COLUMNS,
    ),
)


def table(out, columns):
    return sorted(tuple(r) for r in out[columns].astype(object).itertuples(index=False))


def test_aanmeldingen_per_team_and_month():
    out = aanmeldingen.build(WORLD, Window(date(2024, 12, 1), date(2025, 3, 1)), Params())
    out = months(out)
    rows = [
        (t, m.date().isoformat(), int(a), int(j))
        for t, m, a, j in table(out, ["team", "maand", "aantal_aanmeldingen", "aantal_jeugdigen"])
    ]
    assert rows == sorted(
        [
            ("A", "2024-12-01", 1, 1),
            ("A", "2025-01-01", 2, 2),
            ("A", "2025-02-01", 0, 0),
            ("A", "2025-03-01", 1, 1),
            ("B", "2024-12-01", 0, 0),
            ("B", "2025-01-01", 1, 1),
            ("B", "2025-02-01", 1, 1),
            ("B", "2025-03-01", 0, 0),
            # totaal: p3 was registered at A and at B in January: two aanmeldingen, one youth
            ("totaal", "2024-12-01", 1, 1),
            ("totaal", "2025-01-01", 3, 2),
            ("totaal", "2025-02-01", 1, 1),
            ("totaal", "2025-03-01", 1, 1),
        ]
    )
    assert set(out["gemeentecode"]) == {"GM0001"} and set(out["bron"]) == {"jgt"}


def test_a_longer_re_registration_window_merges_more():
    out = aanmeldingen.build(WORLD, Window(date(2025, 3, 1), date(2025, 3, 1)), Params(herregistratie_dagen=60))
    out = months(out)
    assert table(out[out["team"] == "A"], ["aantal_aanmeldingen"]) == [(0,)]


def test_uitsplitsing_by_bron_and_hulpvraag_adds_up_to_its_totaal():
    out = aanmeldingen.build_uitsplitsing(WORLD, Window(date(2025, 1, 1), date(2025, 2, 1)), Params())
    out = months(out)
    january_a = out[(out["team"] == "A") & (out["maand"] == "2025-01-01") & (out["kenmerk"] == "bron_aanmelding")]
    got = {c: int(n) for c, n in zip(january_a["categorie"], january_a["aantal_aanmeldingen"], strict=True) if n}
    assert got == {"huisarts": 1, "school": 1, "totaal": 2}  # registration 6 (zelf) continued registration 5
    february_b = out[(out["team"] == "B") & (out["maand"] == "2025-02-01") & (out["kenmerk"] == "bron_aanmelding")]
    assert {c for c, n in zip(february_b["categorie"], february_b["aantal_aanmeldingen"], strict=True) if n} == {
        "onbekend",
        "totaal",
    }
    known = set(aanmeldingen.KENMERKEN["hulpvraag"]) | {"totaal"}  # every known category has a row
    assert known <= set(out.loc[out["kenmerk"] == "hulpvraag", "categorie"])
