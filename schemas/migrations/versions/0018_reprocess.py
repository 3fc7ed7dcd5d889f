"""Reprocess: quarantine rows closed with a trace, and the refused files found without a scan

Revision ID: 0018
Revises: 0017
"""

from alembic import op
import sqlalchemy as sa

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


_SKIPPED = "seen earlier (same sha256): loaded, or refused (jeugdmonitor reprocess judges those again)"


def upgrade() -> None:
    op.add_column(
        "meta_quarantine",
        sa.Column(
            "opgelost_door_run",
            sa.String(length=36),
            nullable=True,
            comment="the run (reprocess, or the run that brought a missing JW301) that closed this row; null: open",
        ),
    )
    op.add_column("meta_quarantine", sa.Column("opgelost_op", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "meta_quarantine",
        sa.Column(
            "opgelost_als",
            sa.String(length=16),
            nullable=True,
            comment="geladen (the line loaded when judged again) or vervangen (quarantined again for another reason)",
        ),
    )
    _skipped_comment(_SKIPPED, "already loaded earlier (same sha256)")
    op.create_index("ix_meta_quarantine_reason_code", "meta_quarantine", ["reason_code"], unique=False)
    op.create_index(
        "ix_meta_source_file_source_status_path", "meta_source_file", ["source", "status", "path"], unique=False
    )


def downgrade() -> None:
    _skipped_comment("already loaded earlier (same sha256)", _SKIPPED)
    op.drop_index("ix_meta_source_file_source_status_path", table_name="meta_source_file")
    op.drop_index("ix_meta_quarantine_reason_code", table_name="meta_quarantine")
    with op.batch_alter_table("meta_quarantine") as batch:
        batch.drop_column("opgelost_als")
        batch.drop_column("opgelost_op")
        batch.drop_column("opgelost_door_run")


def _skipped_comment(comment: str, existing: str) -> None:
    # SQLite keeps no column comments (and would copy the whole table to change one)
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column(
            "meta_load_run",
            "files_skipped",
            existing_type=sa.Integer(),
            existing_nullable=False,
            comment=comment,
            existing_comment=existing,
        )
