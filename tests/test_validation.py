"""The GX validator: a suite of single-column expectations is handed only its columns, and judges the same."""

import pandas as pd
from jeugdmonitor.expectations import load_suite_json

from jeugdmonitor.validation import _suite_columns, validator


def test_single_column_suites_name_their_columns_and_table_level_ones_do_not():
    assert _suite_columns(load_suite_json("stg_jw323_prestatie")) >= {"check_bedrag", "product_categorie"}
    table_level = {
        "expectations": [
            {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "a"}},
            {"type": "expect_table_columns_to_match_set", "kwargs": {"column_set": ["a"]}},
        ]
    }
    pair = {
        "expectations": [
            {"type": "expect_column_pair_values_to_be_equal", "kwargs": {"column_A": "a", "column_B": "b"}}
        ]
    }
    assert _suite_columns(table_level) is None and _suite_columns(pair) is None


def test_the_jw323_suite_finds_the_same_rows_with_extra_columns_in_the_frame():
    columns = _suite_columns(load_suite_json("stg_jw323_prestatie"))
    frame = pd.DataFrame({c: [True, True, True] for c in columns if c.startswith("check_")}, index=[10, 11, 12])
    frame["product_categorie"] = ["45", "45", "45"]
    frame.loc[11, "check_bedrag"] = False
    frame["unrelated"] = ["x", "y", "z"]  # not read by the suite: left out of what GX gets
    findings = {f.reason_code: f.rows for f in validator().validate(frame, "stg_jw323_prestatie").findings}
    assert findings == {"amount_mismatch": (11,)}
