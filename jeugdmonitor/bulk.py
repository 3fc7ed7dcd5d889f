"""Fast bulk writes (COPY on PostgreSQL, executemany on SQLite) and lookups of many values at once.

Writes go inside the caller's transaction, so a batch's rows and its meta records commit or roll back together.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from operator import itemgetter

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Connection,
    Engine,
    Row,
    Select,
    Table,
    Text,
    any_,
    bindparam,
    cast,
    func,
    select,
    tuple_,
)

# below SQLite's old limit of 999 parameters per statement
_SQLITE_IN_CHUNK = 900


def write_rows(conn: Connection, table: Table, rows: Sequence[dict]) -> int:
    """Append `rows` (dicts keyed by column name; keys that are not columns are ignored) to `table`."""
    if not rows:
        return 0
    columns = [c for c in rows[0] if c in table.c]
    take = itemgetter(*columns)
    try:  # the columns of the first row in every row, as the parsers make them: one C call per row
        values = [take(row) for row in rows] if len(columns) > 1 else [(take(row),) for row in rows]
    except KeyError:
        values = [tuple(row.get(c) for c in columns) for row in rows]
    return write_tuples(conn, table, columns, values)


def write_tuples(conn: Connection, table: Table, columns: Sequence[str], values: Sequence[Sequence]) -> int:
    """Append `values` (one sequence per row, in the order of `columns`) to `table`."""
    if not values:
        return 0
    if conn.dialect.name == "postgresql":
        return _copy(conn, table, columns, values)
    return _executemany(conn, table, columns, values)


def _executemany(conn: Connection, table: Table, columns: Sequence[str], values: Sequence[Sequence]) -> int:
    # The DBAPI cursor directly, with tuples: SQLAlchemy's per-row parameter handling cost more than the insert.
    # Values still go through each column type's own bind processor (dates as SQLAlchemy stores them in SQLite).
    column_list = ", ".join(f'"{c}"' for c in columns)
    sql = f'INSERT INTO "{table.name}" ({column_list}) VALUES ({", ".join("?" * len(columns))})'
    dialect = conn.dialect
    processors = [
        (i, p)
        for i, c in enumerate(columns)
        if (p := table.c[c].type.dialect_impl(dialect).bind_processor(dialect)) is not None
    ]

    def processed(row: Sequence) -> list:
        out = list(row)
        for i, process in processors:
            if out[i] is not None:
                out[i] = process(out[i])
        return out

    cursor = _driver_cursor(conn)
    try:
        cursor.executemany(sql, [processed(row) for row in values] if processors else values)
    finally:
        cursor.close()
    return len(values)


def _driver_cursor(conn: Connection):
    driver = conn.connection.driver_connection
    assert driver is not None, "a connection in use is never invalidated"  # None only once invalidated
    return driver.cursor()


def _copy(conn: Connection, table: Table, columns: Sequence[str], values: Sequence[Sequence]) -> int:
    cursor = _driver_cursor(conn)
    column_list = ", ".join(f'"{c}"' for c in columns)
    types = _binary_types(cursor, table.name, columns)
    # Binary where every column's type has a binary form for the values the loaders make: a fifth of the client's
    # time of the text format, and less work for the server (no parsing of numbers and dates).
    form = " (FORMAT BINARY)" if types else ""
    with cursor.copy(f'COPY "{table.name}" ({column_list}) FROM STDIN{form}') as copy:
        if types:
            copy.set_types(types)
        write = copy.write_row
        for row in values:
            write(row)
    return len(values)


# Types whose binary COPY format psycopg writes from the Python values of the loaders (int, str, date, datetime,
# bool, float); a column of another type (numeric, json) sends the whole COPY as text.
_BINARY_TYPES = frozenset(
    {
        "smallint",
        "integer",
        "bigint",
        "text",
        "character varying",
        "date",
        "timestamp with time zone",
        "boolean",
        "double precision",
    }
)
_COLUMN_TYPES = (
    "select attname, atttypid::int, format_type(atttypid, null) from pg_attribute "
    "where attrelid = to_regclass(%s) and attnum > 0 and not attisdropped"
)


def _binary_types(cursor, table: str, columns: Sequence[str]) -> list[int] | None:
    """The type oids of `columns` of `table` (as the search path finds it, like the COPY), or None when one of
    them has no binary form here."""
    found = {name: (oid, kind) for name, oid, kind in cursor.execute(_COLUMN_TYPES, (f'"{table}"',)).fetchall()}
    if not all(c in found and found[c][1] in _BINARY_TYPES for c in columns):
        return None
    return [found[c][0] for c in columns]


def rows_where_in(
    conn: Connection, query: Select, column: ColumnElement | Sequence[ColumnElement], values: Sequence
) -> Sequence[Row]:
    """`query` for the rows whose `column` is one of `values`, or whose columns (a sequence of columns, with
    tuples as values) are one of the tuples: one array parameter per column on PostgreSQL (psycopg spends more
    time on a statement of hundreds of placeholders than the server on answering it), chunks on SQLite. Tuples
    are matched as a whole, so that an index on those columns answers each one (a lookup on one column of a
    composite index would scan the table, which grows with every load)."""
    if not values:
        return []
    columns = [column] if isinstance(column, ColumnElement) else list(column)
    if conn.dialect.name == "postgresql":
        if len(columns) == 1:
            return conn.execute(query.where(columns[0] == any_(_pg_array("values", list(values), columns[0])))).all()
        arrays = [_pg_array(f"values_{i}", [v[i] for v in values], c) for i, c in enumerate(columns)]
        wanted = func.unnest(*arrays).table_valued(*(f"v{i}" for i in range(len(columns)))).render_derived()
        return conn.execute(query.where(tuple_(*columns).in_(select(*wanted.c)))).all()
    chunk = _SQLITE_IN_CHUNK // len(columns)
    target = columns[0] if len(columns) == 1 else tuple_(*columns)
    return [
        r
        for start in range(0, len(values), chunk)
        for r in conn.execute(query.where(target.in_(values[start : start + chunk])))
    ]


# Joins the values of an array parameter into one text: never in XML text (XML 1.0 forbids the control
# character), in a sha256 or a number, hardly ever in a path; a value that holds it goes as a list after all.
_SEPARATOR = "\x1f"


def _pg_array(name: str, values: list, column: ColumnElement) -> ColumnElement:
    """An array of `column`'s type holding `values`. psycopg dumps a list element by element in Python (55 ms
    for 35,000 strings); one joined text split by the server costs a millisecond."""
    texts = [v if isinstance(v, str) else str(v) for v in values]
    joined = _SEPARATOR.join(texts)
    if not all(texts) or joined.count(_SEPARATOR) != len(texts) - 1:  # an empty value, or one with the separator
        return bindparam(name, value=values, type_=ARRAY(column.type))
    return cast(func.string_to_array(bindparam(name, value=joined, type_=Text), _SEPARATOR), ARRAY(column.type))


def analyze(engine: Engine, tables: Iterable[Table]) -> None:
    """Refresh PostgreSQL's planner statistics of `tables` after a bulk load. Autovacuum does it too, but minutes
    later: the marts and alerts that follow in the same run otherwise get plans for empty tables (one fact view
    took 19 s instead of 0.03 s). SQLite plans well without statistics, so nothing is done there."""
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as conn:
        for table in tables:
            conn.exec_driver_sql(f'ANALYZE "{table.name}"')
