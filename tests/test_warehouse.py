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
