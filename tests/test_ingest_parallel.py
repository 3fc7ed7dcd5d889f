"""Parsing in worker processes gives exactly what parsing in the flow's own process gives."""

import hashlib

from sqlalchemy import text

from jeugdmonitor import meta
from jeugdmonitor.discovery import discover
from jeugdmonitor.ijw.ingest import IjwOptions, load_files
from jeugdmonitor.synthetic import generate
from jeugdmonitor.warehouse import make_engine, upgrade

TABLES = ("stg_jw301_toewijzing", "stg_jw305_start", "stg_jw307_stop", "stg_jw315_verzoek", "stg_jw323_prestatie")


def fingerprint(url: str) -> dict:
    engine = make_engine(url)
    with engine.connect() as conn:
        result = {
            t: tuple(conn.execute(text(f"select count(*), count(distinct client_pseudonym), sum(line) from {t}")).one())
            for t in TABLES
        }
        result["quarantine"] = sorted(
            tuple(r)
            for r in conn.execute(
                text(
                    "select f.path, q.line, q.reason_code from meta_quarantine q join meta_source_file f using "
                    "(file_id)"
                )
            )
        )
        # each file's record pairs its own path with the hash of its own bytes (the workers send back only the hash)
        result["files"] = sorted(
            tuple(r)
            for r in conn.execute(text("select path, sha256, size_bytes, status, rows_read from meta_source_file"))
        )
    engine.dispose()
    return result


def test_two_workers_load_the_same_as_one(tmp_path, pseudonymise):
    generate(tmp_path / "inbox", gemeenten=["GM0638"], start="2025-01", months=2, scale=0.3, defects=0.05)
    prints = []
    for workers in (1, 2):
        url = f"sqlite:///{tmp_path / f'w{workers}.sqlite'}"
        engine = make_engine(url)
        upgrade(engine)
        new, _ = discover(tmp_path / "inbox" / "ijw", (".xml",), set())
        assert len(new) >= 100  # below that the pool is not used
        load_files(
            engine, meta.start_run(engine, "test"), new, pseudonymise, IjwOptions(workers=workers, files_per_chunk=7)
        )
        engine.dispose()
        prints.append(fingerprint(url))
    assert prints[0] == prints[1]
    assert prints[0]["stg_jw323_prestatie"][0] > 0 and prints[0]["quarantine"]
    on_disk = {d.relative: hashlib.sha256(d.path.read_bytes()).hexdigest() for d in new}
    assert {path: sha256 for path, sha256, *_ in prints[1]["files"]} == on_disk
