"""PostgreSQL permissions: monitor_lezer reads the marts and nothing else; a gemeente-bound role sees only its own
gemeente's rows (row-level security). These run on the real server; in CI they fail when it is missing."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from sqlalchemy import create_engine, insert, text
from sqlalchemy.exc import ProgrammingError

from jeugdmonitor import access, meta
from jeugdmonitor.warehouse import make_engine, upgrade
from schemas.marts import mart_aanmeldingen
from tests.conftest import PG_URL

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg(pg_url):
    engine = make_engine(pg_url)
    upgrade(engine)
    stamp = meta.now()
    with engine.begin() as conn:
        conn.execute(insert(mart_aanmeldingen), [
            {"gemeentecode": g, "team": "totaal", "maand": date(2025, 1, 1), "aantal_aanmeldingen": n,
             "aantal_jeugdigen": n, "onderdrukt": False, "bron": "jgt", "bijgewerkt_op": stamp}
            for g, n in (("GM0546", 40), ("GM0547", 12))])
    yield engine
    engine.dispose()


@pytest.fixture
def role():
    name = f"lezer_{uuid.uuid4().hex[:10]}"
    yield name
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f"DROP OWNED BY {name}"))
        conn.execute(text(f"DROP ROLE IF EXISTS {name}"))
    admin.dispose()


def as_role(engine, role: str, sql: str):
    with engine.connect() as conn:
        conn.execute(text(f"SET ROLE {role}"))
        try:
            return conn.execute(text(sql)).all()
        finally:
            conn.rollback()


def test_monitor_lezer_reads_marts_but_no_staging_fact_meta_or_dim_tables(pg):
    assert sorted(as_role(pg, "monitor_lezer", "select gemeentecode from mart_aanmeldingen")) == [
        ("GM0546",), ("GM0547",)]
    for table in ("stg_jw323_prestatie", "stg_jgt_registratie", "fact_toewijzing", "fact_declaratieregel",
                  "meta_source_file", "meta_quarantine", "meta_lezer_gemeente", "dim_gemeente"):
        with pytest.raises(ProgrammingError, match="permission denied"):
            as_role(pg, "monitor_lezer", f"select * from {table}")
    with pytest.raises(ProgrammingError, match="permission denied"):
        as_role(pg, "monitor_lezer", "delete from mart_aanmeldingen")


def test_a_gemeente_bound_role_sees_only_its_gemeente(pg, role):
    access.grant_reader(pg, role, ["GM0547"])
    assert as_role(pg, role, "select gemeentecode, aantal_aanmeldingen from mart_aanmeldingen") == [("GM0547", 12)]
    assert as_role(pg, role, "select count(*) from mart_aanmeldingen where gemeentecode = 'GM0546'") == [(0,)]
    with pytest.raises(ProgrammingError, match="permission denied"):
        as_role(pg, role, "select * from meta_lezer_gemeente")
    access.grant_reader(pg, role, None)  # unbound again: every gemeente
    assert len(as_role(pg, role, "select * from mart_aanmeldingen")) == 2


def test_role_names_are_checked(pg):
    with pytest.raises(ValueError, match="not a plain"):
        access.grant_reader(pg, "x; drop table mart_ots", ["GM0546"])
