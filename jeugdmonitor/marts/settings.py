"""The settings of a mart build, taken from the configuration, and what a build reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from jeugdmonitor import region
from jeugdmonitor.schemas.jgt_layouts import RegionTables, load_region_tables
from jeugdmonitor.transforms.marts.inputs import (
    Params,
)


@dataclass
class BuildReport:
    gemeenten: int = 0
    rows: dict[str, int] = field(default_factory=dict)  # mart -> rows written
    since: dict[str, date] = field(default_factory=dict)  # gemeente -> first month rebuilt


@dataclass(frozen=True)
class BuildSettings:
    gemeenten: list[str]
    threshold: int
    params: Params
    jeugdregio: str = ""
    productcodes_path: Path | None = None
    productcategorieen_path: Path | None = None  # default: the bundled JZ020 list
    first_month: date | None = None  # default: the first month with data
    budgets: dict[str, dict[int, list[float]]] = field(default_factory=dict)  # gemeente -> year -> quarters
    workers: int = 1  # build this many gemeenten at a time, each in its own process
    # the region file (teams, names, herindelingen); the default is the bundled demo region's, for tests
    region: RegionTables = field(default_factory=load_region_tables)
    aanbieders: dict[str, str] = field(default_factory=dict)  # AGB code -> name (region.aanbieders)


def build_settings(settings) -> BuildSettings:
    """The mart build's settings from the configuration (jeugdmonitor.config.Settings)."""
    marts = settings.marts
    first = date.fromisoformat(f"{marts.eerste_maand}-01") if marts.eerste_maand else None
    return BuildSettings(
        gemeenten=list(settings.region.gemeenten),
        threshold=settings.privacy.suppression_threshold,
        jeugdregio=settings.region.jeugdregio,
        productcodes_path=settings.ijw.productcodes,
        productcategorieen_path=settings.ijw.productcategorieen,
        first_month=first,
        params=Params(
            norm_dagen=marts.doorlooptijd_norm_dagen,
            herregistratie_dagen=marts.herregistratie_dagen,
            doel_een_op_n=marts.doel_een_op_n or None,  # 0: no target
        ),
        budgets={g: {int(y): q for y, q in years.items()} for g, years in settings.budget.items()},
        workers=marts.workers,
        region=region.region_tables(settings),
        aanbieders=region.aanbieder_namen(settings),
    )
