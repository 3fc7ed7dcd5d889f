"""meta_source_file.path compared byte by byte on PostgreSQL

Revision ID: 0013
Revises: 0012
"""

from alembic import op
from sqlalchemy import Text

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Discovery reads a folder's recorded files as one range of paths (meta.recorded_stamps), with bounds it computes
    # by code point; under a linguistic collation the index range would not be that range. SQLite compares bytes.
    # Only the index on the column is rebuilt: the text itself does not change.
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("meta_source_file", "path", type_=Text(collation="C"), existing_nullable=False)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("meta_source_file", "path", type_=Text(), existing_nullable=False)
