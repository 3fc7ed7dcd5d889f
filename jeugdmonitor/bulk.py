"""Fast bulk writes of DataFrames: COPY on PostgreSQL, batched executemany on SQLite.

Both write inside the caller's transaction, so a file's rows and its meta records commit or roll back together.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
import pandas as pd
from sqlalchemy import BigInteger, Connection, Integer, Table


def write_frame(conn: Connection, table: Table, frame: pd.DataFrame, extra: dict | None = None) -> int:
    """Append `frame` (plus constant `extra` columns) to `table`; returns the number of rows written."""
    if frame.empty:
        return 0
    columns = [c for c in frame.columns if c in table.c] + list(extra or {})
    rows = _python_rows(frame, table, [c for c in frame.columns if c in table.c], tuple((extra or {}).values()))
    if conn.dialect.name == "postgresql":
        return _copy(conn, table, columns, rows)
    conn.execute(table.insert(), [dict(zip(columns, row, strict=True)) for row in rows])
    return len(frame)


def _copy(conn: Connection, table: Table, columns: list[str], rows: Iterator[tuple]) -> int:
    cursor = conn.connection.driver_connection.cursor()
    column_list = ", ".join(f'"{c}"' for c in columns)
    count = 0
    with cursor.copy(f'COPY "{table.name}" ({column_list}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def _python_rows(frame: pd.DataFrame, table: Table, columns: list[str], extra: tuple) -> Iterator[tuple]:
    """Plain Python values: NaN/NaT become None and integer columns come back as int after pandas made them float."""
    integer = [isinstance(table.c[c].type, (Integer, BigInteger)) for c in columns]
    for values in frame[columns].itertuples(index=False, name=None):
        yield tuple(_clean(v, is_int) for v, is_int in zip(values, integer, strict=True)) + extra


def _clean(value, is_int: bool):
    if value is None:
        return None
    if isinstance(value, np.integer):  # nullable Int64 columns hand out numpy scalars; drivers want int
        return int(value)
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return int(value) if is_int else value
    if value is pd.NaT or value is pd.NA:
        return None
    return value
