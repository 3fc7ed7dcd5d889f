"""New deliveries in an inbox, a top-level folder at a time, judged against what meta has recorded.

Discovery (jeugdmonitor.discovery) knows the file system; this adds the warehouse's memory of it. Per folder only
the recorded stamps of that folder's range of paths and the recorded hashes among its files are fetched, so memory
is bounded by the largest folder (a month of deliveries), not by the inbox's whole history.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from jeugdmonitor import meta, stages
from jeugdmonitor.discovery import Delivery, discover, folders, recorded_name

if TYPE_CHECKING:
    from _typeshed import SupportsRichComparison

# Folders are taken together up to about this many files (discovery.folders), and a folder's new files are loaded
# in rounds of this many: a month of a national inbox is ~225,000 files, a region's ~7,500; the per-folder state
# costs ~1 KB per file.
FILES_PER_ROUND = 20_000


class InboxMissing(RuntimeError):
    """A configured inbox folder is not there: in production that is a missing mount or a wrong path, not an inbox
    without deliveries, so a run says so instead of loading nothing."""


def require_inboxes(inboxes: dict[str, Path]) -> None:
    """Each inbox (by its configuration key) is an existing folder, else InboxMissing naming the first that is not."""
    for key, path in inboxes.items():
        if not path.is_dir():
            raise InboxMissing(
                f"inbox {path} ({key}) is not an existing folder: mount or create it, or correct {key} "
                "(`jeugdmonitor demo` and `generate` create their own)"
            )


def discover_new(
    engine: Engine,
    inbox: Path,
    suffixes: tuple[str, ...],
    source: str,
    files_per_round: int = FILES_PER_ROUND,
    order: Callable[[str], SupportsRichComparison] | None = None,
    hash_new: bool = True,
) -> Iterator[tuple[str, list[Delivery], list[Delivery]]]:
    """(folder, new, seen before) per top-level folder of `inbox` (or consecutive folders, up to
    `files_per_round` files), in path order. Load a folder's new files before asking for the next folder: a file
    that repeats one of an earlier folder is then found recorded. A folder with more new files than a round (a
    national month) comes in rounds, its new files sorted by `order` (of the relative path) first, so that the
    load order within a folder holds across its rounds; its seen files come with the first round.
    `hash_new=False`: files not recorded by their stamp come back new and unhashed (discovery.discover); the
    loader hashes them as it reads them and skips the known ones."""
    clock = stages.clock()
    listing = folders(inbox, suffixes, files_per_round)
    while True:
        with clock.stage("discover"):
            group = next(listing, None)
            if group is None:
                return
            folder, files = group
            paths = [recorded_name(entry[0]) for entry in files]
            recorded = meta.recorded_stamps(engine, source, within=(min(paths), max(paths)))
            candidates, seen = discover(inbox, suffixes, set(), recorded, files=files, hash_new=hash_new)
            del files, paths, recorded  # a national month's listing, no longer needed while its rounds load
            hashed = [d.sha256 for d in candidates if d.sha256]
            known = meta.known_hashes(engine, among=hashed) if hashed else set()
            new = [d for d in candidates if d.sha256 not in known]
            seen += [d for d in candidates if d.sha256 in known]
        clock.count("discover", len(new) + len(seen))
        for number, part in enumerate(_rounds(new, files_per_round, order)):
            yield folder, part, seen if number == 0 else []


def _rounds(
    new: list[Delivery], size: int, order: Callable[[str], SupportsRichComparison] | None
) -> list[list[Delivery]]:
    if len(new) <= size:
        return [new]
    if order is not None:
        new = sorted(new, key=lambda delivery: order(delivery.relative))
    return [new[start : start + size] for start in range(0, len(new), size)]


def refused_before(engine: Engine, source: str, seen: list[Delivery]) -> set[str]:
    """The relative paths of those `seen` files (of one round of discover_new) whose bytes were recorded as
    refused: skipped like the loaded ones, but reported apart, because `jeugdmonitor reprocess` can judge them
    again."""
    if not seen:
        return set()
    paths = [d.relative for d in seen]
    with engine.connect() as conn:
        refused = meta.refused_hashes(conn, source, within=(min(paths), max(paths)))
    return {d.relative for d in seen if d.sha256 in refused} if refused else set()


def seen_results(engine: Engine, source: str, seen: list[Delivery]) -> list[meta.FileResult]:
    """A FileResult per file seen before: skipped (loaded before) or refused_before."""
    refused = refused_before(engine, source, seen)
    return [meta.FileResult(d.relative, "refused_before" if d.relative in refused else "skipped") for d in seen]
