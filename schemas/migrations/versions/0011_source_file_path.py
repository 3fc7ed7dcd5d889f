"""meta_source_file by source and path

Revision ID: 0011
Revises: 0010
"""

from alembic import op


revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_meta_source_file_source_path", "meta_source_file", ["source", "path"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_meta_source_file_source_path", table_name="meta_source_file")
