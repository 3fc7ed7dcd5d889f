"""The daily iJw inbox flow: new provider and gemeente messages, then the marts they changed."""

from __future__ import annotations

from jeugdmonitor.flows import steps
from jeugdmonitor.flows.run import run_flow
from prefect import flow

from jeugdmonitor.summary import RunSummary


@flow(name="ijw-inbox", log_prints=False)
def ijw_inbox(config_path: str | None = None) -> RunSummary:
    return run_flow("ijw-inbox", config_path, [steps.ijw, steps.marts_for_run])
