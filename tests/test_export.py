"""`jeugdmonitor export --gemeente GM.... --xlsx FILE`: a sheet per indicator with Dutch headers and number formats,
hidden cells marked "onderdrukt", a Toelichting with the definitions and the date of the data; read through the
reader views as a reader (PostgreSQL: row-level security decides, the owner must act as a reader role)."""

from __future__ import annotations

from datetime import date

import openpyxl
import pytest
from jeugdmonitor.schemas.marts import (
    mart_aanmeldingen,
    mart_doorlooptijd,
    mart_kosten,
    mart_ots,
)
from sqlalchemy import insert
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from jeugdmonitor import access
from jeugdmonitor.cli import app
from jeugdmonitor.export import INDICATOREN, ONDERDRUKT, ExportRefused, export
from jeugdmonitor.warehouse import make_engine
from tests.test_access import make_login, roles  # noqa: F401  (roles is a fixture)
from tests.test_readers import STAMP, _common, _dims


def hand_built(engine) -> None:
    """Leiden with a published and a hidden aanmeldingen month, a doorlooptijd, an amount and an OTS rate;
    Leiderdorp with one aanmeldingen row."""
    with engine.begin() as conn:
        _dims(conn)
        jgt = {"bron": "jgt", "levering": "geleverd", "maand": date(2025, 3, 1)}
        conn.execute(
            insert(mart_aanmeldingen),
            [
                _common(gemeentecode="GM0546", team="totaal", aantal_aanmeldingen=40, aantal_jeugdigen=38, **jgt),
                _common(
                    gemeentecode="GM0546",
                    team="leiden_noord",
                    aantal_aanmeldingen=None,
                    aantal_jeugdigen=None,
                    **{**jgt, "onderdrukt": True},
                ),
                _common(gemeentecode="GM0547", team="totaal", aantal_aanmeldingen=12, aantal_jeugdigen=12, **jgt),
            ],
        )
        conn.execute(
            insert(mart_doorlooptijd),
            _common(
                gemeentecode="GM0546",
                team="totaal",
                aantal=20,
                mediaan_dagen=12.5,
                p80_dagen=30.0,
                binnen_norm_pct=45.5,
                norm_dagen=42,
                wachtend_aantal=None,  # not applicable here, not hidden: stays empty
                wachtend_langer_dan_norm=None,
                **jgt,
            ),
        )
        conn.execute(
            insert(mart_kosten),
            _common(gemeentecode="GM0546", maand=date(2025, 2, 1), product_categorie="totaal", netto_bedrag=1234.5678),
        )
        conn.execute(
            insert(mart_ots),
            _common(
                gemeentecode="GM0546",
                periode="2025HJ01",
                periode_type="halfjaar",
                periode_start=date(2025, 1, 1),
                periode_eind=date(2025, 6, 30),
                jeugdigen_in_periode=25,
                bevolking_0_17=2000,
                bevolking_peiljaar=2025,
                jeugdigen_in_periode_per_1000=12.5,
            ),
        )


def column(sheet, header: str) -> list:
    headers = [c.value for c in sheet[1]]
    index = headers.index(header)
    return [row[index] for row in sheet.iter_rows(min_row=2)]


def test_a_workbook_with_a_sheet_per_indicator_dutch_headers_formats_and_the_marker(warehouse, tmp_path, roles):  # noqa: F811
    hand_built(warehouse)
    path = tmp_path / "leiden.xlsx"
    als = None
    if warehouse.dialect.name == "postgresql":
        als = roles()
        access.grant_reader(warehouse, als, ["GM0546"])
    rows = export(warehouse, "GM0546", path, als)
    assert rows["Aanmeldingen"] == 2 and rows["Kosten"] == 1
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Toelichting", *(ind.blad for ind in INDICATOREN)]

    aanmeldingen = book["Aanmeldingen"]
    assert aanmeldingen.freeze_panes == "A2" and aanmeldingen.auto_filter.ref.startswith("A1:")
    headers = [c.value for c in aanmeldingen[1]]
    # codes first, each label right after its code (the order of the mart's columns in the database follows)
    assert headers[:4] == ["Gemeentecode", "Gemeente", "Teamcode", "Team"]
    assert headers.index("Periode") == headers.index("Periodecode (CBS)") + 1
    assert {"Maand (eerste dag)", "Soort periode", "Periode volledig", "Levering"} <= set(headers)
    counts = {
        team.value: n
        for team, n in zip(column(aanmeldingen, "Team"), column(aanmeldingen, "Aantal aanmeldingen"), strict=True)
    }
    assert counts["hele gemeente"].value == 40 and counts["hele gemeente"].number_format == "#,##0"
    assert counts["JGT Leiden Noord"].value == ONDERDRUKT  # not 0, not empty
    assert {c.value for c in column(aanmeldingen, "Gemeente")} == {"Leiden"}
    assert {c.value for c in column(aanmeldingen, "Periode")} == {"maart 2025"}

    doorlooptijd = book["Doorlooptijd JGT"]
    (pct,) = column(doorlooptijd, "Binnen de norm")
    assert (pct.value, pct.number_format) == (pytest.approx(0.455), "0.0%")
    (mediaan,) = column(doorlooptijd, "Mediaan (dagen)")
    assert (mediaan.value, mediaan.number_format) == (12.5, "#,##0.0")
    (wachtend,) = column(doorlooptijd, "Aantal wachtend")
    assert wachtend.value is None  # NULL in a row that hides nothing: not applicable, no marker

    (bedrag,) = column(book["Kosten"], "Netto bedrag")
    assert (bedrag.value, bedrag.number_format) == (1234.57, "€ #,##0.00")
    (rate,) = column(book["Ondertoezichtstelling"], "Per 1.000 jeugdigen")
    assert (rate.value, rate.number_format) == (12.5, "#,##0.0")
    (label,) = column(book["Ondertoezichtstelling"], "Periode")
    assert label.value == "2025 H1"

    toelichting = {row[0].value: row for row in book["Toelichting"].iter_rows()}
    assert toelichting["Jeugdmonitor: indicatoren van de gemeente"][1].value == "Leiden (GM0546)"
    assert toelichting["Gegevens bijgewerkt op"][1].value == STAMP.replace(tzinfo=None)
    assert toelichting["Laatste periode"][1].value == "2025 H1"  # the latest period end among the sheets
    for indicator in INDICATOREN:
        assert toelichting[indicator.blad][1].value == indicator.view
        assert len(toelichting[indicator.blad][2].value) > 40
    assert "onderdrukt" in toelichting["Onderdrukt"][1].value


@pytest.mark.postgres
def test_a_reader_of_leiden_cannot_export_leiderdorp_and_the_owner_must_act_as_a_reader(pg_url, tmp_path, roles):  # noqa: F811
    from jeugdmonitor.warehouse import upgrade

    engine = make_engine(pg_url)
    upgrade(engine)
    hand_built(engine)
    leiden = roles()
    access.grant_reader(engine, leiden, ["GM0546"])
    piet = make_login(engine, roles("piet"), leiden)

    with pytest.raises(ExportRefused, match="not subject to row-level security"):
        export(engine, "GM0546", tmp_path / "owner.xlsx")  # the owner reads every gemeente: refused
    with pytest.raises(ExportRefused, match="no rows of GM0547"):
        export(engine, "GM0547", tmp_path / "leiderdorp.xlsx", als=leiden)
    assert not (tmp_path / "leiderdorp.xlsx").exists()

    # a person with their own login, through the command line
    as_piet = make_url(pg_url).set(username=piet).render_as_string(hide_password=False)
    runner = CliRunner()
    refused = runner.invoke(
        app, ["export", "--gemeente", "GM0547", "--xlsx", str(tmp_path / "x.xlsx"), "--url", as_piet]
    )
    assert refused.exit_code == 2 and "no rows of GM0547" in refused.output
    assert not (tmp_path / "x.xlsx").exists()
    path = tmp_path / "leiden.xlsx"
    made = runner.invoke(app, ["export", "--gemeente", "GM0546", "--xlsx", str(path), "--url", as_piet])
    assert made.exit_code == 0, made.output
    book = openpyxl.load_workbook(path)
    seen = {c.value for name in book.sheetnames[1:] for c in column(book[name], "Gemeentecode")}
    assert seen == {"GM0546"}
    engine.dispose()


def test_the_export_refuses_a_wrong_gemeentecode_and_an_empty_gemeente(tmp_path):
    from jeugdmonitor.warehouse import upgrade

    url = f"sqlite:///{tmp_path / 'w.sqlite'}"
    engine = make_engine(url)
    upgrade(engine)
    hand_built(engine)
    engine.dispose()
    runner = CliRunner()
    wrong = runner.invoke(app, ["export", "--gemeente", "0546", "--xlsx", str(tmp_path / "a.xlsx"), "--url", url])
    assert wrong.exit_code == 2 and "not GM + 4 digits" in wrong.output
    empty = runner.invoke(app, ["export", "--gemeente", "GM0575", "--xlsx", str(tmp_path / "b.xlsx"), "--url", url])
    assert empty.exit_code == 2 and "no rows of GM0575" in empty.output
    made = runner.invoke(app, ["export", "--gemeente", "GM0547", "--xlsx", str(tmp_path / "c.xlsx"), "--url", url])
    assert made.exit_code == 0, made.output
    assert "GM0547" in made.output and (tmp_path / "c.xlsx").is_file()
