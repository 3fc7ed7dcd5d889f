"""The fact layer: the current definition of every fact_ view, with the rule it applies.

A fact_ view turns what a source delivered (the stg_ tables, rows as delivered) into what it means: the latest
JW301 snapshot of a toewijzing, the live zorgperiodes after deletes and stops, declaratieregels with their credits
netted, the newest state of a JGT registration, CBS cells with the purpose of their table. The marts and the
alerts read the facts, never the staging tables' semantics themselves. Every view keeps `file_id` and `line` of
the staging row it comes from, so a figure can be traced to its delivered file.

Dialects: the SQL runs unchanged on SQLite and PostgreSQL (CTEs, window functions, a correlated subquery with
ORDER BY ... LIMIT 1, no dialect extras), so there is one definition per view and no dialect branch.

This module is the current definition; the migrations that create the views keep their own frozen copy of the
SQL, so an old migration never changes when a definition does. To change a fact: edit it here and add a
migration that drops the view and creates it from a literal copy of the new text. tests/test_facts.py checks
that a freshly migrated warehouse holds exactly these views with exactly these definitions (SQLite and
PostgreSQL), so a module and migrations that disagree fail there. Where each definition stands today:
fact_toewijzing and fact_cbs_waarneming in 0008, fact_zorgperiode and fact_declaratieregel in 0004,
fact_jgt_aanmelding in 0005.
"""

from __future__ import annotations

# A JW301 is a snapshot: each message carries the whole current toewijzing, so the newest version per
# (gemeentecode, ToewijzingNummer) replaces every earlier one (newest Dagtekening, then the later file and line).
# RedenWijziging 13 (verwijderd) in the newest version removes the toewijzing. The verwijzer comes from the newest
# JW315 the toewijzing answers (same aanbieder, its ReferentieAanbieder); without one the route was the
# gemeentelijke toegang: 01. That lookup is a correlated subquery so it uses ix_stg_jw315_verzoek_referentie: a
# windowed join over every JW315 made SQLite scan them all for every toewijzing (seconds per gemeente).
FACT_TOEWIJZING = """
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

# The start key of a zorgperiode: client, ToewijzingNummer, product and Begindatum (within gemeente and aanbieder).
_START_KEY = """{a}.gemeentecode, {a}.aanbieder_agb, {a}.client_pseudonym, COALESCE({a}.toewijzing_nummer, -1),
                COALESCE({a}.product_categorie, ''), COALESCE({a}.product_code, ''), {a}.begindatum"""

# JW305 and JW307 are events, not snapshots: the newest message per key says whether the event stands.
# Deletes: a start exists when the newest JW305 with its start key has StatusAanlevering 1; a later 3 deletes it
# (a corrected start is a delete plus a start with another Begindatum). Likewise a stop, keyed by the start key
# plus RedenBeeindiging and Einddatum. Temporary stops: of the live stops of a start, a definitive one wins over a
# temporary one (RedenBeeindiging 20, `tijdelijk_beeindigd` = 1), then the latest Einddatum; care that resumes
# after a temporary stop comes as a new start. A start without a live stop has `einddatum` null: care runs.
FACT_ZORGPERIODE = f"""
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

# Credits: a JW323 credit (DebetCredit C) names the debet it corrects in VorigReferentieNummer. It nets against
# that debet (same aanbieder): the debet row carries the net amount and volume (`bedrag_netto`, `volume_netto`,
# `gecrediteerd` = 1) and the credit row disappears. A credit whose debet the warehouse does not hold stays as its
# own negative row (`credit_zonder_debet` = 1), so sum(bedrag_netto) always equals sum(bedrag).
FACT_DECLARATIEREGEL = """
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

# JGT snapshots: every export is a snapshot of one team's registrations at the end of a month. Per (team,
# registratie_id) the row of the newest export wins (a later file of the same month wins over an earlier one).
# A registration that a newer export of the same team no longer holds is kept with its last known state and
# flagged (`ontbreekt_in_laatste_export` = 1): nothing is deleted because an export left it out.
FACT_JGT_AANMELDING = """
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

# CBS cells with the purpose of their table (what the marts and monitor owners join on) and the CBS version that
# set them (`tabel_versie` = the table's Modified). A CBS revision updates cells in place (stg_cbs_waarneming
# keeps one row per cell), so there is no snapshot rule here.
FACT_CBS_WAARNEMING = """
SELECT w.table_id, t.purpose, w.measure, w.regio_code, w.gemeentecode, w.periode, w.dimensions, w.value,
       w.value_text, w.value_attribute, w.period_status, t.modified AS tabel_versie, w.file_id, w.line
FROM stg_cbs_waarneming w
JOIN meta_cbs_table t ON t.table_id = w.table_id
"""

# Every fact view by name: its SELECT.
FACT_VIEWS: dict[str, str] = {
    "fact_toewijzing": FACT_TOEWIJZING,
    "fact_zorgperiode": FACT_ZORGPERIODE,
    "fact_declaratieregel": FACT_DECLARATIEREGEL,
    "fact_jgt_aanmelding": FACT_JGT_AANMELDING,
    "fact_cbs_waarneming": FACT_CBS_WAARNEMING,
}


def create_view(name: str) -> str:
    """The CREATE VIEW statement of the fact view `name`."""
    return f"CREATE VIEW {name} AS\n{FACT_VIEWS[name].strip()}\n"
