"""Loading iJw files: parse each file on its own, then load a batch of files in one transaction.

A file loads whole or not at all: it is parsed completely (streaming, rows held per file; the standard caps a
file at 25 MB) before anything is written, and a batch of files commits together, so a crash leaves none of the
batch behind and the next run loads it again. Batching matters because most iJw messages hold one client: a
transaction per file would cost more than the parsing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from jeugdmonitor import bulk, meta
from jeugdmonitor.discovery import Delivery
from schemas.warehouse import STAGING_TABLES
from transforms.ijw import xsd
from transforms.ijw.message import sniff_message
from transforms.ijw.records import parse_message
from transforms.ijw.specs import SPECS
from transforms.reasons import FileRejected, Rejection

# Message types with a spec and a staging table; others (retour messages, JW317/319/325) are left in the inbox
# with status pending until they have one, so that adding it later picks them up instead of finding them done.
LOADABLE = frozenset(SPECS) & frozenset(STAGING_TABLES)
# Load order within a run: a toewijzing's JW315 before its JW301, the JW301 before starts, stops and declaraties.
MESSAGE_ORDER = {"JW315": 0, "JW301": 1, "JW305": 2, "JW307": 3, "JW323": 4}


@dataclass
class ParsedFile:
    delivery: Delivery
    message_type: str | None
    rows: list[dict] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    refused: Rejection | None = None  # the whole file is rejected
    pending: bool = False  # no loader for this message type yet

    @property
    def lines_read(self) -> int:
        return len(self.rows) + len(self.rejections)


def parse_file(delivery: Delivery, pseudonymise: Callable[[str], str], xsd_dir: Path | None = None,
               chunk_size: int = 5000) -> ParsedFile:
    """Read one delivered file completely; never raises for bad input, the outcome says what happened."""
    try:
        with delivery.path.open("rb") as stream:
            kind = sniff_message(stream)
    except FileRejected as rejected:
        return ParsedFile(delivery, None, refused=rejected.rejection)
    if kind.code not in LOADABLE:
        return ParsedFile(delivery, kind.code, pending=True)
    parsed = ParsedFile(delivery, kind.code)
    try:
        schema = xsd.load_schema(xsd_dir, kind.code) if xsd_dir else None
        with delivery.path.open("rb") as stream:
            if schema is not None:
                xsd.validate(stream, schema)
                stream.seek(0)
            for chunk in parse_message(stream, SPECS[kind.code], pseudonymise, chunk_size):
                parsed.rows.extend(chunk.rows)
                parsed.rejections.extend(chunk.rejections)
    except FileRejected as rejected:
        return ParsedFile(delivery, kind.code, refused=rejected.rejection)
    return parsed


def load_batch(engine: Engine, run_id: str, batch: list[ParsedFile]) -> list[meta.FileResult]:
    """Write a batch of parsed files in one transaction; returns one FileResult per file."""
    results = [_result(p) for p in batch]
    recorded = [(p, r) for p, r in zip(batch, results, strict=True) if not p.pending]
    if not recorded:
        return results
    with engine.begin() as conn:
        ids = meta.record_files(conn, run_id, [_file_record(p, r) for p, r in recorded])
        by_table: dict[str, list[dict]] = {}
        quarantine: list[tuple[int, Rejection]] = []
        for (parsed, _), file_id in zip(recorded, ids, strict=True):
            if parsed.refused is not None:
                quarantine.append((file_id, parsed.refused))
                continue
            for row in parsed.rows:
                row["file_id"] = file_id
            by_table.setdefault(parsed.message_type, []).extend(parsed.rows)
            quarantine.extend((file_id, r) for r in parsed.rejections)
        for message_type, rows in by_table.items():
            bulk.write_rows(conn, STAGING_TABLES[message_type], rows)
        meta.record_quarantine(conn, run_id, quarantine)
    return results


def _result(parsed: ParsedFile) -> meta.FileResult:
    relative = parsed.delivery.relative
    if parsed.pending:
        return meta.FileResult(relative, "pending", parsed.message_type)
    if parsed.refused is not None:
        return meta.FileResult(relative, "rejected", parsed.message_type, reasons={parsed.refused.reason_code: 1})
    return meta.FileResult(relative, "loaded", parsed.message_type, rows_read=parsed.lines_read,
                           rows_loaded=len(parsed.rows), rows_quarantined=len(parsed.rejections),
                           reasons=dict(Counter(r.reason_code for r in parsed.rejections)))


def _file_record(parsed: ParsedFile, result: meta.FileResult) -> dict:
    d = parsed.delivery
    refused = parsed.refused
    return {"sha256": d.sha256, "source": "ijw", "message_type": parsed.message_type, "path": d.relative,
            "size_bytes": d.size, "modified_at": d.modified_at, "status": result.status,
            "rows_read": result.rows_read, "rows_loaded": result.rows_loaded,
            "rows_quarantined": result.rows_quarantined,
            "reason_code": refused.reason_code if refused else None, "reden": refused.reden if refused else None}


def batches(parsed: Iterable[ParsedFile], max_rows: int = 50_000, max_files: int = 2_000) -> Iterator[list[ParsedFile]]:
    """Group parsed files into load batches that bound memory (rows) and transaction size (files)."""
    batch: list[ParsedFile] = []
    rows = 0
    for item in parsed:
        batch.append(item)
        rows += item.lines_read
        if rows >= max_rows or len(batch) >= max_files:
            yield batch
            batch, rows = [], 0
    if batch:
        yield batch


def ordered(deliveries: Iterable[Delivery]) -> list[Delivery]:
    """Deliveries in load order: by message type (from the file name when it follows the iJw naming convention
    `JWnnn_...`), then by path, so that toewijzingen are in before the starts and declaraties that refer to them."""
    def key(d: Delivery) -> tuple[int, str]:
        prefix = Path(d.relative).name[:5].upper()
        return MESSAGE_ORDER.get(prefix, len(MESSAGE_ORDER)), d.relative
    return sorted(deliveries, key=key)


def load_files(engine: Engine, run_id: str, deliveries: Iterable[Delivery], pseudonymise: Callable[[str], str],
               xsd_dir: Path | None = None, chunk_size: int = 5000) -> list[meta.FileResult]:
    """Parse and load `deliveries` in batches; the convenience the flow and the tests use."""
    results: list[meta.FileResult] = []
    parsed = (parse_file(d, pseudonymise, xsd_dir, chunk_size) for d in ordered(deliveries))
    for batch in batches(parsed, max_rows=max(chunk_size, 1) * 10):
        results.extend(load_batch(engine, run_id, batch))
    return results
