"""One loading run per warehouse at a time.

PostgreSQL: a session-level advisory lock, held on a connection of its own for the whole run; the server releases
it when that connection ends, so a crashed run never leaves it behind. SQLite: an exclusive `flock` on a file next
to the database, which the operating system releases when the process ends. A second run waits up to `wait`
seconds, then stops with `WarehouseBusy` (and a message a data engineer can act on).
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text

from jeugdmonitor import owner_only

# The lock key names the warehouse: database and schema, so two warehouses in one database do not block each other.
_KEY = "hashtext('jeugdmonitor:' || current_database() || '.' || current_schema())"
_POLL_SECONDS = 0.5


class WarehouseBusy(RuntimeError):
    """Another run holds the warehouse."""


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
        _acquire(lambda: conn.execute(text(f"SELECT pg_try_advisory_lock({_KEY})")).scalar(),
                 wait, "PostgreSQL advisory lock")
        conn.commit()  # the lock is held by the session, not by a transaction
        try:
            yield
        finally:
            conn.execute(text(f"SELECT pg_advisory_unlock({_KEY})"))
            conn.commit()
    finally:
        conn.close()


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
                "Let it finish, or raise runs.wait_seconds; nothing was loaded by this run.")
        time.sleep(_POLL_SECONDS)


def _lock_path(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:":
        return Path(os.environ.get("TMPDIR", "/tmp")) / "jeugdmonitor-memory.lock"
    return Path(f"{database}.lock")
