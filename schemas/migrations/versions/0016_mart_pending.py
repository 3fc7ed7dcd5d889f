"""meta_mart_pending: the gemeenten and months whose marts a load changed and that are not rebuilt yet

Revision ID: 0016
Revises: 0015
"""

from alembic import op
import sqlalchemy as sa

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meta_mart_pending",
        sa.Column("gemeentecode", sa.String(length=6), nullable=False),
        sa.Column("vanaf_maand", sa.Date(), nullable=False, comment="the first month whose marts are to be rebuilt"),
        sa.Column(
            "load_run_id",
            sa.String(length=36),
            nullable=True,
            comment="the run that marked it last (null: a mart build outside a run)",
        ),
        sa.Column("gemarkeerd_op", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["load_run_id"], ["meta_load_run.run_id"], name=op.f("fk_meta_mart_pending_load_run_id_meta_load_run")
        ),
        sa.PrimaryKeyConstraint("gemeentecode", name=op.f("pk_meta_mart_pending")),
        comment="Marts waiting for a rebuild: marked in the transaction of each load that changes facts, cleared in the transaction that writes the gemeente's rebuilt marts; what a crash left is rebuilt by the next run.",
    )
    _status_comment(
        "running, completed, failed, or aborted (found running by a later run: it was killed)",
        "running, completed or failed",
    )


def downgrade() -> None:
    _status_comment(
        "running, completed or failed",
        "running, completed, failed, or aborted (found running by a later run: it was killed)",
    )
    op.drop_table("meta_mart_pending")


def _status_comment(comment: str, existing: str) -> None:
    # SQLite keeps no column comments (and would copy the whole table to change one)
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column(
            "meta_load_run",
            "status",
            existing_type=sa.String(length=16),
            existing_nullable=False,
            comment=comment,
            existing_comment=existing,
        )
