"""What every flow of jeugdmonitor does around its own work: read the settings, hold the warehouse, record the
run in meta_load_run, send the alerts of what it changed, and publish the summary. Flows differ only in the steps
they pass in.

A step that fails does not stop the run: its error is one line of the summary (`RunSummary.problems`), the steps
after it run (the marts of what did load included), and the run ends `with_problems` in meta_load_run and as a
Prefect Completed state named "Completed with problems" (`finished`), with one notice to the data engineers. A run
that cannot start or finish (settings, database, lock, key) fails; the flows' state hooks (`notify_failure`) send
the notice then.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import cast

from jeugdmonitor.flows.tasks import prepare_warehouse, publish_summary, send_alerts
from jeugdmonitor.schemas.warehouse import meta_load_run
from jeugdmonitor.transforms.alerts.texts import getal
from prefect import Flow, get_run_logger
from prefect.client.schemas.objects import FlowRun
from prefect.runtime import flow_run as this_run
from prefect.states import Completed, State
from sqlalchemy import select

from jeugdmonitor import meta, stages
from jeugdmonitor.alerts import notice
from jeugdmonitor.config import Settings, load_settings
from jeugdmonitor.failure import describe
from jeugdmonitor.locking import LockLost, warehouse_lock
from jeugdmonitor.pseudonym import pseudonymiser_from_config
from jeugdmonitor.summary import WITH_PROBLEMS, RunSummary
from jeugdmonitor.warehouse import make_engine

Step = Callable[[Settings, str, RunSummary], None]
STATE_WITH_PROBLEMS = "Completed with problems"
_STEP_NAMES = {"ijw": "iJw", "jgt": "JGT", "cbs": "CBS", "marts_for_run": "marts", "all_marts": "marts"}

log = logging.getLogger(__name__)


def run_flow(name: str, config_path: str | None, steps: list[Step]) -> RunSummary:
    """Run `steps` in order under the warehouse lock, with a meta_load_run row and the run's artifacts."""
    settings = load_settings(config_path)
    engine = make_engine(settings.warehouse.url)
    with warehouse_lock(engine, wait=settings.runs.wait_seconds):
        prepare_warehouse(settings)
        key_id = pseudonymiser_from_config(settings.privacy).key_id
        meta.check_key(engine, key_id)  # before this run is recorded: another key writes nothing
        run_id = meta.start_run(engine, name, this_run.get_id(), key_id)
        # under the lock: a run still `running` is not loading now (killed, or stopped when it lost the lock)
        for stale in meta.abort_stale_runs(engine, by_run=run_id):
            get_run_logger().warning(
                "run %s ended without finishing; marked aborted (its pending marts are rebuilt by this run)", stale
            )
        summary = RunSummary(run_id, settings.warehouse.url, stages=stages.start())
        try:
            for step in steps:
                _run_step(step, settings, run_id, summary)
        except LockLost:
            raise  # nothing may be written without the lock, not even this run's status: the next run aborts it
        except BaseException as exc:  # an interrupt: the run ends here
            meta.finish_run(engine, run_id, summary.results, status="failed", message=describe(exc))
            raise
        meta.finish_run(engine, run_id, summary.results, status=summary.status, message=summary.problem_message())
        # after finish_run: the load is recorded as complete whatever the alerts step does
        summary.alerts = send_alerts(settings, run_id, summary.cbs)
        meta.record_figures(engine, run_id, summary.figure_rows())
    publish_summary(summary)
    get_run_logger().info("%s", summary.closing_line())
    if summary.problems:
        _notify(settings, notice.Notice(name, run_id, WITH_PROBLEMS, summary.problems, _loaded(summary)))
    return summary


def _run_step(step: Step, settings: Settings, run_id: str, summary: RunSummary) -> None:
    try:
        step(settings, run_id, summary)
    except LockLost:
        raise
    except Exception as exc:
        problem = f"{_STEP_NAMES.get(step.__name__, step.__name__)}: {describe(exc)}"
        summary.problems.append(problem)
        # the places in our code, not the message: an error's message can quote what a file held
        get_run_logger().error(
            "step %s failed; the run goes on with the next steps\n%s",
            problem,
            "".join(traceback.format_tb(exc.__traceback__)),
        )


def finished(summary: RunSummary) -> RunSummary:
    """What a flow returns: the summary, or, when the run had problems, a Completed state named "Completed with
    problems" that carries it. Prefect makes a returned state the flow run's final state and hands its data to the
    caller, so calling the flow gives the summary either way (hence the cast)."""
    if summary.status != WITH_PROBLEMS:
        return summary
    return cast(RunSummary, Completed(name=STATE_WITH_PROBLEMS, message=summary.problem_message(), data=summary))


def notify_failure(flow: Flow, flow_run: FlowRun, state: State) -> None:
    """Prefect state hook (on_failure, on_crashed) of every flow: one notice to the data engineers with the reason
    and what the run still loaded. Covers what run_flow cannot: a run that failed before or after its steps, or
    was killed."""
    try:
        settings = load_settings((flow_run.parameters or {}).get("config_path"))
    except Exception as exc:  # the settings may be why the run failed: then there is no one to tell
        log.error(
            "run %s failed and no notice could be sent: the settings do not load (%s)", flow_run.id, describe(exc)
        )
        return
    kind = "crashed" if state.is_crashed() else "failed"
    loaded = _loaded_by_run(settings, str(flow_run.id))
    _notify(settings, notice.Notice(flow.name, str(flow_run.id), kind, [_reason(state)], loaded))


def _reason(state: State) -> str:
    try:
        exc = state.result(raise_on_failure=False)
    except Exception:
        exc = None
    if isinstance(exc, BaseException):
        return describe(exc)
    return "de run is afgebroken zonder foutmelding (gestopt of het proces is beëindigd)"


def _loaded(summary: RunSummary) -> str:
    tables = sum(o.status == "loaded" for o in summary.cbs)
    return (
        f"{getal(summary.count('loaded'))} bestanden, {getal(summary.rows_loaded)} regels"
        + (f", {tables} CBS-tabellen" if summary.cbs else "")
        + (
            f"; de marts zijn bijgewerkt ({getal(sum(summary.marts.rows.values()))} rijen)"
            if summary.marts is not None
            else "; de marts zijn niet bijgewerkt"
        )
        + "."
    )


def _loaded_by_run(settings: Settings, run_id: str) -> str:
    """What meta_load_run holds of the run: its batches that committed stay in the warehouse."""
    try:
        engine = make_engine(settings.warehouse.url)
        with engine.connect() as conn:
            row = conn.execute(
                select(meta_load_run.c.files_loaded, meta_load_run.c.rows_loaded).where(
                    meta_load_run.c.run_id == run_id
                )
            ).first()
        engine.dispose()
    except Exception:
        return "onbekend (het warehouse is niet te lezen)."
    if row is None:
        return "niets: de run is gestopt voordat hij begon te laden."
    return (
        f"{getal(row.files_loaded)} bestanden, {getal(row.rows_loaded)} regels (zo ver was de run; wat is "
        "vastgelegd, blijft)."
    )


def _notify(settings: Settings, message: notice.Notice) -> None:
    try:
        notice.send(settings, message)
    except Exception as exc:  # a notice must never change how the run ends
        log.error("notice of run %s not sent: %s", message.run_id, describe(exc))
