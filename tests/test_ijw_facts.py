"""Golden tests of the iJw semantics (the fact_ views of jeugdmonitor.schemas.facts): snapshots, deletes, temporary
stops, credits. Each scenario is a hand-written message sequence with the expected facts written out; SQLite and
PostgreSQL."""

from datetime import date

import pytest
from sqlalchemy import text

from tests.conftest import require_shared
from tests.ijw_builder import jw301, jw305, jw307, jw315, jw323, load_messages

BSN = "999900006"


def rows(engine, sql):
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql))]


def as_date(value):
    return value if value is None or isinstance(value, date) else date.fromisoformat(str(value))


SCENARIO = {
    # a huisarts asks for care (JW315), the gemeente assigns two toewijzingen, one answering the request
    "2025-02/JW315_a.xml": jw315(
        "V1", "2025-02-20", BSN, [{"ref": "VOT-1", "ingang": "2025-03-03", "verwijzer": "02"}]
    ),
    "2025-03/JW301_a.xml": jw301(
        "T1",
        "2025-03-01",
        BSN,
        [
            {"nummer": 300201, "ref": "VOT-1", "datum": "2025-02-27", "ingang": "2025-03-03", "eind": "2025-12-31"},
            {"nummer": 300300, "datum": "2025-02-28", "ingang": "2025-03-03", "eind": "2025-12-31"},
        ],
    ),
    # a new snapshot shortens 300201 (RedenWijziging 05) and removes 300300 (13)
    "2025-06/JW301_b.xml": jw301(
        "T2",
        "2025-06-01",
        BSN,
        [
            {
                "nummer": 300201,
                "ref": "VOT-1",
                "datum": "2025-06-01",
                "ingang": "2025-03-03",
                "eind": "2025-09-30",
                "reden": "05",
            },
            {"nummer": 300300, "datum": "2025-06-01", "ingang": "2025-03-03", "eind": "2025-03-03", "reden": "13"},
        ],
    ),
    # start on the 4th, deleted (StatusAanlevering 3) and re-sent for the 6th
    "2025-03/JW305_a.xml": jw305("S1", "2025-03-05", BSN, [{"nummer": 300201, "begin": "2025-03-04"}]),
    "2025-03/JW305_b.xml": jw305(
        "S2",
        "2025-03-10",
        BSN,
        [{"nummer": 300201, "begin": "2025-03-04", "status": "3"}, {"nummer": 300201, "begin": "2025-03-06"}],
    ),
    # temporary stop (20), a new start, then the definitive stop
    "2025-05/JW307_a.xml": jw307(
        "E1", "2025-05-02", BSN, [{"nummer": 300201, "begin": "2025-03-06", "reden": "20", "eind": "2025-04-30"}]
    ),
    "2025-05/JW305_c.xml": jw305("S3", "2025-05-20", BSN, [{"nummer": 300201, "begin": "2025-05-19"}]),
    "2025-09/JW307_b.xml": jw307(
        "E2", "2025-09-30", BSN, [{"nummer": 300201, "begin": "2025-05-19", "reden": "31", "eind": "2025-09-30"}]
    ),
    # a stop sent by mistake and deleted again
    "2025-09/JW307_c.xml": jw307(
        "E3", "2025-09-02", BSN, [{"nummer": 300201, "begin": "2025-05-19", "reden": "33", "eind": "2025-08-31"}]
    ),
    "2025-09/JW307_d.xml": jw307(
        "E4",
        "2025-09-03",
        BSN,
        [{"nummer": 300201, "begin": "2025-05-19", "reden": "33", "eind": "2025-08-31", "status": "3"}],
    ),
    # March declared (5 h), credited in May and declared again (6 h), plus April (6 h)
    "2025-04/JW323_a.xml": jw323(
        "D2503",
        "2025-04-05",
        ("2025-03-01", "2025-03-31"),
        {BSN: [{"ref": "P-301", "nummer": 300201, "begin": "2025-03-06", "eind": "2025-03-31", "volume": 5}]},
    ),
    "2025-05/JW323_b.xml": jw323(
        "D2504",
        "2025-05-07",
        ("2025-04-01", "2025-04-30"),
        {
            BSN: [
                {"ref": "P-412", "nummer": 300201, "begin": "2025-04-01", "eind": "2025-04-30", "volume": 6},
                {
                    "ref": "P-413",
                    "vorig": "P-301",
                    "dc": "C",
                    "nummer": 300201,
                    "begin": "2025-03-06",
                    "eind": "2025-03-31",
                    "volume": 5,
                },
                {"ref": "P-414", "nummer": 300201, "begin": "2025-03-06", "eind": "2025-03-31", "volume": 6},
            ]
        },
    ),
}


@pytest.fixture
def scenario(warehouse, tmp_path, pseudonymise):
    load_messages(warehouse, tmp_path / "inbox", pseudonymise, SCENARIO)
    return warehouse


def test_toewijzing_is_the_latest_snapshot_with_its_verwijzer(scenario):
    facts = rows(
        scenario,
        "select toewijzing_nummer, einddatum, reden_wijziging, verwijzer_type, "
        "eerste_toewijzingsdatum, aantal_versies from fact_toewijzing order by 1",
    )
    assert [(n, as_date(e), r, v, as_date(f), a) for n, e, r, v, f, a in facts] == [
        (300201, date(2025, 9, 30), "05", "02", date(2025, 2, 27), 2),  # 300300 was removed (13)
    ]


def test_toewijzing_without_a_jw315_counts_as_gemeente(warehouse, tmp_path, pseudonymise):
    load_messages(
        warehouse,
        tmp_path / "inbox",
        pseudonymise,
        {
            "JW301_x.xml": jw301(
                "T9", "2025-03-01", BSN, [{"nummer": 400001, "datum": "2025-03-01", "ingang": "2025-03-03"}]
            )
        },
    )
    assert rows(warehouse, "select toewijzing_nummer, verwijzer_type, verwijzer_uit_jw315 from fact_toewijzing") == [
        (400001, "01", 0)
    ]


def test_the_newest_jw315_a_toewijzing_answers_gives_its_verwijzer(warehouse, tmp_path, pseudonymise):
    load_messages(
        warehouse,
        tmp_path / "inbox",
        pseudonymise,
        {
            "JW315_a.xml": jw315(
                "V1", "2025-02-20", BSN, [{"ref": "VOT-1", "ingang": "2025-03-03", "verwijzer": "02"}]
            ),
            "JW315_b.xml": jw315(
                "V2", "2025-02-24", BSN, [{"ref": "VOT-1", "ingang": "2025-03-03", "verwijzer": "03"}]
            ),
            "JW301_a.xml": jw301(
                "T1",
                "2025-03-01",
                BSN,
                [{"nummer": 300201, "ref": "VOT-1", "datum": "2025-02-27", "ingang": "2025-03-03"}],
            ),
        },
    )
    assert rows(warehouse, "select toewijzing_nummer, verwijzer_type, verwijzer_uit_jw315 from fact_toewijzing") == [
        (300201, "03", 1)
    ]


def test_zorgperiodes_follow_deletes_and_temporary_stops(scenario):
    facts = rows(
        scenario,
        "select begindatum, einddatum, reden_beeindiging, tijdelijk_beeindigd "
        "from fact_zorgperiode order by begindatum",
    )
    assert [(as_date(b), as_date(e), r, t) for b, e, r, t in facts] == [
        (date(2025, 3, 6), date(2025, 4, 30), "20", 1),  # the deleted start of the 4th is gone
        (date(2025, 5, 19), date(2025, 9, 30), "31", 0),  # the deleted stop (33) is gone
    ]


def test_credits_net_against_their_debet(scenario):
    facts = rows(
        scenario,
        "select referentie_nummer, bedrag, bedrag_netto, volume_netto, gecrediteerd, "
        "credit_zonder_debet from fact_declaratieregel order by referentie_nummer",
    )
    assert facts == [
        ("P-301", 49250, 0, 0, 1, 0),
        ("P-412", 59100, 59100, 6, 0, 0),
        ("P-414", 59100, 59100, 6, 0, 0),
    ]
    (total,) = rows(scenario, "select sum(bedrag) from stg_jw323_prestatie")
    (netto,) = rows(scenario, "select sum(bedrag_netto) from fact_declaratieregel")
    assert netto == total == (118200,)


def test_a_credit_whose_debet_is_not_held_stays_a_negative_line(warehouse, tmp_path, pseudonymise):
    load_messages(
        warehouse,
        tmp_path / "inbox",
        pseudonymise,
        {
            "JW301_a.xml": jw301(
                "T1", "2025-03-01", BSN, [{"nummer": 300201, "datum": "2025-02-27", "ingang": "2025-03-03"}]
            ),
            "JW323_x.xml": jw323(
                "D2505",
                "2025-06-05",
                ("2025-05-01", "2025-05-31"),
                {
                    BSN: [
                        {
                            "ref": "P-900",
                            "vorig": "P-800",
                            "dc": "C",
                            "nummer": 300201,
                            "begin": "2025-03-06",
                            "eind": "2025-03-31",
                            "volume": 5,
                        }
                    ]
                },
            ),
        },
    )
    assert rows(
        warehouse,
        "select referentie_nummer, bedrag, bedrag_netto, volume_netto, gecrediteerd, "
        "credit_zonder_debet from fact_declaratieregel",
    ) == [("P-900", -49250, -49250, -5, 0, 1)]


def test_scenario_messages_are_valid_ijw(tmp_path):
    from lxml import etree

    xsd = require_shared()
    for name, data in SCENARIO.items():
        schema = etree.XMLSchema(etree.parse(str(xsd / f"{name.split('/')[1][:5]}.xsd")))
        assert schema.validate(etree.fromstring(data)), (name, schema.error_log)
