"""The region's own files: dim_aanbieder.naam, dim_team.wijken, and `levering` on the JGT team marts

Revision ID: 0019
Revises: 0018
"""

from alembic import op
import sqlalchemy as sa

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

# Frozen copies of the model's comments (schemas/marts.py) as they were added here.
AANBIEDER_NAAM = "name of the aanbieder from the region's aanbieders table (region.aanbieders); NULL if not there"
TEAM_WIJKEN = "CBS wijkcodes the team serves, space-separated (region file); NULL if not given"
LEVERING = (
    "team rows: geleverd, or niet_geleverd (no export of the team for the gemeente and month: figures NULL); "
    "totaal: geleverd, or onvolledig (teams without an export; the totaal holds the teams that delivered)"
)
TEAM_MARTS = ("mart_aanmeldingen", "mart_aanmeldingen_uitsplitsing", "mart_doorlooptijd", "mart_verwijzingen_team")


def upgrade() -> None:
    op.add_column("dim_aanbieder", sa.Column("naam", sa.Text(), nullable=True, comment=AANBIEDER_NAAM))
    op.add_column("dim_team", sa.Column("wijken", sa.Text(), nullable=True, comment=TEAM_WIJKEN))
    for table in TEAM_MARTS:
        # Rows built before this revision say nothing about deliveries; `jeugdmonitor marts rebuild` replaces them.
        with op.batch_alter_table(table) as batch:
            batch.add_column(
                sa.Column("levering", sa.String(length=16), nullable=False, server_default="geleverd", comment=LEVERING)
            )
        with op.batch_alter_table(table) as batch:
            batch.alter_column("levering", server_default=None, existing_type=sa.String(length=16))


def downgrade() -> None:
    for table in TEAM_MARTS:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("levering")
    with op.batch_alter_table("dim_team") as batch:
        batch.drop_column("wijken")
    with op.batch_alter_table("dim_aanbieder") as batch:
        batch.drop_column("naam")
