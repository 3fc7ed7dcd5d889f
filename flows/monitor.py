"""The main `monitor` flow: every source in order (iJw, JGT, CBS), then the marts for what changed."""

from __future__ import annotations

from jeugdmonitor.flows import steps
from jeugdmonitor.flows.run import run_flow
from prefect import flow

from jeugdmonitor.summary import RunSummary


@flow(name="monitor", log_prints=False)
def monitor(config_path: str | None = None) -> RunSummary:
    """Run the monitor once: load what is new in every inbox and CBS, rebuild the marts it changed."""
    return run_flow("monitor", config_path, [steps.ijw, steps.jgt, steps.cbs, steps.marts_for_run])
