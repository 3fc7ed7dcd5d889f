"""validation results, declared totals, lookup indexes

Revision ID: 0003
Revises: 0002
"""

from alembic import op
import sqlalchemy as sa


revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meta_validation_result",
        sa.Column(
            "validation_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("load_run_id", sa.String(length=36), nullable=False),
        sa.Column("file_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("suite", sa.String(length=64), nullable=False, comment="expectations/<suite>.json"),
        sa.Column("reason_code", sa.String(length=32), nullable=False),
        sa.Column(
            "severity", sa.String(length=8), nullable=False, comment="fail (quarantined) or warn (loaded, reported)"
        ),
        sa.Column("scope", sa.String(length=8), nullable=False, comment="row or file"),
        sa.Column("field", sa.String(length=64), nullable=True),
        sa.Column("rows_evaluated", sa.Integer(), nullable=False),
        sa.Column("rows_unexpected", sa.Integer(), nullable=False),
        sa.Column("reden", sa.Text(), nullable=False, comment="the rule in plain Dutch"),
        sa.ForeignKeyConstraint(
            ["file_id"], ["meta_source_file.file_id"], name=op.f("fk_meta_validation_result_file_id_meta_source_file")
        ),
        sa.ForeignKeyConstraint(
            ["load_run_id"], ["meta_load_run.run_id"], name=op.f("fk_meta_validation_result_load_run_id_meta_load_run")
        ),
        sa.PrimaryKeyConstraint("validation_id", name=op.f("pk_meta_validation_result")),
        comment="Expectations that did not hold, per file and rule (GX SUMMARY level); row details are in meta_quarantine for severity fail.",
    )
    with op.batch_alter_table("meta_validation_result", schema=None) as batch_op:
        batch_op.create_index("ix_meta_validation_result_file_id", ["file_id"], unique=False)

    with op.batch_alter_table("stg_jw301_toewijzing", schema=None) as batch_op:
        batch_op.create_index("ix_stg_jw301_toewijzing_client", ["client_pseudonym"], unique=False)
        batch_op.create_index("ix_stg_jw301_toewijzing_nummer", ["gemeentecode", "toewijzing_nummer"], unique=False)

    with op.batch_alter_table("stg_jw305_start", schema=None) as batch_op:
        batch_op.create_index("ix_stg_jw305_start_client", ["client_pseudonym"], unique=False)

    with op.batch_alter_table("stg_jw307_stop", schema=None) as batch_op:
        batch_op.create_index("ix_stg_jw307_stop_client", ["client_pseudonym"], unique=False)

    with op.batch_alter_table("stg_jw315_verzoek", schema=None) as batch_op:
        batch_op.create_index("ix_stg_jw315_verzoek_client", ["client_pseudonym"], unique=False)
        batch_op.create_index(
            "ix_stg_jw315_verzoek_referentie", ["aanbieder_agb", "referentie_aanbieder"], unique=False
        )

    with op.batch_alter_table("stg_jw323_prestatie", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "declaratie_totaal",
                sa.BigInteger(),
                nullable=True,
                comment="TotaalIngediendBedrag of the declaratie, signed, eurocents",
            )
        )
        batch_op.create_index(
            "uq_stg_jw323_prestatie_aanbieder_referentie", ["aanbieder_agb", "referentie_nummer"], unique=True
        )


def downgrade() -> None:
    with op.batch_alter_table("stg_jw323_prestatie", schema=None) as batch_op:
        batch_op.drop_index("uq_stg_jw323_prestatie_aanbieder_referentie")
        batch_op.drop_column("declaratie_totaal")

    with op.batch_alter_table("stg_jw315_verzoek", schema=None) as batch_op:
        batch_op.drop_index("ix_stg_jw315_verzoek_referentie")
        batch_op.drop_index("ix_stg_jw315_verzoek_client")

    with op.batch_alter_table("stg_jw307_stop", schema=None) as batch_op:
        batch_op.drop_index("ix_stg_jw307_stop_client")

    with op.batch_alter_table("stg_jw305_start", schema=None) as batch_op:
        batch_op.drop_index("ix_stg_jw305_start_client")

    with op.batch_alter_table("stg_jw301_toewijzing", schema=None) as batch_op:
        batch_op.drop_index("ix_stg_jw301_toewijzing_nummer")
        batch_op.drop_index("ix_stg_jw301_toewijzing_client")

    with op.batch_alter_table("meta_validation_result", schema=None) as batch_op:
        batch_op.drop_index("ix_meta_validation_result_file_id")

    op.drop_table("meta_validation_result")
