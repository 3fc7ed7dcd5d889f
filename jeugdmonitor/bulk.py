"""Fast bulk writes (COPY on PostgreSQL, executemany on SQLite) and lookups of many values at once.

Writes go inside the caller's transaction, so a batch's rows and its meta records commit or roll back together.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import ARRAY, ColumnElement, Connection, Engine, Row, Select, Table, any_, bindparam

# below SQLite's old limit of 999 parameters per statement
_SQLITE_IN_CHUNK = 900


def write_rows(conn: Connection, table: Table, rows: Sequence[dict]) -> int:
    """Append `rows` (dicts keyed by column name; keys that are not columns are ignored) to `table`."""
    if not rows:
        return 0
    columns = [c for c in rows[0] if c in table.c]
    if conn.dialect.name == "postgresql":
        return _copy(conn, table, columns, rows)
    return _executemany(conn, table, columns, rows)


def _executemany(conn: Connection, table: Table, columns: list[str], rows: Sequence[dict]) -> int:
    # The DBAPI cursor directly, with tuples: SQLAlchemy's per-row parameter handling cost more than the insert.
    # Values still go through each column type's own bind processor (dates as SQLAlchemy stores them in SQLite).
    column_list = ", ".join(f'"{c}"' for c in columns)
    sql = f'INSERT INTO "{table.name}" ({column_list}) VALUES ({", ".join("?" * len(columns))})'
    dialect = conn.dialect
    processors = [(i, p) for i, c in enumerate(columns)
                  if (p := table.c[c].type.dialect_impl(dialect).bind_processor(dialect)) is not None]

    def values(row: dict) -> list:
        out = [row.get(c) for c in columns]
        for i, process in processors:
            if out[i] is not None:
                out[i] = process(out[i])
        return out

    cursor = conn.connection.driver_connection.cursor()
    try:
        cursor.executemany(sql, [values(row) for row in rows])
    finally:
        cursor.close()
    return len(rows)


def _copy(conn: Connection, table: Table, columns: list[str], rows: Sequence[dict]) -> int:
    cursor = conn.connection.driver_connection.cursor()
    column_list = ", ".join(f'"{c}"' for c in columns)
    with cursor.copy(f'COPY "{table.name}" ({column_list}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([row.get(c) for c in columns])
    return len(rows)


def rows_where_in(conn: Connection, query: Select, column: ColumnElement, values: Sequence) -> list[Row]:
    """`query` for the rows whose `column` is one of `values`: one array parameter on PostgreSQL (psycopg spends
    more time on a statement of hundreds of placeholders than the server on answering it), chunks on SQLite."""
    if not values:
        return []
    if conn.dialect.name == "postgresql":
        array = bindparam("values", value=list(values), type_=ARRAY(column.type))
        return conn.execute(query.where(column == any_(array))).all()
    return [r for start in range(0, len(values), _SQLITE_IN_CHUNK)
            for r in conn.execute(query.where(column.in_(values[start:start + _SQLITE_IN_CHUNK])))]


def analyze(engine: Engine, tables: Iterable[Table]) -> None:
    """Refresh PostgreSQL's planner statistics of `tables` after a bulk load. Autovacuum does it too, but minutes
    later: the marts and alerts that follow in the same run otherwise get plans for empty tables (one fact view
    took 19 s instead of 0.03 s). SQLite plans well without statistics, so nothing is done there."""
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as conn:
        for table in tables:
            conn.exec_driver_sql(f'ANALYZE "{table.name}"')
