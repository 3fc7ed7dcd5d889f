"""Fetching a CBS table version page by page into a folder, so that a broken run resumes where it stopped.

Every page is written as its own JSON file (atomically: temp file and rename) with the URL that produced it and
the nextLink. A rerun reads what is there: a partition whose last page has no nextLink is done; one that stopped
halfway resumes from the stored nextLink, so no page is fetched twice and none is missed (cbs.md §4.3: connection
resets deep into big tables). The folder is named after the version and the request, so a new CBS release or a
changed configuration starts afresh; the loader removes it once the version is in the warehouse.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from jeugdmonitor import owner_only
from jeugdmonitor.cbs.client import CbsClient


@dataclass(frozen=True)
class FetchPlan:
    table_id: str
    modified: str
    partitions: tuple[str | None, ...]  # one $filter per partition (None: the whole table)
    measures: tuple[str, ...] | None = None

    def folder(self, root: Path) -> Path:
        request = json.dumps([self.modified, self.partitions, self.measures])
        return root / self.table_id / hashlib.sha256(request.encode()).hexdigest()[:16]


@dataclass
class Fetched:
    folder: Path
    observations: list[dict]
    pages_fetched: int  # by this call; pages already in the folder from an earlier, broken run are not counted
    pages_reused: int
    bytes: int
    per_partition: list[int]  # observations per partition of the plan, in order: `observations` is their concatenation


def fetch(client: CbsClient, plan: FetchPlan, root: Path) -> Fetched:
    """All observations of `plan`, fetched or resumed into `plan.folder(root)`."""
    folder = owner_only.make_dir(plan.folder(root))  # the page cache: 0700 folders, 0600 pages
    fetched = reused = 0
    for index, partition in enumerate(plan.partitions):
        pages = _stored_pages(folder, index)
        reused += len(pages)
        if pages and pages[-1]["next_url"] is None:
            continue
        resume = pages[-1]["next_url"] if pages else None
        number = len(pages)
        for page in client.pages(
            plan.table_id, filter=partition, resume_url=resume, measures=list(plan.measures) if plan.measures else None
        ):
            _write_page(
                folder / _page_name(index, number),
                {"url": page.url, "next_url": page.next_url, "observations": page.observations},
            )
            number += 1
            fetched += 1
    observations: list[dict] = []
    per_partition = [0] * len(plan.partitions)
    size = 0
    for path in sorted(folder.glob("*.json")):  # named partition-page: sorted is partition order
        size += path.stat().st_size
        page = json.loads(path.read_text(encoding="utf-8"))["observations"]
        observations.extend(page)
        per_partition[int(path.name[:4])] += len(page)
    return Fetched(folder, observations, fetched, reused, size, per_partition)


def discard(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


def _page_name(partition: int, number: int) -> str:
    return f"{partition:04d}-{number:06d}.json"


def _stored_pages(folder: Path, partition: int) -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob(f"{partition:04d}-*.json"))]


def _write_page(path: Path, page: dict) -> None:
    temporary = path.with_suffix(".tmp")
    owner_only.write_text(temporary, json.dumps(page, ensure_ascii=False))
    os.replace(temporary, path)
