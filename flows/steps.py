"""The steps a flow is assembled from (flows/run.py): each runs its task(s) and adds the outcome to the summary."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from jeugdmonitor.flows import tasks

from jeugdmonitor import reprocess as reprocessing
from jeugdmonitor.config import Settings
from jeugdmonitor.ijw import ingest as ingest_ijw
from jeugdmonitor.inbox import seen_results
from jeugdmonitor.summary import RunSummary
from jeugdmonitor.warehouse import make_engine

Step = Callable[[Settings, str, RunSummary], None]


def ijw(settings: Settings, run_id: str, summary: RunSummary) -> None:
    _load_ijw(settings, run_id, summary)
    # declaraties, starts and stops quarantined for a toewijzing that had not arrived: judged again when a JW301
    # came in this run
    if not summary.results.loaded_types["JW301"]:
        return
    waiting = reprocessing.waiting_for_jw301(make_engine(settings.warehouse.url))
    if waiting:
        scope = reprocessing.Scope(reason="toewijzing_unknown", source="ijw", file_ids=waiting)
        _add(summary, tasks.reprocess_task(settings, run_id, scope))


def _load_ijw(settings: Settings, run_id: str, summary: RunSummary) -> None:
    if settings.runs.task_runner != "dask":
        summary.results += tasks.ingest_ijw(settings, run_id)
        return
    # on Dask the parse tasks are submitted from the flow, a folder at a time
    loaded = False
    engine = make_engine(settings.warehouse.url)
    for _folder, new, seen in tasks.ijw_folders(settings):
        summary.results += seen_results(engine, "ijw", seen)
        summary.results += tasks.ingest_ijw_on_runner(settings, run_id, new)
        loaded |= bool(new)
    if loaded:
        ingest_ijw.analyze(engine)


def reprocess(scope: reprocessing.Scope) -> Step:
    def step(settings: Settings, run_id: str, summary: RunSummary) -> None:
        _add(summary, tasks.reprocess_task(settings, run_id, scope))

    return step


def _add(summary: RunSummary, report: reprocessing.Report) -> None:
    summary.results += report.results
    summary.resolved += report.resolved
    summary.notes += report.notes


def jgt(settings: Settings, run_id: str, summary: RunSummary) -> None:
    summary.results += tasks.ingest_jgt_task(settings, run_id)


def cbs(settings: Settings, run_id: str, summary: RunSummary) -> None:
    summary.cbs = tasks.ingest_cbs_task(settings, run_id)
    summary.results += [o.result for o in summary.cbs if o.result is not None]


def marts_for_run(settings: Settings, run_id: str, summary: RunSummary) -> None:
    """The marts of what is pending: this run's loads, and whatever an earlier run left when it died."""
    summary.marts = tasks.build_marts(settings, pending=True)


def all_marts(settings: Settings, run_id: str, summary: RunSummary) -> None:
    summary.marts = tasks.build_marts(settings)


def marts_between(since: date, until: date):
    def step(settings: Settings, run_id: str, summary: RunSummary) -> None:
        summary.marts = tasks.build_marts(settings, since=since, until=until)

    return step
