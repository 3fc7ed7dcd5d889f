"""Finding new deliveries in an inbox: every file is identified by the sha256 of its bytes, so the same delivery
under another name, or the same file again tomorrow, is never loaded twice.

Hashing every file every night makes a run over an unchanged inbox cost as much as reading it all. So a file whose
(relative path, size, modification time) equals that of a recorded file is taken to be that file, with its recorded
sha256, without being read (the assumption make and rsync rely on); anything else is hashed."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from stat import S_ISREG

_CHUNK = 1 << 20
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)

# (relative path, size in bytes, modification time in microseconds since the epoch, UTC)
Stamp = tuple[str, int, int]


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


def epoch_micros(moment: datetime) -> int:
    """A datetime as whole microseconds since the epoch. Naive values are UTC: SQLite gives back the UTC wall clock
    that was stored without its offset, PostgreSQL an aware value in the session's time zone; both compare equal to
    the value written from the file's stat."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - _EPOCH) // _MICROSECOND


def stamp(relative: str, size: int, modified_at: datetime) -> Stamp:
    return relative, size, epoch_micros(modified_at)


def discover(inbox: Path, suffixes: tuple[str, ...], known: set[str],
             recorded: Mapping[Stamp, str] | None = None) -> tuple[list[Delivery], list[Delivery]]:
    """(new, already seen) deliveries under `inbox`, in a stable order. Hidden files and folders are ignored, as
    are files still being written by a transfer tool (`.part`, `.tmp`). `known` holds the sha256 of every
    recorded file; `recorded` maps the stamp of recorded files to their sha256 (see meta.recorded_stamps): a file
    with such a stamp is seen without being hashed."""
    recorded = recorded or {}
    new: list[Delivery] = []
    seen: list[Delivery] = []
    if not inbox.exists():
        return new, seen
    hashes_this_run: set[str] = set()
    for parts, stat in _inbox_files(inbox, suffixes):
        relative = "/".join(parts)
        path = inbox.joinpath(*parts)
        # Through a datetime, as meta stores it, so that both sides of the comparison round alike.
        modified_at = datetime.fromtimestamp(stat.st_mtime, tz=UTC)
        cached = recorded.get(stamp(relative, stat.st_size, modified_at))
        digest = cached or sha256_of(path)
        delivery = Delivery(path, relative, digest, stat.st_size, modified_at)
        if cached or digest in known or digest in hashes_this_run:
            seen.append(delivery)
        else:
            hashes_this_run.add(digest)
            new.append(delivery)
    return new, seen


def _inbox_files(inbox: Path, suffixes: tuple[str, ...]) -> list[tuple[tuple[str, ...], os.stat_result]]:
    """(path parts relative to the inbox, stat) of the regular files (or symlinks to one) with one of `suffixes`
    and no hidden part, sorted as pathlib sorts paths (by parts). os.walk with plain strings, not rglob: with the
    hashes cached, pathlib's per-path overhead and a second stat were most of a run over an unchanged inbox.
    Like rglob, it does not descend into symlinked folders."""
    found: list[tuple[tuple[str, ...], os.stat_result]] = []
    for folder, subfolders, names in os.walk(inbox):
        subfolders[:] = [name for name in subfolders if not name.startswith(".")]
        base = os.path.relpath(folder, inbox)
        prefix = () if base == "." else tuple(base.split(os.sep))
        for name in names:
            if name.startswith(".") or _suffix(name).lower() not in suffixes:
                continue
            try:
                stat = os.stat(os.path.join(folder, name))  # follows a symlink, as Path.is_file does
            except OSError:  # gone, or a broken symlink
                continue
            if S_ISREG(stat.st_mode):
                found.append((prefix + (name,), stat))
    found.sort(key=lambda item: item[0])
    return found


def _suffix(name: str) -> str:
    """Path(name).suffix: from the last dot, unless the dot is first or last."""
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""
