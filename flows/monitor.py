"""The main `monitor` flow: prepare the warehouse, then ingest each source in order, then publish the summary."""

from __future__ import annotations

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run

from jeugdmonitor import ingest_jgt, meta
from jeugdmonitor.config import Settings, load_settings
from jeugdmonitor.discovery import discover
from jeugdmonitor.ingest_ijw import IjwOptions, load_files
from jeugdmonitor.pseudonym import pseudonymiser_from_config
from jeugdmonitor.summary import RunSummary
from jeugdmonitor.warehouse import make_engine, redacted, upgrade
from schemas import load_productcodes


@task(name="prepare-warehouse", cache_policy=NO_CACHE)
def prepare_warehouse(settings: Settings) -> None:
    upgrade(make_engine(settings.warehouse.url))


@task(name="ingest-ijw", cache_policy=NO_CACHE)
def ingest_ijw(settings: Settings, run_id: str) -> list[meta.FileResult]:
    """Every new iJw file in the inbox, in batches of files that commit together. Deterministic errors go to
    quarantine, not retries."""
    logger = get_run_logger()
    engine = make_engine(settings.warehouse.url)
    pseudonymise = pseudonymiser_from_config(settings.privacy)
    new, seen = discover(settings.paths.ijw_inbox, (".xml",), meta.known_hashes(engine),
                         meta.recorded_stamps(engine, "ijw"))
    logger.info("iJw inbox %s: %d new files, %d seen before", settings.paths.ijw_inbox, len(new), len(seen))
    results = [meta.FileResult(d.relative, "skipped") for d in seen]
    options = IjwOptions(xsd_dir=settings.ijw.xsd_dir, chunk_size=settings.warehouse.batch_size,
                         productcodes=frozenset(r["product_code"] for r in load_productcodes(settings.ijw.productcodes)),
                         workers=settings.ijw.workers)
    results += load_files(engine, run_id, new, pseudonymise, options)
    return results


@task(name="ingest-jgt", cache_policy=NO_CACHE)
def ingest_jgt_task(settings: Settings, run_id: str) -> list[meta.FileResult]:
    """Every new JGT export (CSV/XLSX) in the inbox, judged per batch, one transaction per batch."""
    logger = get_run_logger()
    engine = make_engine(settings.warehouse.url)
    pseudonymise = pseudonymiser_from_config(settings.privacy)
    new, seen = discover(settings.paths.jgt_inbox, ingest_jgt.SUFFIXES, meta.known_hashes(engine),
                         meta.recorded_stamps(engine, "jgt"))
    logger.info("JGT inbox %s: %d new files, %d seen before", settings.paths.jgt_inbox, len(new), len(seen))
    options = ingest_jgt.JgtOptions(region=ingest_jgt.RegionLookup.build(settings.region.gemeenten),
                                    batch_rows=max(settings.warehouse.batch_size, 1) * 10)
    return [meta.FileResult(d.relative, "skipped") for d in seen] + ingest_jgt.load_files(
        engine, run_id, new, pseudonymise, options)


@flow(name="monitor", log_prints=False)
def monitor(config_path: str | None = None) -> RunSummary:
    """Run the monitor once: load what is new in every inbox and record what happened."""
    settings = load_settings(config_path)
    prepare_warehouse(settings)
    engine = make_engine(settings.warehouse.url)
    key_id = pseudonymiser_from_config(settings.privacy).key_id
    run_id = meta.start_run(engine, "monitor", flow_run.get_id(), key_id)
    summary = RunSummary(run_id, redacted(settings.warehouse.url))
    try:
        summary.results += ingest_ijw(settings, run_id)
        summary.results += ingest_jgt_task(settings, run_id)
    except BaseException as exc:
        meta.finish_run(engine, run_id, summary.results, status="failed", message=type(exc).__name__)
        raise
    meta.finish_run(engine, run_id, summary.results)
    publish_summary(summary)
    return summary


def publish_summary(summary: RunSummary) -> None:
    create_markdown_artifact(key="jeugdmonitor-run-summary", markdown=summary.render_markdown(),
                             description="Files, rows loaded and rows quarantined in this run")
    rejected = [r for r in summary.results if r.status == "rejected" or r.rows_quarantined]
    if rejected:
        create_table_artifact(
            key="jeugdmonitor-quarantine",
            table=[{"file": r.path, "status": r.status, "rows_quarantined": r.rows_quarantined,
                    "reasons": ", ".join(f"{k}: {v}" for k, v in sorted(r.reasons.items()))} for r in rejected[:500]],
            description="Files with quarantined rows or rejected whole (first 500)",
        )
