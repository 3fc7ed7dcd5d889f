"""meta.record_files returns the file_ids of its rows in order, on SQLite (INSERT ... RETURNING) and PostgreSQL
(ids from the sequence, then COPY)."""

from datetime import UTC, datetime

from jeugdmonitor.schemas.warehouse import meta_source_file
from sqlalchemy import insert, select

from jeugdmonitor import meta
from jeugdmonitor.discovery import stamp


def file_row(n: int, **extra) -> dict:
    return {
        "sha256": f"{n:064x}",
        "source": "ijw",
        "message_type": "JW323",
        "path": f"f{n}.xml",
        "size_bytes": 1000 + n,
        "modified_at": datetime(2025, 5, 1, 12, 0, n, 123456, tzinfo=UTC),
        "status": "loaded",
        "rows_read": n,
        "rows_loaded": n,
        "rows_quarantined": 0,
        "reason_code": None,
        "reden": None,
        **extra,
    }


def stored(engine) -> dict[int, dict]:
    with engine.connect() as conn:
        return {r["file_id"]: dict(r) for r in conn.execute(select(meta_source_file)).mappings()}


def test_ids_come_back_in_order_and_match_the_rows(warehouse):
    run_id = meta.start_run(warehouse, "test")
    with warehouse.begin() as conn:
        first = meta.record_files(conn, run_id, [file_row(n) for n in (3, 1, 2)])
        assert meta.record_files(conn, run_id, []) == []
    with warehouse.begin() as conn:
        second = meta.record_files(conn, run_id, [file_row(n) for n in (5, 4)])
    ids = first + second
    assert len(set(ids)) == 5 and ids == sorted(ids)
    rows = stored(warehouse)
    assert [rows[i]["sha256"] for i in ids] == [f"{n:064x}" for n in (3, 1, 2, 5, 4)]
    row = rows[first[0]]
    assert (row["path"], row["size_bytes"], row["rows_read"], row["load_run_id"]) == ("f3.xml", 1003, 3, run_id)
    key = stamp("f3.xml", 1003, datetime(2025, 5, 1, 12, 0, 3, 123456, tzinfo=UTC))
    assert meta.recorded_stamps(warehouse, "ijw")[key] == f"{3:064x}"


def test_defaults_are_filled_and_later_inserts_go_on_from_the_ids(warehouse):
    run_id = meta.start_run(warehouse, "test")
    minimal = {k: v for k, v in file_row(7).items() if k not in ("rows_read", "rows_loaded", "rows_quarantined")}
    with warehouse.begin() as conn:
        (recorded,) = meta.record_files(conn, run_id, [minimal])
        later = conn.execute(
            insert(meta_source_file).returning(meta_source_file.c.file_id),
            {**file_row(8), "loaded_at": meta.now(), "load_run_id": run_id},
        ).scalar_one()
    assert later > recorded
    row = stored(warehouse)[recorded]
    assert (row["rows_read"], row["rows_loaded"], row["rows_quarantined"]) == (0, 0, 0)


def test_files_that_give_different_columns_in_one_call_each_keep_their_own(warehouse):
    run_id = meta.start_run(warehouse, "test")
    minimal = {k: v for k, v in file_row(7).items() if k not in ("rows_read", "rows_loaded", "rows_quarantined")}
    rejected = {**file_row(9), "status": "rejected", "reason_code": "xml_invalid", "reden": "kapot"}
    with warehouse.begin() as conn:
        ids = meta.record_files(conn, run_id, [file_row(6), minimal, rejected])
    rows = [stored(warehouse)[i] for i in ids]
    assert [(r["rows_read"], r["reason_code"], r["load_run_id"]) for r in rows] == [
        (6, None, run_id),
        (0, None, run_id),
        (9, "xml_invalid", run_id),
    ]
