"""Bookkeeping in the meta_ tables: load runs, source files and quarantine."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from operator import itemgetter
from typing import TYPE_CHECKING

from sqlalchemy import Column, Connection, Engine, Text, bindparam, insert, inspect, select, text, update
from sqlalchemy.sql.schema import ScalarElementColumnDefault

from jeugdmonitor import bulk
from jeugdmonitor.discovery import Stamp, stamp
from jeugdmonitor.pseudonym import KeyMismatch
from jeugdmonitor.schemas.warehouse import (
    meta_load_run,
    meta_quarantine,
    meta_run_figure,
    meta_source_file,
    meta_validation_result,
)
from jeugdmonitor.transforms.reasons import REASONS, Rejection

if TYPE_CHECKING:
    from jeugdmonitor.validation import FileWarning


def now() -> datetime:
    return datetime.now(UTC)


@dataclass
class FileResult:
    """What happened to one delivered file; the run summary adds these up."""

    path: str
    # loaded, rejected, skipped (loaded before), refused_before (seen before and refused: skipped, `jeugdmonitor
    # reprocess` judges it again), pending (no loader for this message type yet); a reprocess run's own statuses
    # are in jeugdmonitor.reprocess (reloaded: judged again and lines loaded; unchanged, changed, gone, key_changed)
    status: str
    message_type: str | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    reasons: dict[str, int] = field(default_factory=dict)  # quarantined rows (or the refused file) by reason
    warnings: dict[str, int] = field(default_factory=dict)  # loaded rows that broke a warn rule, by reason

    def to_dict(self) -> dict:
        return asdict(self)


# The statuses whose rows a tally adds up: files read in this run (a reprocess's `reloaded` included).
_ROWS_COUNTED = frozenset({"loaded", "rejected", "reloaded"})


@dataclass
class FileTally:
    """What a run did with its files, as counts. A national year brings millions of files, so the tally keeps
    one FileResult only for the files worth showing (rejected, or with quarantined rows), the first `shown_max`."""

    shown_max: int = 500
    files: Counter = field(default_factory=Counter)  # by status
    rows_read: int = 0  # of the files loaded or rejected in this run
    rows_loaded: int = 0
    rows_quarantined: int = 0
    reasons: Counter = field(default_factory=Counter)
    warnings: Counter = field(default_factory=Counter)
    pending_types: Counter = field(default_factory=Counter)
    loaded_types: Counter = field(default_factory=Counter)  # files that loaded rows, by message type
    shown: list[FileResult] = field(default_factory=list)

    def add(self, results: FileTally | Iterable[FileResult]) -> FileTally:
        if isinstance(results, FileTally):
            return self._merge(results)
        for r in results:
            self.files[r.status] += 1
            if r.status == "pending":
                self.pending_types[r.message_type or "?"] += 1
            if r.status not in _ROWS_COUNTED:
                continue
            if r.rows_loaded:
                self.loaded_types[r.message_type or "?"] += 1
            self.rows_read += r.rows_read
            self.rows_loaded += r.rows_loaded
            self.rows_quarantined += r.rows_quarantined
            if r.reasons:
                self.reasons.update(r.reasons)
            if r.warnings:
                self.warnings.update(r.warnings)
            if (r.status == "rejected" or r.rows_quarantined) and len(self.shown) < self.shown_max:
                self.shown.append(r)
        return self

    __iadd__ = add

    def add_skipped(self, count: int, refused: int = 0) -> FileTally:
        """`count` files seen before, `refused` of them refused then: a second run over a national inbox skips
        millions, so they are only counted."""
        self.files["skipped"] += count - refused
        if refused:
            self.files["refused_before"] += refused
        return self

    def _merge(self, other: FileTally) -> FileTally:
        self.rows_read += other.rows_read
        self.rows_loaded += other.rows_loaded
        self.rows_quarantined += other.rows_quarantined
        for mine, theirs in (
            (self.files, other.files),
            (self.reasons, other.reasons),
            (self.warnings, other.warnings),
            (self.pending_types, other.pending_types),
            (self.loaded_types, other.loaded_types),
        ):
            mine.update(theirs)
        self.shown += other.shown[: max(0, self.shown_max - len(self.shown))]
        return self

    @property
    def seen(self) -> int:
        return sum(self.files.values())


def warehouse_key_id(engine: Engine) -> str | None:
    """The fingerprint of the key of the warehouse's latest run (None: no run yet, or no warehouse yet)."""
    with engine.connect() as conn:
        if not inspect(conn).has_table(meta_load_run.name):
            return None
        return conn.execute(
            select(meta_load_run.c.key_id)
            .where(meta_load_run.c.key_id.is_not(None))
            .order_by(meta_load_run.c.started_at.desc())
            .limit(1)
        ).scalar()


def check_key(engine: Engine, key_id: str) -> None:
    """KeyMismatch when the warehouse's pseudonyms were made with another key than the one with `key_id`."""
    known = warehouse_key_id(engine)
    if known is not None and known != key_id:
        raise KeyMismatch(
            f"the pseudonymisation key (fingerprint {key_id}) is not this warehouse's key ({known}): its pseudonyms "
            "would not link to the ones already loaded, so nothing is loaded. Use the warehouse's key, or rotate "
            "as docs/privacy.md describes (a new warehouse, reloaded from the archived inbox)"
        )


def start_run(engine: Engine, flow_name: str, run_id: str | None = None, key_id: str | None = None) -> str:
    run_id = run_id or str(uuid.uuid4())
    with engine.begin() as conn:
        conn.execute(
            insert(meta_load_run).values(
                run_id=run_id,
                flow_name=flow_name,
                started_at=now(),
                status="running",
                files_seen=0,
                files_loaded=0,
                files_skipped=0,
                files_rejected=0,
                rows_read=0,
                rows_loaded=0,
                rows_quarantined=0,
                key_id=key_id,
            )
        )
    return run_id


def abort_stale_runs(engine: Engine, by_run: str) -> list[str]:
    """Mark the runs other than `by_run` still `running` as aborted: called under the warehouse lock, so none of
    them is loading now (each was killed, or lost its lock and stopped). Their committed batches stay: every
    batch is whole, and the marts they changed are marked pending. Returns their run ids."""
    run = meta_load_run.c
    with engine.begin() as conn:
        stale = list(conn.execute(select(run.run_id).where(run.status == "running", run.run_id != by_run)).scalars())
        if stale:
            conn.execute(
                update(meta_load_run)
                .where(run.run_id.in_(stale))
                .values(
                    status="aborted",
                    finished_at=now(),
                    message=f"ended without finishing (killed, crashed or lost the warehouse lock); found by {by_run}",
                )
            )
    return stale


def finish_run(
    engine: Engine,
    run_id: str,
    results: FileTally | Iterable[FileResult],
    status: str = "completed",
    message: str | None = None,
) -> None:
    tally = results if isinstance(results, FileTally) else FileTally().add(results)
    with engine.begin() as conn:
        conn.execute(
            update(meta_load_run)
            .where(meta_load_run.c.run_id == run_id)
            .values(
                finished_at=now(),
                status=status,
                message=message,
                files_seen=tally.seen,
                files_loaded=tally.files["loaded"] + tally.files["reloaded"],
                files_skipped=tally.files["skipped"] + tally.files["refused_before"],
                files_rejected=tally.files["rejected"],
                rows_read=tally.rows_read,
                rows_loaded=tally.rows_loaded,
                rows_quarantined=tally.rows_quarantined,
            )
        )


def known_hashes(engine: Engine, among: Iterable[str] | None = None) -> set[str]:
    """The sha256 of every recorded file, or only those of `among` that are recorded (a folder's worth: a
    national inbox's full set would not fit in memory)."""
    with engine.connect() as conn:
        if among is None:
            return set(conn.execute(select(meta_source_file.c.sha256)).scalars())
        return recorded_hashes(conn, among)


def recorded_hashes(conn: Connection, among: Iterable[str]) -> set[str]:
    """Those of the sha256 values `among` that meta_source_file holds, inside the caller's transaction."""
    column = meta_source_file.c.sha256
    return {r.sha256 for r in bulk.rows_where_in(conn, select(column), column, sorted(set(among)))}


def refused_hashes(
    conn: Connection, source: str, within: tuple[str, str] | None = None, among: Iterable[str] | None = None
) -> set[str]:
    """The sha256 of the files of `source` recorded as refused (status rejected), of the paths `within` (as in
    recorded_stamps) or of the hashes `among`: a run tells the files it skips as refused before from those loaded
    before. Read through the (source, status, path) index: the refused are few."""
    f = meta_source_file
    query = select(f.c.sha256).where(f.c.source == source, f.c.status == "rejected")
    if among is not None:
        wanted = sorted(set(among))
        return {r.sha256 for r in bulk.rows_where_in(conn, query, f.c.sha256, wanted)} if wanted else set()
    if within is not None:
        query = query.where(
            f.c.path.between(bindparam("first", within[0], type_=Text), bindparam("last", within[1], type_=Text))
        )
    return set(conn.execute(query).scalars())


def recorded_stamps(engine: Engine, source: str, within: tuple[str, str] | None = None) -> dict[Stamp, str]:
    """(relative path, size, mtime) -> sha256 of the files of `source` recorded so far, for discovery to skip
    hashing them; per source, because paths are relative to that source's inbox. `within`: only the paths from
    the first to the last (inclusive, by code point: the column's collation is "C" on PostgreSQL, and SQLite
    compares bytes). A folder's files are one range of the (source, path) index, read in one pass: a probe per
    path was half of a second run over a national inbox."""
    f = meta_source_file
    query = select(f.c.path, f.c.size_bytes, f.c.modified_at, f.c.sha256).where(
        f.c.source == source, f.c.modified_at.is_not(None)
    )
    if within is not None:
        # parameters of plain text: the column's own collation decides (a bind of the column's type renders its
        # COLLATE clause where PostgreSQL does not take one)
        query = query.where(
            f.c.path.between(bindparam("first", within[0], type_=Text), bindparam("last", within[1], type_=Text))
        )
    with engine.connect() as conn:
        found = conn.execute(query).all()
    return {stamp(path, size, modified_at): sha256 for path, size, modified_at, sha256 in found}


def record_files(conn: Connection, run_id: str, files: list[dict]) -> list[int]:
    """Insert meta_source_file rows (dicts of its columns) and return their file_ids in the same order."""
    if not files:
        return []
    ids = _next_file_ids(conn, len(files))
    # Columns a file does not give get their default (applied by SQLAlchemy's insert, not by the server, so a bulk
    # write fills them in); loaded_at and load_run_id are the same for the whole batch.
    batch = {"loaded_at": now(), "load_run_id": run_id}
    fill = {c.name: batch.get(c.name, _scalar_default(c)) for c in meta_source_file.c if c.name != "file_id"}
    given = [name for name in fill if name in files[0] and name not in batch]
    rest = {name: value for name, value in fill.items() if name not in given}
    tail = tuple(rest.values())
    keys = files[0].keys()
    if len(given) > 1 and all(f.keys() == keys for f in files):  # as every loader makes them: one C call per row
        take = itemgetter(*given)
        values = [(file_id, *take(f), *tail) for file_id, f in zip(ids, files, strict=True)]
    else:
        values = [
            (file_id, *[batch[n] if n in batch else f.get(n, fill[n]) for n in [*given, *rest]])
            for file_id, f in zip(ids, files, strict=True)
        ]
    bulk.write_tuples(conn, meta_source_file, ["file_id", *given, *rest], values)
    return ids


def _scalar_default(column: Column) -> object:
    """The column's default when it is a plain value, which SQLAlchemy's insert would fill in; else None."""
    default = column.default
    return default.arg if isinstance(default, ScalarElementColumnDefault) else None


# The ids of n new meta_source_file rows in one round trip, from the column's own sequence (so that later inserts
# without an explicit id go on from there). SQLite has one writer at a time, and its rowid goes on from the max.
_NEXT_FILE_IDS = text(
    "select nextval(pg_get_serial_sequence('meta_source_file', 'file_id')) from generate_series(1, :n)"
)
_MAX_FILE_ID = text("select coalesce(max(file_id), 0) from meta_source_file")


def _next_file_ids(conn: Connection, n: int) -> list[int]:
    if conn.dialect.name == "postgresql":
        return sorted(conn.execute(_NEXT_FILE_IDS, {"n": n}).scalars())
    first = conn.execute(_MAX_FILE_ID).scalar_one() + 1
    return list(range(first, first + n))


def record_quarantine(conn: Connection, run_id: str, rejections: list[tuple[int, Rejection]]) -> None:
    """Insert (file_id, Rejection) pairs into meta_quarantine."""
    if rejections:
        conn.execute(
            insert(meta_quarantine),
            [
                {
                    "file_id": file_id,
                    "load_run_id": run_id,
                    "line": r.line,
                    "record_key": r.record_key,
                    "field": r.field,
                    "reason_code": r.reason_code,
                    "reden": r.reden,
                    "value_masked": r.value_masked,
                }
                for file_id, r in rejections
            ],
        )


def record_validation(conn: Connection, run_id: str, warnings: list[tuple[int, FileWarning]]) -> None:
    """Insert (file_id, FileWarning) pairs into meta_validation_result."""
    if warnings:
        conn.execute(
            insert(meta_validation_result),
            [
                {
                    "load_run_id": run_id,
                    "file_id": file_id,
                    "suite": w.finding.suite,
                    "reason_code": w.finding.reason_code,
                    "severity": w.finding.severity,
                    "scope": w.finding.scope,
                    "field": w.finding.field,
                    "rows_evaluated": w.rows_evaluated,
                    "rows_unexpected": w.rows_unexpected,
                    "reden": REASONS.get(w.finding.reason_code, w.finding.rule),
                }
                for file_id, w in warnings
            ],
        )


def record_figures(engine: Engine, run_id: str, figures: list[dict]) -> None:
    """The run summary's figures (RunSummary.figure_rows), the same the run's table artifact shows."""
    if figures:
        with engine.begin() as conn:
            conn.execute(
                insert(meta_run_figure),
                [
                    {"load_run_id": run_id, "wat": f["wat"], "detail": f["detail"], "aantal": int(f["aantal"])}
                    for f in figures
                ],
            )
