"""initial warehouse: meta tables and JW323 staging

Revision ID: 0001
Revises:
"""

from alembic import op
import sqlalchemy as sa


revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meta_load_run",
        sa.Column(
            "run_id", sa.String(length=36), nullable=False, comment="Prefect flow run id, or a uuid outside Prefect"
        ),
        sa.Column("flow_name", sa.String(length=64), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False, comment="running, completed or failed"),
        sa.Column("files_seen", sa.Integer(), nullable=False),
        sa.Column("files_loaded", sa.Integer(), nullable=False),
        sa.Column("files_skipped", sa.Integer(), nullable=False, comment="already loaded earlier (same sha256)"),
        sa.Column("files_rejected", sa.Integer(), nullable=False),
        sa.Column("rows_read", sa.BigInteger(), nullable=False),
        sa.Column("rows_loaded", sa.BigInteger(), nullable=False),
        sa.Column("rows_quarantined", sa.BigInteger(), nullable=False),
        sa.Column(
            "key_id", sa.String(length=12), nullable=True, comment="fingerprint of the pseudonymisation key used"
        ),
        sa.Column("message", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("run_id", name=op.f("pk_meta_load_run")),
        comment="One row per flow run that loads data.",
    )
    op.create_table(
        "meta_source_file",
        sa.Column("file_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column(
            "sha256", sa.String(length=64), nullable=False, comment="identity of the delivery: same bytes, same file"
        ),
        sa.Column("source", sa.String(length=8), nullable=False, comment="ijw, jgt or cbs"),
        sa.Column(
            "message_type",
            sa.String(length=16),
            nullable=True,
            comment="JW323, ...; null when the file could not be recognised",
        ),
        sa.Column("path", sa.Text(), nullable=False, comment="path relative to the inbox it was found in"),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column(
            "modified_at", sa.DateTime(timezone=True), nullable=True, comment="file modification time when discovered"
        ),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("load_run_id", sa.String(length=36), nullable=False),
        sa.Column(
            "status",
            sa.String(length=16),
            nullable=False,
            comment="loaded (possibly with quarantined rows) or rejected",
        ),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("rows_loaded", sa.Integer(), nullable=False),
        sa.Column("rows_quarantined", sa.Integer(), nullable=False),
        sa.Column("reason_code", sa.String(length=32), nullable=True, comment="why a rejected file was rejected"),
        sa.Column("reden", sa.Text(), nullable=True, comment="the same in plain Dutch"),
        sa.ForeignKeyConstraint(
            ["load_run_id"], ["meta_load_run.run_id"], name=op.f("fk_meta_source_file_load_run_id_meta_load_run")
        ),
        sa.PrimaryKeyConstraint("file_id", name=op.f("pk_meta_source_file")),
        sa.UniqueConstraint("sha256", name=op.f("uq_meta_source_file_sha256")),
        comment="Every delivered file the monitor has processed, once per distinct content.",
    )
    op.create_table(
        "meta_quarantine",
        sa.Column(
            "quarantine_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("file_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("load_run_id", sa.String(length=36), nullable=False),
        sa.Column(
            "line",
            sa.Integer(),
            nullable=True,
            comment="line in the source file where the record starts; null for a whole file",
        ),
        sa.Column(
            "record_key",
            sa.String(length=64),
            nullable=True,
            comment="the record's own key (ReferentieNummer, registratie-id), if any",
        ),
        sa.Column("field", sa.String(length=64), nullable=True, comment="the field that failed, if one"),
        sa.Column("reason_code", sa.String(length=32), nullable=False, comment="stable code, e.g. bsn_invalid"),
        sa.Column("reden", sa.Text(), nullable=False, comment="the reason in plain Dutch"),
        sa.Column("value_masked", sa.String(length=64), nullable=True, comment="the offending value, BSNs masked"),
        sa.ForeignKeyConstraint(
            ["file_id"], ["meta_source_file.file_id"], name=op.f("fk_meta_quarantine_file_id_meta_source_file")
        ),
        sa.ForeignKeyConstraint(
            ["load_run_id"], ["meta_load_run.run_id"], name=op.f("fk_meta_quarantine_load_run_id_meta_load_run")
        ),
        sa.PrimaryKeyConstraint("quarantine_id", name=op.f("pk_meta_quarantine")),
        comment="Rows and files that were not loaded, with the reason, the file and the line.",
    )
    with op.batch_alter_table("meta_quarantine", schema=None) as batch_op:
        batch_op.create_index("ix_meta_quarantine_file_id", ["file_id"], unique=False)

    op.create_table(
        "stg_jw323_prestatie",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("file_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False, comment="line of the Prestatie start tag in the source file"),
        sa.Column("bericht_identificatie", sa.String(length=12), nullable=False),
        sa.Column("dagtekening", sa.Date(), nullable=False),
        sa.Column("aanbieder_agb", sa.String(length=8), nullable=False, comment="Afzender"),
        sa.Column("gemeentecode", sa.String(length=6), nullable=False, comment="Ontvanger as GM + 4 digits"),
        sa.Column("declaratie_nummer", sa.String(length=12), nullable=False),
        sa.Column("declaratie_periode_begin", sa.Date(), nullable=False),
        sa.Column("declaratie_periode_eind", sa.Date(), nullable=False),
        sa.Column("client_pseudonym", sa.String(length=64), nullable=False, comment="HMAC-SHA256 of the BSN"),
        sa.Column("referentie_nummer", sa.String(length=20), nullable=False),
        sa.Column(
            "vorig_referentie_nummer",
            sa.String(length=20),
            nullable=True,
            comment="filled on credits: the debet it reverses",
        ),
        sa.Column("toewijzing_nummer", sa.BigInteger(), nullable=False),
        sa.Column("product_categorie", sa.String(length=2), nullable=False),
        sa.Column("product_code", sa.String(length=5), nullable=False),
        sa.Column("product_periode_begin", sa.Date(), nullable=False),
        sa.Column("product_periode_eind", sa.Date(), nullable=False),
        sa.Column("geleverd_volume", sa.BigInteger(), nullable=False),
        sa.Column("eenheid", sa.String(length=2), nullable=False),
        sa.Column("product_tarief", sa.BigInteger(), nullable=True, comment="eurocents; absent for Eenheid 83"),
        sa.Column("ingediend_bedrag", sa.BigInteger(), nullable=False, comment="eurocents, unsigned as delivered"),
        sa.Column("debet_credit", sa.String(length=1), nullable=False),
        sa.Column("bedrag", sa.BigInteger(), nullable=False, comment="eurocents, signed: credit lines negative"),
        sa.ForeignKeyConstraint(
            ["file_id"], ["meta_source_file.file_id"], name=op.f("fk_stg_jw323_prestatie_file_id_meta_source_file")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stg_jw323_prestatie")),
        comment="JW323 declaratie lines (one per Prestatie), pseudonymised, as delivered.",
    )
    with op.batch_alter_table("stg_jw323_prestatie", schema=None) as batch_op:
        batch_op.create_index("ix_stg_jw323_prestatie_file_id", ["file_id"], unique=False)
        batch_op.create_index(
            "ix_stg_jw323_prestatie_gemeente_periode", ["gemeentecode", "product_periode_begin"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("stg_jw323_prestatie", schema=None) as batch_op:
        batch_op.drop_index("ix_stg_jw323_prestatie_gemeente_periode")
        batch_op.drop_index("ix_stg_jw323_prestatie_file_id")

    op.drop_table("stg_jw323_prestatie")
    with op.batch_alter_table("meta_quarantine", schema=None) as batch_op:
        batch_op.drop_index("ix_meta_quarantine_file_id")

    op.drop_table("meta_quarantine")
    op.drop_table("meta_source_file")
    op.drop_table("meta_load_run")
