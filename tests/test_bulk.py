"""bulk.rows_where_in: lookups of many values at once, by one column or by tuples of columns, on SQLite and
PostgreSQL; a tuple lookup must be answered by the index on those columns, not by a scan that grows with the table."""

from jeugdmonitor.schemas.warehouse import meta_source_file
from sqlalchemy import select

from jeugdmonitor import bulk
from tests.test_meta import file_row


def _files(engine, n: int) -> None:
    from jeugdmonitor import meta

    run_id = meta.start_run(engine, "test")
    with engine.begin() as conn:
        meta.record_files(
            conn, run_id, [file_row(i % 50, sha256=f"{i:064x}", path=f"m{i % 7}/f{i}.xml") for i in range(1, n + 1)]
        )


def test_one_column_and_tuples_find_exactly_the_matching_rows(warehouse):
    _files(warehouse, 1200)  # more than one SQLite chunk
    f = meta_source_file
    wanted = [f"{i:064x}" for i in range(0, 1300, 3)]  # some are not there (0 and above 1200)
    with warehouse.connect() as conn:
        found = {r.sha256 for r in bulk.rows_where_in(conn, select(f.c.sha256), f.c.sha256, wanted)}
        pairs = [("ijw", f"m{i % 7}/f{i}.xml") for i in range(1, 1201, 2)] + [
            ("jgt", "m1/f1.xml"),
            ("ijw", "m2/f1.xml"),
        ]
        by_pair = bulk.rows_where_in(conn, select(f.c.source, f.c.path), [f.c.source, f.c.path], pairs)
    assert found == {f"{i:064x}" for i in range(3, 1201, 3)}
    # ("jgt", ...) and a path under the wrong folder match nothing: the tuple is matched whole, not per column
    assert {tuple(r) for r in by_pair} == {("ijw", f"m{i % 7}/f{i}.xml") for i in range(1, 1201, 2)}


def test_nothing_asked_nothing_found(warehouse):
    f = meta_source_file
    with warehouse.connect() as conn:
        assert bulk.rows_where_in(conn, select(f.c.path), [f.c.source, f.c.path], []) == []


def test_postgresql_answers_a_tuple_lookup_from_the_index(pg_url):
    """The JW323 rules look up (aanbieder, ReferentieNummer) pairs among millions of earlier lines per batch: the
    plan must probe the index, whatever the size of the table."""
    from sqlalchemy import event

    from jeugdmonitor.warehouse import make_engine, upgrade

    engine = make_engine(pg_url)
    upgrade(engine)
    _files(engine, 20_000)
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE meta_source_file")
    f = meta_source_file
    sent: list[tuple[str, dict]] = []
    with engine.connect() as conn:
        event.listen(
            conn,
            "before_cursor_execute",
            lambda _c, _cur, statement, parameters, _ctx, _many: sent.append((statement, parameters)),
        )
        rows = bulk.rows_where_in(
            conn,
            select(f.c.source, f.c.path),
            [f.c.source, f.c.path],
            [("ijw", f"m{i % 7}/f{i}.xml") for i in range(1, 6)],
        )
        statement, parameters = sent[-1]
        plan = "\n".join(r[0] for r in conn.exec_driver_sql("EXPLAIN " + statement, parameters))
    engine.dispose()
    assert len(rows) == 5
    assert "ix_meta_source_file_source_path" in plan, plan
    assert "Seq Scan on meta_source_file" not in plan, plan


def test_values_with_the_separator_empty_values_and_numbers_are_found_too(warehouse):
    """PostgreSQL gets the values as one joined text where it can: a value holding the separator, or an empty one,
    goes as a list instead, and numbers are cast back to the column's type."""
    from jeugdmonitor import meta

    run_id = meta.start_run(warehouse, "test")
    odd = ["gek\x1fpad.xml", "", "gewoon.xml"]
    with warehouse.begin() as conn:
        ids = meta.record_files(conn, run_id, [file_row(i + 1, path=p) for i, p in enumerate(odd)])
    f = meta_source_file
    with warehouse.connect() as conn:
        by_path = {r.path for r in bulk.rows_where_in(conn, select(f.c.path), f.c.path, odd + ["anders.xml"])}
        plain = {r.path for r in bulk.rows_where_in(conn, select(f.c.path), f.c.path, ["gewoon.xml", "x.xml"])}
        by_id = {r.file_id for r in bulk.rows_where_in(conn, select(f.c.file_id), f.c.file_id, [ids[0], ids[2], -1])}
    assert by_path == set(odd)
    assert plain == {"gewoon.xml"}
    assert by_id == {ids[0], ids[2]}


def test_copy_is_binary_where_every_column_has_a_binary_form_and_text_otherwise(pg_url):
    """The same values come back from a table of binary-safe types (COPY in binary) and from one with a numeric
    column (COPY in text), None included."""
    from datetime import UTC, date, datetime
    from decimal import Decimal

    from sqlalchemy import (
        BigInteger,
        Boolean,
        Column,
        Date,
        DateTime,
        Float,
        Integer,
        MetaData,
        Numeric,
        SmallInteger,
        String,
        Table,
        Text,
        create_engine,
    )

    engine = create_engine(pg_url)
    metadata = MetaData()

    def columns() -> list[Column]:
        return [
            Column("n", BigInteger),
            Column("i", Integer),
            Column("s", SmallInteger),
            Column("v", String(8)),
            Column("t", Text),
            Column("d", Date),
            Column("at", DateTime(timezone=True)),
            Column("b", Boolean),
            Column("f", Float),
        ]

    binary = Table("copy_binary", metadata, *columns())
    textual = Table("copy_text", metadata, *columns(), Column("x", Numeric(10, 2)))
    metadata.create_all(engine)
    moment = datetime(2025, 5, 1, 12, 0, 3, 123456, tzinfo=UTC)
    rows = [
        (9_000_000_000, 7, 3, "GM0546", "tëkst\tmet tab", date(2025, 2, 28), moment, True, 1.5),
        (None, None, None, None, None, None, None, None, None),
    ]
    names = [c.name for c in binary.c]
    with engine.begin() as conn:
        cursor = conn.connection.driver_connection.cursor()
        assert bulk._binary_types(cursor, "copy_binary", names) is not None
        assert bulk._binary_types(cursor, "copy_text", [*names, "x"]) is None
        assert bulk.write_tuples(conn, binary, names, rows) == 2
        assert (
            bulk.write_tuples(conn, textual, [*names, "x"], [(*r, Decimal("2.50") if r[0] else None) for r in rows])
            == 2
        )
        back_binary = conn.execute(select(binary).order_by(binary.c.n)).all()
        back_text = conn.execute(select(textual).order_by(textual.c.n)).all()
    metadata.drop_all(engine)
    engine.dispose()
    assert [tuple(r) for r in back_binary] == rows
    assert [tuple(r)[:-1] for r in back_text] == rows and back_text[0][-1] == Decimal("2.50")
