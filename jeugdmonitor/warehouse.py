"""The warehouse connection: one SQLAlchemy engine for SQLite (embedded default) or PostgreSQL, and migrations."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from jeugdmonitor import owner_only, schemas
from jeugdmonitor.redact import masked_url

MIGRATIONS = Path(schemas.__file__).parent / "migrations"


def make_engine(url: str) -> Engine:
    """An engine for `url`; for SQLite the file is created owner-only (SQLite gives its -wal, -shm and journal the
    mode of the database file) and the connection tuned for a loading workload."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            owner_only.create_file(Path(parsed.database))
        engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


class NoWarehouse(RuntimeError):
    """The configured warehouse has not been created yet (a command that only reads found nothing to read)."""


def existing_engine(url: str) -> Engine:
    """An engine on a warehouse that exists, else NoWarehouse: a command that reads the warehouse must not leave
    an empty SQLite file behind (which the next command would take for a warehouse)."""
    parsed = make_url(url)
    missing = NoWarehouse(
        f"no warehouse yet at {masked_url(url)}: run `jeugdmonitor run` (or `jeugdmonitor db upgrade`) first"
    )
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        if not Path(parsed.database).is_file():
            raise missing
    engine = make_engine(url)
    if current_revision(engine) is None:
        engine.dispose()
        raise missing
    return engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    # WAL lets monitor owners read while a load runs; busy_timeout makes a second writer wait instead of failing.
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA busy_timeout = 30000")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the warehouse to `revision` (default: the newest). Safe to run on every start."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
