"""run figures

Revision ID: 0010
Revises: 0009
"""

from alembic import op
import sqlalchemy as sa


revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meta_run_figure",
        sa.Column("load_run_id", sa.String(length=36), nullable=False),
        sa.Column(
            "wat",
            sa.String(length=32),
            nullable=False,
            comment="files, rows, quarantined by reason, cbs table, mart rows",
        ),
        sa.Column("detail", sa.String(length=64), nullable=False, comment="the status, reason code, table or mart"),
        sa.Column("aantal", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["load_run_id"], ["meta_load_run.run_id"], name=op.f("fk_meta_run_figure_load_run_id_meta_load_run")
        ),
        sa.PrimaryKeyConstraint("load_run_id", "wat", "detail", name=op.f("pk_meta_run_figure")),
        comment="The figures of every run, as its Prefect table artifact shows them.",
    )


def downgrade() -> None:
    op.drop_table("meta_run_figure")
