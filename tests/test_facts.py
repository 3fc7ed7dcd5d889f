"""The fact layer as code: a freshly migrated warehouse holds exactly the fact_ views of jeugdmonitor.schemas.facts,
with exactly their definitions, on SQLite and PostgreSQL. The rules themselves are pinned by behaviour tests
(tests/test_ijw_facts.py, tests/test_ingest_jgt.py, tests/test_ingest_cbs.py)."""

from __future__ import annotations

import importlib
import re

from alembic import command
from jeugdmonitor.schemas.facts import FACT_VIEWS, create_view
from sqlalchemy import text

from jeugdmonitor.warehouse import alembic_config, upgrade


def stored_views(conn) -> dict[str, str]:
    """Every fact_ view of the warehouse with the definition the database holds."""
    if conn.dialect.name == "sqlite":
        found = conn.execute(
            text("SELECT name, sql FROM sqlite_master WHERE type = 'view' AND name LIKE 'fact!_%' ESCAPE '!'")
        )
        return {name: " ".join(sql.split()) for name, sql in found}
    found = conn.execute(
        text(
            "SELECT viewname, definition FROM pg_views WHERE schemaname = current_schema() "
            "AND viewname LIKE 'fact!_%' ESCAPE '!'"
        )
    )
    return {name: definition for name, definition in found}


def as_stored(conn, statement: str) -> str:
    """A CREATE VIEW statement's definition as this database would hold it. SQLite keeps the statement's text
    (compared with whitespace runs as one space); PostgreSQL keeps the parsed query, so the view is created as a
    temporary one (rolled back after) and read back with pg_get_viewdef, as pg_views reads the real ones: both are
    printed by the same deparser against the same tables."""
    if conn.dialect.name == "sqlite":
        return " ".join(statement.split())
    scratch_view = re.sub(r"^\s*CREATE VIEW \w+", "CREATE TEMPORARY VIEW scratch_view", statement)
    with conn.begin_nested() as scratch:
        conn.execute(text(scratch_view))
        definition = conn.execute(text("SELECT pg_get_viewdef('scratch_view'::regclass)")).scalar()
        scratch.rollback()
    return definition


def module_views(conn) -> dict[str, str]:
    return {name: as_stored(conn, create_view(name)) for name in FACT_VIEWS}


def test_a_migrated_warehouse_has_exactly_the_fact_views_of_the_module(warehouse):
    with warehouse.connect() as conn:
        stored, expected = stored_views(conn), module_views(conn)
    assert sorted(stored) == sorted(FACT_VIEWS)
    for name in FACT_VIEWS:
        assert stored[name] == expected[name], f"{name}: the migrations and jeugdmonitor.schemas.facts differ"


def test_downgrade_of_0008_restores_the_frozen_0004_view_and_upgrade_the_current_one(warehouse):
    frozen = importlib.import_module("jeugdmonitor.schemas.migrations.versions.0004_ijw_facts").FACT_TOEWIJZING
    config = alembic_config()
    with warehouse.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0007")
    with warehouse.connect() as conn:
        assert stored_views(conn)["fact_toewijzing"] == as_stored(conn, frozen)
    upgrade(warehouse)
    with warehouse.connect() as conn:
        assert stored_views(conn) == module_views(conn)
