"""Loading one iJw file into the warehouse: one transaction per file, so it loads whole or not at all."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine

from jeugdmonitor import bulk, meta
from jeugdmonitor.discovery import Delivery
from schemas.warehouse import STAGING_TABLES
from transforms.ijw import xsd
from transforms.ijw.message import sniff_message
from transforms.ijw.records import parse_message
from transforms.ijw.specs import SPECS
from transforms.reasons import FileRejected

# Message types with a spec and a staging table; others (retour messages, JW317/319/325) are left in the inbox
# with status pending until they have one, so that adding it later picks them up instead of finding them done.
LOADABLE = frozenset(SPECS) & frozenset(STAGING_TABLES)


def load_ijw_file(engine: Engine, delivery: Delivery, run_id: str, pseudonymise: Callable[[str], str],
                  chunk_size: int = 5000, xsd_dir: Path | None = None) -> meta.FileResult:
    try:
        with delivery.path.open("rb") as stream:
            kind = sniff_message(stream)
    except FileRejected as rejected:
        return _reject(engine, delivery, run_id, None, rejected)
    if kind.code not in LOADABLE:
        return meta.FileResult(delivery.relative, "pending", kind.code)
    try:
        schema = xsd.load_schema(xsd_dir, kind.code) if xsd_dir else None
        if schema is not None:
            with delivery.path.open("rb") as stream:
                xsd.validate(stream, schema)
        return _load(engine, delivery, run_id, kind.code, pseudonymise, chunk_size)
    except FileRejected as rejected:
        # The transaction of _load rolled back; record the refusal on its own.
        return _reject(engine, delivery, run_id, kind.code, rejected)


def _load(engine, delivery, run_id, message_type, pseudonymise, chunk_size) -> meta.FileResult:
    table, spec = STAGING_TABLES[message_type], SPECS[message_type]
    result = meta.FileResult(delivery.relative, "loaded", message_type)
    reasons: Counter[str] = Counter()
    with engine.begin() as conn, delivery.path.open("rb") as stream:
        file_id = meta.record_file(conn, sha256=delivery.sha256, source="ijw", path=delivery.relative,
                                   size=delivery.size, modified_at=delivery.modified_at, run_id=run_id,
                                   message_type=message_type, status="loaded")
        for chunk in parse_message(stream, spec, pseudonymise, chunk_size):
            result.rows_read += chunk.lines_read
            result.rows_loaded += bulk.write_frame(conn, table, chunk.rows, {"file_id": file_id})
            meta.record_rejections(conn, file_id, run_id, chunk.rejections)
            result.rows_quarantined += len(chunk.rejections)
            reasons.update(r.reason_code for r in chunk.rejections)
        meta.set_file_counts(conn, file_id, result.rows_read, result.rows_loaded, result.rows_quarantined)
    result.reasons = dict(reasons)
    return result


def _reject(engine, delivery, run_id, message_type, rejected: FileRejected) -> meta.FileResult:
    found = rejected.rejection
    with engine.begin() as conn:
        file_id = meta.record_file(conn, sha256=delivery.sha256, source="ijw", path=delivery.relative,
                                   size=delivery.size, modified_at=delivery.modified_at, run_id=run_id,
                                   message_type=message_type, status="rejected", reason_code=found.reason_code,
                                   reden=found.reden)
        meta.record_rejections(conn, file_id, run_id, [found])
    return meta.FileResult(delivery.relative, "rejected", message_type, reasons={found.reason_code: 1})
