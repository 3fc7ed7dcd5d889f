"""The daily JGT inbox flow: new team exports, then the marts they changed."""

from __future__ import annotations

from jeugdmonitor.flows import steps
from jeugdmonitor.flows.run import run_flow
from prefect import flow

from jeugdmonitor.summary import RunSummary


@flow(name="jgt-inbox", log_prints=False)
def jgt_inbox(config_path: str | None = None) -> RunSummary:
    return run_flow("jgt-inbox", config_path, [steps.jgt, steps.marts_for_run])
