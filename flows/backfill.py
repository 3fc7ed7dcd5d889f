"""Backfill: rebuild the marts of every gemeente for a range of months, idempotently (the same rows each time)."""

from __future__ import annotations

from datetime import date

from jeugdmonitor.flows import steps
from jeugdmonitor.flows.run import finished, notify_failure, run_flow
from prefect import flow

from jeugdmonitor.summary import RunSummary


@flow(name="backfill", log_prints=False, on_failure=[notify_failure], on_crashed=[notify_failure])
def backfill(van: str, tot: str, config_path: str | None = None) -> RunSummary:
    """Months `van` to `tot` inclusive, as YYYY-MM."""
    since, until = date.fromisoformat(f"{van}-01"), date.fromisoformat(f"{tot}-01")
    if until < since:
        raise ValueError(f"backfill: {tot} lies before {van}")
    return finished(run_flow("backfill", config_path, [steps.marts_between(since, until)]))
