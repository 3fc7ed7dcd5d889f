"""Migrations: a fresh database reaches the model in schemas/warehouse.py exactly, on SQLite and PostgreSQL."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from jeugdmonitor.schemas.warehouse import metadata
from sqlalchemy import inspect

from jeugdmonitor.warehouse import current_revision, make_engine, upgrade


def test_migrations_build_exactly_the_model(warehouse):
    with warehouse.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
    assert diff == []
    assert set(inspect(warehouse).get_table_names()) >= {t for t in metadata.tables}


def test_upgrade_is_idempotent(warehouse):
    before = current_revision(warehouse)
    upgrade(warehouse)
    assert current_revision(warehouse) == before is not None


def test_sqlite_warehouse_folder_is_created(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'deep' / 'er' / 'wh.sqlite'}")
    upgrade(engine)
    assert (tmp_path / "deep" / "er" / "wh.sqlite").exists()
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_0023_adds_the_rate_columns_marks_built_gemeenten_for_a_rebuild_and_downgrades(warehouse):
    import importlib
    from datetime import date

    from alembic import command
    from jeugdmonitor.schemas.marts import dim_periode, mart_jeugdhulpgebruik
    from sqlalchemy import insert, text

    from jeugdmonitor import meta
    from jeugdmonitor.warehouse import alembic_config

    def columns(table: str) -> set[str]:
        return {c["name"] for c in inspect(warehouse).get_columns(table)}

    def to(revision: str) -> None:
        config = alembic_config()
        with warehouse.begin() as conn:
            config.attributes["connection"] = conn
            command.downgrade(config, revision)

    # the revision before 0020, whatever the merges made it
    before = importlib.import_module("jeugdmonitor.schemas.migrations.versions.0020_reader_dims_rates").down_revision
    upgrade(warehouse)
    to(before)
    assert "jeugdigen_in_periode_per_1000" not in columns("mart_ots")
    # marts built before 0020: their new columns would stay empty without a rebuild
    with warehouse.begin() as conn:
        conn.execute(
            insert(dim_periode),
            [
                {
                    "maand": date(2024, m, 1),
                    "maand_eind": date(2024, m, 28),
                    "jaar": 2024,
                    "kwartaal": 1,
                    "halfjaar": 1,
                    "cbs_maand": f"2024MM0{m}",
                    "cbs_kwartaal": "2024KW01",
                    "cbs_halfjaar": "2024HJ01",
                    "cbs_jaar": "2024JJ00",
                }
                for m in (2, 3)
            ],
        )
        conn.execute(
            text(
                "INSERT INTO mart_jeugdhulpgebruik (gemeentecode, periode, periode_type, periode_start, periode_eind, "
                "onderdrukt, bron, bijgewerkt_op) VALUES ('GM0546', '2024HJ01', 'halfjaar', '2024-01-01', "
                "'2024-06-30', false, 'ijw', :t)"
            ),
            {"t": meta.now()},
        )
        conn.execute(
            text(
                "INSERT INTO meta_mart_pending (gemeentecode, vanaf_maand, gemarkeerd_op) "
                "VALUES ('GM0546', '2024-03-01', :t), ('GM0547', '2024-03-01', :t)"
            ),
            {"t": meta.now()},
        )
    upgrade(warehouse)
    assert {"bevolking_0_17", "bevolking_peiljaar", "jeugdigen_in_periode_per_1000"} <= columns("mart_ots")
    assert {"bevolking_peiljaar", "jeugdigen_met_jeugdhulp_per_1000"} <= columns(mart_jeugdhulpgebruik.name)
    with warehouse.connect() as conn:
        marks = conn.execute(text("SELECT gemeentecode, vanaf_maand FROM meta_mart_pending ORDER BY 1")).all()
    assert [(g, str(d)[:10]) for g, d in marks] == [("GM0546", "2024-02-01"), ("GM0547", "2024-03-01")]
    to(before)
    assert "bevolking_peiljaar" not in columns("mart_jeugdhulpgebruik") and "bevolking_0_17" not in columns("mart_ots")
    upgrade(warehouse)
    with warehouse.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
    assert diff == []
