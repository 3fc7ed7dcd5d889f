"""The tasks every flow is made of. Each takes the settings and the run id and returns results and counts, never
big frames: the warehouse is where the data goes."""

from __future__ import annotations

import traceback
from collections.abc import Iterator
from datetime import date

from jeugdmonitor.schemas import load_productcodes
from jeugdmonitor.schemas.warehouse import (
    meta_quarantine,
    meta_source_file,
    stg_cbs_categorie,
    stg_cbs_waarneming,
    stg_jgt_registratie,
)
from jeugdmonitor.transforms.masking import masked
from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from jeugdmonitor import bulk, marts, meta, region, stages
from jeugdmonitor import reprocess as reprocessing
from jeugdmonitor.alerts.run import AlertReport, run_alerts
from jeugdmonitor.cbs import connect as cbs_connect
from jeugdmonitor.cbs import ingest as ingest_cbs
from jeugdmonitor.config import Settings
from jeugdmonitor.discovery import Delivery, count_files
from jeugdmonitor.ijw.ingest import IjwOptions, ingest_inbox, load_batch, load_order, ordered, parse_file
from jeugdmonitor.inbox import discover_new, seen_results
from jeugdmonitor.jgt import ingest as ingest_jgt
from jeugdmonitor.loading import ParsedFile, batches
from jeugdmonitor.progress import Progress
from jeugdmonitor.pseudonym import pseudonymiser_from_config
from jeugdmonitor.summary import RunSummary
from jeugdmonitor.warehouse import make_engine, upgrade


@task(name="prepare-warehouse", cache_policy=NO_CACHE)
def prepare_warehouse(settings: Settings) -> None:
    upgrade(make_engine(settings.warehouse.url))


def ijw_options(settings: Settings) -> IjwOptions:
    codes = frozenset(r["product_code"] for r in load_productcodes(settings.ijw.productcodes))
    return IjwOptions(
        xsd_dir=settings.ijw.xsd_dir,
        chunk_size=settings.warehouse.batch_size,
        productcodes=codes,
        workers=settings.ijw.workers,
    )


def ijw_folders(settings: Settings) -> Iterator[tuple[str, list[Delivery], list[Delivery]]]:
    """(folder, new, seen before) per top-level folder of the iJw inbox (jeugdmonitor.inbox)."""
    yield from discover_new(
        make_engine(settings.warehouse.url),
        settings.paths.ijw_inbox,
        (".xml",),
        "ijw",
        order=load_order,
        hash_new=False,
    )


@task(name="ingest-ijw", cache_policy=NO_CACHE)
def ingest_ijw(settings: Settings, run_id: str) -> meta.FileTally:
    """Discover and load the iJw inbox a round of folders at a time (ingest_ijw.ingest_inbox). Deterministic errors
    go to quarantine, not retries."""
    inbox = settings.paths.ijw_inbox
    with Progress("iJw ingest", total=count_files(inbox, (".xml",)), emit=get_run_logger().info) as progress:
        tally = ingest_inbox(
            make_engine(settings.warehouse.url),
            inbox,
            run_id,
            pseudonymiser_from_config(settings.privacy),
            ijw_options(settings),
            progress,
        )
    seen_before = tally.files["skipped"] + tally.files["refused_before"]
    get_run_logger().info(
        "iJw inbox %s: %d new files, %d seen before (%d of them refused then)",
        settings.paths.ijw_inbox,
        tally.seen - seen_before,
        seen_before,
        tally.files["refused_before"],
    )
    return tally


@task(name="parse-ijw", cache_policy=NO_CACHE)
def parse_ijw(settings: Settings, deliveries: list[Delivery]) -> list[ParsedFile]:
    """Parse a chunk of files where the task runner puts it (a Dask worker): the inbox must be readable there,
    and so must the pseudonymisation key."""
    pseudonymise = pseudonymiser_from_config(settings.privacy)
    options = ijw_options(settings)
    return [parse_file(d, pseudonymise, options) for d in deliveries]


@task(name="load-ijw-batch", cache_policy=NO_CACHE)
def load_ijw_batch(settings: Settings, run_id: str, batch: list[ParsedFile]) -> list[meta.FileResult]:
    return load_batch(make_engine(settings.warehouse.url), run_id, batch, ijw_options(settings).productcodes)


def ingest_ijw_on_runner(settings: Settings, run_id: str, new: list[Delivery]) -> list[meta.FileResult]:
    """Parse chunks of files as tasks on the flow's task runner (Dask), a window at a time so that parsed files
    never pile up; load them here, in load order, in batches."""
    files = ordered(new)
    size = settings.runs.files_per_task
    window = size * 8
    results: list[meta.FileResult] = []
    for start in range(0, len(files), window):
        chunks = [files[i : i + size] for i in range(start, min(start + window, len(files)), size)]
        futures = [parse_ijw.submit(settings, chunk) for chunk in chunks]
        parsed = (p for future in futures for p in future.result())
        for batch in batches(parsed, max_rows=max(settings.warehouse.batch_size, 1) * 10):
            results += load_ijw_batch(settings, run_id, batch)
    return results


def jgt_options(settings: Settings) -> ingest_jgt.JgtOptions:
    return ingest_jgt.JgtOptions(
        region=ingest_jgt.RegionLookup.build(region.region_tables(settings), settings.region.gemeenten),
        layouts=region.jgt_layouts(settings),
        batch_rows=max(settings.warehouse.batch_size, 1) * 10,
    )


@task(name="ingest-jgt", cache_policy=NO_CACHE)
def ingest_jgt_task(settings: Settings, run_id: str) -> list[meta.FileResult]:
    """Every new JGT export (CSV/XLSX) in the inbox, judged per batch, one transaction per batch."""
    engine = make_engine(settings.warehouse.url)
    options = jgt_options(settings)
    pseudonymise = pseudonymiser_from_config(settings.privacy)
    results: list[meta.FileResult] = []
    inbox = settings.paths.jgt_inbox
    total = count_files(inbox, ingest_jgt.SUFFIXES)
    with Progress("JGT ingest", total=total, emit=get_run_logger().info) as progress:
        for _folder, new, seen in discover_new(engine, inbox, ingest_jgt.SUFFIXES, "jgt"):
            results += seen_results(engine, "jgt", seen)
            progress.add(len(seen))
            results += ingest_jgt.load_files(engine, run_id, new, pseudonymise, options, progress)
    skipped = sum(r.status in ("skipped", "refused_before") for r in results)
    if len(results) > skipped:
        with stages.clock().stage("load"):
            bulk.analyze(engine, [stg_jgt_registratie, meta_source_file, meta_quarantine])
    get_run_logger().info(
        "JGT inbox %s: %d new files, %d seen before", settings.paths.jgt_inbox, len(results) - skipped, skipped
    )
    return results


@task(name="reprocess", cache_policy=NO_CACHE)
def reprocess_task(settings: Settings, run_id: str, scope: reprocessing.Scope) -> reprocessing.Report:
    """Judge refused files and quarantined lines in `scope` again, from the files in the inbox, with today's
    configuration and warehouse (jeugdmonitor.reprocess)."""
    pseudonymiser = pseudonymiser_from_config(settings.privacy)
    sources = reprocessing.Sources(
        inboxes={"ijw": settings.paths.ijw_inbox, "jgt": settings.paths.jgt_inbox},
        pseudonymise=pseudonymiser,
        key_id=pseudonymiser.key_id,
        ijw=ijw_options(settings),
        jgt=jgt_options(settings),
    )
    with stages.clock().stage("reprocess"):
        report = reprocessing.reprocess(make_engine(settings.warehouse.url), run_id, scope, sources)
    stages.clock().count("reprocess", sum(r.rows_loaded for r in report.results))
    logger = get_run_logger()
    logger.info(
        "reprocess: %d files judged again, %d rows loaded, %d quarantine rows resolved",
        len(report.outcomes),
        sum(r.rows_loaded for r in report.results),
        report.resolved,
    )
    for note in report.notes:
        logger.warning("reprocess: %s", note)
    return report


@task(name="ingest-cbs", cache_policy=NO_CACHE)
def ingest_cbs_task(settings: Settings, run_id: str) -> list[ingest_cbs.TableOutcome]:
    """Bring the configured CBS tables up to date; when CBS is unreachable, or a table fails, the last good data
    stays in use. Not retried by Prefect: the client retries each request, and one table's error is that table's
    outcome; a whole-step retry would repeat the same error a minute later (docs/operations.md)."""
    logger = get_run_logger()
    engine = make_engine(settings.warehouse.url)
    with stages.clock().stage("cbs"), cbs_connect.open_client(settings) as client:
        outcomes = ingest_cbs.refresh(engine, run_id, client, cbs_connect.options(settings))
    changed = sum(o.rows_inserted + o.rows_updated for o in outcomes)
    stages.clock().count("cbs", changed)
    if changed:
        with stages.clock().stage("cbs"):
            bulk.analyze(engine, [stg_cbs_waarneming, stg_cbs_categorie])
    for outcome in outcomes:
        log = logger.warning if outcome.status in ("stale", "failed") else logger.info
        log("CBS %s %s: %s", outcome.table_id, outcome.status, outcome.melding)
    retried = sum(o.retries for o in outcomes)
    if retried:
        logger.warning("CBS: %d requests retried (CBS did not answer at once; see the warnings above)", retried)
    return outcomes


@task(name="build-marts", cache_policy=NO_CACHE)
def build_marts(
    settings: Settings, pending: bool = False, since: date | None = None, until: date | None = None
) -> marts.BuildReport:
    """Rebuild the dimensions and marts: for what is marked pending (what this run's loads changed, and what a
    run that died before its marts had left), for every gemeente from `since` to `until` (a backfill), or
    everything."""
    engine = make_engine(settings.warehouse.url)
    build_settings = marts.build_settings(settings)
    if pending:
        with engine.connect() as conn:
            scope = marts.pending.pending(conn)
    elif since is not None:
        scope = dict.fromkeys(settings.region.gemeenten, since)
    else:
        scope = None
    with (
        Progress("marts", unit="gemeenten", emit=get_run_logger().info) as progress,
        stages.clock().stage("marts"),
    ):
        report = marts.build(
            engine,
            build_settings,
            scope,
            until=until,
            progress=lambda done, total: progress.update(done=done, total=total),
        )
        progress.update(done=report.gemeenten, counted=sum(report.rows.values()))
    stages.clock().count("marts", sum(report.rows.values()))
    get_run_logger().info(
        "marts rebuilt for %d gemeenten: %s",
        report.gemeenten,
        ", ".join(f"{g} from {d:%Y-%m}" for g, d in sorted(report.since.items())) or "nothing new",
    )
    return report


@task(name="send-alerts", cache_policy=NO_CACHE)
def send_alerts(settings: Settings, run_id: str, cbs: list[ingest_cbs.TableOutcome]) -> AlertReport | None:
    """Scorecard, Data Docs and the alert digests of this run. The load is complete by now: whatever goes wrong
    here is reported in the summary, never raised."""
    if not settings.alerts.enabled:
        return None
    logger = get_run_logger()
    try:
        with stages.clock().stage("alerts"):
            report = run_alerts(make_engine(settings.warehouse.url), settings, run_id, cbs)
        stages.clock().count("alerts", report.alerts)
    except Exception as exc:
        # the type and where, not the message: an error's message can quote what a file held
        logger.error("alerts step failed: %s\n%s", type(exc).__name__, "".join(traceback.format_tb(exc.__traceback__)))
        return AlertReport(errors=[f"De alerts-stap is mislukt: {type(exc).__name__}"])
    logger.info(
        "alerts: %d found, %d digests sent, %d failed, %d resolved",
        report.alerts,
        report.sent,
        report.failed,
        report.resolved,
    )
    for error in report.errors:
        logger.warning("alerts: %s", error)
    return report


def publish_summary(summary: RunSummary) -> None:
    """The run's figures as Prefect artifacts: a markdown summary and tables of files, reasons and CBS tables."""
    create_markdown_artifact(
        key="jeugdmonitor-run-summary",
        markdown=summary.render_markdown(),
        description="Files, rows loaded and rows quarantined in this run",
    )
    rejected = summary.results.shown
    if rejected:
        create_table_artifact(
            key="jeugdmonitor-quarantine",
            table=[
                {
                    "file": masked(r.path, 200),
                    "status": r.status,
                    "rows_quarantined": r.rows_quarantined,
                    "reasons": ", ".join(f"{k}: {v}" for k, v in sorted(r.reasons.items())),
                }
                for r in rejected[:500]
            ],
            description="Files with quarantined rows or rejected whole (first 500)",
        )
    create_table_artifact(
        key="jeugdmonitor-run-figures",
        table=summary.figure_rows(),
        description="Files, rows, quarantine and warnings by reason, CBS tables, marts",
    )
