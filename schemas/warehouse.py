"""The warehouse model as SQLAlchemy Core tables, shared by SQLite and PostgreSQL.

Layers are table-name prefixes: meta_ (runs, files, quarantine), stg_ (one table per source dataset, typed and
pseudonymised, every row tied to its source file and line). Changes go through a new alembic revision in
schemas/migrations/versions; tests check that the migrations and these tables agree.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

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

meta_load_run = Table(
    "meta_load_run",
    metadata,
    Column("run_id", String(36), primary_key=True, comment="Prefect flow run id, or a uuid outside Prefect"),
    Column("flow_name", String(64), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("status", String(16), nullable=False, comment="running, completed or failed"),
    Column("files_seen", Integer, nullable=False, default=0),
    Column("files_loaded", Integer, nullable=False, default=0),
    Column("files_skipped", Integer, nullable=False, default=0, comment="already loaded earlier (same sha256)"),
    Column("files_rejected", Integer, nullable=False, default=0),
    Column("rows_read", BigInteger, nullable=False, default=0),
    Column("rows_loaded", BigInteger, nullable=False, default=0),
    Column("rows_quarantined", BigInteger, nullable=False, default=0),
    Column("key_id", String(12), comment="fingerprint of the pseudonymisation key used"),
    Column("message", Text),
    comment="One row per flow run that loads data.",
)

meta_source_file = Table(
    "meta_source_file",
    metadata,
    Column("file_id", Id, primary_key=True, autoincrement=True),
    Column("sha256", String(64), nullable=False, unique=True, comment="identity of the delivery: same bytes, same file"),
    Column("source", String(8), nullable=False, comment="ijw, jgt or cbs"),
    Column("message_type", String(16), comment="JW323, ...; null when the file could not be recognised"),
    Column("path", Text, nullable=False, comment="path relative to the inbox it was found in"),
    Column("size_bytes", BigInteger, nullable=False),
    Column("modified_at", DateTime(timezone=True), comment="file modification time when discovered"),
    Column("loaded_at", DateTime(timezone=True), nullable=False),
    Column("load_run_id", String(36), ForeignKey("meta_load_run.run_id"), nullable=False),
    Column("status", String(16), nullable=False, comment="loaded (possibly with quarantined rows) or rejected"),
    Column("rows_read", Integer, nullable=False, default=0),
    Column("rows_loaded", Integer, nullable=False, default=0),
    Column("rows_quarantined", Integer, nullable=False, default=0),
    Column("reason_code", String(32), comment="why a rejected file was rejected"),
    Column("reden", Text, comment="the same in plain Dutch"),
    comment="Every delivered file the monitor has processed, once per distinct content.",
)

meta_quarantine = Table(
    "meta_quarantine",
    metadata,
    Column("quarantine_id", Id, primary_key=True, autoincrement=True),
    Column("file_id", Id, ForeignKey("meta_source_file.file_id"), nullable=False),
    Column("load_run_id", String(36), ForeignKey("meta_load_run.run_id"), nullable=False),
    Column("line", Integer, comment="line in the source file where the record starts; null for a whole file"),
    Column("record_key", String(64), comment="the record's own key (ReferentieNummer, registratie-id), if any"),
    Column("field", String(64), comment="the field that failed, if one"),
    Column("reason_code", String(32), nullable=False, comment="stable code, e.g. bsn_invalid"),
    Column("reden", Text, nullable=False, comment="the reason in plain Dutch"),
    Column("value_masked", String(64), comment="the offending value, BSNs masked"),
    Index("ix_meta_quarantine_file_id", "file_id"),
    comment="Rows and files that were not loaded, with the reason, the file and the line.",
)

stg_jw323_prestatie = Table(
    "stg_jw323_prestatie",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("file_id", Id, ForeignKey("meta_source_file.file_id"), nullable=False),
    Column("line", Integer, nullable=False, comment="line of the Prestatie start tag in the source file"),
    Column("bericht_identificatie", String(12), nullable=False),
    Column("dagtekening", Date, nullable=False),
    Column("aanbieder_agb", String(8), nullable=False, comment="Afzender"),
    Column("gemeentecode", String(6), nullable=False, comment="Ontvanger as GM + 4 digits"),
    Column("declaratie_nummer", String(12), nullable=False),
    Column("declaratie_periode_begin", Date, nullable=False),
    Column("declaratie_periode_eind", Date, nullable=False),
    Column("client_pseudonym", String(64), nullable=False, comment="HMAC-SHA256 of the BSN"),
    Column("referentie_nummer", String(20), nullable=False),
    Column("vorig_referentie_nummer", String(20), comment="filled on credits: the debet it reverses"),
    Column("toewijzing_nummer", BigInteger, nullable=False),
    Column("product_categorie", String(2), nullable=False),
    Column("product_code", String(5), nullable=False),
    Column("product_periode_begin", Date, nullable=False),
    Column("product_periode_eind", Date, nullable=False),
    Column("geleverd_volume", BigInteger, nullable=False),
    Column("eenheid", String(2), nullable=False),
    Column("product_tarief", BigInteger, comment="eurocents; absent for Eenheid 83"),
    Column("ingediend_bedrag", BigInteger, nullable=False, comment="eurocents, unsigned as delivered"),
    Column("debet_credit", String(1), nullable=False),
    Column("bedrag", BigInteger, nullable=False, comment="eurocents, signed: credit lines negative"),
    Index("ix_stg_jw323_prestatie_file_id", "file_id"),
    Index("ix_stg_jw323_prestatie_gemeente_periode", "gemeentecode", "product_periode_begin"),
    comment="JW323 declaratie lines (one per Prestatie), pseudonymised, as delivered.",
)

STAGING_TABLES = {"JW323": stg_jw323_prestatie}
