"""Who may read the marts on PostgreSQL: the monitor_lezer role (migration 0008) and roles bound to gemeenten
(row-level security, migration 0015); docs/access.md for the DBA.

A reader role gets monitor_lezer: SELECT on the mart_ tables and the dim_ tables that label them (0020; every dim_
row, they are reference data), nothing on meta_, stg_ or fact_. Its mart rows come from its bindings in
meta_lezer_gemeente: some gemeenten, or '*' for the whole region; a role without bindings sees no rows.
monitor_lezer is shared by every warehouse in the cluster, so a binding holds for this warehouse only. Login and
password are the DBA's business (`ALTER ROLE ... LOGIN PASSWORD ...`, or a personal login made a member of the
role); this only creates a NOLOGIN role.
"""

from __future__ import annotations

import re

from sqlalchemy import Connection, Engine, delete, insert, text

from jeugdmonitor.config import check_gemeentecodes
from jeugdmonitor.schemas.warehouse import meta_lezer_gemeente

READER = "monitor_lezer"
REGIO = "*"
_ROLE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
# GRANT ... WITH SET FALSE: PostgreSQL 16 and later.
_SET_OPTION_SINCE = 160000


def grant_reader(engine: Engine, role: str, gemeenten: list[str] | None = None, *, regio: bool = False) -> None:
    """Make `role` a mart reader of `gemeenten`, or of every gemeente with `regio`; replaces its earlier binding."""
    if not _ROLE.match(role):
        raise ValueError(f"{role!r} is not a plain PostgreSQL role name (lower case letters, digits, _)")
    if role == READER:
        raise ValueError(
            f"{READER} is the shared reader role of every warehouse in the cluster; bind a role of its own"
        )
    if bool(gemeenten) == regio:
        raise ValueError(
            "give the gemeenten (--gemeente GM0546, repeatable) or the whole region (--regio), "
            "not both: a reader without a binding sees no rows"
        )
    if engine.dialect.name != "postgresql":
        raise ValueError("roles and row-level security exist on PostgreSQL only; SQLite has no users")
    bindings = [REGIO] if regio else check_gemeentecodes(list(gemeenten or []))
    with engine.begin() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).scalar()
        if not exists:
            conn.execute(text(f"CREATE ROLE {role} NOLOGIN"))
        conn.execute(text(membership_grant(role, _server_version(conn))))
        conn.execute(delete(meta_lezer_gemeente).where(meta_lezer_gemeente.c.rolname == role))
        conn.execute(insert(meta_lezer_gemeente), [{"rolname": role, "gemeentecode": g} for g in bindings])


def membership_grant(role: str, server_version: int) -> str:
    """GRANT monitor_lezer to `role`; from PostgreSQL 16 without the right to SET ROLE to it. The policy does not
    depend on that (SET ROLE cannot widen the view), but a reader has no reason to act as the shared role."""
    option = " WITH SET FALSE" if server_version >= _SET_OPTION_SINCE else ""
    return f"GRANT {READER} TO {role}{option}"


def _server_version(conn: Connection) -> int:
    return int(conn.execute(text("SELECT current_setting('server_version_num')")).scalar_one())
