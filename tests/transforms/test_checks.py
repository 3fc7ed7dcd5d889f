"""The business-rule columns of the JW323 suite, on tiny frames."""

from datetime import date

import pandas as pd
from jeugdmonitor.transforms.ijw.checks import Known, expected_amount, jw323_checks


def line(**overrides) -> dict:
    row = {
        "gemeentecode": "GM0546",
        "aanbieder_agb": "12345678",
        "referentie_nummer": "R1",
        "vorig_referentie_nummer": None,
        "toewijzing_nummer": 1,
        "product_categorie": "45",
        "product_code": "45A05",
        "product_periode_begin": date(2025, 4, 1),
        "product_periode_eind": date(2025, 4, 30),
        "declaratie_periode_eind": date(2025, 4, 30),
        "geleverd_volume": 6,
        "eenheid": "04",
        "product_tarief": 9850,
        "ingediend_bedrag": 59100,
        "bedrag": 59100,
        "file_key": 0,
    }
    return row | overrides


ASSIGNED = Known(toewijzingen=frozenset({("GM0546", "12345678", 1)}))


def checked(*rows, known=ASSIGNED, totals=None):
    frame = pd.DataFrame(list(rows))
    frame["product_tarief"] = frame["product_tarief"].astype("Int64")
    return jw323_checks(frame, known, totals)


def test_expected_amount_per_unit():
    volume = pd.Series([6, 90, 61, 12345])
    tarief = pd.Series([9850, 9850, 9850, 0])
    eenheid = pd.Series(["04", "01", "01", "83"])
    # 90 minutes at 98.50/hour = 147.75; 61 minutes = 100.1416.. -> 100.14 (IV081: multiply, then divide and round)
    assert expected_amount(volume, tarief, eenheid).tolist() == [59100, 14775, 10014, 12345]


def test_a_clean_line_passes_every_check():
    out = checked(line())
    checks = [c for c in out.columns if c.startswith("check_")]
    assert out[checks].all(axis=None)


def test_each_rule_flags_its_own_defect():
    out = checked(
        line(referentie_nummer="A", ingediend_bedrag=59000),  # amount
        line(referentie_nummer="B", product_periode_eind=date(2025, 5, 2)),  # two months and after the declaratie
        line(referentie_nummer="C", toewijzing_nummer=2),  # unknown toewijzing
        line(referentie_nummer="D", product_code="54001"),  # prefix
        line(referentie_nummer="D"),  # a repeat within the batch
        line(referentie_nummer="E", vorig_referentie_nummer="A", bedrag=-59000),  # credit of a line in the batch
        line(referentie_nummer="F", vorig_referentie_nummer="ZZ", bedrag=-1),  # credit of an unknown debet
        line(referentie_nummer="G", product_tarief=None),  # no tariff where one is required
    )
    failing = {c: out.index[~out[c]].tolist() for c in out.columns if c.startswith("check_")}
    assert failing == {
        "check_bedrag": [0, 7],
        "check_periode_in_maand": [1],
        "check_periode_in_declaratie": [1],
        "check_referentie_nieuw": [4],
        "check_credit_bekend": [6],
        "check_toewijzing_bekend": [2],
        "check_productcode": [3],
        "check_productcode_bekend": [],
        "check_totaal": [],
    }


def test_references_loaded_earlier_count_as_known():
    known = Known(
        referenties=frozenset({("12345678", "OLD")}),
        toewijzingen=frozenset({("GM0546", "12345678", 1)}),
        productcodes=frozenset({"45A05"}),
    )
    out = checked(
        line(referentie_nummer="OLD"),
        line(referentie_nummer="N", vorig_referentie_nummer="OLD"),
        line(referentie_nummer="X", product_code="45X99"),
        known=known,
    )
    assert out["check_referentie_nieuw"].tolist() == [False, True, True]
    assert out["check_credit_bekend"].tolist() == [True, True, True]
    assert out["check_productcode_bekend"].tolist() == [True, True, False]


def test_declared_total_is_held_against_the_signed_sum_per_file():
    out = checked(
        line(referentie_nummer="A", file_key=0),
        line(referentie_nummer="B", file_key=1),
        totals=pd.Series({0: 59100, 1: 1}),
    )
    assert out["check_totaal"].tolist() == [True, False]
