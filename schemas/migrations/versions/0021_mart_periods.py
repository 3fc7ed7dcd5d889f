"""Quarter and year rows in the marts with a month grain: periode_type (in the primary key), periode and
periode_volledig; existing rows are month rows

Revision ID: 0021
Revises: 0020
"""

from alembic import op
import sqlalchemy as sa

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

# Frozen copies of the model (schemas/marts.py) as it was here: the marts with a month grain and their keys.
KEYS = {
    "mart_aanmeldingen": ["gemeentecode", "team", "maand"],
    "mart_aanmeldingen_uitsplitsing": ["gemeentecode", "team", "maand", "kenmerk", "categorie"],
    "mart_doorlooptijd": ["gemeentecode", "team", "maand"],
    "mart_doorlooptijd_aanbieder": ["gemeentecode", "aanbieder_agb", "maand"],
    "mart_doorlooptijd_keten": ["gemeentecode", "maand"],
    "mart_verwijzingen": ["gemeentecode", "maand", "verwijzer_type"],
    "mart_verwijzingen_team": ["gemeentecode", "team", "maand"],
    "mart_kosten": ["gemeentecode", "maand", "product_categorie"],
}
MAAND_OLD = "first day of the month"
MAAND_NEW = "first day of the period (periode_type: the month, quarter or year)"
PERIODE_TYPE = "maand, kwartaal or jaar; month queries filter periode_type = 'maand'"
PERIODE = "CBS code of the period: 2025MM03, 2025KW01, 2025JJ00"
VOLLEDIG = "false while the data do not cover every month of the period (the current quarter and year)"
# mart_ots and mart_uithuisplaatsingen get local quarter rows: the shared period columns say so
CBS_PERIOD_MARTS = ("mart_ots", "mart_uithuisplaatsingen", "mart_jeugdhulpgebruik", "mart_cbs_vergelijking")
CBS_PERIODE = ("CBS code: 2025MM01, 2025HJ01, 2025JJ00", "CBS code: 2025MM01, 2025KW01, 2025HJ01, 2025JJ00")
CBS_PERIODE_TYPE = ("maand, halfjaar or jaar", "maand, kwartaal, halfjaar or jaar")


def _month_code(dialect: str) -> str:
    if dialect == "postgresql":
        return "to_char(maand, 'YYYY\"MM\"MM')"
    return "strftime('%Y', maand) || 'MM' || strftime('%m', maand)"


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    postgresql = dialect == "postgresql"
    for table, key in KEYS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column(
                    "periode_type",
                    sa.String(length=8),
                    nullable=False,
                    server_default="maand",
                    comment=PERIODE_TYPE if postgresql else None,
                )
            )
            batch_op.add_column(
                sa.Column("periode", sa.String(length=8), nullable=True, comment=PERIODE if postgresql else None)
            )
            batch_op.add_column(
                sa.Column(
                    "periode_volledig",
                    sa.Boolean(),
                    nullable=False,
                    server_default=sa.true(),
                    comment=VOLLEDIG if postgresql else None,
                )
            )
        op.execute(f"UPDATE {table} SET periode = {_month_code(dialect)}")
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("periode", existing_type=sa.String(length=8), nullable=False)
            batch_op.alter_column("periode_type", existing_type=sa.String(length=8), server_default=None)
            batch_op.alter_column("periode_volledig", existing_type=sa.Boolean(), server_default=None)
            batch_op.drop_constraint(f"pk_{table}", type_="primary")
            batch_op.create_primary_key(f"pk_{table}", [*key, "periode_type"])
        if postgresql:
            op.alter_column(table, "maand", comment=MAAND_NEW, existing_comment=MAAND_OLD)
    if postgresql:
        for table in CBS_PERIOD_MARTS:
            op.alter_column(table, "periode", comment=CBS_PERIODE[1], existing_comment=CBS_PERIODE[0])
            op.alter_column(table, "periode_type", comment=CBS_PERIODE_TYPE[1], existing_comment=CBS_PERIODE_TYPE[0])


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        for table in CBS_PERIOD_MARTS:
            op.execute(f"DELETE FROM {table} WHERE periode_type = 'kwartaal'")
            op.alter_column(table, "periode", comment=CBS_PERIODE[0], existing_comment=CBS_PERIODE[1])
            op.alter_column(table, "periode_type", comment=CBS_PERIODE_TYPE[0], existing_comment=CBS_PERIODE_TYPE[1])
    else:
        for table in CBS_PERIOD_MARTS[:2]:
            op.execute(f"DELETE FROM {table} WHERE periode_type = 'kwartaal'")
    for table, key in KEYS.items():
        op.execute(f"DELETE FROM {table} WHERE periode_type <> 'maand'")
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(f"pk_{table}", type_="primary")
            batch_op.create_primary_key(f"pk_{table}", key)
            batch_op.drop_column("periode_volledig")
            batch_op.drop_column("periode")
            batch_op.drop_column("periode_type")
        if postgresql:
            op.alter_column(table, "maand", comment=MAAND_OLD, existing_comment=MAAND_NEW)
