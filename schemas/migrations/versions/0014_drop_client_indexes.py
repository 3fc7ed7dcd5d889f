"""drop the client_pseudonym indexes of the iJw staging tables

Revision ID: 0014
Revises: 0013
"""

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

TABLES = ("stg_jw301_toewijzing", "stg_jw305_start", "stg_jw307_stop", "stg_jw315_verzoek")


def upgrade() -> None:
    # No query looks a pseudonym up: the fact views and the marts read these tables whole. Each index cost a
    # random insert per loaded row (a keyed hash spreads the keys over the whole index), measured in
    # docs/performance.md; finding one youth's rows (an inzageverzoek) scans the tables instead.
    for table in TABLES:
        op.drop_index(f"ix_{table}_client", table_name=table)


def downgrade() -> None:
    for table in TABLES:
        op.create_index(f"ix_{table}_client", table, ["client_pseudonym"], unique=False)
