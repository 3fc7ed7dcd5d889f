"""The one MetaData of the warehouse model, shared by schemas/warehouse.py (meta_, stg_) and schemas/marts.py."""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer, MetaData

# Explicit constraint names keep migrations identical on SQLite and PostgreSQL.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# BigInteger autoincrement keys are plain INTEGER on SQLite so that rowid aliasing still works.
Id = BigInteger().with_variant(Integer(), "sqlite")
