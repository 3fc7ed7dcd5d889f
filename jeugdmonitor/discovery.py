"""Finding new deliveries in an inbox: every file is identified by the sha256 of its bytes, so the same delivery
under another name, or the same file again tomorrow, is never loaded twice.

Hashing every file every night makes a run over an unchanged inbox cost as much as reading it all. So a file whose
(relative path, size, modification time) equals that of a recorded file is taken to be that file, with its recorded
sha256, without being read (the assumption make and rsync rely on); anything else is hashed."""

from __future__ import annotations

import hashlib
import itertools
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from stat import S_ISREG

_CHUNK = 1 << 20

# (relative path, size in bytes, modification time as an aware datetime)
Stamp = tuple[str, int, datetime]
# (path parts relative to the inbox, size in bytes, modification time as st_mtime) of one file in an inbox: not its
# os.stat_result (with the DirEntry objects of a listing, 211 MB at the peak for a national month of 211,790 files;
# 68 MB this way)
FileEntry = tuple[tuple[str, ...], int, float]


@dataclass(frozen=True)
class Delivery:
    location: str  # absolute path (a string: a Path per file was a fifth of discovering a national inbox)
    relative: str  # relative to the inbox, with forward slashes: what meta stores and reports show
    sha256: str | None  # None: not hashed at discovery; the parser hashes the bytes it reads (discover's hash_new)
    size: int
    modified_at: datetime

    @property
    def path(self) -> Path:
        return Path(self.location)

    def hashed(self, sha256: str) -> Delivery:
        """This delivery with the sha256 of its bytes (the constructor directly: dataclasses.replace costs more, and
        this runs once per parsed file)."""
        return Delivery(self.location, self.relative, sha256, self.size, self.modified_at)

    def __reduce__(self) -> tuple:
        # to the parse workers as a plain tuple, which unpickles faster than a dataclass's state
        return Delivery, (self.location, self.relative, self.sha256, self.size, self.modified_at)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def stamp(relative: str, size: int, modified_at: datetime) -> Stamp:
    """The key a file is recognised by. Naive times are UTC: SQLite gives back the UTC wall clock that was stored
    without its offset, PostgreSQL an aware value in the session's time zone; aware datetimes compare and hash by
    the instant, so both equal the time taken from the file's stat (datetime.fromtimestamp, as meta stores it)."""
    return relative, size, modified_at if modified_at.tzinfo is not None else modified_at.replace(tzinfo=UTC)


def folders(inbox: Path, suffixes: tuple[str, ...], min_files: int = 1) -> Iterator[tuple[str, list[FileEntry]]]:
    """The inbox's files grouped by top-level folder ("" for the files in the inbox itself), in path order, one
    group listed at a time: a national inbox holds millions of files, a folder (a month) a bounded part.
    Consecutive folders are taken together until a group holds `min_files`: every group costs a round of queries
    and a drained pipeline, and an inbox's history has many folders of a few files. A group is named by its first
    folder, or "first..last"."""
    def top(entry: FileEntry) -> str:
        return entry[0][0] if len(entry[0]) > 1 else ""
    if not inbox.exists():
        return
    names: list[str] = []
    group: list[FileEntry] = []
    for folder, entries in itertools.groupby(_inbox_files(inbox, suffixes), key=top):
        names.append(folder)
        group.extend(entries)
        if len(group) >= min_files:
            yield _group_name(names), group
            names, group = [], []
    if group:
        yield _group_name(names), group


def _group_name(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{names[0]}..{names[-1]}"


def discover(inbox: Path, suffixes: tuple[str, ...], known: set[str],
             recorded: Mapping[Stamp, str] | None = None, files: Iterable[FileEntry] | None = None,
             hash_new: bool = True) -> tuple[list[Delivery], list[Delivery]]:
    """(new, already seen) deliveries under `inbox`, in a stable order. Hidden files and folders are ignored, as
    are files still being written by a transfer tool (`.part`, `.tmp`). `known` holds the sha256 of every
    recorded file; `recorded` maps the stamp of recorded files to their sha256 (see meta.recorded_stamps): a file
    with such a stamp is seen without being hashed. `files`: only these entries of the inbox (from `folders`).
    `hash_new=False`: files without a recorded stamp are new with sha256 None, for a loader that reads every new
    file anyway to hash it then (one read instead of two) and to skip it if its hash turns out to be known."""
    recorded = recorded or {}
    new: list[Delivery] = []
    seen: list[Delivery] = []
    if not inbox.exists():
        return new, seen
    hashes_this_run: set[str] = set()
    root = str(inbox)
    for parts, size, mtime in (_inbox_files(inbox, suffixes) if files is None else files):
        relative = "/".join(parts)
        path = f"{root}/{relative}"
        modified_at = datetime.fromtimestamp(mtime, tz=UTC)  # as meta stores it: rounded to microseconds
        cached = recorded.get((relative, size, modified_at))
        if not cached and not hash_new:
            new.append(Delivery(path, relative, None, size, modified_at))
            continue
        digest = cached or sha256_of(Path(path))
        delivery = Delivery(path, relative, digest, size, modified_at)
        if cached or digest in known or digest in hashes_this_run:
            seen.append(delivery)
        else:
            hashes_this_run.add(digest)
            new.append(delivery)
    return new, seen


def _inbox_files(inbox: str | Path, suffixes: tuple[str, ...], prefix: tuple[str, ...] = ()
                 ) -> Iterator[FileEntry]:
    """(path parts relative to the inbox, size, mtime) of the regular files (or symlinks to one) with one of `suffixes`
    and no hidden part, in the order pathlib sorts paths (by parts: each folder's entries by name, a subfolder's
    files at its name). Streams with os.scandir and one stat per file, not rglob and a sorted list: with the hashes
    cached, pathlib's per-path overhead and a second stat were most of a run over an unchanged inbox. Like rglob,
    it does not descend into symlinked folders; unreadable folders are skipped."""
    try:
        with os.scandir(inbox) as listing:
            # names and kinds only: a DirEntry holds its whole path as well (see FileEntry)
            entries = sorted((entry.name, entry.is_dir(follow_symlinks=False)) for entry in listing)
    except OSError:
        return
    endings = _endings(suffixes)
    for name, is_dir in entries:
        if name.startswith("."):
            continue
        if is_dir:
            yield from _inbox_files(os.path.join(inbox, name), suffixes, (*prefix, name))
        elif _has_suffix(name, endings):
            try:
                stat = os.stat(os.path.join(inbox, name))  # follows a symlink, as Path.is_file does
            except OSError:  # gone, or a broken symlink
                continue
            if S_ISREG(stat.st_mode):
                yield (*prefix, name), stat.st_size, stat.st_mtime


def _has_suffix(name: str, endings: tuple[str, ...]) -> bool:
    """Path(name).suffix.lower() in suffixes, for `endings` = _endings(suffixes), without a Path per name of a
    national inbox: the name ends with one of them, and that suffix's dot, the last in the name, is not its first
    character."""
    lowered = name.lower()
    return lowered.endswith(endings) and lowered.rfind(".") > 0


def _endings(suffixes: tuple[str, ...]) -> tuple[str, ...]:
    """The suffixes that Path.suffix can return: a dot, then at least one character, none of them a dot."""
    return tuple(s for s in suffixes if len(s) > 1 and s[0] == "." and "." not in s[1:])
