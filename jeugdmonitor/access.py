"""Who may read the marts on PostgreSQL: the monitor_lezer role (migration 0008) and roles bound to gemeenten.

A reader role gets monitor_lezer: SELECT on the mart_ tables, nothing on meta_, stg_, fact_ or dim_. Listing it in
meta_lezer_gemeente with gemeentecodes limits it, through row-level security, to the rows of those gemeenten. Login
and password are the DBA's business (`ALTER ROLE ... LOGIN PASSWORD ...`); this only creates a NOLOGIN role.
"""

from __future__ import annotations

import re

from sqlalchemy import Engine, delete, insert, text

from schemas.warehouse import meta_lezer_gemeente

READER = "monitor_lezer"
_ROLE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def grant_reader(engine: Engine, role: str, gemeenten: list[str] | None = None) -> None:
    """Make `role` a mart reader, limited to `gemeenten` when given (an empty list or None: all gemeenten)."""
    if engine.dialect.name != "postgresql":
        raise ValueError("roles and row-level security exist on PostgreSQL only; SQLite has no users")
    if not _ROLE.match(role):
        raise ValueError(f"{role!r} is not a plain PostgreSQL role name (lower case letters, digits, _)")
    with engine.begin() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).scalar()
        if not exists:
            conn.execute(text(f"CREATE ROLE {role} NOLOGIN"))
        conn.execute(text(f"GRANT {READER} TO {role}"))
        conn.execute(delete(meta_lezer_gemeente).where(meta_lezer_gemeente.c.rolname == role))
        if gemeenten:
            conn.execute(insert(meta_lezer_gemeente), [{"rolname": role, "gemeentecode": g} for g in gemeenten])
