"""Column comments on every mart column (PostgreSQL): the key and bookkeeping columns had none

Revision ID: 0017
Revises: 0016
"""

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

# Frozen copies of the model's comments (schemas/marts.py) as they were added here; SQLite keeps no comments.
COMMON = {
    "gemeentecode": "GM + 4 digits (dim_gemeente)",
    "bijgewerkt_op": "when the row was built (one timestamp per gemeente per build)",
}
TEAM = {"team": "the JGT team (dim_team); 'totaal': the gemeente"}
PERIODE = {"periode_start": "first day of the period", "periode_eind": "last day of the period"}
CBS_STATUS = {"cbs_periode_status": "CBS period status: Voorlopig, Nader voorlopig or Definitief"}
BRON = {"bron": "ijw (local) or cbs"}
COMMENTS = {
    "mart_aanmeldingen": TEAM,
    "mart_aanmeldingen_uitsplitsing": TEAM,
    "mart_doorlooptijd": TEAM,
    "mart_doorlooptijd_aanbieder": {
        "aanbieder_agb": "AGB code of the aanbieder (dim_aanbieder); 'totaal': all aanbieders"
    },
    "mart_doorlooptijd_keten": {},
    "mart_verwijzingen": {"verwijzer_type": "COD327 (dim_verwijzer); 'totaal': all verwijzers"},
    "mart_verwijzingen_team": TEAM,
    "mart_ots": {**BRON, **PERIODE},
    "mart_uithuisplaatsingen": {
        **BRON,
        **PERIODE,
        "vorm": "pleegzorg, gezinsgericht, gesloten, overig_verblijf or totaal",
    },
    "mart_kosten": {"product_categorie": "iJw productcategorie; 'totaal': all"},
    "mart_jeugdhulpgebruik": {**PERIODE, **CBS_STATUS},
    "mart_cbs_vergelijking": {**PERIODE, **CBS_STATUS},
    "mart_aanbieder_scorecard": {"aanbieder_agb": "AGB code of the aanbieder (dim_aanbieder)"},
}


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table, columns in COMMENTS.items():
            for column, comment in {**COMMON, **columns}.items():
                op.alter_column(table, column, comment=comment, existing_comment=None)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table, columns in COMMENTS.items():
            for column, comment in {**COMMON, **columns}.items():
                op.alter_column(table, column, comment=None, existing_comment=comment)
