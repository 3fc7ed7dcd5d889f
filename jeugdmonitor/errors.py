"""Expected errors: what a data engineer fixes outside the code (a wrong setting, an unreachable database, a busy
warehouse, a missing or changed key, no warehouse yet, a missing inbox). The command line shows each as one line
and exits non-zero (`explain`); anything not named here is a bug and keeps its traceback. `--debug` (or
JEUGDMONITOR_DEBUG=1) shows the traceback of an expected error too.

A flow run logs the exception that ended it with its traceback; `QuietExpected` keeps the log line of an expected
one and drops its traceback, so `jeugdmonitor run` on a busy warehouse reads as what it is.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from pydantic import ValidationError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, InterfaceError, OperationalError, ProgrammingError

from jeugdmonitor.config import ConfigError, validation_lines
from jeugdmonitor.inbox import InboxMissing
from jeugdmonitor.locking import LockLost, WarehouseBusy
from jeugdmonitor.pseudonym import PseudonymKeyError
from jeugdmonitor.redact import masked_url
from jeugdmonitor.warehouse import NoWarehouse

# Exit codes: the setup must change (configuration, key, paths), or the same command may work later (busy, down).
SETUP = 2
LATER = 1
INSUFFICIENT_PRIVILEGE = "42501"  # PostgreSQL's SQLSTATE


@dataclass(frozen=True)
class Explained:
    message: str  # one line, or one line per wrong configuration key
    exit_code: int


def explain(exc: BaseException, warehouse_url: str | None = None) -> Explained | None:
    """The message for an expected error, or None for anything else. `warehouse_url`: the configured warehouse,
    named (masked) when the database cannot be reached."""
    if isinstance(exc, ValidationError):
        return Explained(
            "the configuration is not valid:\n" + "\n".join(f"  {line}" for line in validation_lines(exc)), SETUP
        )
    if isinstance(exc, ConfigError | PseudonymKeyError | NoWarehouse | InboxMissing):
        return Explained(str(exc), SETUP)
    if isinstance(exc, WarehouseBusy | LockLost):
        return Explained(str(exc), LATER)
    if isinstance(exc, ArgumentError):  # also NoSuchModuleError: `postgres://`, a driver that is not installed
        return Explained(f"warehouse.url is not a usable database URL: {_first_line(exc)}", SETUP)
    if isinstance(exc, OperationalError | InterfaceError):
        where = f" {masked_url(warehouse_url)}" if warehouse_url else ""
        reason = _without_password(_first_line(exc.orig if exc.orig is not None else exc), warehouse_url)
        return Explained(f"cannot use the warehouse database{where}: {reason}", LATER)
    if isinstance(exc, ProgrammingError) and getattr(exc.orig, "sqlstate", None) == INSUFFICIENT_PRIVILEGE:
        # e.g. `db lezer` as a loader without CREATEROLE: the server's message names the privilege, not data
        return Explained(
            f"the warehouse database refused: {_first_line(exc.orig or exc)} (the user of warehouse.url lacks this "
            "privilege; docs/production.md says which role does what)",
            SETUP,
        )
    return None


def _first_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


def _without_password(text: str, url: str | None) -> str:
    """A driver never puts the password in its message, as far as we know; should one do so, it is masked here."""
    if not url:
        return text
    try:
        password = make_url(url).password
    except ArgumentError:
        return text
    return text.replace(str(password), "***") if password else text


class QuietExpected(logging.Filter):
    """Drops the traceback from a log record of an expected error; the record's line stays."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None and explain(record.exc_info[1]) is not None:
            record.exc_info = None
            record.exc_text = None
        return True


# The loggers of flow and task runs (Prefect logs the exception that ends a run on them, with its traceback).
RUN_LOGGERS = ("prefect.flow_runs", "prefect.task_runs")


def quiet_expected_in_run_logs(quiet: bool = True) -> None:
    """Drop (or, with quiet=False, keep again) the tracebacks of expected errors in the run loggers."""
    for name in RUN_LOGGERS:
        logger = logging.getLogger(name)
        for old in [f for f in logger.filters if isinstance(f, QuietExpected)]:
            logger.removeFilter(old)
        if quiet:
            logger.addFilter(QuietExpected())
