"""Folders (0700) and files (0600) only their owner can read: the SQLite warehouse and its lock, the CBS page
cache, the GX Data Docs, the pseudonymisation key, the demo's data folder. They hold pseudonymised records,
aggregate figures per gemeente and keys; other accounts on the machine have no business reading them.

Explicit modes where the file or folder is made, not a process umask: a umask is process-wide and invisible in
the code that creates a file; it would also narrow files that are no secret (Prefect's own, a user's exports),
and a Prefect worker or another caller of the library would not have it set. A mode given to
mkdir/open is only ever narrowed by the umask, never widened. `make_dir` and `create_file` leave what exists
alone (an operator may have opened a folder to a group on purpose); `restrict_tree` is for a generated tree.
"""

from __future__ import annotations

import os
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


def make_dir(path: Path) -> Path:
    """Create `path` and its missing parents 0700 (`mkdir(parents=True)` gives parents the default mode)."""
    target = Path(path)
    missing = []
    folder = target
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=DIR_MODE)
        except FileExistsError:  # another run made it meanwhile
            pass
    return target


def create_file(path: Path) -> bool:
    """Create an empty file 0600 (and its missing folders 0700) when there is none; True when it was created."""
    path = Path(path)
    make_dir(path.parent)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    except FileExistsError:
        return False
    return True


def write_text(path: Path, text: str) -> None:
    """Write `text` (UTF-8) to `path` as a 0600 file, also when it existed with a wider mode."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    os.fchmod(descriptor, FILE_MODE)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)


def restrict_tree(folder: Path) -> None:
    """Make `folder` and everything in it owner-only: for what a library writes with its own modes (GX)."""
    for root, _dirs, files in os.walk(folder):
        os.chmod(root, DIR_MODE)
        for name in files:
            path = os.path.join(root, name)
            if not os.path.islink(path):
                os.chmod(path, FILE_MODE)
