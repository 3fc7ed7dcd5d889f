"""PostgreSQL permissions: monitor_lezer reads the marts and nothing else; a reader sees the rows of the gemeenten
bound to the roles its login is a member of, nothing without a binding, and SET ROLE never widens that. These run
on the real server with real LOGIN roles; in CI they fail when it is missing."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from jeugdmonitor.schemas.marts import mart_aanmeldingen
from jeugdmonitor.schemas.warehouse import meta_lezer_gemeente
from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.pool import NullPool
from typer.testing import CliRunner

from jeugdmonitor import access, meta
from jeugdmonitor.cli import app
from jeugdmonitor.warehouse import make_engine, upgrade
from tests.conftest import PG_URL, fresh_schema
from tests.test_cli import config_file

pytestmark = pytest.mark.postgres

ALL = {"GM0546", "GM0547", "GM0575"}


def filled_warehouse(url: str):
    """A migrated warehouse at `url` with one mart_aanmeldingen row for each of three gemeenten."""
    engine = make_engine(url)
    upgrade(engine)
    stamp = meta.now()
    with engine.begin() as conn:
        conn.execute(
            insert(mart_aanmeldingen),
            [
                {
                    "gemeentecode": g,
                    "team": "totaal",
                    "maand": date(2025, 1, 1),
                    "aantal_aanmeldingen": n,
                    "aantal_jeugdigen": n,
                    "onderdrukt": False,
                    "bron": "jgt",
                    "levering": "geleverd",
                    "bijgewerkt_op": stamp,
                }
                for g, n in (("GM0546", 40), ("GM0547", 12), ("GM0575", 7))
            ],
        )
    return engine


@pytest.fixture
def pg(pg_url):
    engine = filled_warehouse(pg_url)
    yield engine
    engine.dispose()


@pytest.fixture
def roles():
    """Makes unique role names; roles are cluster-wide, so every one that exists is dropped after, also on failure."""
    made: list[str] = []

    def new(kind: str = "lezer") -> str:
        made.append(f"{kind}_{uuid.uuid4().hex[:10]}")
        return made[-1]

    yield new
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        existing = set(
            conn.execute(text("SELECT rolname FROM pg_roles WHERE rolname = ANY(:r)"), {"r": made}).scalars()
        )
        for name in reversed(made):
            if name in existing:
                conn.execute(text(f"DROP OWNED BY {name}"))
                conn.execute(text(f"DROP ROLE {name}"))
    admin.dispose()


def make_login(engine, name: str, *member_of: str) -> str:
    """A LOGIN role, member of `member_of`: what a DBA makes for a person or a service."""
    with engine.begin() as conn:
        conn.execute(text(f"CREATE ROLE {name} LOGIN"))
        for role in member_of:
            conn.execute(text(f"GRANT {role} TO {name}"))
    return name


def visible(pg_url: str, login: str, set_role: str | None = None, before: tuple[str, ...] = ()) -> set[str]:
    """The gemeentecodes of mart_aanmeldingen that `login` sees over its own connection (trust auth), after running
    `before` and SET ROLE `set_role`."""
    engine = create_engine(make_url(pg_url).set(username=login), poolclass=NullPool)
    try:
        with engine.connect() as conn:
            for sql in before:
                conn.execute(text(sql))
            if set_role:
                conn.execute(text(f"SET ROLE {set_role}"))
            return set(conn.execute(select(mart_aanmeldingen.c.gemeentecode)).scalars())
    finally:
        engine.dispose()


def as_role(engine, role: str, sql: str):
    with engine.connect() as conn:
        conn.execute(text(f"SET ROLE {role}"))
        try:
            return conn.execute(text(sql)).all()
        finally:
            conn.rollback()


def server_version(engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT current_setting('server_version_num')")).scalar())


def test_monitor_lezer_may_select_the_marts_and_dimensions_only_and_sees_no_mart_rows_itself(pg):
    # The shared role has no binding in any warehouse: it may read the marts, but no row (before 0015: every row).
    assert as_role(pg, "monitor_lezer", "select gemeentecode from mart_aanmeldingen") == []
    for table in (
        "stg_jw323_prestatie",
        "stg_jgt_registratie",
        "fact_toewijzing",
        "fact_declaratieregel",
        "meta_source_file",
        "meta_quarantine",
        "meta_lezer_gemeente",
    ):
        with pytest.raises(ProgrammingError, match="permission denied"):
            as_role(pg, "monitor_lezer", f"select * from {table}")
    with pytest.raises(ProgrammingError, match="permission denied"):
        as_role(pg, "monitor_lezer", "delete from mart_aanmeldingen")
    # the labels of the codes (0020): reference data, every row, no writes
    with pg.begin() as conn:
        conn.execute(text("insert into dim_verwijzer values ('02', 'Huisarts')"))
    assert as_role(pg, "monitor_lezer", "select * from dim_verwijzer") == [("02", "Huisarts")]
    for dimension in ("dim_gemeente", "dim_periode", "dim_aanbieder", "dim_product", "dim_team"):
        assert as_role(pg, "monitor_lezer", f"select count(*) from {dimension}") == [(0,)]
    with pytest.raises(ProgrammingError, match="permission denied"):
        as_role(pg, "monitor_lezer", "delete from dim_verwijzer")


def test_a_gemeente_bound_role_sees_only_its_gemeente(pg, roles):
    role = roles()
    access.grant_reader(pg, role, ["GM0547"])
    assert as_role(pg, role, "select gemeentecode, aantal_aanmeldingen from mart_aanmeldingen") == [("GM0547", 12)]
    assert as_role(pg, role, "select count(*) from mart_aanmeldingen where gemeentecode = 'GM0546'") == [(0,)]
    with pytest.raises(ProgrammingError, match="permission denied"):
        as_role(pg, role, "select * from meta_lezer_gemeente")
    access.grant_reader(pg, role, regio=True)  # rebound to the whole region: every gemeente
    assert len(as_role(pg, role, "select * from mart_aanmeldingen")) == 3


def test_role_names_bindings_and_gemeentecodes_are_checked(pg):
    with pytest.raises(ValueError, match="not a plain"):
        access.grant_reader(pg, "x; drop table mart_ots", ["GM0546"])
    with pytest.raises(ValueError, match="shared reader role"):
        access.grant_reader(pg, "monitor_lezer", regio=True)
    for gemeenten, regio in ((None, False), ([], False), (["GM0546"], True)):
        with pytest.raises(ValueError, match="--regio.*sees no rows"):
            access.grant_reader(pg, "beleid_x", gemeenten, regio=regio)
    with pytest.raises(ValueError, match="not GM \\+ 4 digits"):
        access.grant_reader(pg, "beleid_x", ["0546"])


def test_a_login_without_a_binding_sees_no_rows(pg, pg_url, roles):
    # What `db lezer` made before 0015, and what a reader of another warehouse in the cluster is here: a member of
    # the shared monitor_lezer without a binding in this warehouse.
    elders = make_login(pg, roles(), "monitor_lezer")
    assert visible(pg_url, elders) == set()


def test_a_binding_holds_in_its_own_warehouse_only(pg, pg_url, roles):
    # Every warehouse in the cluster grants the same monitor_lezer; the bindings are per warehouse.
    leiden = roles()
    access.grant_reader(pg, leiden, ["GM0546"])
    with pg.begin() as conn:
        conn.execute(text(f"ALTER ROLE {leiden} LOGIN"))
    with fresh_schema() as other_url:
        other = filled_warehouse(other_url)
        try:
            assert visible(other_url, leiden) == set()
            access.grant_reader(other, leiden, ["GM0547"])
            assert visible(other_url, leiden) == {"GM0547"}
        finally:
            other.dispose()
    assert visible(pg_url, leiden) == {"GM0546"}


def test_a_region_wide_reader_sees_every_gemeente(pg, pg_url, roles):
    regio = roles()
    access.grant_reader(pg, regio, regio=True)
    with pg.begin() as conn:
        conn.execute(text(f"ALTER ROLE {regio} LOGIN"))
        assert conn.execute(
            select(meta_lezer_gemeente.c.gemeentecode).where(meta_lezer_gemeente.c.rolname == regio)
        ).scalars().all() == ["*"]
    assert visible(pg_url, regio) == ALL


def test_set_role_cannot_widen_a_gemeente_login(pg, pg_url, roles):
    leiden, leiderdorp = roles(), roles()
    access.grant_reader(pg, leiden, ["GM0546"])
    access.grant_reader(pg, leiderdorp, ["GM0547"])
    with pg.begin() as conn:
        conn.execute(text(f"ALTER ROLE {leiden} LOGIN"))
    assert visible(pg_url, leiden) == {"GM0546"}
    if server_version(pg) >= 160000:  # granted WITH SET FALSE
        with pytest.raises(ProgrammingError, match="permission denied to set role"):
            visible(pg_url, leiden, set_role="monitor_lezer")
    else:  # the policy holds by itself: monitor_lezer's own allowance is nothing
        assert visible(pg_url, leiden, set_role="monitor_lezer") == set()
    with pytest.raises(ProgrammingError, match="permission denied to set role"):
        visible(pg_url, leiden, set_role=leiderdorp)


def test_a_personal_login_sees_the_gemeenten_of_the_roles_it_is_a_member_of(pg, pg_url, roles):
    leiden, leiderdorp, noordwijk, team = roles(), roles(), roles(), roles("team")
    access.grant_reader(pg, leiden, ["GM0546"])
    access.grant_reader(pg, leiderdorp, ["GM0547"])
    access.grant_reader(pg, noordwijk, ["GM0575"])
    with pg.begin() as conn:
        conn.execute(text(f"CREATE ROLE {team} NOLOGIN IN ROLE {leiden}"))  # reaches leiden through a group
    alice = make_login(pg, roles("alice"), leiderdorp)
    bob = make_login(pg, roles("bob"), leiderdorp, team)
    assert visible(pg_url, alice) == {"GM0547"}
    assert visible(pg_url, bob) == {"GM0546", "GM0547"}
    # SET ROLE to a role of its own narrows to that role; to a role it is not a member of is refused.
    assert visible(pg_url, bob, set_role=leiderdorp) == {"GM0547"}
    assert visible(pg_url, bob, set_role=team) == {"GM0546"}
    with pytest.raises(ProgrammingError, match="permission denied to set role"):
        visible(pg_url, alice, set_role=noordwijk)
    if server_version(pg) < 160000:
        assert visible(pg_url, bob, set_role="monitor_lezer") == set()


def test_a_reader_cannot_forge_its_bindings(pg, pg_url, roles):
    leiden, regio = roles(), roles()
    access.grant_reader(pg, leiden, ["GM0546"])
    access.grant_reader(pg, regio, regio=True)
    login = make_login(pg, roles("alice"), leiden)
    # Temporary tables are searched before the schema and pg_catalog unless the function's search_path names
    # pg_temp last: forged bindings, and a pg_roles that makes every role the login itself.
    forged = (
        "CREATE TEMP TABLE meta_lezer_gemeente (rolname NAME, gemeentecode VARCHAR(6))",
        f"INSERT INTO meta_lezer_gemeente VALUES ('{login}', '*'), ('{login}', 'GM0547'), "
        f"('{login}', 'GM0575'), ('{leiden}', '*'), ('{leiden}', 'GM0547'), ('{leiden}', 'GM0575')",
        "CREATE TEMP TABLE pg_roles AS SELECT rolname, "
        "(SELECT oid FROM pg_catalog.pg_roles WHERE rolname = session_user) AS oid FROM pg_catalog.pg_roles",
    )
    assert visible(pg_url, login, before=forged) == {"GM0546"}
    # Asking the function about a wider role gives no more than the login's own gemeenten.
    engine = create_engine(make_url(pg_url).set(username=login), poolclass=NullPool)
    with engine.connect() as conn:
        assert conn.execute(text(f"SELECT monitor_lezer_gemeenten('{regio}')")).scalar() == ["GM0546"]
    engine.dispose()


def test_db_lezer_needs_gemeenten_or_the_region(pg, pg_url, roles, tmp_path):
    runner, config, role = CliRunner(), str(config_file(tmp_path, pg_url)), roles()
    refused = runner.invoke(app, ["db", "lezer", role, "--config", config])
    assert refused.exit_code == 2
    assert "--regio" in refused.output and "sees no rows" in refused.output
    granted = runner.invoke(app, ["db", "lezer", role, "--regio", "--config", config])
    assert granted.exit_code == 0, granted.output
    assert "every gemeente" in granted.output
    assert as_role(pg, role, "select count(*) from mart_aanmeldingen") == [(3,)]


def test_membership_is_granted_without_set_from_postgresql_16():
    assert access.membership_grant("beleid_x", 160004) == "GRANT monitor_lezer TO beleid_x WITH SET FALSE"
    assert access.membership_grant("beleid_x", 150020) == "GRANT monitor_lezer TO beleid_x"
