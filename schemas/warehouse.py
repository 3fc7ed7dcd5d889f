"""The warehouse model as SQLAlchemy Core tables, shared by SQLite and PostgreSQL.

Layers are table-name prefixes: meta_ (runs, files, quarantine), stg_ (one table per source dataset, typed and
pseudonymised, every row tied to its source file and line). Changes go through a new alembic revision in
schemas/migrations/versions; tests check that the migrations and these tables agree.
"""

from __future__ import annotations

from jeugdmonitor.schemas.base import Id, metadata
from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)

meta_load_run = Table(
    "meta_load_run",
    metadata,
    Column("run_id", String(36), primary_key=True, comment="Prefect flow run id, or a uuid outside Prefect"),
    Column("flow_name", String(64), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column(
        "status",
        String(16),
        nullable=False,
        comment="running, completed, failed, or aborted (found running by a later run: it was killed)",
    ),
    Column("files_seen", Integer, nullable=False, default=0),
    Column("files_loaded", Integer, nullable=False, default=0),
    Column(
        "files_skipped",
        Integer,
        nullable=False,
        default=0,
        comment="seen earlier (same sha256): loaded, or refused (jeugdmonitor reprocess judges those again)",
    ),
    Column("files_rejected", Integer, nullable=False, default=0),
    Column("rows_read", BigInteger, nullable=False, default=0),
    Column("rows_loaded", BigInteger, nullable=False, default=0),
    Column("rows_quarantined", BigInteger, nullable=False, default=0),
    Column("key_id", String(12), comment="fingerprint of the pseudonymisation key used"),
    Column("message", Text),
    comment="One row per flow run that loads data.",
)

meta_source_file = Table(
    "meta_source_file",
    metadata,
    Column("file_id", Id, primary_key=True, autoincrement=True),
    Column(
        "sha256", String(64), nullable=False, unique=True, comment="identity of the delivery: same bytes, same file"
    ),
    Column("source", String(8), nullable=False, comment="ijw, jgt or cbs"),
    Column("message_type", String(16), comment="JW323, ...; null when the file could not be recognised"),
    Column(
        "path",
        Text().with_variant(Text(collation="C"), "postgresql"),
        nullable=False,
        comment="path relative to the inbox it was found in",
    ),
    Column("size_bytes", BigInteger, nullable=False),
    Column("modified_at", DateTime(timezone=True), comment="file modification time when discovered"),
    Column("loaded_at", DateTime(timezone=True), nullable=False),
    Column("load_run_id", String(36), ForeignKey("meta_load_run.run_id"), nullable=False),
    Column("status", String(16), nullable=False, comment="loaded (possibly with quarantined rows) or rejected"),
    Column("rows_read", Integer, nullable=False, default=0),
    Column("rows_loaded", Integer, nullable=False, default=0),
    Column("rows_quarantined", Integer, nullable=False, default=0),
    Column("reason_code", String(32), comment="why a rejected file was rejected"),
    Column("reden", Text, comment="the same in plain Dutch"),
    # discovery reads the recorded files of one inbox folder at a time, as a range of paths: byte order ("C") on
    # PostgreSQL, so that the range is the one discovery computes whatever the database's collation
    Index("ix_meta_source_file_source_path", "source", "path"),
    # a run tells the files it skips as refused before from those loaded before: the few refused of a folder's range
    Index("ix_meta_source_file_source_status_path", "source", "status", "path"),
    comment="Every delivered file the monitor has processed, once per distinct content.",
)

meta_quarantine = Table(
    "meta_quarantine",
    metadata,
    Column("quarantine_id", Id, primary_key=True, autoincrement=True),
    Column("file_id", Id, ForeignKey("meta_source_file.file_id"), nullable=False),
    Column("load_run_id", String(36), ForeignKey("meta_load_run.run_id"), nullable=False),
    Column("line", Integer, comment="line in the source file where the record starts; null for a whole file"),
    Column("record_key", String(64), comment="the record's own key (ReferentieNummer, registratie-id), if any"),
    Column("field", String(64), comment="the field that failed, if one"),
    Column("reason_code", String(32), nullable=False, comment="stable code, e.g. bsn_invalid"),
    Column("reden", Text, nullable=False, comment="the reason in plain Dutch"),
    Column("value_masked", String(64), comment="the offending value, BSNs masked"),
    Column(
        "opgelost_door_run",
        String(36),
        comment="the run (reprocess, or the run that brought a missing JW301) that closed this row; null: open",
    ),
    Column("opgelost_op", DateTime(timezone=True)),
    Column(
        "opgelost_als",
        String(16),
        comment="geladen (the line loaded when judged again) or vervangen (quarantined again for another reason)",
    ),
    Index("ix_meta_quarantine_file_id", "file_id"),
    Index("ix_meta_quarantine_reason_code", "reason_code"),
    comment="Rows and files that were not loaded, with the reason, the file and the line.",
)

stg_jw323_prestatie = Table(
    "stg_jw323_prestatie",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("file_id", Id, ForeignKey("meta_source_file.file_id"), nullable=False),
    Column("line", Integer, nullable=False, comment="line of the Prestatie start tag in the source file"),
    Column("bericht_identificatie", String(12), nullable=False),
    Column("dagtekening", Date, nullable=False),
    Column("aanbieder_agb", String(8), nullable=False, comment="Afzender"),
    Column("gemeentecode", String(6), nullable=False, comment="Ontvanger as GM + 4 digits"),
    Column("declaratie_nummer", String(12), nullable=False),
    Column("declaratie_periode_begin", Date, nullable=False),
    Column("declaratie_periode_eind", Date, nullable=False),
    Column("client_pseudonym", String(64), nullable=False, comment="HMAC-SHA256 of the BSN"),
    Column("referentie_nummer", String(20), nullable=False),
    Column("vorig_referentie_nummer", String(20), comment="filled on credits: the debet it reverses"),
    Column("toewijzing_nummer", BigInteger, nullable=False),
    Column("product_categorie", String(2), nullable=False),
    Column("product_code", String(5), nullable=False),
    Column("product_periode_begin", Date, nullable=False),
    Column("product_periode_eind", Date, nullable=False),
    Column("geleverd_volume", BigInteger, nullable=False),
    Column("eenheid", String(2), nullable=False),
    Column("product_tarief", BigInteger, comment="eurocents; absent for Eenheid 83"),
    Column("ingediend_bedrag", BigInteger, nullable=False, comment="eurocents, unsigned as delivered"),
    Column("debet_credit", String(1), nullable=False),
    Column("bedrag", BigInteger, nullable=False, comment="eurocents, signed: credit lines negative"),
    Column("declaratie_totaal", BigInteger, comment="TotaalIngediendBedrag of the declaratie, signed, eurocents"),
    Index("ix_stg_jw323_prestatie_file_id", "file_id"),
    # A ReferentieNummer is unique per aanbieder (TR314): the warehouse refuses a doubled declaratie line even if
    # a check upstream were to miss it.
    Index("uq_stg_jw323_prestatie_aanbieder_referentie", "aanbieder_agb", "referentie_nummer", unique=True),
    Index("ix_stg_jw323_prestatie_gemeente_periode", "gemeentecode", "product_periode_begin"),
    comment="JW323 declaratie lines (one per Prestatie), pseudonymised, as delivered.",
)


def _ijw_staging(name: str, comment: str, *columns: Column | Index) -> Table:
    """A staging table for one iJw message: provenance and exchange columns, then the message's own."""
    return Table(
        name,
        metadata,
        Column("id", Id, primary_key=True, autoincrement=True),
        Column("file_id", Id, ForeignKey("meta_source_file.file_id"), nullable=False),
        Column("line", Integer, nullable=False, comment="line of the record's start tag in the source file"),
        Column("bericht_identificatie", String(12), nullable=False),
        Column("dagtekening", Date, nullable=False),
        Column("gemeentecode", String(6), nullable=False, comment="GM + the 4 digits of the message"),
        Column("aanbieder_agb", String(8), nullable=False),
        Column("client_pseudonym", String(64), nullable=False, comment="HMAC-SHA256 of the BSN"),
        *columns,
        Index(f"ix_{name}_file_id", "file_id"),
        # not on client_pseudonym: nothing looks a pseudonym up, and a keyed hash makes every insert a random one
        # (migration 0014)
        comment=comment,
    )


stg_jw301_toewijzing = _ijw_staging(
    "stg_jw301_toewijzing",
    "JW301 toewijzingen (one row per ToegewezenProduct), as delivered: each message is a snapshot of all current "
    "toewijzingen of one client at one aanbieder.",
    Column("geboortejaar", Integer, comment="year only; the full birth date is dropped at parse time"),
    Column("juridische_status", String(2), comment="WJ232; 04 = OTS"),
    Column("wettelijke_vertegenwoordiging", String(2), comment="WJ003; 06 = voogdij"),
    Column("toewijzing_nummer", BigInteger, nullable=False),
    Column("referentie_aanbieder", String(36), comment="echoes the JW315 that asked for it, if any"),
    Column("product_categorie", String(2)),
    Column("product_code", String(5)),
    Column("toewijzingsdatum", Date, nullable=False),
    Column("ingangsdatum", Date, nullable=False),
    Column("einddatum", Date),
    Column("reden_wijziging", String(2), comment="JZ002"),
    Column("omvang_volume", BigInteger),
    Column("omvang_eenheid", String(2)),
    Column("omvang_frequentie", String(1)),
    Column("budget", BigInteger, comment="eurocents"),
    Index("ix_stg_jw301_toewijzing_nummer", "gemeentecode", "toewijzing_nummer"),
    Index("ix_stg_jw301_toewijzing_toewijzing_nummer", "toewijzing_nummer"),  # the JW323 rules' lookup
)

stg_jw305_start = _ijw_staging(
    "stg_jw305_start",
    "JW305 start zorg (one row per StartProduct), as delivered; StatusAanlevering 3 deletes an earlier start.",
    Column("geboortejaar", Integer),
    Column("toewijzing_nummer", BigInteger, comment="empty only in the taakgericht variant"),
    Column("product_categorie", String(2)),
    Column("product_code", String(5)),
    Column("toewijzing_ingangsdatum", Date),
    Column("begindatum", Date, nullable=False),
    Column("status_aanlevering", String(1), nullable=False, comment="1 = eerste aanlevering, 3 = verwijderen"),
)

stg_jw307_stop = _ijw_staging(
    "stg_jw307_stop",
    "JW307 stop zorg (one row per StopProduct), as delivered; RedenBeeindiging 20 is a temporary stop.",
    Column("geboortejaar", Integer),
    Column("toewijzing_nummer", BigInteger),
    Column("product_categorie", String(2)),
    Column("product_code", String(5)),
    Column("toewijzing_ingangsdatum", Date),
    Column("begindatum", Date, nullable=False),
    Column("reden_beeindiging", String(2), nullable=False, comment="JZ588"),
    Column("einddatum", Date, nullable=False),
    Column("status_aanlevering", String(1), nullable=False),
)

stg_jw315_verzoek = _ijw_staging(
    "stg_jw315_verzoek",
    "JW315 verzoek om toewijzing (one row per AangevraagdProduct): where the verwijzer of a toewijzing comes from.",
    Column("geboortejaar", Integer),
    Column("referentie_aanbieder", String(36), nullable=False),
    Column("product_categorie", String(2)),
    Column("product_code", String(5)),
    Column("toewijzing_ingangsdatum", Date, nullable=False),
    Column("toewijzing_einddatum", Date),
    Column("omvang_volume", BigInteger),
    Column("omvang_eenheid", String(2)),
    Column("omvang_frequentie", String(1)),
    Column("budget", BigInteger),
    Column("verwijzer_type", String(2), nullable=False, comment="COD327: 01 gemeente, 02 huisarts, ... 08 rechter"),
    Index("ix_stg_jw315_verzoek_referentie", "aanbieder_agb", "referentie_aanbieder"),
)

stg_jgt_registratie = Table(
    "stg_jgt_registratie",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("file_id", Id, ForeignKey("meta_source_file.file_id"), nullable=False),
    Column("line", Integer, nullable=False, comment="line (CSV) or row (XLSX) of the registration in the export"),
    Column("team", String(32), nullable=False, comment="team code (schemas/jgt_region.toml)"),
    Column("gemeentecode", String(6), nullable=False, comment="GM + 4 digits, after herindeling"),
    Column("registratie_id", String(64), nullable=False, comment="the team's own registratienummer / dossier-id"),
    Column("client_pseudonym", String(64), nullable=False, comment="HMAC-SHA256 of the BSN"),
    Column("geboortejaar", Integer, comment="year only; the full birth date is dropped at parse time"),
    Column("aanmelddatum", Date, nullable=False),
    Column("bron_aanmelding", String(32), comment="zelf, huisarts, school, jgz, politie/veilig thuis, overig"),
    Column("hulpvraag", String(32), comment="opvoeding, psychisch, ontwikkeling, school, veiligheid, overig"),
    Column("datum_start_hulp", Date),
    Column("afsluitdatum", Date),
    Column(
        "uitkomst",
        String(32),
        comment="afgesloten_zonder_vervolg, doorverwezen_specialistisch, doorverwezen_voorliggend_veld",
    ),
    Column("export_maand", Date, nullable=False, comment="first day of the month the export is a snapshot of"),
    Index("ix_stg_jgt_registratie_file_id", "file_id"),
    Index("ix_stg_jgt_registratie_client", "client_pseudonym"),
    Index("ix_stg_jgt_registratie_team_registratie", "team", "registratie_id"),
    # A registratie-id occurs once per export; the warehouse refuses a doubled row even if a check were to miss it.
    Index("uq_stg_jgt_registratie_file_registratie", "file_id", "registratie_id", unique=True),
    comment="JGT registrations as exported (each export a monthly snapshot of one team), pseudonymised.",
)

meta_validation_result = Table(
    "meta_validation_result",
    metadata,
    Column("validation_id", Id, primary_key=True, autoincrement=True),
    Column("load_run_id", String(36), ForeignKey("meta_load_run.run_id"), nullable=False),
    Column("file_id", Id, ForeignKey("meta_source_file.file_id"), nullable=False),
    Column("suite", String(64), nullable=False, comment="expectations/<suite>.json"),
    Column("reason_code", String(32), nullable=False),
    Column("severity", String(8), nullable=False, comment="fail (quarantined) or warn (loaded, reported)"),
    Column("scope", String(8), nullable=False, comment="row or file"),
    Column("field", String(64)),
    Column("rows_evaluated", Integer, nullable=False),
    Column("rows_unexpected", Integer, nullable=False),
    Column("reden", Text, nullable=False, comment="the rule in plain Dutch"),
    Index("ix_meta_validation_result_file_id", "file_id"),
    comment="Expectations that did not hold, per file and rule (GX SUMMARY level); row details are in "
    "meta_quarantine for severity fail.",
)

meta_cbs_table = Table(
    "meta_cbs_table",
    metadata,
    Column("table_id", String(16), primary_key=True, comment="CBS table id as CBS spells it (03759ned is lower case)"),
    Column("purpose", String(32), nullable=False, comment="jeugdzorg, jeugdbescherming, bevolking, gebieden"),
    Column("title", Text),
    Column("api", String(4), nullable=False, comment="v3 or v4"),
    Column("modified", String(32), comment="CBS Modified of the version in the warehouse: the version key"),
    Column("frequency", String(32)),
    Column("status", String(32), comment="Regulier, Stopgezet (v3 Frequency) or Gediscontinueerd (v4)"),
    Column("file_id", Id, ForeignKey("meta_source_file.file_id"), comment="the load of the version in the warehouse"),
    Column("row_count", Integer, comment="observations of this table in stg_cbs_waarneming"),
    Column("fetched_at", DateTime(timezone=True), comment="last complete data fetch"),
    Column("checked_at", DateTime(timezone=True), comment="last metadata check"),
    Column("last_error", Text, comment="why the last check or fetch failed, in Dutch; null when it succeeded"),
    Column("last_error_at", DateTime(timezone=True)),
    comment="The CBS tables the monitor keeps, with the version loaded and the last fetch.",
)

stg_cbs_categorie = Table(
    "stg_cbs_categorie",
    metadata,
    Column("table_id", String(16), primary_key=True),
    Column("dimension", String(64), primary_key=True, comment="dimension key, e.g. VormenVanJeugdzorg, Perioden"),
    Column("code", String(16), primary_key=True, comment="category key, padding stripped"),
    Column("title", Text, nullable=False, comment="what marts map by, e.g. 'JB 11 Totaal ondertoezichtstelling'"),
    Column("period_status", String(16), comment="periods only: Definitief, Voorlopig or Nader voorlopig"),
    comment="Categories of the CBS dimensions (and period status) of the version in the warehouse.",
)

stg_cbs_waarneming = Table(
    "stg_cbs_waarneming",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("table_id", String(16), nullable=False),
    Column("measure", String(80), nullable=False, comment="Topic key (v3) or measure code (v4)"),
    Column("regio_code", String(10), nullable=False, comment="RegioS as CBS has it, padding stripped"),
    Column("gemeentecode", String(6), comment="GM code after herindeling; null for other regions (NL, JZ, PV)"),
    Column("periode", String(8), nullable=False, comment="CBS period code, e.g. 2025HJ01, 2025JJ00"),
    Column("dimensions", String(200), nullable=False, comment="the other dimensions as key=code;... (sorted)"),
    Column("value", Float, comment="null: suppressed, not applicable or not available (see value_attribute)"),
    Column("value_text", Text, comment="text topics (Gebieden in Nederland: codes and names)"),
    Column("value_attribute", String(16), nullable=False, comment="None, Missing (v3 null), Confidential, ..."),
    Column("period_status", String(16), comment="Definitief, Voorlopig or Nader voorlopig when loaded"),
    Column(
        "file_id",
        Id,
        ForeignKey("meta_source_file.file_id"),
        nullable=False,
        comment="the table version that last set this value",
    ),
    Column("line", Integer, nullable=False, comment="position of the observation in that fetch"),
    Index("uq_stg_cbs_waarneming_key", "table_id", "measure", "regio_code", "periode", "dimensions", unique=True),
    Index("ix_stg_cbs_waarneming_gemeente_periode", "gemeentecode", "periode"),
    comment="CBS StatLine observations in long format, one row per cell; revisions update in place "
    "(meta_cbs_revisie keeps what changed).",
)

meta_cbs_revisie = Table(
    "meta_cbs_revisie",
    metadata,
    Column("revisie_id", Id, primary_key=True, autoincrement=True),
    Column("file_id", Id, ForeignKey("meta_source_file.file_id"), nullable=False, comment="the new version"),
    Column("table_id", String(16), nullable=False),
    Column("measure", String(80), nullable=False),
    Column("regio_code", String(10), nullable=False),
    Column("periode", String(8), nullable=False),
    Column("dimensions", String(200), nullable=False),
    Column("old_value", Float),
    Column("new_value", Float),
    Column("old_status", String(16)),
    Column("new_status", String(16)),
    Index("ix_meta_cbs_revisie_file_id", "file_id"),
    comment="Every CBS value or period status that a newer table version changed (a value turning null included).",
)

meta_run_figure = Table(
    "meta_run_figure",
    metadata,
    Column("load_run_id", String(36), ForeignKey("meta_load_run.run_id"), primary_key=True),
    Column("wat", String(32), primary_key=True, comment="files, rows, quarantined by reason, cbs table, mart rows"),
    Column("detail", String(64), primary_key=True, comment="the status, reason code, table or mart"),
    Column("aantal", BigInteger, nullable=False),
    comment="The figures of every run, as its Prefect table artifact shows them.",
)

meta_mart_pending = Table(
    "meta_mart_pending",
    metadata,
    Column("gemeentecode", String(6), primary_key=True),
    Column("vanaf_maand", Date, nullable=False, comment="the first month whose marts are to be rebuilt"),
    Column(
        "load_run_id",
        String(36),
        ForeignKey("meta_load_run.run_id"),
        comment="the run that marked it last (null: a mart build outside a run)",
    ),
    Column("gemarkeerd_op", DateTime(timezone=True), nullable=False),
    comment="Marts waiting for a rebuild: marked in the transaction of each load that changes facts, cleared in the "
    "transaction that writes the gemeente's rebuilt marts; what a crash left is rebuilt by the next run.",
)

meta_lezer_gemeente = Table(
    "meta_lezer_gemeente",
    metadata,
    Column("rolname", String(63), primary_key=True, comment="a PostgreSQL role that reads the marts"),
    Column("gemeentecode", String(6), primary_key=True),
    comment="Roles bound to gemeenten: a member of such a role sees only the mart rows of these gemeenten (row-level "
    "security); gemeentecode * binds it to every gemeente, a role without bindings sees no rows.",
)

meta_alert_history = Table(
    "meta_alert_history",
    metadata,
    Column("ontvanger", String(128), primary_key=True, comment="alerts.ontvangers naam"),
    Column("kanaal", String(8), primary_key=True, comment="email, teams or slack"),
    Column("alert_key", String(200), primary_key=True, comment="rule:subject, e.g. aanbieder_stil:GM0546:75100012"),
    Column("rule", String(48), nullable=False),
    Column("severity", String(8), nullable=False, comment="fail, warn or info"),
    Column("gemeentecode", String(6), comment="null for delivery problems without a gemeente"),
    Column("fingerprint", String(16), nullable=False, comment="hash of what the alert said: a changed figure differs"),
    Column("status", String(12), nullable=False, comment="open, opgelost, or gebeurtenis (an event: never resolved)"),
    Column("wat", Text, nullable=False, comment="the Dutch sentence last sent, repeated in the resolution"),
    Column("eerst_gemeld_op", DateTime(timezone=True), nullable=False),
    Column("laatst_gemeld_op", DateTime(timezone=True), nullable=False),
    Column("opgelost_op", DateTime(timezone=True)),
    Column(
        "load_run_id",
        String(36),
        ForeignKey("meta_load_run.run_id"),
        nullable=False,
        comment="the run that last sent it (or its resolution)",
    ),
    comment="What each recipient was told per alert, per channel: the same alert is not sent again until it "
    "changes or is resolved.",
)

meta_alert_delivery = Table(
    "meta_alert_delivery",
    metadata,
    Column("delivery_id", Id, primary_key=True, autoincrement=True),
    Column("load_run_id", String(36), ForeignKey("meta_load_run.run_id"), nullable=False),
    Column("ontvanger", String(128), nullable=False),
    Column("kanaal", String(8), nullable=False, comment="email, teams or slack"),
    Column("doel", Text, nullable=False, comment="e-mail address, or the webhook's host (its path is a secret)"),
    Column("status", String(8), nullable=False, comment="sent or failed"),
    Column("pogingen", Integer, nullable=False),
    Column("meldingen", Integer, nullable=False, comment="new or changed alerts in the digest"),
    Column("opgelost", Integer, nullable=False, comment="resolutions in the digest"),
    Column("fout", Text, comment="the last error when failed"),
    Column("verzonden_op", DateTime(timezone=True), nullable=False),
    Index("ix_meta_alert_delivery_load_run_id", "load_run_id"),
    comment="Every digest delivery attempt per run, recipient and channel, with the error when it failed.",
)

STAGING_TABLES = {
    "JW301": stg_jw301_toewijzing,
    "JW305": stg_jw305_start,
    "JW307": stg_jw307_stop,
    "JW315": stg_jw315_verzoek,
    "JW323": stg_jw323_prestatie,
}

# The dimensions and marts live in their own module; importing it registers them on the same metadata.
from jeugdmonitor.schemas import marts as _marts  # noqa: E402, F401
