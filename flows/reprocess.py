"""The `reprocess` flow: refused files and quarantined lines judged again from the files in the inbox (after a new
layout, team or productcode, or a late JW301), then the marts of what loaded. Run on demand, under the warehouse
lock like every loading flow."""

from __future__ import annotations

from jeugdmonitor.flows import steps
from jeugdmonitor.flows.run import notify_failure, run_flow
from prefect import flow

from jeugdmonitor.reprocess import Scope
from jeugdmonitor.summary import RunSummary


@flow(name="reprocess", log_prints=False, on_failure=[notify_failure], on_crashed=[notify_failure])
def reprocess(
    file: str | None = None,
    reason: str | None = None,
    source: str | None = None,
    periode: str | None = None,
    config_path: str | None = None,
) -> RunSummary:
    """Judge again what was refused or quarantined, in scope: a file (path relative to its inbox, or a file_id),
    a reason code, a source (ijw or jgt), a periode (YYYY-MM); all of them when none is given."""
    scope = Scope.parse(file=file, reason=reason, source=source, periode=periode)
    return run_flow("reprocess", config_path, [steps.reprocess(scope), steps.marts_for_run])
