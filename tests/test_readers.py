"""The reader layer (jeugdmonitor.schemas.readers, migration 0022): one labelled view per mart with one vocabulary;
a migrated warehouse holds exactly the module's views (SQLite and PostgreSQL); on PostgreSQL row-level security
holds through them for real reader logins."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from jeugdmonitor.schemas import load_productcategorieen, readers
from jeugdmonitor.schemas.marts import (
    DIMENSIONS,
    MARTS,
    SCORECARD,
    dim_aanbieder,
    dim_gemeente,
    dim_periode,
    dim_productcategorie,
    dim_team,
    mart_aanmeldingen,
    mart_doorlooptijd_aanbieder,
    mart_kosten,
    mart_ots,
)
from sqlalchemy import Boolean, Date, DateTime, Float, Integer, String, Table, insert, inspect, text
from sqlalchemy.engine import make_url

from jeugdmonitor import access
from tests.test_access import make_login, roles  # noqa: F401  (roles is a fixture)
from tests.test_reader_docs import run

ALL_MARTS = [*MARTS, SCORECARD]
STAMP = datetime(2025, 7, 1, tzinfo=UTC)


def stored_views(conn) -> dict[str, str]:
    if conn.dialect.name == "sqlite":
        found = conn.execute(
            text("SELECT name, sql FROM sqlite_master WHERE type = 'view' AND name LIKE 'lees!_%' ESCAPE '!'")
        )
        return {name: " ".join(sql.split()) for name, sql in found}
    found = conn.execute(
        text(
            "SELECT viewname, definition FROM pg_views WHERE schemaname = current_schema() "
            "AND viewname LIKE 'lees!_%' ESCAPE '!'"
        )
    )
    return {name: definition for name, definition in found}


def module_views(conn) -> dict[str, str]:
    """The module's views for the marts as this warehouse has them, as the database would store them."""
    inspector = inspect(conn)
    out = {}
    for mart in readers.READER_MARTS:
        columns = [c["name"] for c in inspector.get_columns(mart)]
        statement = readers.create_view(mart, columns, conn.dialect.name)
        if conn.dialect.name == "sqlite":
            out[readers.view_name(mart)] = " ".join(statement.split())
            continue
        scratch = re.sub(r"^CREATE VIEW \w+", "CREATE TEMPORARY VIEW scratch_view", statement)
        with conn.begin_nested() as savepoint:
            conn.execute(text(scratch))
            out[readers.view_name(mart)] = conn.execute(
                text("SELECT pg_get_viewdef('scratch_view'::regclass)")
            ).scalar()
            savepoint.rollback()
    return out


def test_a_migrated_warehouse_has_exactly_the_reader_views_of_the_module(warehouse):
    with warehouse.connect() as conn:
        stored, expected = stored_views(conn), module_views(conn)
        inspector = inspect(conn)
        for table in ALL_MARTS:  # the views are generated from what the marts hold: the model and the database agree
            assert {c["name"] for c in inspector.get_columns(table.name)} == set(table.columns.keys())
        assert sorted(stored) == sorted(readers.VIEWS) and len(stored) == len(ALL_MARTS)
        for name in readers.VIEWS:
            assert stored[name] == expected[name], f"{name}: migration 0022 and jeugdmonitor.schemas.readers differ"
        if conn.dialect.name == "postgresql":
            for name in readers.VIEWS:
                options = conn.execute(
                    text("SELECT reloptions FROM pg_class WHERE oid = CAST(:v AS regclass)"), {"v": name}
                )
                assert options.scalar() == ["security_invoker=true"], name
                granted = conn.execute(text("SELECT has_table_privilege('monitor_lezer', :v, 'SELECT')"), {"v": name})
                assert granted.scalar(), name


def test_one_vocabulary_across_the_views_and_nothing_left_out():
    keys_and_settings = {"bevolking_peiljaar", "norm_dagen", "bevolking_0_17"}
    for table in ALL_MARTS:
        columns = list(table.columns.keys())
        names = readers.reader_names(table.name, columns)
        assert len(names) == len(set(names)), f"{table.name}: a reader name twice"
        # every mart column is there, under its reader name: nothing disappears
        labels = {"gemeente_naam", "team_naam", "aanbieder_naam", "periode_label", "product_categorie_omschrijving"}
        assert [readers.RENAMES.get(c, c) for c in columns] == [n for n in names if n not in labels]
        assert "periode_status" not in names
        for column in table.columns:
            name = readers.RENAMES.get(column.name, column.name)
            if isinstance(column.type, Integer) and not column.primary_key and column.name not in keys_and_settings:
                assert name.startswith(("aantal_", "cbs_aantal")), f"{table.name}.{column.name}: a count is aantal_..."
            if name.endswith("_per_1000"):
                count = name.removesuffix("_per_1000")
                count = count.replace("cbs_", "cbs_aantal_", 1) if count.startswith("cbs_") else f"aantal_{count}"
                assert count in names, f"{table.name}.{name}: a rate is named after its count"
            if "mediaan" in name:
                assert name.startswith("mediaan_dagen"), name
            if "pct" in name or "percentage" in name:
                assert name.endswith("_pct"), name
        if "cbs_periode_status" in names or "periode_status" in columns:
            assert "cbs_periode_status" in names


def test_a_column_the_marts_gain_flows_through_with_its_label():
    # What migration 0021 ("marts-periods") adds to the month marts: the view takes the period label from it.
    columns = ["gemeentecode", "team", "maand", "periode_type", "periode", "aantal_aanmeldingen", "onderdrukt"]
    sql = readers.view_sql("mart_aanmeldingen", columns)
    assert "m.periode_type" in sql and "SUBSTR(m.periode, 5, 2)" in sql and "dim_periode" not in sql
    assert readers.reader_names("mart_aanmeldingen", columns) == [
        "gemeentecode",
        "gemeente_naam",
        "team",
        "team_naam",
        "maand",
        "periode_type",
        "periode",
        "periode_label",
        "aantal_aanmeldingen",
        "onderdrukt",
    ]


def _dims(conn) -> None:
    conn.execute(
        insert(dim_gemeente),
        [
            {"gemeentecode": "GM0546", "naam": "Leiden", "actueel": True},
            {"gemeentecode": "GM0547", "naam": "Leiderdorp", "actueel": True},
        ],
    )
    conn.execute(insert(dim_team), [{"team": "leiden_noord", "naam": "JGT Leiden Noord", "gemeentecode": "GM0546"}])
    conn.execute(insert(dim_aanbieder), [{"aanbieder_agb": "11111111", "naam": "Zorg BV"}])
    conn.execute(
        insert(dim_productcategorie),
        [{"product_categorie": c, "omschrijving": o} for c, o in load_productcategorieen().items()],
    )
    conn.execute(
        insert(dim_periode),
        [
            {
                "maand": date(2025, m, 1),
                "maand_eind": date(2025, m, 28),
                "jaar": 2025,
                "kwartaal": (m + 2) // 3,
                "halfjaar": (m + 5) // 6,
                "cbs_maand": f"2025MM{m:02d}",
                "cbs_kwartaal": f"2025KW{(m + 2) // 3:02d}",
                "cbs_halfjaar": f"2025HJ{(m + 5) // 6:02d}",
                "cbs_jaar": "2025JJ00",
            }
            for m in (1, 2, 3)
        ],
    )


def _common(**row) -> dict:
    """A mart row with its bookkeeping; a row of a month mart (`maand` given) is a month row (migration 0021)."""
    if "maand" in row and "periode" not in row:
        month = row["maand"]
        row = {"periode_type": "maand", "periode": f"{month.year}MM{month.month:02d}", "periode_volledig": True, **row}
    return {"onderdrukt": False, "bron": "ijw", "bijgewerkt_op": STAMP, **row}


def test_every_row_carries_its_labels_and_the_amounts_are_to_the_cent(warehouse):
    with warehouse.begin() as conn:
        _dims(conn)
        conn.execute(
            insert(mart_aanmeldingen),
            [
                _common(gemeentecode="GM0546", team=t, maand=date(2025, 3, 1), levering="geleverd", bron="jgt")
                for t in ("leiden_noord", "totaal", "onbekend_team")
            ],
        )
        conn.execute(
            insert(mart_doorlooptijd_aanbieder),
            [
                _common(gemeentecode="GM0546", aanbieder_agb=a, maand=date(2025, 1, 1), norm_dagen=42, aantal=12)
                for a in ("11111111", "22222222", "totaal")
            ],
        )
        conn.execute(
            insert(mart_kosten),
            _common(
                gemeentecode="GM0546",
                maand=date(2025, 2, 1),
                product_categorie="totaal",
                netto_bedrag=1234.5678,
                jaar_tot_nu=0.005 + 10,
            ),
        )
        conn.execute(
            insert(mart_kosten),
            [
                _common(gemeentecode="GM0546", maand=date(2025, 2, 1), product_categorie=c, netto_bedrag=1.0)
                for c in ("45", "99")
            ],
        )
        period = {"periode_type": "halfjaar", "periode_start": date(2025, 1, 1), "periode_eind": date(2025, 6, 30)}
        conn.execute(
            insert(mart_ots),
            [
                _common(
                    gemeentecode="GM0547",
                    periode="2025HJ01",
                    **period,
                    bron="cbs",
                    periode_status="Voorlopig",
                    gestart=None,
                ),
                _common(
                    gemeentecode="GM0547",
                    periode="2025JJ00",
                    **{**period, "periode_type": "jaar"},
                    gestart=11,
                    periode_status=None,
                ),
            ],
        )

    def rows(sql: str) -> list[tuple]:
        with warehouse.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql))]

    assert rows("SELECT team, team_naam, gemeente_naam, periode_label FROM lees_aanmeldingen ORDER BY team") == [
        ("leiden_noord", "JGT Leiden Noord", "Leiden", "maart 2025"),
        ("onbekend_team", "onbekend_team", "Leiden", "maart 2025"),
        ("totaal", "hele gemeente", "Leiden", "maart 2025"),
    ]
    assert rows(
        "SELECT aanbieder_agb, aanbieder_naam, aantal_gestart, periode_label "
        "FROM lees_doorlooptijd_aanbieder ORDER BY 1"
    ) == [
        ("11111111", "Zorg BV", 12, "januari 2025"),
        ("22222222", "22222222", 12, "januari 2025"),  # no name in the region file: the code
        ("totaal", "alle aanbieders", 12, "januari 2025"),
    ]
    assert rows("SELECT product_categorie, product_categorie_omschrijving FROM lees_kosten ORDER BY 1") == [
        ("45", "Jeugdhulp ambulant"),  # JZ020, from the bundled list
        ("99", "99"),  # not in the list: the code
        ("totaal", "alle categorieën"),
    ]
    ((bedrag, jaar_tot_nu, label),) = rows(
        "SELECT netto_bedrag, jaar_tot_nu, periode_label FROM lees_kosten WHERE product_categorie = 'totaal'"
    )
    assert (Decimal(str(bedrag)), label) == (Decimal("1234.57"), "februari 2025")
    assert Decimal(str(jaar_tot_nu)).quantize(Decimal("0.01")) == Decimal(str(jaar_tot_nu))
    assert rows(
        "SELECT periode, periode_label, bron, cbs_periode_status, aantal_gestart, gemeente_naam FROM lees_ots "
        "ORDER BY periode"
    ) == [
        ("2025HJ01", "2025 H1", "cbs", "Voorlopig", None, "Leiderdorp"),
        ("2025JJ00", "2025", "ijw", None, 11, "Leiderdorp"),
    ]


def _value(column, gemeente: str):
    """A valid value of any mart column: every mart gets a row without knowing its columns."""
    if column.name == "gemeentecode":
        return gemeente
    kind = column.type
    if isinstance(kind, Boolean):
        return False
    if isinstance(kind, DateTime):
        return STAMP
    if isinstance(kind, Date):
        return date(2025, 1, 1)
    if isinstance(kind, Integer | Float):
        return 1
    if isinstance(kind, String) and kind.length:
        return "x" * min(kind.length, 2)
    return "x"


def fill_every_mart(engine, gemeenten: tuple[str, ...]) -> None:
    with engine.begin() as conn:
        for table in ALL_MARTS:
            conn.execute(insert(table), [{c.name: _value(c, g) for c in table.columns} for g in gemeenten])


def _count(table: Table) -> str:
    return f"SELECT gemeentecode, count(*) FROM {readers.view_name(table.name)} GROUP BY gemeentecode"


@pytest.mark.postgres
def test_row_level_security_holds_through_every_view_for_a_personal_login(pg_url, roles):  # noqa: F811
    from jeugdmonitor.warehouse import make_engine, upgrade

    engine = make_engine(pg_url)
    upgrade(engine)
    fill_every_mart(engine, ("GM0546", "GM0547"))
    leiden = roles()
    access.grant_reader(engine, leiden, ["GM0546"])
    piet = make_login(engine, roles("piet"), leiden)
    nobody = make_login(engine, roles("anna"), "monitor_lezer")  # a reader without a binding here
    as_login = {
        name: make_url(pg_url).set(username=name).render_as_string(hide_password=False) for name in (piet, nobody)
    }
    owner = engine.url.render_as_string(hide_password=False)
    for table in ALL_MARTS:
        assert run(owner, _count(table)) == [("GM0546", 1), ("GM0547", 1)]
        assert run(as_login[piet], _count(table)) == [("GM0546", 1)], table.name
        assert run(as_login[nobody], _count(table)) == [], table.name
    assert len(DIMENSIONS) == 7  # the labels come from every dimension row (no policy on them)
    engine.dispose()
