"""JGT export layouts as data: one TOML file per layout (columns → canonical fields, value maps, date formats).

Adding a layout is adding a TOML file here; nothing in the code names a layout. See docs/jgt.md.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

LAYOUTS_DIR = Path(__file__).parent
REGION_FILE = LAYOUTS_DIR.parent / "jgt_region.toml"

CANONICAL_FIELDS = (
    "registratie_id",
    "bsn",
    "geboortedatum",
    "gemeente",
    "team",
    "aanmelddatum",
    "bron_aanmelding",
    "hulpvraag",
    "datum_start_hulp",
    "afsluitdatum",
    "uitkomst",
)
VALUE_FIELDS = ("bron_aanmelding", "hulpvraag", "uitkomst")


def norm(value: str) -> str:
    """How headers and coded values are compared: case-insensitive, spaces collapsed."""
    return " ".join(str(value).split()).casefold()


@dataclass(frozen=True)
class Layout:
    name: str
    description: str
    columns: dict[str, str]  # source column → canonical field
    values: dict[str, dict[str, str]]  # field → normalised delivered value → canonical value
    date_formats: tuple[str, ...]

    @property
    def header(self) -> frozenset[str]:
        return frozenset(norm(c) for c in self.columns)


def _layout(path: Path) -> Layout:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    columns = dict(data["columns"])
    unknown = set(columns.values()) - set(CANONICAL_FIELDS)
    if unknown:
        raise ValueError(f"{path.name}: unknown canonical fields {sorted(unknown)}")
    values = {f: {norm(k): v for k, v in data.get("values", {}).get(f, {}).items()} for f in VALUE_FIELDS}
    return Layout(
        data.get("name", path.stem),
        data.get("description", ""),
        columns,
        values,
        tuple(data.get("date_formats", ["%d-%m-%Y"])),
    )


@cache
def load_layouts(folder: Path = LAYOUTS_DIR) -> tuple[Layout, ...]:
    return tuple(_layout(p) for p in sorted(folder.glob("*.toml")))


@dataclass(frozen=True)
class RegionTables:
    gemeenten: dict[str, str]  # GM code → name
    herindeling: dict[str, str]  # old GM code → new GM code
    oude_namen: dict[str, str]  # old name → old GM code
    teams: dict[str, tuple[str, str]]  # code → (naam, gemeentecode)


@cache
def load_region_tables(path: Path = REGION_FILE) -> RegionTables:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    her = data.get("herindeling", {})
    return RegionTables(
        gemeenten=dict(data.get("gemeenten", {})),
        herindeling={old: v["naar"] for old, v in her.items()},
        oude_namen={v["naam"]: old for old, v in her.items() if "naam" in v},
        teams={t["code"]: (t["naam"], t["gemeentecode"]) for t in data.get("teams", [])},
    )
