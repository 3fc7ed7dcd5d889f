"""The daily iJw inbox flow: new provider and gemeente messages, then the marts they changed."""

from __future__ import annotations

from jeugdmonitor.flows import steps
from jeugdmonitor.flows.run import finished, notify_failure, run_flow
from prefect import flow

from jeugdmonitor.summary import RunSummary


@flow(name="ijw-inbox", log_prints=False, on_failure=[notify_failure], on_crashed=[notify_failure])
def ijw_inbox(config_path: str | None = None) -> RunSummary:
    return finished(run_flow("ijw-inbox", config_path, [steps.ijw, steps.marts_for_run]))
