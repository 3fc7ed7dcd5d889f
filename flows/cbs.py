"""The weekly CBS flow: a metadata check per table (cheap when nothing changed), new releases loaded, marts."""

from __future__ import annotations

from jeugdmonitor.flows import steps
from jeugdmonitor.flows.run import finished, notify_failure, run_flow
from prefect import flow

from jeugdmonitor.summary import RunSummary


@flow(name="cbs-tabellen", log_prints=False, on_failure=[notify_failure], on_crashed=[notify_failure])
def cbs_tabellen(config_path: str | None = None) -> RunSummary:
    return finished(run_flow("cbs-tabellen", config_path, [steps.cbs, steps.marts_for_run]))
