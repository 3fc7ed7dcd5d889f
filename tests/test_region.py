"""The region's own files: the region file is checked against the configuration, `init` writes files that load
and refuses to overwrite, extra layouts join the bundled ones, and a team month without an export is niet geleverd."""

from __future__ import annotations

import stat
from datetime import date

import pandas as pd
import pytest
from jeugdmonitor.schemas.jgt_layouts import LAYOUTS_DIR, load_layouts
from jeugdmonitor.transforms.marts.inputs import AANMELDING_COLUMNS, LEVERING_COLUMNS, Inputs, Params, Window, frame
from jeugdmonitor.transforms.marts.levering import mark
from typer.testing import CliRunner

from jeugdmonitor import region
from jeugdmonitor.cli import app
from jeugdmonitor.config import ConfigError, load_settings
from jeugdmonitor.marts.build import build_gemeente
from jeugdmonitor.marts.registry import SPECS

REGION = """
[gemeenten]
GM0518 = "'s-Gravenhage"

[[teams]]
code = "CENTRUM"
naam = "JGT Centrum"
gemeentecode = "GM0518"
wijken = ["WK051801"]
"""


def config(tmp_path, gemeenten='["GM0518"]', region_file=REGION, extra="") -> str:
    (tmp_path / "regio.toml").write_text(region_file, encoding="utf-8")
    path = tmp_path / "jeugdmonitor.toml"
    path.write_text(f'[region]\nnaam = "T"\ngemeenten = {gemeenten}\nbestand = "regio.toml"\n{extra}', encoding="utf-8")
    return str(path)


def test_the_region_file_outside_the_package_is_the_one_in_force(tmp_path):
    tables = region.region_tables(load_settings(config(tmp_path)))
    assert tables.teams == {"CENTRUM": ("JGT Centrum", "GM0518")}
    assert tables.wijken == {"CENTRUM": ("WK051801",)}


def test_a_configured_gemeente_missing_from_the_region_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match=r"GM0603.*not under \[gemeenten\]"):
        load_settings(config(tmp_path, gemeenten='["GM0518", "GM0603"]'))


def test_a_wijk_of_another_gemeente_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="CENTRUM.*WK054601"):
        load_settings(config(tmp_path, region_file=REGION.replace("WK051801", "WK054601")))


def test_without_a_region_file_the_gemeenten_stand_alone_without_teams(tmp_path):
    path = tmp_path / "jeugdmonitor.toml"
    path.write_text('[region]\nnaam = "T"\ngemeenten = ["GM0518"]\n', encoding="utf-8")
    tables = region.region_tables(load_settings(path))
    assert tables.gemeenten == {"GM0518": "GM0518"} and tables.teams == {}


def test_demo_names_the_bundled_region_file(tmp_path):
    path = tmp_path / "jeugdmonitor.toml"
    path.write_text('[region]\nnaam = "T"\ngemeenten = ["GM0546"]\nbestand = "demo"\n', encoding="utf-8")
    assert "LEI-NOORD" in region.region_tables(load_settings(path)).teams


def test_an_aanbieders_table_gives_names_and_a_bad_line_is_a_config_error(tmp_path):
    (tmp_path / "aanbieders.csv").write_text("agb_code,naam,plaats\n12345678,Zorg BV,Leiden\n", encoding="utf-8")
    settings = load_settings(config(tmp_path, extra='aanbieders = "aanbieders.csv"\n'))
    assert region.aanbieder_namen(settings) == {"12345678": "Zorg BV"}
    (tmp_path / "aanbieders.csv").write_text("agb_code,naam\n1234,Zorg BV\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"aanbieders.csv:2"):
        load_settings(config(tmp_path, extra='aanbieders = "aanbieders.csv"\n'))


def test_extra_layouts_join_the_bundled_ones_and_a_doubled_name_is_refused(tmp_path):
    own = tmp_path / "layouts"
    own.mkdir()
    (own / "eigen.toml").write_text('name = "eigen"\n[columns]\n"nr" = "registratie_id"\n', encoding="utf-8")
    names = [layout.name for layout in load_layouts(LAYOUTS_DIR, own)]
    assert names == ["v1", "v2", "eigen"]
    (own / "v1.toml").write_text('name = "v1"\n[columns]\n"nr" = "registratie_id"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="same name"):
        load_settings(config(tmp_path, extra=f'[jgt]\nlayouts_dir = "{own}"\n'))


def test_init_writes_files_that_load_and_never_overwrites(tmp_path):
    runner = CliRunner()
    args = ["init", str(tmp_path / "regio"), "--naam", "Regio X", "--gemeente", "GM0518", "--gemeente", "GM0603"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    settings = load_settings(tmp_path / "regio" / "jeugdmonitor.toml")
    assert settings.region.gemeenten == ["GM0518", "GM0603"]
    assert settings.region.bestand == tmp_path / "regio" / "regio.toml"
    assert (tmp_path / "regio" / "aanbieders.csv").read_text(encoding="utf-8") == "agb_code,naam\n"
    # `run` refuses a missing inbox, so init makes them, for the owner only (they will hold raw BSNs)
    for inbox in (settings.paths.ijw_inbox, settings.paths.jgt_inbox, settings.paths.cbs_inbox):
        assert inbox.is_dir() and stat.S_IMODE(inbox.stat().st_mode) == 0o700
    before = (tmp_path / "regio" / "regio.toml").read_text(encoding="utf-8")
    again = runner.invoke(app, args)
    assert again.exit_code == 2 and "already exist" in again.output
    assert (tmp_path / "regio" / "regio.toml").read_text(encoding="utf-8") == before
    bad = runner.invoke(app, ["init", str(tmp_path / "x"), "--naam", "X", "--gemeente", "leiden"])
    assert bad.exit_code == 2 and not (tmp_path / "x").exists()


def test_a_team_month_without_an_export_is_null_with_a_reason_not_zero():
    months = [date(2025, 1, 1), date(2025, 2, 1)]
    inputs = Inputs(
        gemeentecode="GM0518",
        teams=["A", "B"],
        aanmeldingen=frame(
            [
                {"team": "A", "registratie_id": f"r{i}", "gemeentecode": "GM0518", "client_pseudonym": f"p{i}"}
                | {"aanmelddatum": date(2025, 1, 5 + i), "afsluitdatum": date(2025, 1, 20)}
                for i in range(3)
            ],
            AANMELDING_COLUMNS,
        ),
        # A delivered January only; B never delivered
        leveringen=frame([{"team": "A", "maand": months[0]}], LEVERING_COLUMNS),
    )
    by_name = {spec.name: rows for spec, rows in build_gemeente(inputs, Window(*months), Params(), threshold=1)}
    aanmeldingen = by_name["mart_aanmeldingen"]
    rows = aanmeldingen[aanmeldingen["periode_type"] == "maand"].set_index(["team", "maand"])
    jan, feb = pd.Timestamp(months[0]), pd.Timestamp(months[1])
    assert rows.loc[("A", jan), "aantal_aanmeldingen"] == 3 and rows.loc[("A", jan), "levering"] == "geleverd"
    assert pd.isna(rows.loc[("A", feb), "aantal_aanmeldingen"]) and rows.loc[("A", feb), "levering"] == "niet_geleverd"
    assert pd.isna(rows.loc[("B", jan), "aantal_jeugdigen"]) and rows.loc[("B", jan), "levering"] == "niet_geleverd"
    assert (
        rows.loc[("totaal", jan), "aantal_aanmeldingen"] == 3 and rows.loc[("totaal", jan), "levering"] == "onvolledig"
    )
    # a quarter follows its months: A delivered one of two (onvolledig, its figures kept), B none
    quarter = aanmeldingen[aanmeldingen["periode_type"] == "kwartaal"].set_index("team")
    assert quarter.loc["A", "levering"] == "onvolledig" and quarter.loc["A", "aantal_aanmeldingen"] == 3
    assert quarter.loc["B", "levering"] == "niet_geleverd" and pd.isna(quarter.loc["B", "aantal_aanmeldingen"])
    assert quarter.loc["totaal", "levering"] == "onvolledig"
    verwijzingen = by_name["mart_verwijzingen_team"]
    verwijzingen = verwijzingen[verwijzingen["periode_type"] == "maand"].set_index(["team", "maand"])
    assert pd.isna(verwijzingen.loc[("B", jan), "verwijspercentage"])
    assert verwijzingen.loc[("A", jan), "afgesloten"] == 3
    for spec in SPECS:
        assert ("levering" in by_name[spec.name]) == bool(spec.per_levering), spec.name


def test_a_year_of_a_team_that_delivered_every_month_is_geleverd():
    rows = pd.DataFrame(
        {
            "team": ["A", "A", "A", "totaal"],
            "maand": pd.to_datetime(["2025-01-01", "2025-02-01", "2025-01-01", "2025-01-01"]),
            "periode_type": ["maand", "maand", "jaar", "jaar"],
            "n": [1, 2, 3, 3],
        }
    )
    out = mark(rows, pd.DataFrame({"team": ["A", "A"], "maand": pd.to_datetime(["2025-01-01", "2025-02-01"])}), ["n"])
    assert list(out["levering"]) == ["geleverd"] * 4 and list(out["n"]) == [1, 2, 3, 3]


def test_mark_blanks_only_the_team_rows_without_delivery():
    rows = pd.DataFrame({"team": ["A", "B", "totaal"], "maand": pd.to_datetime(["2025-01-01"] * 3), "n": [1, 0, 1]})
    out = mark(rows, pd.DataFrame({"team": ["A", "B"], "maand": pd.to_datetime(["2025-01-01"] * 2)}), ["n"])
    assert list(out["levering"]) == ["geleverd", "geleverd", "geleverd"] and list(out["n"]) == [1, 0, 1]


def test_the_demo_names_its_aanbieders(tmp_path):
    # region.aanbieders = "demo": the bundled names of the synthetic aanbieders, so the demo's alerts and views
    # show names, not AGB codes
    from jeugdmonitor.synthetic.products import AANBIEDERS

    settings = load_settings(config(tmp_path, extra='aanbieders = "demo"\n'))
    assert region.aanbieder_namen(settings) == {a.agb: a.naam for a in AANBIEDERS}
