"""Finding new deliveries in an inbox: every file is identified by the sha256 of its bytes, so the same delivery
under another name, or the same file again tomorrow, is never loaded twice.

Hashing every file every night makes a run over an unchanged inbox cost as much as reading it all. So a file whose
(relative path, size, modification time) equals that of a recorded file is taken to be that file, with its recorded
sha256, without being read (the assumption make and rsync rely on); anything else is hashed.

The inbox is a boundary: only regular files inside it are read. A symlink (to a file or a folder, inside the inbox
or not), a FIFO, a socket or a device, and a name that is not UTF-8 are refused at discovery, unread: they come out
as new deliveries with `refused` set (a reason code of jeugdmonitor.transforms.reasons), which the loaders
record as refused files. Reads are capped on the bytes actually read (read_file), never on a stat size (a
/proc file says 0)."""

from __future__ import annotations

import errno
import hashlib
import itertools
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from stat import S_ISREG

from jeugdmonitor.transforms.bsn import is_valid_bsn
from jeugdmonitor.transforms.reasons import FileRejected

_CHUNK = 1 << 20

# (relative path, size in bytes, modification time as an aware datetime)
Stamp = tuple[str, int, datetime]
# (path parts relative to the inbox, size in bytes, modification time as st_mtime, None or the reason code it is
# refused for unread) of one file in an inbox: not its os.stat_result (with the DirEntry objects of a listing, 211 MB
# at the peak for a national month of 211,790 files; 68 MB this way)
FileEntry = tuple[tuple[str, ...], int, float, str | None]


@dataclass(frozen=True)
class Delivery:
    location: str  # absolute path (a string: a Path per file was a fifth of discovering a national inbox)
    relative: str  # relative to the inbox, with forward slashes: what meta stores and reports show
    sha256: str | None  # None: not hashed at discovery; the parser hashes the bytes it reads (discover's hash_new)
    size: int
    modified_at: datetime
    refused: str | None = None  # refused at discovery, unread: the reason code (a symlink, a FIFO, a bad name)

    @property
    def path(self) -> Path:
        return Path(self.location)

    def hashed(self, sha256: str) -> Delivery:
        """This delivery with the sha256 of its bytes (the constructor directly: dataclasses.replace costs more, and
        this runs once per parsed file)."""
        return Delivery(self.location, self.relative, sha256, self.size, self.modified_at, self.refused)

    def identified(self) -> Delivery:
        """This delivery with an identity for meta_source_file even when its bytes were never read (refused unread,
        or failed while being read): its sha256, else unread_identity."""
        return self if self.sha256 else self.hashed(unread_identity(self.location, self.size, self.modified_at))

    def __reduce__(self) -> tuple:
        # to the parse workers as a plain tuple, which unpickles faster than a dataclass's state
        return Delivery, (self.location, self.relative, self.sha256, self.size, self.modified_at, self.refused)


def unread_identity(location: str, size: int, modified_at: datetime) -> str:
    """A stand-in for the sha256 of a file refused without its bytes (a symlink is not followed to hash what it
    points at): a hash of where it is and its stamp, tagged so that it can never be the hash of a file's bytes by
    design. A rerun finds the refusal by its stamp and does not record it again."""
    key = f"unread\0{location}\0{size}\0{modified_at.isoformat()}"
    return hashlib.sha256(key.encode("utf-8", "backslashreplace")).hexdigest()


def _open_regular(location: str) -> int:
    """A descriptor of the regular file at `location`, opened without following a symlink and without blocking on
    a FIFO: what discovery listed may have been swapped since. Raises FileRejected for a symlink or anything that
    is not a regular file, OSError when it cannot be opened."""
    try:
        descriptor = os.open(location, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise FileRejected("inbox_symlink") from None
        raise
    try:
        regular = S_ISREG(os.fstat(descriptor).st_mode)  # an fstat: no path lookup, a fraction of the read
    except BaseException:
        os.close(descriptor)
        raise
    if not regular:
        os.close(descriptor)
        raise FileRejected("inbox_not_a_file")
    return descriptor


def read_file(location: str, cap: int, size_hint: int = 0) -> bytes | None:
    """The bytes of the regular file at `location`, or None when it holds more than `cap` bytes: counted on the
    bytes read (at most cap + 1), not on a stat size, which a /proc file or a growing file gets wrong. Read with
    os.read: for a message of a few kB, Python's buffered file object cost more than the read itself (10 µs against
    6 µs a file); the first read asks for `size_hint` (what discovery saw) and one byte more."""
    descriptor = _open_regular(location)
    try:
        pieces: list[bytes] = []
        total = 0
        ask = min(size_hint, cap) + 1
        while total <= cap and (piece := os.read(descriptor, ask)):
            pieces.append(piece)
            total += len(piece)
            ask = min(_CHUNK, cap + 1 - total)
        return None if total > cap else b"".join(pieces)
    finally:
        os.close(descriptor)


def sha256_of(path: Path | str) -> str:
    """The sha256 of a regular file's bytes (_open_regular: a symlink or a FIFO raises FileRejected)."""
    digest = hashlib.sha256()
    descriptor = _open_regular(str(path))
    try:
        while chunk := os.read(descriptor, _CHUNK):
            digest.update(chunk)
    finally:
        os.close(descriptor)
    return digest.hexdigest()


_NINE_DIGITS = re.compile(r"(?<![0-9])[0-9]{9}(?![0-9])")


def recorded_name(parts: tuple[str, ...]) -> str:
    """The relative path as meta stores it and reports show it: with forward slashes, and every run of nine digits
    that passes the 11-proef written as #########. A sender may name an export after a client, and a BSN must
    never reach the warehouse; nine digits that happen to pass are hidden too (about one in eleven), which costs
    only readability. Discovery looks files up by this form, so it stays what it was for every other name."""
    relative = "/".join(parts)
    if _NINE_DIGITS.search(relative) is None:
        return relative
    return _NINE_DIGITS.sub(lambda run: "#########" if is_valid_bsn(run.group()) else run.group(), relative)


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


def discover(
    inbox: Path,
    suffixes: tuple[str, ...],
    known: set[str],
    recorded: Mapping[Stamp, str] | None = None,
    files: Iterable[FileEntry] | None = None,
    hash_new: bool = True,
) -> tuple[list[Delivery], list[Delivery]]:
    """(new, already seen) deliveries under `inbox`, in a stable order. Hidden files and folders are ignored, as
    are files still being written by a transfer tool (`.part`, `.tmp`). `known` holds the sha256 of every
    recorded file; `recorded` maps the stamp of recorded files to their sha256 (see meta.recorded_stamps): a file
    with such a stamp is seen without being hashed. `files`: only these entries of the inbox (from `folders`).
    `hash_new=False`: files without a recorded stamp are new with sha256 None, for a loader that reads every new
    file anyway to hash it then (one read instead of two) and to skip it if its hash turns out to be known.
    Entries refused unread (see the module) are new with `refused` set and an unread_identity, until recorded; a
    file that vanished or cannot be opened while it is hashed is left for the next run."""
    recorded = recorded or {}
    new: list[Delivery] = []
    seen: list[Delivery] = []
    if not inbox.exists():
        return new, seen
    hashes_this_run: set[str] = set()
    root = str(inbox)
    for parts, size, mtime, refused in _inbox_files(inbox, suffixes) if files is None else files:
        path = f"{root}/{'/'.join(parts)}"
        relative = recorded_name(parts)
        modified_at = datetime.fromtimestamp(mtime, tz=UTC)  # as meta stores it: rounded to microseconds
        cached = recorded.get((relative, size, modified_at))
        if not cached and refused:
            new.append(Delivery(path, relative, unread_identity(path, size, modified_at), size, modified_at, refused))
            continue
        if not cached and not hash_new:
            new.append(Delivery(path, relative, None, size, modified_at))
            continue
        try:
            digest = cached or sha256_of(Path(path))
        except FileRejected as rejected:  # swapped for a symlink or a FIFO since it was listed
            code = rejected.rejection.reason_code
            new.append(Delivery(path, relative, unread_identity(path, size, modified_at), size, modified_at, code))
            continue
        except OSError:  # gone, or not readable (yet): looked at again by the next run
            continue
        delivery = Delivery(path, relative, digest, size, modified_at)
        if cached or digest in known or digest in hashes_this_run:
            seen.append(delivery)
        else:
            hashes_this_run.add(digest)
            new.append(delivery)
    return new, seen


def _inbox_files(inbox: str | Path, suffixes: tuple[str, ...], prefix: tuple[str, ...] = ()) -> Iterator[FileEntry]:
    """The entries of the inbox with one of `suffixes` and no hidden part, in the order pathlib sorts paths (by
    parts: each folder's entries by name, a subfolder's files at its name): (path parts relative to the inbox, size,
    mtime, None) for a regular file; for a symlink (any name: a linked folder would hide deliveries), a FIFO, socket
    or device, and a file or folder whose name is not UTF-8: (its parts, with the name escaped, and its own lstat,
    the reason code it is refused for). Streams with os.scandir and one lstat per file, not rglob and a sorted list:
    with the hashes cached, pathlib's per-path overhead and a second stat were most of a run over an unchanged
    inbox. The kind of an entry comes from the listing (DirEntry's d_type: free); links are never followed, and
    unreadable folders are skipped."""
    try:
        with os.scandir(inbox) as listing:
            # names and kinds only: a DirEntry holds its whole path as well (see FileEntry)
            entries = sorted((entry.name, _kind(entry)) for entry in listing)
    except OSError:
        return
    endings = _endings(suffixes)
    for name, kind in entries:
        if name.startswith("."):
            continue
        if not _is_utf8(name):
            if kind in (_DIR, _LINK) or _has_suffix(name, endings):
                yield from _refused(inbox, name, prefix, "inbox_name_invalid")
        elif kind == _DIR:
            yield from _inbox_files(os.path.join(inbox, name), suffixes, (*prefix, name))
        elif kind == _LINK:
            yield from _refused(inbox, name, prefix, "inbox_symlink")
        elif _has_suffix(name, endings):
            if kind != _FILE:
                yield from _refused(inbox, name, prefix, "inbox_not_a_file")
                continue
            try:
                stat = os.lstat(os.path.join(inbox, name))
            except OSError:  # gone
                continue
            if S_ISREG(stat.st_mode):
                yield (*prefix, name), stat.st_size, stat.st_mtime, None


def count_files(inbox: str | Path, suffixes: tuple[str, ...]) -> int:
    """How many entries `_inbox_files` will give (a progress total known up front), from the listing alone: no
    lstat, which was most of a run over an unchanged inbox, so a file that vanishes meanwhile is still counted."""
    try:
        with os.scandir(inbox) as listing:
            entries = [(entry.name, _kind(entry)) for entry in listing]
    except OSError:
        return 0
    endings = _endings(suffixes)
    count = 0
    for name, kind in entries:
        if name.startswith("."):
            continue
        if kind == _DIR and _is_utf8(name):
            count += count_files(os.path.join(inbox, name), suffixes)
        elif kind in (_DIR, _LINK) or _has_suffix(name, endings):
            count += 1  # a file, or an entry refused unread (a link, a non-file, a name that is not UTF-8)
    return count


_DIR, _LINK, _FILE, _OTHER = range(4)


def _kind(entry: os.DirEntry) -> int:
    """What an entry is, without following a symlink: from the listing's d_type (an lstat only on file systems
    that do not give it)."""
    if entry.is_symlink():
        return _LINK
    if entry.is_dir(follow_symlinks=False):
        return _DIR
    return _FILE if entry.is_file(follow_symlinks=False) else _OTHER


def _is_utf8(name: str) -> bool:
    """False for a name with bytes that are not UTF-8 (os.scandir gives them as lone surrogates)."""
    if name.isascii():  # almost every name, at a fraction of an encode
        return True
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def shown_name(name: str) -> str:
    """A name as it can be stored and shown: undecodable bytes as \\xNN escapes."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _refused(inbox: str | Path, name: str, prefix: tuple[str, ...], code: str) -> Iterator[FileEntry]:
    """The entry of a refused name, with its own lstat (the stamp a rerun recognises it by); nothing when gone."""
    try:
        stat = os.lstat(os.path.join(inbox, name))
    except OSError:
        return
    yield (*prefix, shown_name(name)), stat.st_size, stat.st_mtime, code


def _has_suffix(name: str, endings: tuple[str, ...]) -> bool:
    """Path(name).suffix.lower() in suffixes, for `endings` = _endings(suffixes), without a Path per name of a
    national inbox: the name ends with one of them, and that suffix's dot, the last in the name, is not its first
    character."""
    lowered = name.lower()
    return lowered.endswith(endings) and lowered.rfind(".") > 0


def _endings(suffixes: tuple[str, ...]) -> tuple[str, ...]:
    """The suffixes that Path.suffix can return: a dot, then at least one character, none of them a dot."""
    return tuple(s for s in suffixes if len(s) > 1 and s[0] == "." and "." not in s[1:])
