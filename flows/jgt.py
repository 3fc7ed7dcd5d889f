"""The daily JGT inbox flow: new team exports, then the marts they changed."""

from __future__ import annotations

from jeugdmonitor.flows import steps
from jeugdmonitor.flows.run import finished, notify_failure, run_flow
from prefect import flow

from jeugdmonitor.summary import RunSummary


@flow(name="jgt-inbox", log_prints=False, on_failure=[notify_failure], on_crashed=[notify_failure])
def jgt_inbox(config_path: str | None = None) -> RunSummary:
    return finished(run_flow("jgt-inbox", config_path, [steps.jgt, steps.marts_for_run]))
