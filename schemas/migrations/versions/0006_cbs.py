"""CBS tables, categories, observations and revisions

Revision ID: 0006
Revises: 0005

"""

from alembic import op
import sqlalchemy as sa


revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stg_cbs_categorie",
        sa.Column("table_id", sa.String(length=16), nullable=False),
        sa.Column(
            "dimension",
            sa.String(length=64),
            nullable=False,
            comment="dimension key, e.g. VormenVanJeugdzorg, Perioden",
        ),
        sa.Column("code", sa.String(length=16), nullable=False, comment="category key, padding stripped"),
        sa.Column(
            "title", sa.Text(), nullable=False, comment="what marts map by, e.g. 'JB 11 Totaal ondertoezichtstelling'"
        ),
        sa.Column(
            "period_status",
            sa.String(length=16),
            nullable=True,
            comment="periods only: Definitief, Voorlopig or Nader voorlopig",
        ),
        sa.PrimaryKeyConstraint("table_id", "dimension", "code", name=op.f("pk_stg_cbs_categorie")),
        comment="Categories of the CBS dimensions (and period status) of the version in the warehouse.",
    )
    op.create_table(
        "meta_cbs_revisie",
        sa.Column(
            "revisie_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column(
            "file_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False, comment="the new version"
        ),
        sa.Column("table_id", sa.String(length=16), nullable=False),
        sa.Column("measure", sa.String(length=80), nullable=False),
        sa.Column("regio_code", sa.String(length=10), nullable=False),
        sa.Column("periode", sa.String(length=8), nullable=False),
        sa.Column("dimensions", sa.String(length=200), nullable=False),
        sa.Column("old_value", sa.Float(), nullable=True),
        sa.Column("new_value", sa.Float(), nullable=True),
        sa.Column("old_status", sa.String(length=16), nullable=True),
        sa.Column("new_status", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(
            ["file_id"], ["meta_source_file.file_id"], name=op.f("fk_meta_cbs_revisie_file_id_meta_source_file")
        ),
        sa.PrimaryKeyConstraint("revisie_id", name=op.f("pk_meta_cbs_revisie")),
        comment="Every CBS value or period status that a newer table version changed (a value turning null included).",
    )
    with op.batch_alter_table("meta_cbs_revisie", schema=None) as batch_op:
        batch_op.create_index("ix_meta_cbs_revisie_file_id", ["file_id"], unique=False)

    op.create_table(
        "meta_cbs_table",
        sa.Column(
            "table_id",
            sa.String(length=16),
            nullable=False,
            comment="CBS table id as CBS spells it (03759ned is lower case)",
        ),
        sa.Column(
            "purpose", sa.String(length=32), nullable=False, comment="jeugdzorg, jeugdbescherming, bevolking, gebieden"
        ),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("api", sa.String(length=4), nullable=False, comment="v3 or v4"),
        sa.Column(
            "modified",
            sa.String(length=32),
            nullable=True,
            comment="CBS Modified of the version in the warehouse: the version key",
        ),
        sa.Column("frequency", sa.String(length=32), nullable=True),
        sa.Column(
            "status",
            sa.String(length=32),
            nullable=True,
            comment="Regulier, Stopgezet (v3 Frequency) or Gediscontinueerd (v4)",
        ),
        sa.Column(
            "file_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=True,
            comment="the load of the version in the warehouse",
        ),
        sa.Column("row_count", sa.Integer(), nullable=True, comment="observations of this table in stg_cbs_waarneming"),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=True, comment="last complete data fetch"),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True, comment="last metadata check"),
        sa.Column(
            "last_error",
            sa.Text(),
            nullable=True,
            comment="why the last check or fetch failed, in Dutch; null when it succeeded",
        ),
        sa.Column("last_error_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["file_id"], ["meta_source_file.file_id"], name=op.f("fk_meta_cbs_table_file_id_meta_source_file")
        ),
        sa.PrimaryKeyConstraint("table_id", name=op.f("pk_meta_cbs_table")),
        comment="The CBS tables the monitor keeps, with the version loaded and the last fetch.",
    )
    op.create_table(
        "stg_cbs_waarneming",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("table_id", sa.String(length=16), nullable=False),
        sa.Column("measure", sa.String(length=80), nullable=False, comment="Topic key (v3) or measure code (v4)"),
        sa.Column("regio_code", sa.String(length=10), nullable=False, comment="RegioS as CBS has it, padding stripped"),
        sa.Column(
            "gemeentecode",
            sa.String(length=6),
            nullable=True,
            comment="GM code after herindeling; null for other regions (NL, JZ, PV)",
        ),
        sa.Column("periode", sa.String(length=8), nullable=False, comment="CBS period code, e.g. 2025HJ01, 2025JJ00"),
        sa.Column(
            "dimensions", sa.String(length=200), nullable=False, comment="the other dimensions as key=code;... (sorted)"
        ),
        sa.Column(
            "value",
            sa.Float(),
            nullable=True,
            comment="null: suppressed, not applicable or not available (see value_attribute)",
        ),
        sa.Column(
            "value_text", sa.Text(), nullable=True, comment="text topics (Gebieden in Nederland: codes and names)"
        ),
        sa.Column(
            "value_attribute",
            sa.String(length=16),
            nullable=False,
            comment="None, Missing (v3 null), Confidential, ...",
        ),
        sa.Column(
            "period_status",
            sa.String(length=16),
            nullable=True,
            comment="Definitief, Voorlopig or Nader voorlopig when loaded",
        ),
        sa.Column(
            "file_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
            comment="the table version that last set this value",
        ),
        sa.Column("line", sa.Integer(), nullable=False, comment="position of the observation in that fetch"),
        sa.ForeignKeyConstraint(
            ["file_id"], ["meta_source_file.file_id"], name=op.f("fk_stg_cbs_waarneming_file_id_meta_source_file")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stg_cbs_waarneming")),
        comment="CBS StatLine observations in long format, one row per cell; revisions update in place (meta_cbs_revisie keeps what changed).",
    )
    with op.batch_alter_table("stg_cbs_waarneming", schema=None) as batch_op:
        batch_op.create_index("ix_stg_cbs_waarneming_gemeente_periode", ["gemeentecode", "periode"], unique=False)
        batch_op.create_index(
            "uq_stg_cbs_waarneming_key", ["table_id", "measure", "regio_code", "periode", "dimensions"], unique=True
        )


def downgrade() -> None:
    with op.batch_alter_table("stg_cbs_waarneming", schema=None) as batch_op:
        batch_op.drop_index("uq_stg_cbs_waarneming_key")
        batch_op.drop_index("ix_stg_cbs_waarneming_gemeente_periode")

    op.drop_table("stg_cbs_waarneming")
    op.drop_table("meta_cbs_table")
    with op.batch_alter_table("meta_cbs_revisie", schema=None) as batch_op:
        batch_op.drop_index("ix_meta_cbs_revisie_file_id")

    op.drop_table("meta_cbs_revisie")
    op.drop_table("stg_cbs_categorie")
