"""An in-memory CBS v3 table (dimensions, topics, TypedDataSet rows) before `cbs_writer` serialises it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from jeugdmonitor.synthetic.cbs_areas import Area
from jeugdmonitor.synthetic.cbs_codes import pad_keys, period_statuses, period_title


@dataclass
class Dimension:
    key: str
    title: str
    kind: str  # "Dimension", "TimeDimension" or "GeoDimension"
    entries: list[dict]  # the entity rows, keys already padded
    description: str = ""


@dataclass(frozen=True)
class Topic:
    key: str
    title: str
    unit: str = "aantal"
    datatype: str = "Long"
    decimals: int = 0
    presentation: str = "Absolute"
    description: str = ""
    group: str | None = None  # Title of the TopicGroup it sits in


@dataclass
class Table:
    identifier: str
    title: str
    short_title: str
    frequency: str
    modified: date
    period: str
    short_description: str
    dimensions: list[Dimension]
    topics: list[Topic]
    rows: list[dict]
    category_groups: list[dict] = field(default_factory=list)
    default_selection: str = ""


def entry(key: str, title: str, group: int | None = None, description: str | None = "") -> dict:
    """One row of a dimension entity, in CBS's field order."""
    return {"Key": key, "Title": title, "Description": description, "CategoryGroupID": group}


def category_group(group_id: int, dimension: str, title: str) -> dict:
    return {"ID": group_id, "DimensionKey": dimension, "Title": title, "Description": "", "ParentID": None}


def regio_dimension(areas: list[Area]) -> tuple[Dimension, dict[str, str]]:
    """The RegioS entity and {code: padded key}; the width comes from the longest code present."""
    padded = pad_keys([a.code for a in areas])
    entries = [entry(padded[a.code], a.title, description=a.description) for a in areas]
    return Dimension("RegioS", "Regio's", "GeoDimension", entries), padded


def perioden_dimension(statuses: dict[str, str]) -> Dimension:
    """Perioden with Status and the starred StatLine title, in key order."""
    entries = [
        {"Key": p, "Title": period_title(p, statuses[p]), "Description": "", "Status": statuses[p]}
        for p in sorted(statuses)
    ]
    return Dimension("Perioden", "Perioden", "TimeDimension", entries)


def release_perioden(periods: list[str]) -> Dimension:
    return perioden_dimension(period_statuses(periods))
