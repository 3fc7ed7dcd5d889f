"""One loading run per warehouse at a time.

PostgreSQL: a session-level advisory lock, held on a connection of its own for the whole run; the server releases
it when that connection ends, so a crashed run never leaves it behind. SQLite: an exclusive `flock` on a file next
to the database, which the operating system releases when the process ends. A second run waits up to `wait`
seconds, then stops with `WarehouseBusy` (and a message a data engineer can act on).

A PostgreSQL lock can be lost while the run goes on: its connection dropped or terminated (pg_terminate_backend,
a restarted server). So while a process holds the lock, every transaction it begins on that warehouse first asks
the lock connection whether it still holds the lock (one round trip); when not, the transaction is not started
and `LockLost` stops the run, before it could write beside a run that took the lock since. What committed stays
(every write is a whole transaction) and the next run finishes the rest (meta_mart_pending, docs/operations.md).
A `flock` cannot be lost while its process lives, so SQLite needs no check.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, event, text
from sqlalchemy.exc import SQLAlchemyError

from jeugdmonitor import owner_only

# The lock key names the warehouse: database and schema, so two warehouses in one database do not block each other.
_KEY = "hashtext('jeugdmonitor:' || current_database() || '.' || current_schema())"
_POLL_SECONDS = 0.5
# Held by this backend, this key: for a bigint key pg_locks shows the high half as classid, the low as objid.
_STILL_HELD = text(f"""SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted
    AND pid = pg_backend_pid() AND objsubid = 1
    AND (classid::bigint << 32 | objid::bigint) = ({_KEY})::bigint)""")


class WarehouseBusy(RuntimeError):
    """Another run holds the warehouse."""


class LockLost(RuntimeError):
    """This run no longer holds the warehouse: it must not write."""


@dataclass
class _Hold:
    conn: Connection  # the session that holds the advisory lock
    lost: bool = False  # once lost, never asked again: the session is gone, a new one would not hold it


# The PostgreSQL locks this process holds, by warehouse URL.
_held: dict[str, _Hold] = {}
_asking = threading.Lock()  # a Connection is not for two threads at once (the iJw writer thread and the flow's)


@contextmanager
def warehouse_lock(engine: Engine, wait: float = 0.0) -> Iterator[None]:
    """Hold the warehouse for the duration of the block; raise WarehouseBusy after `wait` seconds."""
    if engine.dialect.name == "postgresql":
        with _advisory(engine, wait):
            yield
    else:
        with _file_lock(_lock_path(engine), wait):
            yield


@contextmanager
def _advisory(engine: Engine, wait: float) -> Iterator[None]:
    conn = engine.connect()
    try:
        _acquire(
            lambda: conn.execute(text(f"SELECT pg_try_advisory_lock({_KEY})")).scalar(),
            wait,
            "PostgreSQL advisory lock",
        )
        conn.commit()  # the lock is held by the session, not by a transaction
        key = _warehouse(engine)
        _held[key] = hold = _Hold(conn)
        try:
            yield
        finally:
            del _held[key]
            _release(hold)
    finally:
        conn.close()


def _release(hold: _Hold) -> None:
    if not hold.lost:
        try:
            hold.conn.execute(text(f"SELECT pg_advisory_unlock({_KEY})"))
            hold.conn.commit()
            return
        except SQLAlchemyError:
            pass
    hold.conn.invalidate()  # the session is gone, and the server released its lock with it


def _warehouse(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


@event.listens_for(Engine, "begin")
def _check_held(conn: Connection) -> None:
    """Before any transaction on a warehouse whose lock this process holds: is it still held?"""
    hold = _held.get(_warehouse(conn.engine))
    if hold is None or conn is hold.conn:
        return
    with _asking:
        if not hold.lost:
            try:
                hold.lost = not hold.conn.execute(_STILL_HELD).scalar()
                hold.conn.commit()
            except SQLAlchemyError:
                hold.lost = True
    if hold.lost:
        raise LockLost(
            "this run lost the warehouse lock (the PostgreSQL connection that held it ended); it stops before "
            "its next write so that it cannot write beside another run. What it committed stays; the next run "
            "marks it aborted and finishes the rest."
        )


@contextmanager
def _file_lock(path: Path, wait: float) -> Iterator[None]:
    owner_only.make_dir(path.parent)
    handle = os.open(path, os.O_RDWR | os.O_CREAT, owner_only.FILE_MODE)
    try:

        def attempt() -> bool:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                return False

        _acquire(attempt, wait, f"lock file {path}")
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        os.close(handle)


def _acquire(attempt, wait: float, what: str) -> None:
    deadline = time.monotonic() + wait
    while not attempt():
        if time.monotonic() >= deadline:
            raise WarehouseBusy(
                f"another jeugdmonitor run is loading this warehouse ({what}); waited {wait:.0f} s. "
                "Let it finish, or raise runs.wait_seconds; nothing was loaded by this run."
            )
        time.sleep(_POLL_SECONDS)


def _lock_path(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:":
        return Path(os.environ.get("TMPDIR", "/tmp")) / "jeugdmonitor-memory.lock"
    return Path(f"{database}.lock")
