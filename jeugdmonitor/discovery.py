"""Finding new deliveries in an inbox: every file is identified by the sha256 of its bytes, so the same delivery
under another name, or the same file again tomorrow, is never loaded twice."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

_CHUNK = 1 << 20


@dataclass(frozen=True)
class Delivery:
    path: Path  # absolute
    relative: str  # relative to the inbox, with forward slashes: what meta stores and reports show
    sha256: str
    size: int
    modified_at: datetime


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def discover(inbox: Path, suffixes: tuple[str, ...], known: set[str]) -> tuple[list[Delivery], list[Delivery]]:
    """(new, already seen) deliveries under `inbox`, in a stable order. Hidden files and folders are ignored, as
    are files still being written by a transfer tool (`.part`, `.tmp`)."""
    new: list[Delivery] = []
    seen: list[Delivery] = []
    if not inbox.exists():
        return new, seen
    hashes_this_run: set[str] = set()
    for path in sorted(p for p in inbox.rglob("*") if p.is_file()):
        relative = path.relative_to(inbox)
        if any(part.startswith(".") for part in relative.parts) or path.suffix.lower() not in suffixes:
            continue
        stat = path.stat()
        digest = sha256_of(path)
        delivery = Delivery(path, relative.as_posix(), digest, stat.st_size,
                            datetime.fromtimestamp(stat.st_mtime, tz=UTC))
        if digest in known or digest in hashes_this_run:
            seen.append(delivery)
        else:
            hashes_this_run.add(digest)
            new.append(delivery)
    return new, seen
