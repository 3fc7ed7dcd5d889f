"""Judging refused files and quarantined lines again, from the files still in the inbox, with today's
configuration (layouts, teams, productcodes) and today's warehouse (the JW301s that arrived since).

A delivery is recognised by the sha256 of its bytes, so a normal run never reads a recorded file again: a file
refused for a missing layout, or a line quarantined for a missing JW301, stays where it is until it is judged
again here. Per file, in one transaction:

- the file is read from the inbox and its bytes must still be the recorded ones (else it is reported as changed;
  a file that is gone is reported as gone); the pseudonymisation key must be the one it was loaded with;
- it is parsed and judged whole, as a load judges it (totals, doubles within the file, the warehouse's
  referenties), and the outcome of the lines in scope is taken: a refused file's every line, a loaded file's
  lines with an open quarantine row in scope;
- what passes and is not in the staging table already loads (with the file's own file_id and line), exactly
  once; an open quarantine row whose line now loads is closed `geladen`, one whose line fails for another reason
  is closed `vervangen` and the new reason opens a row; a line that fails for the same reason keeps its row;
- meta_source_file gets the file's new counts (a refused file that now loads becomes `loaded`), and the marts of
  what loaded are marked pending.

So a second reprocess finds the same open rows failing for the same reasons and changes nothing.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, and_, exists, insert, select, update

from jeugdmonitor import meta
from jeugdmonitor.discovery import Delivery, read_file
from jeugdmonitor.ijw import ingest as ingest_ijw
from jeugdmonitor.ijw.rules import apply_jw323_rules
from jeugdmonitor.jgt import ingest as ingest_jgt
from jeugdmonitor.loading import ParsedFile
from jeugdmonitor.marts import pending
from jeugdmonitor.marts.scope import scope_of_files
from jeugdmonitor.schemas.warehouse import (
    STAGING_TABLES,
    meta_load_run,
    meta_quarantine,
    meta_source_file,
    stg_jgt_registratie,
)
from jeugdmonitor.transforms.ijw.specs import SPECS
from jeugdmonitor.transforms.reasons import FileRejected, Rejection
from jeugdmonitor.validation import FileWarning

SOURCES = ("ijw", "jgt")
_PERIODE = re.compile(r"\d{4}-(0[1-9]|1[0-2])")

# What happened to a file judged again (FileResult.status); loaded rows count as in a load.
RELOADED = "reloaded"  # judged again: lines loaded
UNCHANGED = "unchanged"  # judged again: nothing new loads
CHANGED = "changed"  # its bytes in the inbox are not the recorded ones: not judged again
GONE = "gone"  # not in the inbox (any more): not judged again
KEY_CHANGED = "key_changed"  # loaded with another pseudonymisation key: its new lines would not link


@dataclass(frozen=True)
class Scope:
    """Which refused files and quarantined lines to judge again; every given part must hold (none: all)."""

    file: str | None = None  # a path relative to the inbox, or a file_id (digits)
    reason: str | None = None  # a reason code of the open quarantine rows
    source: str | None = None  # ijw or jgt
    periode: date | None = None  # the month of the declaratie (JW323), the export (JGT), or the message's dagtekening
    file_ids: frozenset[int] | None = None  # only these files (the automatic re-judge after new JW301s)

    @classmethod
    def parse(
        cls, file: str | None = None, reason: str | None = None, source: str | None = None, periode: str | None = None
    ) -> Scope:
        """A scope from the command line's words; ValueError with a one-line message for a bad one."""
        if source is not None and source not in SOURCES:
            raise ValueError(f"--source is one of {', '.join(SOURCES)}, not {source!r}")
        if periode is not None and not _PERIODE.fullmatch(periode):
            raise ValueError(f"--periode is a month as YYYY-MM, not {periode!r}")
        month = date(int(periode[:4]), int(periode[5:7]), 1) if periode else None
        return cls(file=file, reason=reason, source=source, periode=month)


@dataclass(frozen=True)
class Sources:
    """What judging a file again needs: the inboxes and today's options of each source's loader."""

    inboxes: dict[str, Path]
    pseudonymise: Callable[[str], str]
    key_id: str
    ijw: ingest_ijw.IjwOptions
    jgt: ingest_jgt.JgtOptions


@dataclass
class Outcome:
    """What reprocess did with one file: its FileResult for the run summary, the quarantine rows it closed, and
    a one-line note (Dutch, for the summary) when it could not be judged again."""

    result: meta.FileResult
    resolved: int = 0
    note: str | None = None


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def results(self) -> list[meta.FileResult]:
        return [o.result for o in self.outcomes]

    @property
    def resolved(self) -> int:
        return sum(o.resolved for o in self.outcomes)

    @property
    def notes(self) -> list[str]:
        return [o.note for o in self.outcomes if o.note]


@dataclass(frozen=True)
class _File:
    file_id: int
    source: str
    path: str
    sha256: str
    status: str
    reason_code: str | None
    key_id: str | None


def reprocess(engine: Engine, run_id: str, scope: Scope, sources: Sources) -> Report:
    """Judge again every file in `scope` that was refused or has open quarantine rows (see the module)."""
    report = Report()
    files = _files_in_scope(engine, scope)
    # the order of a load: a late JW301 judged again before the declaraties that wait for it
    files.sort(key=lambda f: (f.source, ingest_ijw.load_order(f.path) if f.source == "ijw" else (0, f.path)))
    for file in files:
        outcome = _reprocess_file(engine, run_id, file, scope, sources)
        if outcome is not None:  # None: outside the scope's periode
            report.outcomes.append(outcome)
    return report


def waiting_for_jw301(engine: Engine) -> frozenset[int]:
    """The files with open toewijzing_unknown rows (JW323 lines): when a run loads JW301 toewijzingen, their lines
    may find their toewijzing now. The quarantine row keeps only the masked ReferentieNummer, not the
    toewijzingnummer, so these files are judged again (in scope of that reason only) whenever JW301s arrive."""
    q = meta_quarantine.c
    waiting = select(q.file_id).where(q.reason_code == "toewijzing_unknown", q.opgelost_op.is_(None)).distinct()
    with engine.connect() as conn:
        return frozenset(conn.execute(waiting).scalars())


def _files_in_scope(engine: Engine, scope: Scope) -> list[_File]:
    f, q, r = meta_source_file.c, meta_quarantine.c, meta_load_run.c
    open_rows = and_(q.file_id == f.file_id, q.opgelost_op.is_(None))
    if scope.reason is not None:
        open_rows = and_(open_rows, q.reason_code == scope.reason)
    query = (
        select(f.file_id, f.source, f.path, f.sha256, f.status, f.reason_code, r.key_id)
        .join(meta_load_run, r.run_id == f.load_run_id)
        .where(f.source.in_([scope.source] if scope.source else SOURCES), exists().where(open_rows))
        .order_by(f.file_id)
    )
    if scope.file is not None:
        query = query.where(f.file_id == int(scope.file) if scope.file.isdigit() else f.path == scope.file)
    if scope.file_ids is not None:
        query = query.where(f.file_id.in_(sorted(scope.file_ids)))
    with engine.connect() as conn:
        return [_File(*row) for row in conn.execute(query)]


def _reprocess_file(engine: Engine, run_id: str, file: _File, scope: Scope, sources: Sources) -> Outcome | None:
    shown = file.path  # as meta records it: a run of nine digits that passes the 11-proef is hidden already
    if file.key_id is not None and file.key_id != sources.key_id:
        return _not_judged(
            file, KEY_CHANGED, f"{shown}: geladen met een andere pseudonimiseringssleutel; niet opnieuw beoordeeld."
        )
    delivery = _delivery(sources.inboxes[file.source], file)
    if delivery is None:
        return _not_judged(file, GONE, f"{shown}: staat niet (meer) in de inbox; niet opnieuw beoordeeld.")
    if delivery.sha256 != file.sha256:
        return _not_judged(
            file,
            CHANGED,
            f"{shown}: de inhoud is veranderd sinds het bestand is vastgelegd; niet opnieuw beoordeeld "
            "(een gewijzigd bestand is een nieuwe levering: `jeugdmonitor run` laadt het).",
        )
    parsed = _parse(file.source, delivery, sources)
    if scope.periode is not None and _periode(parsed) != scope.periode:
        return None
    with engine.begin() as conn:
        return _judge_again(conn, run_id, file, parsed, scope, sources)


def _not_judged(file: _File, status: str, note: str | None) -> Outcome:
    return Outcome(meta.FileResult(file.path, status), note=note)


def _delivery(inbox: Path, file: _File) -> Delivery | None:
    """The file as it is in the inbox now, hashed; None when it is not there (or not a regular file: discovery
    refuses those unread, and only a file that was read can be judged again)."""
    location = inbox / file.path
    try:
        data = read_file(str(location), max(ingest_ijw.MAX_FILE_BYTES, ingest_jgt.MAX_FILE_BYTES))
        stat = location.stat()
    except (OSError, FileRejected):
        return None
    if data is None:
        return Delivery(str(location), file.path, "", stat.st_size, datetime.fromtimestamp(stat.st_mtime, tz=UTC))
    modified = datetime.fromtimestamp(stat.st_mtime, tz=UTC)
    return Delivery(str(location), file.path, hashlib.sha256(data).hexdigest(), len(data), modified)


def _parse(source: str, delivery: Delivery, sources: Sources) -> ParsedFile:
    if source == "ijw":
        return ingest_ijw.parse_file(delivery, sources.pseudonymise, sources.ijw)
    return ingest_jgt.parse_file(delivery, sources.pseudonymise, sources.jgt)


def _periode(parsed: ParsedFile) -> date | None:
    """The month a file is about: the declaratie's (JW323), the export's (JGT), else the message's dagtekening."""
    if not parsed.rows:
        return None
    if parsed.message_type and parsed.message_type.startswith("JGT"):
        month = parsed.rows[0]["export_maand"]
    else:
        spec = SPECS[parsed.message_type or ""]
        column = "declaratie_periode_begin" if "declaratie_periode_begin" in spec.row_columns else "dagtekening"
        month = parsed.rows[0][spec.row_columns.index(column)]
    return None if month is None else date(month.year, month.month, 1)


def _judge_again(
    conn: Connection, run_id: str, file: _File, parsed: ParsedFile, scope: Scope, sources: Sources
) -> Outcome:
    q = meta_quarantine.c
    open_query = select(q.quarantine_id, q.line, q.reason_code).where(
        q.file_id == file.file_id, q.opgelost_op.is_(None)
    )
    open_rows = conn.execute(open_query.order_by(q.quarantine_id)).all()
    refused = file.status == "rejected"
    warnings = _judge(conn, file.source, parsed, sources)
    if not refused:
        if parsed.refused is not None:
            # a loaded file that would now be refused whole (a layout taken away): what it loaded stays as it was
            return _not_judged(file, UNCHANGED, None)
        # the warnings count the file's rows; its loaded rows were counted when it loaded
        warnings = []
    if parsed.refused is not None:  # refused before, refused again
        rows, failing = [], [parsed.refused]
        in_scope = open_rows
    else:
        lines = None if refused else {r.line for r in open_rows if scope.reason in (None, r.reason_code)}
        in_scope = open_rows if lines is None else [r for r in open_rows if r.line in lines]
        rows = [row for row in parsed.rows if lines is None or _line(row) in lines]
        rows = _not_loaded(conn, file, parsed.message_type, rows)
        failing = [r for r in parsed.rejections if lines is None or r.line in lines]
    loaded_lines = {_line(row) for row in rows}
    ended, new_rows = _matched(list(in_scope), failing)
    closed = [(i, "geladen" if line in loaded_lines or line is None else "vervangen") for i, line in ended]
    if not rows and not closed and not new_rows:
        return _not_judged(file, UNCHANGED, None)
    _write(conn, run_id, file, parsed, rows, new_rows, closed, warnings, refused)
    still = failing
    result = meta.FileResult(
        file.path,
        RELOADED if rows else UNCHANGED,
        parsed.message_type,
        rows_read=len(rows) + len(still),
        rows_loaded=len(rows),
        rows_quarantined=len(still),
        reasons=dict(Counter(r.reason_code for r in still)),
    )
    for w in warnings:
        result.warnings[w.finding.reason_code] = w.rows_unexpected
    return Outcome(result, resolved=len(closed))


def _judge(conn: Connection, source: str, parsed: ParsedFile, sources: Sources) -> list[FileWarning]:
    """The file's business rules, on the whole file as a load judges it (changes `parsed` in place)."""
    if parsed.refused is not None or not parsed.rows:
        return []
    if source == "jgt":
        return ingest_jgt.apply_jgt_rules([parsed], sources.jgt)
    if parsed.message_type == "JW323":
        return apply_jw323_rules(conn, [parsed], (), sources.ijw.productcodes)
    return []


def _line(row) -> int:
    return row["line"] if isinstance(row, dict) else row[_IJW_LINE]


_IJW_LINE = SPECS["JW323"].row_columns.index("line")  # a common column: the same in every message


def _staging(file: _File, message_type: str | None):
    """(staging table, its columns a row fills, the row's values for them without file_id)."""
    if file.source == "jgt":
        columns = tuple(c.name for c in stg_jgt_registratie.c if c.name != "id")
        return stg_jgt_registratie, columns, lambda row: tuple(row.get(c) for c in columns[1:])
    assert message_type is not None
    return STAGING_TABLES[message_type], ingest_ijw._staging_columns(message_type), ingest_ijw._staged(message_type)


def _not_loaded(conn: Connection, file: _File, message_type: str | None, rows: list) -> list:
    """`rows` less those the staging table holds already for this file (as a multiset: a file written on one line
    has every record on line 1): a line loads exactly once."""
    if not rows:
        return rows
    table, columns, values = _staging(file, message_type)
    lines = sorted({_line(r) for r in rows})
    query = select(*(table.c[c] for c in columns)).where(table.c.file_id == file.file_id, table.c.line.in_(lines))
    held = Counter(tuple(r) for r in conn.execute(query))
    out = []
    for row in rows:
        key = (file.file_id, *values(row))
        if held[key] > 0:
            held[key] -= 1
        else:
            out.append(row)
    return out


def _matched(open_rows: list, failing: list[Rejection]) -> tuple[list[tuple[int, int | None]], list[Rejection]]:
    """Open quarantine rows against the failures of the new judgement, by (line, reason): as many open rows as
    there are failures stay open; the open rows beyond them are closed ((quarantine_id, line)); the failures
    beyond them are new rows."""
    open_by: dict[tuple, list] = {}
    failing_by: dict[tuple, list[Rejection]] = {}
    for row in open_rows:
        open_by.setdefault((row.line, row.reason_code), []).append(row)
    for rejection in failing:
        failing_by.setdefault((rejection.line, rejection.reason_code), []).append(rejection)
    closed = [
        (row.quarantine_id, row.line) for key, rows in open_by.items() for row in rows[len(failing_by.get(key, [])) :]
    ]
    new = [r for key, found in failing_by.items() for r in found[len(open_by.get(key, [])) :]]
    return closed, new


def _write(
    conn: Connection,
    run_id: str,
    file: _File,
    parsed: ParsedFile,
    rows: list,
    new_rows: list[Rejection],
    closed: list[tuple[int, str]],
    warnings: list[FileWarning],
    refused: bool,
) -> None:
    table, columns, values = _staging(file, parsed.message_type)
    if rows:
        conn.execute(insert(table), [dict(zip(columns, (file.file_id, *values(r)), strict=True)) for r in rows])
    stamp = meta.now()
    for quarantine_id, how in closed:
        conn.execute(
            update(meta_quarantine)
            .where(meta_quarantine.c.quarantine_id == quarantine_id)
            .values(opgelost_door_run=run_id, opgelost_op=stamp, opgelost_als=how)
        )
    meta.record_quarantine(conn, run_id, [(file.file_id, r) for r in new_rows])
    meta.record_validation(conn, run_id, [(file.file_id, w) for w in warnings])
    q = meta_quarantine.c
    open_count = conn.execute(
        select(q.quarantine_id).where(q.file_id == file.file_id, q.opgelost_op.is_(None), q.line.is_not(None))
    ).all()
    changes: dict = {"rows_quarantined": len(open_count)}
    if parsed.refused is not None:
        changes |= {"reason_code": parsed.refused.reason_code, "reden": parsed.refused.reden}
    elif refused or rows:
        f = meta_source_file.c
        loaded = conn.execute(select(f.rows_loaded).where(f.file_id == file.file_id)).scalar_one()
        changes |= {"rows_loaded": (0 if refused else loaded) + len(rows)}
        if refused:
            changes |= {
                "status": "loaded",
                "message_type": parsed.message_type,
                "rows_read": parsed.lines_read,
                "reason_code": None,
                "reden": None,
            }
    conn.execute(update(meta_source_file).where(meta_source_file.c.file_id == file.file_id).values(**changes))
    if rows:
        pending.mark(conn, scope_of_files(conn, lambda column: column == file.file_id), run_id)
