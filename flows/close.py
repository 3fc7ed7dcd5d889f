"""The monthly close: every mart rebuilt from the facts, so that the month's published figures are complete and
consistent whatever arrived late, and the month's report reflects them."""

from __future__ import annotations

from jeugdmonitor.flows import steps
from jeugdmonitor.flows.run import finished, notify_failure, run_flow
from prefect import flow

from jeugdmonitor.summary import RunSummary


@flow(name="maandafsluiting", log_prints=False, on_failure=[notify_failure], on_crashed=[notify_failure])
def maandafsluiting(config_path: str | None = None) -> RunSummary:
    return finished(run_flow("maandafsluiting", config_path, [steps.all_marts]))
