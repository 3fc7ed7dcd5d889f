"""indexes for the JW323 rules' lookups of earlier loads

Revision ID: 0012
Revises: 0011
"""
from alembic import op


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The rules look up earlier declaraties by ReferentieNummer and toewijzingen by ToewijzingNummer alone; the
    # existing indexes lead with aanbieder_agb / gemeentecode, so each batch scanned the whole table (30 s per batch
    # at half a national year).
    op.create_index('ix_stg_jw323_prestatie_referentie', 'stg_jw323_prestatie', ['referentie_nummer'], unique=False)
    op.create_index('ix_stg_jw301_toewijzing_toewijzing_nummer', 'stg_jw301_toewijzing', ['toewijzing_nummer'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_stg_jw301_toewijzing_toewijzing_nummer', table_name='stg_jw301_toewijzing')
    op.drop_index('ix_stg_jw323_prestatie_referentie', table_name='stg_jw323_prestatie')
