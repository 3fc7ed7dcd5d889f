"""Rewrite one table of a written CBS tree as its next release would: the fixture for "CBS revised a table".

What changes (cbs.md §4.6-4.7): Modified moves to the next April/October release in TableInfos and the
catalog; Voorlopig periods become Nader voorlopig and Nader voorlopig ones Definitief; a few headline values
of the formerly Voorlopig period move by 5 or 10; one older value turns into null (as CBS did with 82977NED
in October 2024). Relative topics of a touched row follow their count. Row count, IDs and paging stay.
"""

from __future__ import annotations

import random
import re
from datetime import date
from pathlib import Path

from jeugdmonitor.synthetic.cbs_codes import (
    DEFINITIEF,
    NADER_VOORLOPIG,
    VOORLOPIG,
    dump,
    dutch_date,
    next_release,
    period_title,
    read_json,
    timestamp,
    write_file,
)

_NEXT_STATUS = {VOORLOPIG: NADER_VOORLOPIG, NADER_VOORLOPIG: DEFINITIEF, DEFINITIEF: DEFINITIEF}
_DIMENSION_TYPES = {"Dimension", "TimeDimension", "GeoDimension"}
_CHANGED_CELLS = 3


def make_revision(tree_dir: Path, table_id: str, seed: int) -> dict:
    """Apply the next release to `table_id` in place; returns what changed:

    {"table_id", "modified": {"before", "after"}, "status": {period: {"before", "after"}},
     "changed": [{"ID", "key": {dimension: stripped code}, "column", "before", "after"}],
     "nulled": [same shape]}
    """
    root = Path(tree_dir) / "ODataFeed" / "odata" / table_id
    if not (root / "TableInfos.json").is_file():
        raise FileNotFoundError(f"no table {table_id} under {tree_dir}")
    props = read_json(root / "DataProperties.json")["value"]
    dims = [p["Key"] for p in props if p["Type"] in _DIMENSION_TYPES]
    topics = [p for p in props if p["Type"] == "Topic"]
    headline = next((t["Key"] for t in topics if t["Datatype"] in ("Long", "Integer")), None)
    if headline is None:
        raise ValueError(f"{table_id} has no numeric count topic to revise")
    relative = [t["Key"] for t in topics if t["PresentationType"] == "Relative"]

    before_status, after_status = _advance_periods(root) if "Perioden" in dims else ({}, {})
    modified = _bump_modified(root, Path(tree_dir), table_id)

    page_paths = sorted((root / "TypedDataSet").glob("page-*.json"))
    pages = [read_json(p) for p in page_paths]
    rows = [r for page in pages for r in page["value"]]
    rng = random.Random(seed)
    revised = {p for p, s in before_status.items() if s == VOORLOPIG}
    candidates = [r for r in rows if (r[headline] or 0) >= 20 and (not revised or r["Perioden"] in revised)]
    picked = sorted(rng.sample(candidates, min(_CHANGED_CELLS, len(candidates))), key=lambda r: r["ID"])
    changed: list[dict] = []
    for row in picked:
        old = row[headline]
        new = max(10, old + rng.choice((-10, -5, 5, 10)))
        new = new if new != old else old + 5
        changed.append(_cell(row, dims, headline, old, new))
        row[headline] = new
        for key in relative:
            share = None if row[key] is None else round(row[key] * new / old, 1)
            if share != row[key]:  # a small change may not move a one-decimal percentage
                changed.append(_cell(row, dims, key, row[key], share))
                row[key] = share
    # Corrections reach back into definitive periods, so the null lands there when the table has any.
    taken = {r["ID"] for r in picked}
    older = [
        r
        for r in rows
        if r["ID"] not in taken
        and r[headline] is not None
        and before_status.get(r.get("Perioden"), DEFINITIEF) == DEFINITIEF
    ]
    nulled: list[dict] = []
    if older:
        row = rng.choice(older)
        for key in [headline, *relative]:
            if row[key] is not None:
                nulled.append(_cell(row, dims, key, row[key], None))
                row[key] = None
    for path, page in zip(page_paths, pages, strict=True):
        write_file(path, dump(page))
    status = {
        p: {"before": before_status[p], "after": after_status[p]}
        for p in sorted(before_status)
        if before_status[p] != after_status[p]
    }
    return {"table_id": table_id, "modified": modified, "status": status, "changed": changed, "nulled": nulled}


def _cell(row: dict, dims: list[str], column: str, before: object, after: object) -> dict:
    key = {d: str(row[d]).strip() for d in dims if d in row}
    return {"ID": row["ID"], "key": key, "column": column, "before": before, "after": after}


def _advance_periods(root: Path) -> tuple[dict[str, str], dict[str, str]]:
    path = root / "Perioden.json"
    doc = read_json(path)
    before, after = {}, {}
    for entry in doc["value"]:
        before[entry["Key"]] = entry["Status"]
        entry["Status"] = after[entry["Key"]] = _NEXT_STATUS[entry["Status"]]
        entry["Title"] = period_title(entry["Key"], entry["Status"])
    write_file(path, dump(doc))
    return before, after


def _bump_modified(root: Path, tree_dir: Path, table_id: str) -> dict[str, str]:
    infos_path = root / "TableInfos.json"
    infos = read_json(infos_path)
    info = infos["value"][0]
    old = info["Modified"]
    day = next_release(date.fromisoformat(old[:10]))
    new = timestamp(day)
    info["Modified"] = info["MetaDataModified"] = new
    info["ShortDescription"] = re.sub(
        r"Wijzigingen per [^:\n]*:", f"Wijzigingen per {dutch_date(day)}:", info["ShortDescription"]
    )
    write_file(infos_path, dump(infos))
    catalog_path = tree_dir / "ODataCatalog" / "Tables.json"
    if catalog_path.is_file():
        catalog = read_json(catalog_path)
        for record in catalog["value"]:
            if record["Identifier"] == table_id:
                record["Modified"] = record["MetaDataModified"] = record["Updated"] = new
                record["ShortDescription"] = info["ShortDescription"]
        write_file(catalog_path, dump(catalog))
    return {"before": old, "after": new}
