"""JGT export layouts as data: one TOML file per layout (columns → canonical fields, value maps, date formats),
and the region file (gemeenten, teams with their wijken, herindelingen).

Adding a layout is adding a TOML file to the folder `jgt.layouts_dir` names (or here, for every region); nothing in
the code names a layout. The region file is the region's own (`region.bestand`); the bundled jgt_region.toml is the
demo's. See docs/jgt.md.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
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


def load_layouts(folder: Path = LAYOUTS_DIR, extra: Path | None = None) -> tuple[Layout, ...]:
    """The bundled layouts, then those of `extra` (a region's own folder). Two layouts of one name are an error:
    the layout's name is what a loaded file records (message_type JGT-<name>)."""
    layouts = [_layout(p) for p in sorted(folder.glob("*.toml"))]
    if extra is not None:
        if not extra.is_dir():
            raise ValueError(f"JGT layout folder not found: {extra}")
        layouts += [_layout(p) for p in sorted(extra.glob("*.toml"))]
    names = [layout.name for layout in layouts]
    doubled = sorted({n for n in names if names.count(n) > 1})
    if doubled:
        raise ValueError(f"JGT layouts with the same name: {doubled}")
    return tuple(layouts)


@dataclass(frozen=True)
class RegionTables:
    gemeenten: dict[str, str]  # GM code → name
    herindeling: dict[str, str]  # old GM code → new GM code
    oude_namen: dict[str, str]  # old name → old GM code
    teams: dict[str, tuple[str, str]]  # code → (naam, gemeentecode)
    wijken: dict[str, tuple[str, ...]] = field(default_factory=dict)  # team code → CBS wijkcodes it serves
    # old code → (name, first day it no longer existed); for dim_gemeente
    opgeheven: dict[str, tuple[str, date | None]] = field(default_factory=dict)

    def check(self, gemeenten: list[str]) -> None:
        """A ValueError when a gemeente of `gemeenten` (the configuration's) is not in this file."""
        missing = [g for g in gemeenten if g not in self.gemeenten]
        if missing:
            raise ValueError(f"gemeenten {missing} of region.gemeenten are not under [gemeenten] in the region file")


def gemeenten_only(gemeenten: list[str]) -> RegionTables:
    """The region without a region file: its gemeenten by code, no teams, no herindelingen."""
    return RegionTables(gemeenten={g: g for g in gemeenten}, herindeling={}, oude_namen={}, teams={})


_GM = re.compile(r"^GM\d{4}$")
_WK = re.compile(r"^WK\d{6}$")


def load_region_tables(path: Path = REGION_FILE) -> RegionTables:
    """The region file; a ValueError naming the entry when it does not hold together."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    gemeenten = dict(data.get("gemeenten", {}))
    her = data.get("herindeling", {})
    for code in [*gemeenten, *her, *(v.get("naar", "") for v in her.values())]:
        if not _GM.match(code):
            raise ValueError(f"{path.name}: gemeentecode {code!r} is not GM + 4 digits")
    teams: dict[str, tuple[str, str]] = {}
    wijken: dict[str, tuple[str, ...]] = {}
    for team in data.get("teams", []):
        code, naam, gemeente = team.get("code"), team.get("naam"), team.get("gemeentecode")
        if not (code and naam and gemeente):
            raise ValueError(f"{path.name}: every [[teams]] needs code, naam and gemeentecode ({code or naam!r})")
        if gemeente not in gemeenten:
            raise ValueError(f"{path.name}: team {code!r}: gemeente {gemeente!r} is not under [gemeenten]")
        if code in teams:
            raise ValueError(f"{path.name}: team {code!r} appears twice")
        # A wijk is named by its CBS wijkcode (WK + the gemeente's 4 digits + 2): names change and repeat.
        bad = [w for w in team.get("wijken", []) if not _WK.match(w) or w[2:6] != gemeente[2:]]
        if bad:
            raise ValueError(f"{path.name}: team {code!r}: {bad} are not CBS wijkcodes of {gemeente}")
        teams[code] = (naam, gemeente)
        wijken[code] = tuple(team.get("wijken", []))
    return RegionTables(
        gemeenten=gemeenten,
        herindeling={old: v["naar"] for old, v in her.items()},
        oude_namen={v["naam"]: old for old, v in her.items() if "naam" in v},
        teams=teams,
        wijken=wijken,
        opgeheven={old: (v.get("naam", old), v.get("per")) for old, v in her.items()},
    )
