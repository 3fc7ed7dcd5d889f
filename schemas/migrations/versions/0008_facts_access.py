"""fact_toewijzing with an indexed verwijzer lookup, fact_cbs_waarneming, and on PostgreSQL the monitor_lezer role
with row-level security per gemeente on the marts

The views' SQL below is frozen as shipped; the current definitions are in jeugdmonitor.schemas.facts.

Revision ID: 0008
Revises: 0007
"""

from alembic import op
import sqlalchemy as sa

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# Same rows as in 0004. The verwijzer is now a correlated lookup that uses ix_stg_jw315_verzoek_referentie: the
# windowed join of 0004 made SQLite scan every JW315 for every toewijzing (seconds per gemeente).
FACT_TOEWIJZING = """
CREATE VIEW fact_toewijzing AS
WITH versies AS (
    SELECT t.*,
           ROW_NUMBER() OVER (PARTITION BY t.gemeentecode, t.toewijzing_nummer
                              ORDER BY t.dagtekening DESC, t.file_id DESC, t.line DESC) AS versie_rang,
           MIN(t.toewijzingsdatum) OVER (PARTITION BY t.gemeentecode, t.toewijzing_nummer) AS eerste_toewijzingsdatum,
           COUNT(*) OVER (PARTITION BY t.gemeentecode, t.toewijzing_nummer) AS aantal_versies
    FROM stg_jw301_toewijzing t
),
huidig AS (
    SELECT v.*,
           (SELECT r.verwijzer_type FROM stg_jw315_verzoek r
            WHERE r.aanbieder_agb = v.aanbieder_agb AND r.referentie_aanbieder = v.referentie_aanbieder
            ORDER BY r.dagtekening DESC, r.file_id DESC, r.line DESC LIMIT 1) AS verzoek_verwijzer
    FROM versies v
    WHERE v.versie_rang = 1 AND COALESCE(v.reden_wijziging, '') <> '13'
)
SELECT gemeentecode, aanbieder_agb, toewijzing_nummer, client_pseudonym, geboortejaar,
       juridische_status, wettelijke_vertegenwoordiging, referentie_aanbieder, product_categorie,
       product_code, eerste_toewijzingsdatum, toewijzingsdatum, ingangsdatum, einddatum,
       reden_wijziging, omvang_volume, omvang_eenheid, omvang_frequentie, budget,
       COALESCE(verzoek_verwijzer, '01') AS verwijzer_type,
       CASE WHEN verzoek_verwijzer IS NULL THEN 0 ELSE 1 END AS verwijzer_uit_jw315,
       aantal_versies, file_id, line
FROM huidig
"""

# What downgrade restores: 0004's fact_toewijzing, frozen here (a migration keeps its own SQL and imports no
# other migration; the current definitions are in jeugdmonitor.schemas.facts).
FACT_TOEWIJZING_0004 = """
CREATE VIEW fact_toewijzing AS
WITH versies AS (
    SELECT t.*,
           ROW_NUMBER() OVER (PARTITION BY t.gemeentecode, t.toewijzing_nummer
                              ORDER BY t.dagtekening DESC, t.file_id DESC, t.line DESC) AS versie_rang,
           MIN(t.toewijzingsdatum) OVER (PARTITION BY t.gemeentecode, t.toewijzing_nummer) AS eerste_toewijzingsdatum,
           COUNT(*) OVER (PARTITION BY t.gemeentecode, t.toewijzing_nummer) AS aantal_versies
    FROM stg_jw301_toewijzing t
),
verzoeken AS (
    SELECT v.aanbieder_agb, v.referentie_aanbieder, v.verwijzer_type,
           ROW_NUMBER() OVER (PARTITION BY v.aanbieder_agb, v.referentie_aanbieder
                              ORDER BY v.dagtekening DESC, v.file_id DESC, v.line DESC) AS rang
    FROM stg_jw315_verzoek v
)
SELECT t.gemeentecode, t.aanbieder_agb, t.toewijzing_nummer, t.client_pseudonym, t.geboortejaar,
       t.juridische_status, t.wettelijke_vertegenwoordiging, t.referentie_aanbieder, t.product_categorie,
       t.product_code, t.eerste_toewijzingsdatum, t.toewijzingsdatum, t.ingangsdatum, t.einddatum,
       t.reden_wijziging, t.omvang_volume, t.omvang_eenheid, t.omvang_frequentie, t.budget,
       COALESCE(v.verwijzer_type, '01') AS verwijzer_type,
       CASE WHEN v.verwijzer_type IS NULL THEN 0 ELSE 1 END AS verwijzer_uit_jw315,
       t.aantal_versies, t.file_id, t.line
FROM versies t
LEFT JOIN verzoeken v
       ON v.rang = 1 AND v.aanbieder_agb = t.aanbieder_agb AND v.referentie_aanbieder = t.referentie_aanbieder
WHERE t.versie_rang = 1 AND COALESCE(t.reden_wijziging, '') <> '13'
"""

# CBS cells with the purpose of their table: what the marts and monitor owners join on.
FACT_CBS_WAARNEMING = """
CREATE VIEW fact_cbs_waarneming AS
SELECT w.table_id, t.purpose, w.measure, w.regio_code, w.gemeentecode, w.periode, w.dimensions, w.value,
       w.value_text, w.value_attribute, w.period_status, t.modified AS tabel_versie, w.file_id, w.line
FROM stg_cbs_waarneming w
JOIN meta_cbs_table t ON t.table_id = w.table_id
"""

MARTS = [
    "mart_aanmeldingen",
    "mart_aanmeldingen_uitsplitsing",
    "mart_doorlooptijd",
    "mart_doorlooptijd_aanbieder",
    "mart_doorlooptijd_keten",
    "mart_verwijzingen",
    "mart_verwijzingen_team",
    "mart_ots",
    "mart_uithuisplaatsingen",
    "mart_kosten",
    "mart_jeugdhulpgebruik",
    "mart_cbs_vergelijking",
]
READER = "monitor_lezer"


def upgrade() -> None:
    op.execute("DROP VIEW fact_toewijzing")
    op.execute(FACT_TOEWIJZING)
    op.execute(FACT_CBS_WAARNEMING)
    op.create_table(
        "meta_lezer_gemeente",
        sa.Column("rolname", sa.String(length=63), nullable=False, comment="a PostgreSQL role that reads the marts"),
        sa.Column("gemeentecode", sa.String(length=6), nullable=False),
        sa.PrimaryKeyConstraint("rolname", "gemeentecode", name=op.f("pk_meta_lezer_gemeente")),
        comment="Roles bound to gemeenten: such a role sees only the mart rows of these gemeenten (row-level security).",
    )
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_access()


def _postgresql_access() -> None:
    """monitor_lezer may read the marts and nothing else; a role listed in meta_lezer_gemeente sees only the rows
    of its gemeenten. Roles are cluster-wide, so the role is created only when missing."""
    schema = op.get_bind().exec_driver_sql("SELECT current_schema()").scalar()
    op.execute(f"""DO $$ BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{READER}') THEN CREATE ROLE {READER} NOLOGIN; END IF;
    END $$""")
    op.execute(f'GRANT USAGE ON SCHEMA "{schema}" TO {READER}')
    # SECURITY DEFINER: the policy may consult the bindings, which the readers themselves cannot read. The role
    # is an argument because inside the function current_user is its owner, not the reader.
    op.execute(f"""CREATE FUNCTION monitor_lezer_gemeenten(lezer NAME) RETURNS VARCHAR[] LANGUAGE sql STABLE
        SECURITY DEFINER SET search_path = "{schema}" AS $$
        SELECT CASE WHEN count(*) = 0 THEN NULL ELSE array_agg(gemeentecode) END
        FROM meta_lezer_gemeente WHERE rolname = lezer $$""")
    op.execute("REVOKE ALL ON FUNCTION monitor_lezer_gemeenten(NAME) FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION monitor_lezer_gemeenten(NAME) TO {READER}")
    for mart in MARTS:
        op.execute(f"GRANT SELECT ON {mart} TO {READER}")
        op.execute(f"ALTER TABLE {mart} ENABLE ROW LEVEL SECURITY")
        # A role without bindings sees every gemeente; a bound role only its own. The loader owns the tables
        # and is not subject to the policy.
        op.execute(f"""CREATE POLICY gemeente_lezer ON {mart} FOR SELECT USING (
            monitor_lezer_gemeenten(current_user) IS NULL
            OR gemeentecode = ANY (monitor_lezer_gemeenten(current_user)))""")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for mart in MARTS:
            op.execute(f"DROP POLICY gemeente_lezer ON {mart}")
            op.execute(f"ALTER TABLE {mart} DISABLE ROW LEVEL SECURITY")
            op.execute(f"REVOKE SELECT ON {mart} FROM {READER}")
        op.execute("DROP FUNCTION monitor_lezer_gemeenten(NAME)")
    op.execute("DROP TABLE meta_lezer_gemeente")
    op.execute("DROP VIEW fact_cbs_waarneming")
    op.execute("DROP VIEW fact_toewijzing")
    op.execute(FACT_TOEWIJZING_0004)
