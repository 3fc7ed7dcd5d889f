"""The one judge-and-load skeleton (jeugdmonitor.judging): what a suite's findings do to a batch, and one meaning of
meta_validation_result.rows_evaluated for iJw, JGT and CBS (every row of the file the suite was run on)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from jeugdmonitor.expectations import load_suite_json
from jeugdmonitor.schemas.warehouse import meta_source_file, meta_validation_result
from jeugdmonitor.transforms.reasons import rejection
from sqlalchemy import select

from jeugdmonitor import judging
from jeugdmonitor.synthetic.jgt_writer import V2_COLUMNS
from jeugdmonitor.validation import FileWarning, Finding, Outcome
from tests import test_ingest_cbs as cbs
from tests.ijw_builder import jw301, jw323
from tests.jgt_builder import bsn_for_test
from tests.test_ingest_ijw import load_all
from tests.test_ingest_jgt import load_jgt

# The CBS tests' fixtures: a fixture server over a small tree, its client and the loader's options.
pristine_tree, tree, server, client, options = cbs.pristine_tree, cbs.tree, cbs.server, cbs.client, cbs.options

INVALID_BSN = "999900000"  # fails the 11-proef: the line is rejected while parsing, before any suite


def finding(code: str, rows: tuple, severity: str = "fail", scope: str = "row") -> Finding:
    return Finding("suite", code, severity, scope, "veld", f"rule {code}", rows, len(rows))


# Rows 0-1 are file 0, row 2 file 1, rows 3-5 file 2.
KEYS = np.array([0, 0, 1, 2, 2, 2])
TOTAL = finding("total_mismatch", (2,), scope="file")
AMOUNT = finding("amount_mismatch", (0, 3))
PERIOD = finding("period_not_in_month", (2, 3, 4))
WARN = finding("credit_unknown_debet", (0, 1, 2, 5), severity="warn")


def test_a_verdict_refuses_files_quarantines_rows_and_counts_warnings_only_on_rows_that_load():
    verdict = judging.verdict(Outcome("suite", len(KEYS), [TOTAL, AMOUNT, PERIOD, WARN]), KEYS)
    assert verdict.refused == {1: TOTAL}
    # row 3 breaks two rules: the first of the suite names it; row 2 is in a refused file, not quarantined apart
    assert verdict.failed == {0: AMOUNT, 3: AMOUNT, 4: PERIOD}
    assert verdict.loads.tolist() == [False, True, False, False, False, True]
    # rows_evaluated is every row of the file judged, its quarantined rows included (file 2: 3, of which 2 failed)
    assert verdict.warnings == [FileWarning(0, WARN, 2, 1), FileWarning(2, WARN, 3, 1)]


def test_applied_to_parsed_files_failed_rows_move_to_rejections_in_line_order_and_refused_files_empty():
    bad_line = rejection("bsn_invalid", line=15)
    files = [
        SimpleNamespace(rows=[10, 20], rejections=[bad_line], refused=None),
        SimpleNamespace(rows=[30], rejections=[], refused=None),
        SimpleNamespace(rows=[40, 50, 60], rejections=[], refused=None),
    ]
    verdict = judging.verdict(Outcome("suite", len(KEYS), [TOTAL, AMOUNT, PERIOD, WARN]), KEYS)
    judging.apply_to_files(
        files, verdict, np.array([0, 1, 0, 0, 1, 2]), lambda row, f: rejection(f.reason_code, line=row, field=f.field)
    )
    assert [(r.reason_code, r.line) for r in files[0].rejections] == [("amount_mismatch", 10), ("bsn_invalid", 15)]
    assert files[0].rows == [20] and files[2].rows == [60]
    assert [(r.reason_code, r.line) for r in files[2].rejections] == [
        ("amount_mismatch", 40),
        ("period_not_in_month", 50),
    ]
    assert files[1].refused.reason_code == "total_mismatch" and files[1].rows == [] == files[1].rejections


def test_judge_refuses_a_frame_whose_labels_are_not_its_positions():
    with pytest.raises(ValueError, match="RangeIndex"):
        judging.judge(pd.DataFrame({"check": [True]}, index=[7]), [0], "stg_cbs_waarneming")


def test_only_sources_that_can_refuse_a_file_have_file_scope_rules():
    """CBS loads a table version or keeps the last one; a refused version has no meaning there yet."""
    scopes = {e.get("meta", {}).get("scope", "row") for e in load_suite_json("stg_cbs_waarneming")["expectations"]}
    assert scopes == {"row"}


# -- rows_evaluated, the same for every source ----------------------------------------------------------------------


def validation_rows(warehouse) -> list[tuple]:
    """(reason_code, rows_evaluated, rows_unexpected, rows_read, rows_quarantined) per warning."""
    v, f = meta_validation_result, meta_source_file
    with warehouse.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                select(v.c.reason_code, v.c.rows_evaluated, v.c.rows_unexpected, f.c.rows_read, f.c.rows_quarantined)
                .join(f, f.c.file_id == v.c.file_id)
                .order_by(v.c.reason_code)
            )
        ]


def test_rows_evaluated_ijw_is_every_readable_line_the_suite_judged(warehouse, tmp_path, pseudonymise):
    bsn, line = bsn_for_test(0), {"nummer": 300201, "begin": "2025-03-01", "eind": "2025-03-31", "volume": 5}
    inbox = tmp_path / "inbox"
    files = {
        "2025-03/JW301_a.xml": jw301(
            "T1",
            "2025-03-01",
            bsn,
            [{"nummer": 300201, "datum": "2025-02-27", "ingang": "2025-03-01", "eind": "2025-12-31"}],
        ),
        "2025-04/JW323_a.xml": jw323(
            "D1",
            "2025-04-05",
            ("2025-03-01", "2025-03-31"),
            {
                bsn: [
                    line | {"ref": "R1"},
                    line | {"ref": "R2", "bedrag": 1},  # R2: amount_mismatch (fail)
                    line | {"ref": "R3", "dc": "C", "vorig": "R0"},
                ],  # R3: credit_unknown_debet (warn)
                INVALID_BSN: [line | {"ref": "R4"}],
            },
        ),  # rejected while parsing
    }
    for name, data in files.items():
        (inbox / name).parent.mkdir(parents=True, exist_ok=True)
        (inbox / name).write_bytes(data)
    load_all(warehouse, inbox, pseudonymise)
    assert validation_rows(warehouse) == [("credit_unknown_debet", 3, 1, 4, 2)]


def test_rows_evaluated_jgt_is_every_readable_row_the_suite_judged(warehouse, tmp_path, pseudonymise):
    inbox = tmp_path / "jgt"
    inbox.mkdir()
    lines = [
        ";".join(V2_COLUMNS),
        f"{bsn_for_test(0)};D-1;01-05-2014;0638;ZTW;06-01-2025 10:00;zelf;overig;;;",
        f"{bsn_for_test(1)};D-2;01-05-2014;0638;ZTW;06-03-2025 10:00;zelf;overig;;;",  # date_in_future (fail)
        f"{bsn_for_test(2)};D-3;01-05-1990;0638;ZTW;06-01-2025 10:00;zelf;overig;;;",  # age_implausible (warn)
        f"{INVALID_BSN};D-4;01-05-2014;0638;ZTW;06-01-2025 10:00;zelf;overig;;;",
    ]  # rejected while reading
    (inbox / "ZTW_2025-01.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    load_jgt(warehouse, inbox, pseudonymise)
    assert validation_rows(warehouse) == [("age_implausible", 3, 1, 4, 2)]


def test_rows_evaluated_cbs_is_every_cell_of_the_version_the_suite_judged(warehouse, client, server, tree, options):
    cbs.plant_bad_cells(tree, server, options)  # one cell fails, one warns; no cell is rejected before the suite
    outcomes = cbs.run(warehouse, client, options)
    result = outcomes["85099NED"].result
    assert validation_rows(warehouse) == [("cbs_not_rounded", result.rows_read, 1, result.rows_read, 1)]
