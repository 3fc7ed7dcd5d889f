"""The main `monitor` flow: every source in order (iJw, JGT, CBS), then the marts for what changed."""

from __future__ import annotations

from jeugdmonitor.flows import steps
from jeugdmonitor.flows.run import finished, notify_failure, run_flow
from prefect import flow

from jeugdmonitor.summary import RunSummary


@flow(name="monitor", log_prints=False, on_failure=[notify_failure], on_crashed=[notify_failure])
def monitor(config_path: str | None = None) -> RunSummary:
    """Run the monitor once: load what is new in every inbox and CBS, rebuild the marts it changed."""
    return finished(run_flow("monitor", config_path, [steps.ijw, steps.jgt, steps.cbs, steps.marts_for_run]))
