"""A new region from `jeugdmonitor init` on: its own region file, layouts and aanbieders drive ingest, dimensions
and marts through the monitor flow, and a team month without an export is published as niet geleverd, not 0."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from jeugdmonitor.flows.monitor import monitor
from sqlalchemy import text

from jeugdmonitor.starter import write_starter
from jeugdmonitor.warehouse import make_engine
from tests.jgt_builder import bsn_for_test

JW301 = Path(__file__).parents[1] / "fixtures" / "ijw" / "jw301_snapshot.xml"
KEY = "ab" * 32

REGION_FILE = """
[gemeenten]
GM0546 = "Leiden"

[[teams]]
code = "EIGEN"
naam = "JGT Eigen"
gemeentecode = "GM0546"
wijken = ["WK054601", "WK054602"]

[[teams]]
code = "STIL"
naam = "JGT Stil"
gemeentecode = "GM0546"
"""

# A layout no bundled file knows: the region's own, from jgt.layouts_dir.
LAYOUT = """
name = "eigen"
description = "The region's own registration system"
date_formats = ["%Y-%m-%d"]

[columns]
"nummer" = "registratie_id"
"burgerservicenummer" = "bsn"
"geboren" = "geboortedatum"
"gemeente" = "gemeente"
"teamcode" = "team"
"datum_aanmelding" = "aanmelddatum"
"datum_start" = "datum_start_hulp"
"""


@pytest.fixture
def region(tmp_path, monkeypatch):
    """`init` for a one-gemeente region, SQLite, no CBS tables (offline), the key from the environment."""
    folder = tmp_path / "regio"
    write_starter(folder, "Regio Test", ["GM0546"])
    config = folder / "jeugdmonitor.toml"
    monkeypatch.setenv("JEUGDMONITOR_PSEUDONYM_KEY", KEY)
    monkeypatch.setenv("JEUGDMONITOR__CBS__TABLES", "[]")
    monkeypatch.setenv("JEUGDMONITOR__PRIVACY__SUPPRESSION_THRESHOLD", "1")  # the raw figures
    monkeypatch.setenv("JEUGDMONITOR__ALERTS__PEILDATUM", "2025-06-20")
    return folder, config


def rows(config_folder: Path, sql: str) -> list[tuple]:
    engine = make_engine(f"sqlite:///{config_folder / 'data' / 'warehouse.sqlite'}")
    with engine.connect() as conn:
        out = [tuple(r) for r in conn.execute(text(sql))]
    engine.dispose()
    return out


def test_a_new_region_from_init_runs_with_empty_inboxes(region):
    folder, config = region
    summary = monitor(str(config))
    assert summary.to_dict()["files"] == {"loaded": 0, "rejected": 0, "skipped": 0, "refused_before": 0, "pending": 0}
    assert rows(folder, "select count(*) from meta_load_run") == [(1,)]


def test_the_regions_own_files_drive_ingest_dimensions_and_marts(region):
    folder, config = region
    (folder / "regio.toml").write_text(REGION_FILE, encoding="utf-8")
    (folder / "aanbieders.csv").write_text("agb_code,naam\n12345678,Zorg Voorbeeld BV\n", encoding="utf-8")
    layouts = folder / "layouts"
    layouts.mkdir()
    (layouts / "eigen.toml").write_text(LAYOUT, encoding="utf-8")
    text_ = config.read_text(encoding="utf-8").replace('layouts_dir = ""', 'layouts_dir = "layouts"')
    config.write_text(text_, encoding="utf-8")

    jgt = folder / "data" / "inbox" / "jgt"
    jgt.mkdir(parents=True, exist_ok=True)
    header = "nummer;burgerservicenummer;geboren;gemeente;teamcode;datum_aanmelding;datum_start\n"
    (jgt / "EIGEN_2025-03.csv").write_text(
        header
        + f"R1;{bsn_for_test(1)};2012-01-01;Leiden;EIGEN;2025-03-03;\n"
        + f"R2;{bsn_for_test(2)};2013-02-02;0546;EIGEN;2025-03-10;\n",
        encoding="utf-8",
    )
    (jgt / "EIGEN_2025-05.csv").write_text(
        header + f"R3;{bsn_for_test(3)};2014-03-03;Leiden;EIGEN;2025-05-05;2025-05-20\n", encoding="utf-8"
    )
    ijw = folder / "data" / "inbox" / "ijw" / "2025-03"
    ijw.mkdir(parents=True, exist_ok=True)
    shutil.copy(JW301, ijw / "JW301_0546_12345678_T202503001.xml")

    summary = monitor(str(config))
    assert summary.to_dict()["rows"]["quarantined"] == 0, summary.render_text()

    assert rows(folder, "select distinct team from stg_jgt_registratie") == [("EIGEN",)]
    # the teams are the region's: none of the bundled demo file's (LEI-NOORD ...)
    assert sorted(rows(folder, "select team, naam, wijken from dim_team")) == [
        ("EIGEN", "JGT Eigen", "WK054601 WK054602"),
        ("STIL", "JGT Stil", None),
    ]
    assert rows(folder, "select aanbieder_agb, naam from dim_aanbieder") == [("12345678", "Zorg Voorbeeld BV")]

    marts = {
        (team, str(maand)[:10]): (aantal, levering)
        for team, maand, aantal, levering in rows(
            folder,
            "select team, maand, aantal_aanmeldingen, levering from mart_aanmeldingen where periode_type = 'maand'",
        )
    }
    assert {t for t, _ in marts} == {"EIGEN", "STIL", "totaal"}
    assert marts[("EIGEN", "2025-03-01")] == (2, "geleverd")
    # EIGEN sent nothing for April, STIL never: unknown, not zero
    assert marts[("EIGEN", "2025-04-01")] == (None, "niet_geleverd")
    assert marts[("STIL", "2025-03-01")] == (None, "niet_geleverd")
    assert marts[("totaal", "2025-03-01")] == (2, "onvolledig")
    for mart in ("mart_aanmeldingen_uitsplitsing", "mart_doorlooptijd", "mart_verwijzingen_team"):
        assert set(rows(folder, f"select distinct levering from {mart} where team = 'STIL'")) == {("niet_geleverd",)}
