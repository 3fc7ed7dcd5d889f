"""Shared fixtures: a fresh warehouse on SQLite and on PostgreSQL, a test key, the fixture folder.

PostgreSQL: $JEUGDMONITOR_TEST_PG_URL (default: the local server). Each test gets its own schema, dropped after.
When the server cannot be reached the PostgreSQL tests skip with the reason on a laptop, and fail in CI ($CI set),
so a CI run can never pass without having used PostgreSQL.
"""

from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from jeugdmonitor.pseudonym import Pseudonymiser
from jeugdmonitor.warehouse import make_engine, upgrade

FIXTURES = Path(__file__).parent / "fixtures"
SHARED = Path(__file__).resolve().parents[2] / "shared"
PG_URL = os.environ.get("JEUGDMONITOR_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
TEST_KEY = bytes(range(32))

_pg_problem: str | None = None
_pg_checked = False


def _postgres_problem() -> str | None:
    global _pg_checked, _pg_problem
    if not _pg_checked:
        _pg_checked = True
        try:
            engine = create_engine(PG_URL, connect_args={"connect_timeout": 3})
            with engine.connect() as conn:
                conn.execute(text("select 1"))
            engine.dispose()
        except Exception as exc:  # any reason to be unreachable counts
            _pg_problem = f"PostgreSQL at {PG_URL} unreachable: {type(exc).__name__}: {str(exc).splitlines()[0]}"
    return _pg_problem


def require_postgres() -> None:
    problem = _postgres_problem()
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"{problem} (CI must test PostgreSQL; set JEUGDMONITOR_TEST_PG_URL)")
        pytest.skip(problem)


def require_shared() -> Path:
    xsd = SHARED / "reference" / "ijw-3.2" / "xsd"
    if not xsd.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"{xsd} is missing; CI runs with ../shared beside the repo")
        pytest.skip(f"conformance check needs {xsd} (../shared beside the repo)")
    return xsd


@contextmanager
def fresh_schema():
    """The URL of a fresh, empty schema on the test PostgreSQL server, dropped after."""
    require_postgres()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def pg_url():
    """The URL of a fresh, empty schema on the test PostgreSQL server."""
    with fresh_schema() as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'warehouse.sqlite'}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def warehouse_url(request, tmp_path):
    """A migrated, empty warehouse; every test that takes it runs once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'warehouse.sqlite'}"
    else:
        url = request.getfixturevalue("pg_url")
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


@pytest.fixture
def warehouse(warehouse_url):
    engine = make_engine(warehouse_url)
    yield engine
    engine.dispose()


@pytest.fixture
def pseudonymise():
    return Pseudonymiser(TEST_KEY)
