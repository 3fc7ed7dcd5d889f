"""New deliveries in an inbox, a top-level folder at a time, judged against what meta has recorded.

Discovery (jeugdmonitor.discovery) knows the file system; this adds the warehouse's memory of it. Per folder only
the recorded stamps of that folder's paths and the recorded hashes among its files are fetched, so memory is
bounded by the largest folder (a month of deliveries), not by the inbox's whole history.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from sqlalchemy import Engine

from jeugdmonitor import meta, stages
from jeugdmonitor.discovery import Delivery, FileEntry, discover, folders

# Folders are taken together up to about this many files (discovery.folders): a month of a national inbox is
# ~225,000 files, a region's ~7,500; the per-folder state costs ~1 KB per file.
FILES_PER_ROUND = 20_000


def discover_new(engine: Engine, inbox: Path, suffixes: tuple[str, ...], source: str,
                 files_per_round: int = FILES_PER_ROUND, order: Callable[[str], object] | None = None,
                 hash_new: bool = True) -> Iterator[tuple[str, list[Delivery], list[Delivery]]]:
    """(folder, new, seen before) per top-level folder of `inbox` (or consecutive folders, up to
    `files_per_round` files), in path order. Load a round's new files before asking for the next round: a file
    that repeats one of an earlier round is then found recorded. A folder bigger than a round (a national month)
    is split into rounds after sorting its files by `order` (of the relative path), so that the load order
    within a folder holds across its rounds. `hash_new=False`: files not recorded by their stamp come back new
    and unhashed (discovery.discover); the loader hashes them as it reads them and skips the known ones."""
    clock = stages.clock()
    listing = _rounds(folders(inbox, suffixes, files_per_round), files_per_round, order)
    while True:
        with clock.stage("discover"):
            group = next(listing, None)
            if group is None:
                return
            folder, files = group
            recorded = meta.recorded_stamps(engine, source, ("/".join(parts) for parts, _ in files))
            candidates, seen = discover(inbox, suffixes, set(), recorded, files=files, hash_new=hash_new)
            hashed = [d.sha256 for d in candidates if d.sha256]
            known = meta.known_hashes(engine, among=hashed) if hashed else set()
        clock.count("discover", len(files))
        yield folder, [d for d in candidates if d.sha256 not in known], seen + [d for d in candidates
                                                                                if d.sha256 in known]


def _rounds(groups: Iterator[tuple[str, list[FileEntry]]], size: int, order: Callable[[str], object] | None
            ) -> Iterator[tuple[str, list[FileEntry]]]:
    for folder, files in groups:
        if len(files) <= size:
            yield folder, files
            continue
        if order is not None:
            files = sorted(files, key=lambda entry: order("/".join(entry[0])))
        for start in range(0, len(files), size):
            yield folder, files[start:start + size]
