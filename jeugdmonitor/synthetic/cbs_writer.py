"""Write synthetic CBS StatLine responses as a file tree that mirrors the OData v3 URL paths.

Layout under `out_dir` (a fixture server maps a request path onto it):

    ODataCatalog/Tables.json
    ODataFeed/odata/<ID>/index.json                 service document (…/<ID>?$format=json)
    ODataFeed/odata/<ID>/TableInfos.json, DataProperties.json, CategoryGroups.json, <Dimension>.json
    ODataFeed/odata/<ID>/TypedDataSet/$count.json   plain integer text
    ODataFeed/odata/<ID>/TypedDataSet/page-00000.json, page-00001.json, …   ($skip = page number * page_size)

Tables: 85099NED (kerncijfers jeugdzorg), 82975NED (jeugdbeschermingstrajecten), 03759ned (bevolking) and
"Gebieden in Nederland <jaar>" for every year from the window's first year to the release year; the catalog
also lists the discontinued 84134NED. The output is byte-identical for the same input: no wall-clock time.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from jeugdmonitor.synthetic.cbs_areas import build_areas
from jeugdmonitor.synthetic.cbs_codes import (
    check_period,
    dump,
    release_date,
    timestamp,
    window_months,
    window_periods,
    write_file,
)
from jeugdmonitor.synthetic.cbs_model import Table
from jeugdmonitor.synthetic.cbs_population import bevolking, gebieden
from jeugdmonitor.synthetic.cbs_revision import make_revision
from jeugdmonitor.synthetic.cbs_tables import Inputs, jeugdbescherming, kerncijfers_jeugdzorg
from jeugdmonitor.synthetic.regions import Region

__all__ = ["MEASURES", "make_revision", "write_cbs_tree"]

MEASURES = frozenset(
    {
        "jeugdhulp",
        "jeugdhulp_zonder_verblijf",
        "jeugdhulp_met_verblijf",
        "pleegzorg",
        "gezinsgericht",
        "gesloten",
        "overig_verblijf",
        "ots",
        "voogdij",
        "jeugdreclassering",
        "ots_begonnen",
        "ots_beeindigd",
    }
)
# The 2015-2020 predecessor of 85099NED: listed in the catalog only, so a client learns to skip `Stopgezet`.
_DISCONTINUED: dict[str, Any] = {  # a catalogue record: JSON values
    "Identifier": "84134NED",
    "Title": "Kerncijfers over jeugdzorg, 2015-2020",
    "ShortTitle": "Jeugdzorg; 2015-2020",
    "Modified": "2021-10-29T02:00:00",
    "Period": "2015 - 2020",
    "RecordCount": 392_196,
    "ColumnCount": 6,
    "ShortDescription": "Deze tabel is stopgezet. Vanaf 2021 verschijnen de cijfers in tabel 85099NED "
    "(Kerncijfers over jeugdzorg).",
}


def write_cbs_tree(
    out_dir: Path,
    *,
    region: Region,
    counts: pd.DataFrame,
    first_month: str,
    months: int,
    seed: int,
    page_size: int = 1000,
    base_url: str = "https://opendata.cbs.nl",
) -> int:
    """Write the tree for `region` and the generator's `counts`; returns the number of files written."""
    if page_size < 1:
        raise ValueError("page_size must be at least 1")
    base = base_url.rstrip("/")
    lookup = _counts_lookup(counts, region)
    # Whole half-years and years of the window, plus any period the generator supplied on top.
    periods = sorted(set(window_periods(first_month, months)) | {p for _, _, p in lookup})
    if not periods:
        raise ValueError("the window holds no complete half-year and counts holds no period")
    release = release_date(periods, first_month, months)
    areas = build_areas(region)
    years = sorted({int(p[:4]) for p in periods} | {y for y, _ in window_months(first_month, months)})
    inp = Inputs(region, areas, lookup, periods, seed, release)
    tables = [
        kerncijfers_jeugdzorg(inp),
        jeugdbescherming(inp),
        # Population on 1 January of the last year is out by the end of June of that year.
        bevolking(areas, years, date(years[-1], 6, 30)),
        *(gebieden(region, y, date(y, 1, 31)) for y in range(years[0], release.year + 1)),
    ]
    written = sum(_write_table(Path(out_dir), t, base, page_size) for t in tables)
    write_file(Path(out_dir) / "ODataCatalog" / "Tables.json", dump(_catalog(tables, base)))
    return written + 1


def _counts_lookup(counts: pd.DataFrame, region: Region) -> dict[tuple[str, str, str], float]:
    """{(gemeentecode, measure, periode): value}; rejects what the tables cannot place, so that generator
    bugs surface here."""
    missing = {"gemeentecode", "periode", "measure", "value"} - set(counts.columns)
    if missing:
        raise ValueError(f"counts lacks column(s): {', '.join(sorted(missing))}")
    frame = counts.dropna(subset=["value"])
    unknown = set(frame["gemeentecode"]) - {g.code for g in region.gemeenten}
    if unknown:
        raise ValueError(f"counts has gemeente code(s) outside region {region.slug}: {sorted(unknown)}")
    bad = set(frame["measure"]) - MEASURES
    if bad:
        raise ValueError(f"counts has unknown measure(s): {sorted(bad)}")
    for period in set(frame["periode"]):
        check_period(period)
    keys = ["gemeentecode", "measure", "periode"]
    if frame.duplicated(keys).any():
        raise ValueError("counts has more than one value for a (gemeentecode, measure, periode)")
    return {(g, m, p): float(v) for g, m, p, v in frame[[*keys, "value"]].itertuples(index=False)}


def _entity(base: str, table_id: str, name: str, value: list) -> dict:
    return {"odata.metadata": f"{base}/ODataFeed/odata/{table_id}/$metadata#Cbs.OData.WebAPI.{name}", "value": value}


def _write_table(out_dir: Path, table: Table, base: str, page_size: int) -> int:
    """All entity files of one table; returns how many files it wrote."""
    tid = table.identifier
    root = out_dir / "ODataFeed" / "odata" / tid
    url = f"{base}/ODataFeed/odata/{tid}"
    names = [
        "TableInfos",
        "UntypedDataSet",
        "TypedDataSet",
        "DataProperties",
        "CategoryGroups",
        *(d.key for d in table.dimensions),
    ]
    # The service document lists UntypedDataSet as CBS does; the tree serves the typed set only.
    files: dict[str, object] = {
        "index.json": {
            "odata.metadata": f"{url}/$metadata",
            "value": [{"name": n, "url": f"{url}/{n}"} for n in names],
        },
        "TableInfos.json": _entity(base, tid, "TableInfos", [_table_info(table)]),
        "DataProperties.json": _entity(base, tid, "DataProperties", _data_properties(table)),
        "CategoryGroups.json": _entity(base, tid, "CategoryGroups", table.category_groups),
    }
    for dim in table.dimensions:
        files[f"{dim.key}.json"] = _entity(base, tid, dim.key, dim.entries)
    for name, doc in files.items():
        write_file(root / name, dump(doc))
    typed = root / "TypedDataSet"
    write_file(typed / "$count.json", str(len(table.rows)).encode())
    for stale in typed.glob("page-*.json"):  # a rewrite with fewer pages must not leave old pages behind
        stale.unlink()
    pages = max(1, -(-len(table.rows) // page_size))
    for i in range(pages):
        page = _entity(base, tid, "TypedDataSet", table.rows[i * page_size : (i + 1) * page_size])
        if i < pages - 1:
            page["odata.nextLink"] = f"{url}/TypedDataSet?$format=json&$skip={(i + 1) * page_size}"
        write_file(typed / f"page-{i:05d}.json", dump(page))
    return len(files) + 1 + pages


def _table_info(table: Table) -> dict:
    stamp = timestamp(table.modified)
    return {
        "ID": 0,
        "Title": table.title,
        "ShortTitle": table.short_title,
        "Identifier": table.identifier,
        "Summary": table.title,
        "Modified": stamp,
        "MetaDataModified": stamp,
        "ReasonDelivery": "Actualisering",
        "ExplanatoryText": "",
        "OutputStatus": "Regulier",
        "Source": "CBS.",
        "Language": "nl",
        "Catalog": "CBS",
        "Frequency": table.frequency,
        "Period": table.period,
        "ShortDescription": table.short_description,
        "Description": "",
        "DefaultPresentation": "",
        "DefaultSelection": table.default_selection,
        "GraphTypes": "Table",
        "SearchPriority": "2",
    }


def _data_properties(table: Table) -> list[dict]:
    """Dimensions first, then topics; a TopicGroup row precedes its first topic and is their ParentID."""
    props: list[dict] = []
    for dim in table.dimensions:
        row = {
            "odata.type": f"Cbs.OData.{dim.kind}",
            "ID": len(props),
            "Position": len(props),
            "ParentID": None,
            "Type": dim.kind,
            "Key": dim.key,
            "Title": dim.title,
            "Description": dim.description,
        }
        if dim.kind == "GeoDimension":
            row["MapYear"] = str(table.modified.year)
        if dim.kind != "Dimension":
            row["ReleasePolicy"] = True
        props.append(row)
    groups: dict[str, int] = {}
    position = len(props)
    for topic in table.topics:
        if topic.group and topic.group not in groups:
            groups[topic.group] = len(props)
            props.append(
                {
                    "odata.type": "Cbs.OData.TopicGroup",
                    "ID": len(props),
                    "Position": None,
                    "ParentID": None,
                    "Type": "TopicGroup",
                    "Key": "",
                    "Title": topic.group,
                    "Description": "",
                }
            )
        props.append(
            {
                "odata.type": "Cbs.OData.Topic",
                "ID": len(props),
                "Position": position,
                "ParentID": groups.get(topic.group) if topic.group else None,
                "Type": "Topic",
                "Key": topic.key,
                "Title": topic.title,
                "ShortTitle": topic.title,
                "Description": topic.description,
                "Datatype": topic.datatype,
                "Unit": topic.unit,
                "Decimals": topic.decimals,
                "Default": "Missing",
                "PresentationType": topic.presentation,
            }
        )
        position += 1
    return props


def _catalog_record(base: str, info: dict, record_count: int, column_count: int) -> dict:
    tid = info["Identifier"]
    return {
        "Updated": info["Modified"],
        "ID": 0,
        "Identifier": tid,
        "Title": info["Title"],
        "ShortTitle": info["ShortTitle"],
        "ShortDescription": info["ShortDescription"],
        "Summary": info["Title"],
        "Modified": info["Modified"],
        "MetaDataModified": info["Modified"],
        "ReasonDelivery": info.get("ReasonDelivery", "Actualisering"),
        "ExplanatoryText": "",
        "OutputStatus": info.get("OutputStatus", "Regulier"),
        "Source": "CBS.",
        "Language": "nl",
        "Catalog": "CBS",
        "Frequency": info["Frequency"],
        "Period": info["Period"],
        "SummaryAndLinks": info["Title"],
        "ApiUrl": f"{base}/ODataApi/odata/{tid}",
        "FeedUrl": f"{base}/ODataFeed/odata/{tid}",
        "DefaultPresentation": "",
        "DefaultSelection": info.get("DefaultSelection", ""),
        "GraphTypes": "Table",
        "RecordCount": record_count,
        "ColumnCount": column_count,
        "SearchPriority": "2",
    }


def _catalog(tables: list[Table], base: str) -> dict:
    records = [_catalog_record(base, _table_info(t), len(t.rows), len(t.dimensions) + len(t.topics)) for t in tables]
    stopped = {**_DISCONTINUED, "Frequency": "Stopgezet", "OutputStatus": "Gediscontinueerd"}
    records.append(_catalog_record(base, stopped, stopped["RecordCount"], stopped["ColumnCount"]))
    records.sort(key=lambda r: r["Identifier"].upper())
    for i, record in enumerate(records):
        record["ID"] = i
    return {"odata.metadata": f"{base}/ODataCatalog/$metadata#Tables", "value": records}
