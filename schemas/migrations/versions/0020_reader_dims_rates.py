"""Readers read the dimensions (labels for the codes of the marts), and the zorg marts get the youth population
0-17 and rates per 1,000 youths beside their counts

Revision ID: 0020
Revises: 0019
"""

from alembic import op
import sqlalchemy as sa

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

READER = "monitor_lezer"
# Frozen: the dimensions of this day. Reference data of the region (names, codes, the calendar), no person data
# and no figures: every reader sees every row, so no row-level security (docs/access.md).
DIMENSIONS = ["dim_gemeente", "dim_periode", "dim_aanbieder", "dim_product", "dim_team", "dim_verwijzer"]

BEVOLKING = (
    "CBS 03759ned: youths 0-17 on 1 January of bevolking_peiljaar (the group 0 tot 18 jaar, else the sum of "
    "the single years 0-17)"
)
PEILJAAR = "the year of that population: the period's year, else the latest year CBS has published"
IN_PERIODE = "jeugdigen_in_periode per 1,000 youths 0-17 (bevolking_0_17)"
ADDED: dict[str, list[tuple[str, sa.types.TypeEngine, str]]] = {
    "mart_ots": [
        ("bevolking_0_17", sa.Integer(), BEVOLKING),
        ("bevolking_peiljaar", sa.Integer(), PEILJAAR),
        ("jeugdigen_in_periode_per_1000", sa.Float(), IN_PERIODE),
    ],
    "mart_uithuisplaatsingen": [
        ("bevolking_0_17", sa.Integer(), BEVOLKING),
        ("bevolking_peiljaar", sa.Integer(), PEILJAAR),
        ("jeugdigen_in_periode_per_1000", sa.Float(), IN_PERIODE),
    ],
    "mart_jeugdhulpgebruik": [
        ("bevolking_peiljaar", sa.Integer(), PEILJAAR),
        (
            "jeugdigen_met_jeugdhulp_per_1000",
            sa.Float(),
            "jeugdigen_met_jeugdhulp per 1,000 youths 0-17 (bevolking_0_17)",
        ),
        ("cbs_jongeren_met_jeugdhulp_per_1000", sa.Float(), "cbs_jongeren_met_jeugdhulp per 1,000 youths 0-17"),
    ],
}
# mart_jeugdhulpgebruik columns whose meaning widened: (column, type, comment before, comment now)
COMMENTS: list[tuple[str, sa.types.TypeEngine, str, str]] = [
    ("bevolking_0_17", sa.Integer(), "CBS 03759ned: 0 tot 18 jaar on 1 January of the year", BEVOLKING),
    (
        "doel_een_op_n",
        sa.Float(),
        "the target from config (marts.doel_een_op_n)",
        "the target in force in the period's year (config marts.doel_een_op_n: one number, or a path per year)",
    ),
]

# The new columns are empty in the rows built before: every gemeente with marts is rebuilt by the next run (the
# pending mark of 0016), from the first month the marts cover.
REBUILD = """
INSERT INTO meta_mart_pending (gemeentecode, vanaf_maand, load_run_id, gemarkeerd_op)
SELECT DISTINCT m.gemeentecode, (SELECT MIN(maand) FROM dim_periode), NULL, CURRENT_TIMESTAMP
FROM mart_jeugdhulpgebruik m
WHERE EXISTS (SELECT 1 FROM dim_periode)
"""


def upgrade() -> None:
    for table, columns in ADDED.items():
        for name, type_, comment in columns:
            op.add_column(table, sa.Column(name, type_, nullable=True, comment=comment))
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        for name, type_, before, now in COMMENTS:
            op.alter_column("mart_jeugdhulpgebruik", name, existing_type=type_, comment=now, existing_comment=before)
        for dimension in DIMENSIONS:
            op.execute(f"GRANT SELECT ON {dimension} TO {READER}")
    op.execute("DELETE FROM meta_mart_pending WHERE gemeentecode IN (SELECT gemeentecode FROM mart_jeugdhulpgebruik)")
    op.execute(REBUILD)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for dimension in DIMENSIONS:
            op.execute(f"REVOKE SELECT ON {dimension} FROM {READER}")
        for name, type_, before, now in COMMENTS:
            op.alter_column("mart_jeugdhulpgebruik", name, existing_type=type_, comment=before, existing_comment=now)
    for table, columns in ADDED.items():
        with op.batch_alter_table(table) as batch:
            for name, _, _ in reversed(columns):
                batch.drop_column(name)
