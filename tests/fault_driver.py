"""The `jeugdmonitor` command line with a pause at one stage, for the fault tests (tests/flows/test_faults.py).

    python -m tests.fault_driver STAGE MARKER jeugdmonitor-args...

When the run reaches STAGE it writes MARKER (with the PostgreSQL backend pid of the connection it is writing on,
when it is inside a transaction) and waits until MARKER.go exists; a test kills it meanwhile, or cuts a
connection and lets it go on. The pause is put in from here, by wrapping one function: production code has no
test hook. Every pause sits after something has committed, so that a crash leaves a partly done run behind.
"""

from __future__ import annotations

import importlib
import os
import sys
import time
from pathlib import Path
from unittest import mock


def _pause(marker: Path, conn=None) -> None:
    pid = (
        conn.exec_driver_sql("select pg_backend_pid()").scalar()
        if conn is not None and conn.dialect.name == "postgresql"
        else ""
    )
    marker.write_text(f"{os.getpid()} {pid}")
    go = marker.with_suffix(".go")
    while not go.exists():
        time.sleep(0.05)


def _on_call(target: str, number: int, marker: Path, conn_of=None):
    """Patch `target` to pause before its `number`-th call (conn_of(args) names the connection it writes on)."""
    module, name = target.rsplit(".", 1)
    original = getattr(importlib.import_module(module), name)
    calls = []

    def wrapper(*args, **kwargs):
        calls.append(1)
        if len(calls) == number:
            _pause(marker, conn_of(args) if conn_of else None)
        return original(*args, **kwargs)

    return mock.patch(target, wrapper)


def _marts_second_gemeente(marker: Path):
    build = importlib.import_module("jeugdmonitor.marts.build")  # the module, not the function of that name
    original, seen = build._replace, []

    def wrapper(conn, spec, gemeente, *rest):
        if gemeente not in seen:
            seen.append(gemeente)
            if len(seen) == 2:  # the first gemeente's marts are committed; the second's are being written
                _pause(marker, conn)
        return original(conn, spec, gemeente, *rest)

    return mock.patch.object(build, "_replace", wrapper)


PAUSES = {
    # between two iJw load batches: the first committed, the next not begun
    "ingest": lambda m: _on_call("jeugdmonitor.ijw.ingest.load_batch", 2, m),
    # inside the second iJw load batch's transaction
    "ingest-tx": lambda m: _on_call("jeugdmonitor.meta.record_quarantine", 2, m, conn_of=lambda a: a[0]),
    # inside the second CBS table's transaction: the first table committed
    "cbs": lambda m: _on_call("jeugdmonitor.cbs.ingest._load_version", 2, m, conn_of=lambda a: a[0]),
    "marts": _marts_second_gemeente,
    # the load is recorded complete; the alerts step starts
    "alerts": lambda m: _on_call("jeugdmonitor.flows.tasks.run_alerts", 1, m),
}


def main() -> None:
    stage, marker, *args = sys.argv[1:]
    with PAUSES[stage](Path(marker)):
        from jeugdmonitor.cli import app

        app(args, prog_name="jeugdmonitor")


if __name__ == "__main__":
    main()
