"""Golden test of the provider scorecard (mart_aanbieder_scorecard): known files, quarantine, toewijzingen, starts
and declaraties of two aanbieders give known rows."""

from __future__ import annotations

from datetime import date

import pandas as pd
from jeugdmonitor.transforms.alerts import scorecard
from jeugdmonitor.transforms.alerts.scorecard import COLUMNS, ScorecardInput

from tests.mart_frames import expected, rows

GEMEENTE, LATE_STARTER, LATE_DECLARER = "GM0546", "12345678", "87654321"
MARCH = date(2025, 3, 1)


def world() -> ScorecardInput:
    files = pd.DataFrame(
        [
            (1, "loaded", "JW305_loaded.xml", MARCH),
            (2, "rejected", f"JW323_{LATE_STARTER}_0546_1.xml", MARCH),  # attributed by its name
            (3, "rejected", "onleesbaar.xml", MARCH),  # names nobody: left out
        ],
        columns=["file_id", "status", "path", "maand"],
    )
    toewijzingen = pd.DataFrame(
        [
            (GEMEENTE, LATE_STARTER, "T1", date(2025, 1, 1), None),  # active, never started
            (GEMEENTE, LATE_STARTER, "T2", date(2024, 6, 1), date(2025, 2, 15)),  # ended, its start never stopped
            (GEMEENTE, LATE_DECLARER, "T3", date(2025, 1, 1), None),
        ],
        columns=["gemeentecode", "aanbieder_agb", "toewijzing_nummer", "ingangsdatum", "einddatum"],
    )
    starts = pd.DataFrame(
        [
            (GEMEENTE, LATE_STARTER, "T2", date(2024, 6, 10), None),
            (GEMEENTE, LATE_DECLARER, "T3", date(2025, 1, 10), None),
        ],
        columns=["gemeentecode", "aanbieder_agb", "toewijzing_nummer", "begindatum", "einddatum"],
    )
    declaraties = pd.DataFrame(
        [
            (GEMEENTE, LATE_DECLARER, "D1", MARCH, date(2025, 4, 5)),
            (GEMEENTE, LATE_DECLARER, "D2", MARCH, date(2025, 4, 15)),  # after day 10 of April
        ],
        columns=["gemeentecode", "aanbieder_agb", "declaratie_nummer", "maand", "dagtekening"],
    )
    return ScorecardInput(
        files=files,
        file_parties=pd.DataFrame([(1, GEMEENTE, LATE_STARTER)], columns=["file_id", "gemeentecode", "aanbieder_agb"]),
        quarantine=pd.DataFrame(
            [(1, "bsn_invalid", 2), (1, "date_invalid", 1)], columns=["file_id", "reason_code", "regels"]
        ),
        toewijzingen=toewijzingen,
        declaraties=declaraties,
        starts=starts,
        months=[MARCH],
    )


def test_mart_aanbieder_scorecard_golden():
    out = scorecard.build(world(), {GEMEENTE}, peildatum=date(2025, 4, 20), declaratie_dag=10, norm_dagen=30)

    assert list(out.columns) == COLUMNS
    assert rows(out, COLUMNS) == expected(
        [
            (GEMEENTE, LATE_STARTER, MARCH, 2, 1, 3, "bsn_invalid=2; date_invalid=1", 1, 0, 0, True, 1, 1),
            (GEMEENTE, LATE_DECLARER, MARCH, 0, 0, 0, None, 1, 2, 1, False, 0, 0),
        ]
    )
