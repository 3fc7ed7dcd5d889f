"""Alembic environment. jeugdmonitor runs migrations in-process (`jeugdmonitor db upgrade`), handing over its own
connection; the `alembic` command line works too, with `-x url=...`."""

from alembic import context
from jeugdmonitor.schemas.warehouse import metadata
from sqlalchemy import create_engine

config = context.config


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
    if url is None:
        raise RuntimeError("no warehouse URL: give one with `alembic -x url=...` or sqlalchemy.url")
    with create_engine(url).begin() as conn:
        _run(conn)


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported; run `jeugdmonitor db upgrade`")
run_migrations_online()
