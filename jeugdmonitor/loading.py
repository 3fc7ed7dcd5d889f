"""What every source's loader shares: a parsed file, its outcome and meta record, and load batches."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from jeugdmonitor import meta
from jeugdmonitor.discovery import Delivery
from jeugdmonitor.transforms.reasons import Rejection


@dataclass
class ParsedFile:
    delivery: Delivery
    message_type: str | None
    # iJw: tuples in the columns of the message's spec (MessageSpec.row_columns); JGT: dicts by column
    rows: list = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    refused: Rejection | None = None  # the whole file is rejected
    pending: bool = False  # no loader for this message type yet

    @property
    def sha256(self) -> str:
        """The delivery's sha256, which every parsed file has: the hash of the bytes read, or the identity of a file
        refused unread (Delivery.identified)."""
        assert self.delivery.sha256 is not None, "a parsed file's delivery is hashed or identified"
        return self.delivery.sha256

    @property
    def lines_read(self) -> int:
        return len(self.rows) + len(self.rejections)


def file_result(parsed: ParsedFile) -> meta.FileResult:
    relative = parsed.delivery.relative
    if parsed.pending:
        return meta.FileResult(relative, "pending", parsed.message_type)
    if parsed.refused is not None:
        return meta.FileResult(relative, "rejected", parsed.message_type, reasons={parsed.refused.reason_code: 1})
    return meta.FileResult(
        relative,
        "loaded",
        parsed.message_type,
        rows_read=parsed.lines_read,
        rows_loaded=len(parsed.rows),
        rows_quarantined=len(parsed.rejections),
        reasons=dict(Counter(r.reason_code for r in parsed.rejections)) if parsed.rejections else {},
    )


def file_record(parsed: ParsedFile, result: meta.FileResult, source: str) -> dict:
    d = parsed.delivery
    refused = parsed.refused
    return {
        "sha256": d.sha256,
        "source": source,
        "message_type": parsed.message_type,
        "path": d.relative,
        "size_bytes": d.size,
        "modified_at": d.modified_at,
        "status": result.status,
        "rows_read": result.rows_read,
        "rows_loaded": result.rows_loaded,
        "rows_quarantined": result.rows_quarantined,
        "reason_code": refused.reason_code if refused else None,
        "reden": refused.reden if refused else None,
    }


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
