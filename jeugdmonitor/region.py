"""The region's own facts, from the files its configuration names: the region file (gemeenten, teams with the
wijken they serve, herindelingen), extra JGT layouts and the aanbieders table. Nothing here falls back on the
bundled demo files: the demo configuration names them (`region.bestand = "demo"`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from jeugdmonitor.schemas import load_aanbieders
from jeugdmonitor.schemas.jgt_layouts import (
    LAYOUTS_DIR,
    Layout,
    RegionTables,
    gemeenten_only,
    load_layouts,
    load_region_tables,
)

if TYPE_CHECKING:
    from jeugdmonitor.config import Settings


def region_tables(settings: Settings) -> RegionTables:
    """The region file of `settings`; without one, the configured gemeenten by code and no teams (every JGT row
    is then quarantined as team_unknown until a region file names the teams)."""
    bestand = settings.region.bestand
    return gemeenten_only(list(settings.region.gemeenten)) if bestand is None else load_region_tables(bestand)


def jgt_layouts(settings: Settings) -> tuple[Layout, ...]:
    """The bundled JGT layouts and those of `jgt.layouts_dir`."""
    return load_layouts(LAYOUTS_DIR, settings.jgt.layouts_dir)


def aanbieder_namen(settings: Settings) -> dict[str, str]:
    """AGB code → name from `region.aanbieders` ({} without one)."""
    return load_aanbieders(settings.region.aanbieders)


def check(settings: Settings) -> None:
    """Read every region file once, so that a broken one stops the configuration, not a run halfway: a
    ValueError or OSError names the file and what is wrong."""
    region_tables(settings).check(list(settings.region.gemeenten))
    jgt_layouts(settings)
    aanbieder_namen(settings)
