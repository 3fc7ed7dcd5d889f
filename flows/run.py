"""What every flow of jeugdmonitor does around its own work: read the settings, hold the warehouse, record the
run in meta_load_run, send the alerts of what it changed, and publish the summary. Flows differ only in the steps
they pass in."""

from __future__ import annotations

from collections.abc import Callable

from jeugdmonitor.flows.tasks import prepare_warehouse, publish_summary, send_alerts
from prefect import get_run_logger
from prefect.runtime import flow_run

from jeugdmonitor import meta, stages
from jeugdmonitor.config import Settings, load_settings
from jeugdmonitor.locking import LockLost, warehouse_lock
from jeugdmonitor.pseudonym import pseudonymiser_from_config
from jeugdmonitor.summary import RunSummary
from jeugdmonitor.warehouse import make_engine

Step = Callable[[Settings, str, RunSummary], None]


def run_flow(name: str, config_path: str | None, steps: list[Step]) -> RunSummary:
    """Run `steps` in order under the warehouse lock, with a meta_load_run row and the run's artifacts."""
    settings = load_settings(config_path)
    engine = make_engine(settings.warehouse.url)
    with warehouse_lock(engine, wait=settings.runs.wait_seconds):
        prepare_warehouse(settings)
        key_id = pseudonymiser_from_config(settings.privacy).key_id
        meta.check_key(engine, key_id)  # before this run is recorded: another key writes nothing
        run_id = meta.start_run(engine, name, flow_run.get_id(), key_id)
        # under the lock: a run still `running` is not loading now (killed, or stopped when it lost the lock)
        for stale in meta.abort_stale_runs(engine, by_run=run_id):
            get_run_logger().warning(
                "run %s ended without finishing; marked aborted (its pending marts are rebuilt by this run)", stale
            )
        summary = RunSummary(run_id, settings.warehouse.url, stages=stages.start())
        try:
            for step in steps:
                step(settings, run_id, summary)
        except LockLost:
            raise  # nothing may be written without the lock, not even this run's status: the next run aborts it
        except BaseException as exc:
            meta.finish_run(engine, run_id, summary.results, status="failed", message=type(exc).__name__)
            raise
        meta.finish_run(engine, run_id, summary.results)
        # after finish_run: the load is recorded as complete whatever the alerts step does
        summary.alerts = send_alerts(settings, run_id, summary.cbs)
        meta.record_figures(engine, run_id, summary.figure_rows())
    publish_summary(summary)
    get_run_logger().info(
        "run %s: %s", run_id, "; ".join(f"{r['wat']} {r['aantal']}" for r in summary.figure_rows()[:6])
    )
    return summary
