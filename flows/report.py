"""The `rapport` flow: the report site (region page, a page and a workbook per gemeente) from the marts, after
the monthly close has rebuilt them; `run --rapport` and report.na_run write it after a run too."""

from __future__ import annotations

from jeugdmonitor.flows.run import notify_failure
from prefect import flow, get_run_logger

from jeugdmonitor.config import load_settings
from jeugdmonitor.report.build import write_report
from jeugdmonitor.warehouse import make_engine


@flow(name="rapport", log_prints=False, on_failure=[notify_failure], on_crashed=[notify_failure])
def rapport(config_path: str | None = None) -> str:
    """Write the report site into report.map; returns the path of its index.html."""
    settings = load_settings(config_path)
    engine = make_engine(settings.warehouse.url)
    try:
        written = write_report(engine, settings)
    finally:
        engine.dispose()
    get_run_logger().info("report written: %s (%d files)", written.index, len(written.files))
    return str(written.index)
