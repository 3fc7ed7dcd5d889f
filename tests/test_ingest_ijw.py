"""Loading iJw files: whole or not at all, never twice, quarantine with reasons; on SQLite and PostgreSQL."""

import re
import shutil
from pathlib import Path

import pytest
from jeugdmonitor.schemas.warehouse import (
    meta_quarantine,
    meta_source_file,
    stg_jw301_toewijzing,
    stg_jw323_prestatie,
)
from sqlalchemy import func, select

from jeugdmonitor import bulk, meta
from jeugdmonitor.discovery import discover, read_file
from jeugdmonitor.ijw.ingest import MAX_FILE_BYTES, IjwOptions, load_files

GOLDEN = Path(__file__).parent / "fixtures" / "ijw" / "jw323_credit_correction.xml"
JW301 = Path(__file__).parent / "fixtures" / "ijw" / "jw301_snapshot.xml"


@pytest.fixture
def inbox(tmp_path):
    """The golden declaratie and the JW301 that assigned its toewijzing (a declaratie without one is refused)."""
    folder = tmp_path / "inbox"
    (folder / "2025-05").mkdir(parents=True)
    (folder / "2025-03").mkdir(parents=True)
    shutil.copy(GOLDEN, folder / "2025-05" / "JW323_12345678_0546_DCL202505007.xml")
    shutil.copy(JW301, folder / "2025-03" / "JW301_0546_12345678_T202503001.xml")
    return folder


def declaratie(results):
    (result,) = [r for r in results if r.message_type == "JW323"]
    return result


def load_all(engine, inbox, pseudonymise, chunk_size=5000):
    run_id = meta.start_run(engine, "test")
    new, seen = discover(inbox, (".xml",), meta.known_hashes(engine), meta.recorded_stamps(engine, "ijw"))
    results = load_files(engine, run_id, new, pseudonymise, IjwOptions(chunk_size=chunk_size))
    meta.finish_run(engine, run_id, results)
    return results, seen


def count(engine, table):
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def test_file_loads_with_bad_line_in_quarantine(warehouse, inbox, pseudonymise):
    results, _ = load_all(warehouse, inbox, pseudonymise)
    result = declaratie(results)
    assert (result.status, result.rows_read, result.rows_loaded, result.rows_quarantined) == ("loaded", 4, 3, 1)
    with warehouse.connect() as conn:
        net = conn.execute(select(func.sum(stg_jw323_prestatie.c.bedrag))).scalar_one()
        quarantined = conn.execute(select(meta_quarantine)).mappings().one()
        source = (
            conn.execute(select(meta_source_file).where(meta_source_file.c.message_type == "JW323")).mappings().one()
        )
        pseudonyms = set(conn.execute(select(stg_jw323_prestatie.c.client_pseudonym)).scalars())
    assert net == 68950
    assert pseudonyms == {pseudonymise("999900006")}
    assert (quarantined["line"], quarantined["reason_code"], quarantined["value_masked"]) == (
        99,
        "bsn_invalid",
        "#########",
    )
    assert quarantined["file_id"] == source["file_id"]
    assert (source["rows_read"], source["rows_loaded"], source["rows_quarantined"]) == (4, 3, 1)
    assert source["path"] == "2025-05/JW323_12345678_0546_DCL202505007.xml"
    assert source["message_type"] == "JW323" and source["status"] == "loaded"


def test_second_run_and_renamed_copy_change_nothing(warehouse, inbox, pseudonymise):
    load_all(warehouse, inbox, pseudonymise)
    shutil.copy(inbox / "2025-05" / "JW323_12345678_0546_DCL202505007.xml", inbox / "copy-under-other-name.xml")
    results, seen = load_all(warehouse, inbox, pseudonymise)
    assert results == [] and len(seen) == 3
    assert count(warehouse, stg_jw323_prestatie) == 3
    assert count(warehouse, meta_source_file) == 2
    assert count(warehouse, meta_quarantine) == 1


def test_crash_mid_load_leaves_nothing_and_next_run_completes(warehouse, inbox, pseudonymise, monkeypatch):
    real_write = bulk.write_tuples
    written: list[str] = []

    def crash_on_the_declaraties(conn, table, *args, **kwargs):
        written.append(table.name)
        if table is stg_jw323_prestatie:
            raise RuntimeError("disk full (injected)")
        return real_write(conn, table, *args, **kwargs)

    monkeypatch.setattr(bulk, "write_tuples", crash_on_the_declaraties)
    with pytest.raises(RuntimeError, match="injected"):
        load_all(warehouse, inbox, pseudonymise, chunk_size=2)
    # the files and the JW301 rows were written inside the transaction before the crash
    assert written == ["meta_source_file", "stg_jw301_toewijzing", "stg_jw323_prestatie"]
    for table in (stg_jw301_toewijzing, stg_jw323_prestatie, meta_source_file, meta_quarantine):
        assert count(warehouse, table) == 0

    monkeypatch.setattr(bulk, "write_tuples", real_write)
    results, _ = load_all(warehouse, inbox, pseudonymise, chunk_size=2)
    assert sorted((r.message_type, r.rows_loaded, r.rows_quarantined) for r in results) == [
        ("JW301", 1, 0),
        ("JW323", 3, 1),
    ]
    assert count(warehouse, stg_jw323_prestatie) == 3


def test_batches_load_in_order_each_judged_after_the_one_before(warehouse, inbox, pseudonymise):
    """One file per batch: the JW323's batch is judged while the writer thread may still be busy with the JW301's,
    yet it must find that toewijzing (a declaratie without one is refused whole)."""
    run_id = meta.start_run(warehouse, "test")
    new, _ = discover(inbox, (".xml",), set(), hash_new=False)
    results = load_files(warehouse, run_id, new, pseudonymise, IjwOptions(files_per_batch=1))
    assert [(r.message_type, r.status) for r in results] == [("JW301", "loaded"), ("JW323", "loaded")]
    assert declaratie(results).rows_loaded == 3


def test_crash_in_a_later_batch_keeps_the_batches_before_and_the_next_run_completes(
    warehouse, inbox, pseudonymise, monkeypatch
):
    from jeugdmonitor.ijw import ingest as ingest_ijw

    real_load = ingest_ijw.load_batch
    loaded: list[list[str]] = []

    def crash_in_second_batch(engine, run_id, batch, productcodes=None):
        if loaded:
            raise RuntimeError("connection lost (injected)")
        loaded.append([p.message_type for p in batch])
        return real_load(engine, run_id, batch, productcodes)

    monkeypatch.setattr(ingest_ijw, "load_batch", crash_in_second_batch)
    options = IjwOptions(files_per_batch=1)
    new, _ = discover(inbox, (".xml",), set(), hash_new=False)
    with pytest.raises(RuntimeError, match="injected"):
        load_files(warehouse, meta.start_run(warehouse, "test"), new, pseudonymise, options)
    assert loaded == [["JW301"]]
    assert (count(warehouse, stg_jw301_toewijzing), count(warehouse, stg_jw323_prestatie)) == (1, 0)
    assert count(warehouse, meta_source_file) == 1 and count(warehouse, meta_quarantine) == 0

    monkeypatch.setattr(ingest_ijw, "load_batch", real_load)
    new, seen = discover(inbox, (".xml",), meta.known_hashes(warehouse), meta.recorded_stamps(warehouse, "ijw"))
    results = load_files(warehouse, meta.start_run(warehouse, "test"), new, pseudonymise, options)
    assert [d.relative for d in seen] == ["2025-03/JW301_0546_12345678_T202503001.xml"]
    assert [(r.message_type, r.rows_loaded, r.rows_quarantined) for r in results] == [("JW323", 3, 1)]
    assert (count(warehouse, stg_jw301_toewijzing), count(warehouse, stg_jw323_prestatie)) == (1, 3)


def test_broken_file_is_recorded_as_rejected_with_reason_and_never_retried(warehouse, inbox, pseudonymise):
    (inbox / "truncated.xml").write_bytes(GOLDEN.read_bytes()[:2500])
    (inbox / "empty.xml").write_bytes(b"")
    results, _ = load_all(warehouse, inbox, pseudonymise)
    by_path = {r.path: r for r in results}
    assert by_path["truncated.xml"].status == "rejected"
    assert by_path["truncated.xml"].reasons == {"not_well_formed": 1}
    assert by_path["empty.xml"].reasons == {"empty_file": 1}
    with warehouse.connect() as conn:
        rows = conn.execute(
            select(
                meta_source_file.c.path,
                meta_source_file.c.status,
                meta_quarantine.c.reason_code,
                meta_quarantine.c.reden,
                meta_quarantine.c.line,
            )
            .join(meta_quarantine, meta_quarantine.c.file_id == meta_source_file.c.file_id)
            .where(meta_source_file.c.status == "rejected")
            .order_by(meta_source_file.c.path)
        ).all()
    assert [(r.path, r.reason_code) for r in rows] == [
        ("empty.xml", "empty_file"),
        ("truncated.xml", "not_well_formed"),
    ]
    assert rows[0].reden == "Het bestand is leeg."
    assert rows[1].line is not None and "geen geldige XML" in rows[1].reden
    assert count(warehouse, stg_jw323_prestatie) == 3  # the good files still loaded
    again, _ = load_all(warehouse, inbox, pseudonymise)
    assert again == []


def test_a_message_without_its_header_is_refused_whole_and_the_rest_loads(warehouse, inbox, pseudonymise):
    """Without the Header a row has no gemeente or aanbieder: the file goes to quarantine, the batch still loads."""
    headless = re.sub(rb"<jw301:Header>.*?</jw301:Header>", b"", JW301.read_bytes(), flags=re.S)
    assert b"Header" not in headless
    (inbox / "2025-03" / "JW301_0546_12345678_zonder_kop.xml").write_bytes(headless)
    results, _ = load_all(warehouse, inbox, pseudonymise)
    by_path = {r.path: r for r in results}
    assert by_path["2025-03/JW301_0546_12345678_zonder_kop.xml"].status == "rejected"
    assert by_path["2025-03/JW301_0546_12345678_zonder_kop.xml"].reasons == {"header_invalid": 1}
    assert by_path["2025-03/JW301_0546_12345678_T202503001.xml"].status == "loaded"
    assert declaratie(results).rows_loaded == 3
    with warehouse.connect() as conn:
        reden = conn.execute(
            select(meta_quarantine.c.reden).where(meta_quarantine.c.reason_code == "header_invalid")
        ).scalar_one()
    assert "geen kop (Header)" in reden


def test_message_types_without_a_loader_stay_pending_and_unrecorded(warehouse, inbox, pseudonymise):
    jw325 = b'<?xml version="1.0"?><Bericht xmlns="http://www.istandaarden.nl/ijw/3_2/jw325/schema"/>'
    (inbox / "JW325_x.xml").write_bytes(jw325)
    results, _ = load_all(warehouse, inbox, pseudonymise)
    pending = [r for r in results if r.status == "pending"]
    assert [(r.path, r.message_type) for r in pending] == [("JW325_x.xml", "JW325")]
    assert count(warehouse, meta_source_file) == 2
    again, _ = load_all(warehouse, inbox, pseudonymise)
    assert [r.status for r in again] == ["pending"]


def test_load_run_totals_add_up(warehouse, inbox, pseudonymise):
    (inbox / "empty.xml").write_bytes(b"")
    load_all(warehouse, inbox, pseudonymise)
    from jeugdmonitor.schemas.warehouse import meta_load_run

    with warehouse.connect() as conn:
        run = conn.execute(select(meta_load_run)).mappings().one()
    assert run["status"] == "completed"
    assert (run["files_seen"], run["files_loaded"], run["files_rejected"]) == (3, 2, 1)
    assert run["rows_read"] == run["rows_loaded"] + run["rows_quarantined"] == 5


def test_xsd_validation_when_configured_refuses_schema_breaking_files(sqlite_url, inbox, pseudonymise):
    from jeugdmonitor.warehouse import make_engine, upgrade
    from tests.conftest import require_shared

    xsd_dir = require_shared()
    engine = make_engine(sqlite_url)
    upgrade(engine)
    eight_digit_bsn = GOLDEN.read_text().replace("<jw323:Bsn>999900006</jw323:Bsn>", "<jw323:Bsn>99990000</jw323:Bsn>")
    (inbox / "short_bsn.xml").write_text(eight_digit_bsn)
    run_id = meta.start_run(engine, "test")
    new, _ = discover(inbox, (".xml",), set())
    results = {r.path: r for r in load_files(engine, run_id, new, pseudonymise, IjwOptions(xsd_dir=xsd_dir))}
    assert results["2025-05/JW323_12345678_0546_DCL202505007.xml"].status == "loaded"
    refused = results["short_bsn.xml"]
    assert (refused.status, refused.reasons) == ("rejected", {"xsd_invalid": 1})
    with engine.connect() as conn:
        reden, line = conn.execute(
            select(meta_quarantine.c.reden, meta_quarantine.c.line).where(
                meta_quarantine.c.reason_code == "xsd_invalid"
            )
        ).one()
    assert line == 34 and "iJw-schema" in reden and "Bsn" in reden
    assert not re.search(r"\d{6,}", reden), reden  # the offending value is masked


def test_a_file_over_the_25_mb_limit_is_refused_unread(warehouse, inbox, pseudonymise):
    big = inbox / "JW323_big.xml"
    with big.open("wb") as handle:
        handle.write(GOLDEN.read_bytes()[:2000])
        handle.truncate(26 * 1024 * 1024)  # sparse: 26 MB on paper, nothing to write
    results, _ = load_all(warehouse, inbox, pseudonymise)
    refused = next(r for r in results if r.path == "JW323_big.xml")
    assert (refused.status, refused.reasons) == ("rejected", {"file_too_large": 1})
    with warehouse.connect() as conn:
        reden = conn.execute(
            select(meta_quarantine.c.reden).where(meta_quarantine.c.reason_code == "file_too_large")
        ).scalar_one()
    assert "25 MB" in reden and "26.0 MB" in reden


def test_inbox_hashes_as_it_parses_and_loads_the_same_bytes_once(warehouse, inbox, pseudonymise, tmp_path):
    """ingest_inbox does not hash at discovery: the parser hashes what it reads, and a file whose bytes are recorded
    (or came earlier in the same batch) is skipped at load, not loaded twice."""
    import os

    from jeugdmonitor.ijw.ingest import ingest_inbox

    declaratie_path = inbox / "2025-05" / "JW323_12345678_0546_DCL202505007.xml"
    shutil.copy(declaratie_path, inbox / "2025-05" / "JW323_kopie.xml")  # same bytes, same batch
    first = ingest_inbox(warehouse, inbox, meta.start_run(warehouse, "test"), pseudonymise)
    assert (first.files["loaded"], first.files["skipped"]) == (2, 1)
    lines = count(warehouse, stg_jw323_prestatie)
    with warehouse.connect() as conn:
        hashes = dict(conn.execute(select(meta_source_file.c.path, meta_source_file.c.sha256)).all())
    assert hashes["2025-05/JW323_12345678_0546_DCL202505007.xml"] == hashlib_sha256(declaratie_path)

    # A month later the same bytes under a new name, and the original touched (a new stamp): both are read, hashed
    # and found recorded; nothing is added.
    (inbox / "2025-06").mkdir()
    shutil.copy(declaratie_path, inbox / "2025-06" / "JW323_weer.xml")
    os.utime(declaratie_path, (1_800_000_000, 1_800_000_000))
    second = ingest_inbox(warehouse, inbox, meta.start_run(warehouse, "test"), pseudonymise)
    assert (second.files["loaded"], second.files["rejected"]) == (0, 0)
    assert second.files["skipped"] == 4
    assert count(warehouse, stg_jw323_prestatie) == lines
    assert count(warehouse, meta_source_file) == 2


def hashlib_sha256(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("seen_size", [0, 3, 70_000, 76_800, 100_000])  # grew, the same, shrank since discovery
def test_a_file_is_read_to_its_end_whatever_size_discovery_saw(tmp_path, seen_size):
    path = tmp_path / "message.xml"
    data = bytes(range(256)) * 300  # 76,800 bytes: more than one read of the size discovery saw
    path.write_bytes(data)
    assert read_file(str(path), MAX_FILE_BYTES, seen_size) == data
    # the cap counts the bytes read, whatever discovery saw: one byte over it and the file is not returned
    assert read_file(str(path), len(data), seen_size) == data
    assert read_file(str(path), len(data) - 1, seen_size) is None
