"""iJw semantics as views: current toewijzingen, zorgperiodes, netted declaratieregels

The rules of the iJw standard that turn delivered messages into facts, in SQL that runs unchanged on SQLite and
PostgreSQL (window functions, no dialect extras). Later revisions may materialise them; the names stay.
The SQL below is frozen as shipped; the current definitions are in jeugdmonitor.schemas.facts.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# Latest JW301 version per toewijzing (a JW301 is a snapshot per client and aanbieder: upsert on
# ToewijzingNummer); RedenWijziging 13 removes it. The verwijzer comes from the JW315 the toewijzing answers
# (ReferentieAanbieder); without one the route was the gemeentelijke toegang: 01.
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

_START_KEY = """{a}.gemeentecode, {a}.aanbieder_agb, {a}.client_pseudonym, COALESCE({a}.toewijzing_nummer, -1),
                COALESCE({a}.product_categorie, ''), COALESCE({a}.product_code, ''), {a}.begindatum"""

# A start exists when the latest message with its key (Bsn + ToewijzingNummer + Product + Begindatum) has
# StatusAanlevering 1; a later 3 deletes it. Likewise for stops (key: start key + RedenBeeindiging + Einddatum).
# Of the live stops of a start, a definitive one wins over a temporary one (RedenBeeindiging 20).
FACT_ZORGPERIODE = f"""
CREATE VIEW fact_zorgperiode AS
WITH start_events AS (
    SELECT s.*, ROW_NUMBER() OVER (PARTITION BY {_START_KEY.format(a="s")}
                                   ORDER BY s.dagtekening DESC, s.file_id DESC, s.line DESC) AS rang
    FROM stg_jw305_start s
),
stop_events AS (
    SELECT p.*, ROW_NUMBER() OVER (PARTITION BY {_START_KEY.format(a="p")}, p.reden_beeindiging, p.einddatum
                                   ORDER BY p.dagtekening DESC, p.file_id DESC, p.line DESC) AS rang
    FROM stg_jw307_stop p
),
stops AS (
    SELECT e.*, ROW_NUMBER() OVER (PARTITION BY {_START_KEY.format(a="e")}
                                   ORDER BY CASE WHEN e.reden_beeindiging = '20' THEN 0 ELSE 1 END DESC,
                                            e.einddatum DESC) AS keuze
    FROM stop_events e
    WHERE e.rang = 1 AND e.status_aanlevering = '1'
)
SELECT s.gemeentecode, s.aanbieder_agb, s.client_pseudonym, s.geboortejaar, s.toewijzing_nummer,
       s.product_categorie, s.product_code, s.toewijzing_ingangsdatum, s.begindatum, p.einddatum,
       p.reden_beeindiging, CASE WHEN p.reden_beeindiging = '20' THEN 1 ELSE 0 END AS tijdelijk_beeindigd,
       s.file_id AS start_file_id, s.line AS start_line, p.file_id AS stop_file_id, p.line AS stop_line
FROM start_events s
LEFT JOIN stops p
       ON p.keuze = 1 AND p.gemeentecode = s.gemeentecode AND p.aanbieder_agb = s.aanbieder_agb
      AND p.client_pseudonym = s.client_pseudonym
      AND COALESCE(p.toewijzing_nummer, -1) = COALESCE(s.toewijzing_nummer, -1)
      AND COALESCE(p.product_categorie, '') = COALESCE(s.product_categorie, '')
      AND COALESCE(p.product_code, '') = COALESCE(s.product_code, '') AND p.begindatum = s.begindatum
WHERE s.rang = 1 AND s.status_aanlevering = '1'
"""

# A credit (DebetCredit C, VorigReferentieNummer = the debet) nets against its debet: the debet row carries the
# net amount and the credit row disappears. A credit whose debet the warehouse does not hold stays as its own
# negative row, so sum(bedrag_netto) always equals sum(bedrag).
FACT_DECLARATIEREGEL = """
CREATE VIEW fact_declaratieregel AS
WITH credits AS (
    SELECT aanbieder_agb, vorig_referentie_nummer, SUM(bedrag) AS bedrag, SUM(geleverd_volume) AS volume
    FROM stg_jw323_prestatie
    WHERE debet_credit = 'C' AND vorig_referentie_nummer IS NOT NULL
    GROUP BY aanbieder_agb, vorig_referentie_nummer
)
SELECT d.id, d.gemeentecode, d.aanbieder_agb, d.client_pseudonym, d.toewijzing_nummer, d.product_categorie,
       d.product_code, d.product_periode_begin, d.product_periode_eind, d.declaratie_periode_begin,
       d.referentie_nummer, d.vorig_referentie_nummer, d.eenheid, d.product_tarief, d.geleverd_volume, d.bedrag,
       d.bedrag + COALESCE(c.bedrag, 0) AS bedrag_netto,
       CASE WHEN d.debet_credit = 'D' THEN d.geleverd_volume - COALESCE(c.volume, 0)
            ELSE -d.geleverd_volume END AS volume_netto,
       CASE WHEN c.bedrag IS NULL THEN 0 ELSE 1 END AS gecrediteerd,
       CASE WHEN d.debet_credit = 'C' THEN 1 ELSE 0 END AS credit_zonder_debet,
       d.file_id, d.line
FROM stg_jw323_prestatie d
LEFT JOIN credits c
       ON d.debet_credit = 'D' AND c.aanbieder_agb = d.aanbieder_agb AND c.vorig_referentie_nummer = d.referentie_nummer
WHERE d.debet_credit = 'D'
   OR NOT EXISTS (SELECT 1 FROM stg_jw323_prestatie o
                  WHERE o.aanbieder_agb = d.aanbieder_agb AND o.referentie_nummer = d.vorig_referentie_nummer)
"""

VIEWS = {
    "fact_toewijzing": FACT_TOEWIJZING,
    "fact_zorgperiode": FACT_ZORGPERIODE,
    "fact_declaratieregel": FACT_DECLARATIEREGEL,
}


def upgrade() -> None:
    for sql in VIEWS.values():
        op.execute(sql)


def downgrade() -> None:
    for name in VIEWS:
        op.execute(f"DROP VIEW {name}")
