"""JGT registrations: staging table and the snapshot view fact_jgt_aanmelding

The view's SQL below is frozen as shipped; the current definition is in jeugdmonitor.schemas.facts.

Revision ID: 0005
Revises: 0004
"""

from alembic import op
import sqlalchemy as sa


revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# Every JGT export is a snapshot of one team's registrations at the end of a month. Per (team, registratie_id)
# the row of the newest export wins (a later file of the same month wins over an earlier one). A registration
# that a newer export of the same team no longer holds is kept, with its last known state, and flagged:
# nothing is deleted because an export left it out.
FACT_JGT_AANMELDING = """
CREATE VIEW fact_jgt_aanmelding AS
WITH versies AS (
    SELECT r.*,
           ROW_NUMBER() OVER (PARTITION BY r.team, r.registratie_id
                              ORDER BY r.export_maand DESC, r.file_id DESC, r.line DESC) AS versie_rang,
           MIN(r.export_maand) OVER (PARTITION BY r.team, r.registratie_id) AS eerste_export_maand,
           COUNT(*) OVER (PARTITION BY r.team, r.registratie_id) AS aantal_exports
    FROM stg_jgt_registratie r
),
laatste AS (
    SELECT team, MAX(export_maand) AS laatste_export_maand
    FROM stg_jgt_registratie
    GROUP BY team
)
SELECT v.team, v.registratie_id, v.gemeentecode, v.client_pseudonym, v.geboortejaar, v.aanmelddatum,
       v.bron_aanmelding, v.hulpvraag, v.datum_start_hulp, v.afsluitdatum, v.uitkomst,
       v.eerste_export_maand, v.export_maand AS export_maand, l.laatste_export_maand,
       CASE WHEN v.export_maand < l.laatste_export_maand THEN 1 ELSE 0 END AS ontbreekt_in_laatste_export,
       v.aantal_exports, v.file_id, v.line
FROM versies v
JOIN laatste l ON l.team = v.team
WHERE v.versie_rang = 1
"""


def upgrade() -> None:
    op.create_table(
        "stg_jgt_registratie",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("file_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "line", sa.Integer(), nullable=False, comment="line (CSV) or row (XLSX) of the registration in the export"
        ),
        sa.Column("team", sa.String(length=32), nullable=False, comment="team code (schemas/jgt_region.toml)"),
        sa.Column("gemeentecode", sa.String(length=6), nullable=False, comment="GM + 4 digits, after herindeling"),
        sa.Column(
            "registratie_id",
            sa.String(length=64),
            nullable=False,
            comment="the team's own registratienummer / dossier-id",
        ),
        sa.Column("client_pseudonym", sa.String(length=64), nullable=False, comment="HMAC-SHA256 of the BSN"),
        sa.Column(
            "geboortejaar",
            sa.Integer(),
            nullable=True,
            comment="year only; the full birth date is dropped at parse time",
        ),
        sa.Column("aanmelddatum", sa.Date(), nullable=False),
        sa.Column(
            "bron_aanmelding",
            sa.String(length=32),
            nullable=True,
            comment="zelf, huisarts, school, jgz, politie/veilig thuis, overig",
        ),
        sa.Column(
            "hulpvraag",
            sa.String(length=32),
            nullable=True,
            comment="opvoeding, psychisch, ontwikkeling, school, veiligheid, overig",
        ),
        sa.Column("datum_start_hulp", sa.Date(), nullable=True),
        sa.Column("afsluitdatum", sa.Date(), nullable=True),
        sa.Column(
            "uitkomst",
            sa.String(length=32),
            nullable=True,
            comment="afgesloten_zonder_vervolg, doorverwezen_specialistisch, doorverwezen_voorliggend_veld",
        ),
        sa.Column(
            "export_maand", sa.Date(), nullable=False, comment="first day of the month the export is a snapshot of"
        ),
        sa.ForeignKeyConstraint(
            ["file_id"], ["meta_source_file.file_id"], name=op.f("fk_stg_jgt_registratie_file_id_meta_source_file")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stg_jgt_registratie")),
        comment="JGT registrations as exported (each export a monthly snapshot of one team), pseudonymised.",
    )
    with op.batch_alter_table("stg_jgt_registratie", schema=None) as batch_op:
        batch_op.create_index("ix_stg_jgt_registratie_client", ["client_pseudonym"], unique=False)
        batch_op.create_index("ix_stg_jgt_registratie_file_id", ["file_id"], unique=False)
        batch_op.create_index("ix_stg_jgt_registratie_team_registratie", ["team", "registratie_id"], unique=False)
        batch_op.create_index("uq_stg_jgt_registratie_file_registratie", ["file_id", "registratie_id"], unique=True)
    op.execute(FACT_JGT_AANMELDING)


def downgrade() -> None:
    op.execute("DROP VIEW fact_jgt_aanmelding")
    op.drop_table("stg_jgt_registratie")
