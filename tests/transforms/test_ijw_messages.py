"""JW301/305/307/315 through the spec-driven reader: what is kept, what is dropped, what is refused."""

import io
from datetime import date
from pathlib import Path

from jeugdmonitor.transforms.ijw.records import parse_message
from jeugdmonitor.transforms.ijw.specs import JW301, SPECS

FIXTURES = Path(__file__).parents[1] / "fixtures" / "ijw"


def rows_of(data: bytes, spec):
    chunks = list(parse_message(io.BytesIO(data), spec, lambda bsn: f"p{bsn[-2:]}"))
    return [r for c in chunks for r in c.rows], [r for c in chunks for r in c.rejections]


def test_jw301_keeps_the_art_8f_set_and_drops_names_addresses_and_birth_date():
    (row,), rejections = rows_of((FIXTURES / "jw301_snapshot.xml").read_bytes(), JW301)
    assert rejections == []
    assert row["gemeentecode"] == "GM0546" and row["aanbieder_agb"] == "12345678"  # gemeente sends a JW301
    assert row["geboortejaar"] == 2012
    assert row["juridische_status"] == "04"
    assert row["toewijzing_nummer"] == 300201
    assert (row["ingangsdatum"], row["einddatum"]) == (date(2025, 3, 3), date(2025, 12, 31))
    assert (row["omvang_volume"], row["omvang_eenheid"], row["omvang_frequentie"]) == (6, "04", "4")
    values = " ".join(str(v) for v in row.values())
    for personal in ("Testpersoon", "Fixture", "Teststraat", "2311AA", "2012-06-15", "999900006"):
        assert personal not in values


def test_every_spec_names_only_columns_of_its_staging_table():
    from jeugdmonitor.schemas.warehouse import STAGING_TABLES

    for code, spec in SPECS.items():
        table = STAGING_TABLES[code]
        produced = (
            {"line", "bericht_identificatie", "dagtekening", "gemeentecode", "aanbieder_agb", "client_pseudonym"}
            | {f.column for f in spec.fields if f.stage}
            | {c for c, _ in spec.derived}
        )
        assert produced <= set(table.c.keys()), (code, produced - set(table.c.keys()))
        required = {c.name for c in table.c if not c.nullable and not c.primary_key} - {"file_id"}
        assert required <= produced, (code, required - produced)


def test_reversed_toewijzing_period_is_quarantined():
    data = (
        (FIXTURES / "jw301_snapshot.xml")
        .read_bytes()
        .replace(b"<jw301:Einddatum>2025-12-31", b"<jw301:Einddatum>2025-01-31")
    )
    rows, (rejection,) = rows_of(data, JW301)
    assert rows == []
    assert (rejection.reason_code, rejection.field, rejection.record_key) == ("period_reversed", "Einddatum", "######")


def test_the_reused_parser_reads_each_file_on_its_own_after_broken_and_refused_files():
    """The reader keeps one pull parser per message spec and process. A file that breaks off (truncated), one that
    is not XML at all and one of another message type must leave nothing behind in it: the next good file reads
    exactly as it would in a fresh process."""
    import pytest
    from jeugdmonitor.transforms.ijw import records
    from jeugdmonitor.transforms.ijw.specs import JW323
    from jeugdmonitor.transforms.reasons import FileRejected

    good = (FIXTURES / "jw301_snapshot.xml").read_bytes()
    fresh = rows_of(good, JW301)
    other = (FIXTURES / "jw323_credit_correction.xml").read_bytes()
    for bad, reason in (
        (good[: len(good) // 2], "not_well_formed"),
        (b"geen xml", "not_well_formed"),
        (other, "unknown_message"),
    ):
        with pytest.raises(FileRejected) as refused:
            rows_of(bad, JW301)
        assert refused.value.rejection.reason_code == reason
        assert rows_of(good, JW301) == fresh
    assert rows_of(good, JW301) == rows_of(good, JW301) == fresh  # reused twice in a row
    assert JW301.event_tags in records._parsers and len(rows_of(other, JW323)[0]) == 3


def test_rows_of_every_message_type_become_tuples_in_the_spec_column_order():
    """parse_file keeps rows as tuples in MessageSpec.row_columns order; the load writes them by position."""
    import pytest
    from jeugdmonitor.transforms.ijw.records import as_tuples

    from tests.ijw_builder import jw301, jw305, jw307, jw315, jw323

    bsn = "999900006"
    messages = {
        "JW315": jw315("V1", "2025-02-20", bsn, [{"ref": "VOT-1", "ingang": "2025-03-03", "verwijzer": "02"}]),
        "JW301": jw301(
            "T1", "2025-03-01", bsn, [{"nummer": 300201, "datum": "2025-03-01", "ingang": "2025-03-03", "ref": "VOT-1"}]
        ),
        "JW305": jw305("S1", "2025-03-05", bsn, [{"nummer": 300201, "begin": "2025-03-04"}]),
        "JW307": jw307(
            "E1", "2025-06-05", bsn, [{"nummer": 300201, "begin": "2025-03-04", "reden": "02", "eind": "2025-06-01"}]
        ),
        "JW323": jw323(
            "D1",
            "2025-04-02",
            ("2025-03-01", "2025-03-31"),
            {bsn: [{"ref": "R1", "nummer": 300201, "begin": "2025-03-04", "eind": "2025-03-31", "volume": 4}]},
        ),
    }
    for code, data in messages.items():
        spec = SPECS[code]
        rows, rejections = rows_of(data, spec)
        assert rejections == [] and len(rows) == 1, code
        assert tuple(rows[0]) == spec.row_columns, code
        (values,) = as_tuples(rows, spec)
        assert dict(zip(spec.row_columns, values, strict=True)) == rows[0], code
    reordered = {"gemeentecode": "GM0546", **rows[0]}
    with pytest.raises(ValueError, match="differ"):
        as_tuples([reordered], SPECS["JW323"])


def test_a_bsn_in_digits_of_another_script_is_quarantined_not_pseudonymised():
    """'٩٩٩٩٠٠٠٠٦' is 999900006 in Arabic-Indic digits: str.isdigit and int take it, the 11-proef passed, and
    pseudonymising it (ASCII only) stopped the run."""
    data = (FIXTURES / "jw301_snapshot.xml").read_bytes().replace(b"999900006", "٩٩٩٩٠٠٠٠٦".encode())
    rows, (rejection,) = rows_of(data, JW301)
    assert rows == []
    assert (rejection.reason_code, rejection.field) == ("bsn_invalid", "Bsn")
    assert "٠٠" not in (rejection.value_masked or "")[2:-2]
