"""Bookkeeping in the meta_ tables: load runs, source files and quarantine."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, insert, select, text, update

from jeugdmonitor import bulk
from jeugdmonitor.discovery import Stamp, stamp
from schemas.warehouse import (
    meta_load_run,
    meta_quarantine,
    meta_run_figure,
    meta_source_file,
    meta_validation_result,
)
from transforms.reasons import REASONS, Rejection


def now() -> datetime:
    return datetime.now(UTC)


@dataclass
class FileResult:
    """What happened to one delivered file; the run summary adds these up."""

    path: str
    status: str  # loaded, rejected, skipped (seen before) or pending (no loader for this message type yet)
    message_type: str | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    reasons: dict[str, int] = field(default_factory=dict)  # quarantined rows (or the refused file) by reason
    warnings: dict[str, int] = field(default_factory=dict)  # loaded rows that broke a warn rule, by reason

    def to_dict(self) -> dict:
        return asdict(self)


def start_run(engine: Engine, flow_name: str, run_id: str | None = None, key_id: str | None = None) -> str:
    run_id = run_id or str(uuid.uuid4())
    with engine.begin() as conn:
        conn.execute(insert(meta_load_run).values(
            run_id=run_id, flow_name=flow_name, started_at=now(), status="running", files_seen=0, files_loaded=0,
            files_skipped=0, files_rejected=0, rows_read=0, rows_loaded=0, rows_quarantined=0, key_id=key_id,
        ))
    return run_id


def finish_run(engine: Engine, run_id: str, results: Iterable[FileResult], status: str = "completed",
               message: str | None = None) -> None:
    results = list(results)
    counted = [r for r in results if r.status in ("loaded", "rejected")]
    with engine.begin() as conn:
        conn.execute(update(meta_load_run).where(meta_load_run.c.run_id == run_id).values(
            finished_at=now(), status=status, message=message,
            files_seen=len(results),
            files_loaded=sum(r.status == "loaded" for r in results),
            files_skipped=sum(r.status == "skipped" for r in results),
            files_rejected=sum(r.status == "rejected" for r in results),
            rows_read=sum(r.rows_read for r in counted),
            rows_loaded=sum(r.rows_loaded for r in counted),
            rows_quarantined=sum(r.rows_quarantined for r in counted),
        ))


def known_hashes(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(select(meta_source_file.c.sha256)).scalars())


def recorded_stamps(engine: Engine, source: str) -> dict[Stamp, str]:
    """(relative path, size, mtime) -> sha256 of the files of `source` recorded so far, for discovery to skip
    hashing them. Per source, because paths are relative to that source's inbox."""
    columns = (meta_source_file.c.path, meta_source_file.c.size_bytes, meta_source_file.c.modified_at,
               meta_source_file.c.sha256)
    query = select(*columns).where(meta_source_file.c.source == source, meta_source_file.c.modified_at.is_not(None))
    with engine.connect() as conn:
        return {stamp(path, size, modified_at): sha256 for path, size, modified_at, sha256 in conn.execute(query)}


def record_files(conn: Connection, run_id: str, files: list[dict]) -> list[int]:
    """Insert meta_source_file rows (dicts of its columns) and return their file_ids in the same order."""
    if not files:
        return []
    loaded_at = now()
    rows = [{**f, "loaded_at": loaded_at, "load_run_id": run_id} for f in files]
    if conn.dialect.name == "postgresql":
        return _copy_files(conn, rows)
    result = conn.execute(
        insert(meta_source_file).returning(meta_source_file.c.file_id, sort_by_parameter_order=True), rows)
    return list(result.scalars())


# The ids of n new meta_source_file rows in one round trip, from the column's own sequence (so that later inserts
# without an explicit id go on from there).
_NEXT_FILE_IDS = text("select nextval(pg_get_serial_sequence('meta_source_file', 'file_id')) "
                      "from generate_series(1, :n)")


def _copy_files(conn: Connection, rows: list[dict]) -> list[int]:
    """PostgreSQL: take the ids first, then COPY the rows with them. An INSERT ... RETURNING of thousands of rows
    spends most of its time in the driver rewriting the huge multi-row statement."""
    ids = sorted(conn.execute(_NEXT_FILE_IDS, {"n": len(rows)}).scalars())
    columns = [c for c in meta_source_file.c if c.name != "file_id"]
    # Column defaults are applied by SQLAlchemy's insert, not by the server, so COPY needs them filled in.
    defaults = {c.name: c.default.arg for c in columns if c.default is not None and c.default.is_scalar}
    bulk.write_rows(conn, meta_source_file, [
        {"file_id": file_id, **{c.name: row.get(c.name, defaults.get(c.name)) for c in columns}}
        for file_id, row in zip(ids, rows, strict=True)])
    return ids


def record_quarantine(conn: Connection, run_id: str, rejections: list[tuple[int, Rejection]]) -> None:
    """Insert (file_id, Rejection) pairs into meta_quarantine."""
    if rejections:
        conn.execute(insert(meta_quarantine), [
            {"file_id": file_id, "load_run_id": run_id, "line": r.line, "record_key": r.record_key,
             "field": r.field, "reason_code": r.reason_code, "reden": r.reden, "value_masked": r.value_masked}
            for file_id, r in rejections
        ])


def record_validation(conn: Connection, run_id: str, warnings: list[tuple[int, object]]) -> None:
    """Insert (file_id, validation.FileWarning) pairs into meta_validation_result."""
    if warnings:
        conn.execute(insert(meta_validation_result), [
            {"load_run_id": run_id, "file_id": file_id, "suite": w.finding.suite,
             "reason_code": w.finding.reason_code, "severity": w.finding.severity, "scope": w.finding.scope,
             "field": w.finding.field, "rows_evaluated": w.rows_evaluated, "rows_unexpected": w.rows_unexpected,
             "reden": REASONS.get(w.finding.reason_code, w.finding.rule)}
            for file_id, w in warnings
        ])


def record_figures(engine: Engine, run_id: str, figures: list[dict]) -> None:
    """The run summary's figures (RunSummary.figure_rows), the same the run's table artifact shows."""
    if figures:
        with engine.begin() as conn:
            conn.execute(insert(meta_run_figure), [{"load_run_id": run_id, "wat": f["wat"], "detail": f["detail"],
                                                    "aantal": int(f["aantal"])} for f in figures])
