"""Operations on a generated world: backfill restores and repeats, a concurrent run stops without loading, and the
Dask task runner gives the same marts as the default one. SQLite and PostgreSQL where the issue asks for both."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest
from jeugdmonitor.flows.backfill import backfill
from jeugdmonitor.flows.monitor import monitor
from jeugdmonitor.schemas.warehouse import meta_load_run, meta_run_figure
from sqlalchemy import func, select, text

from jeugdmonitor.locking import WarehouseBusy
from jeugdmonitor.synthetic import generate
from jeugdmonitor.warehouse import make_engine
from tests.flows.test_marts_generated import marts
from tests.flows.test_monitor_flow import write_config
from tests.test_locking import hold


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("ops-world")
    generate(root / "inbox", gemeenten=["GM0638"], start="2025-01", months=4, scale=0.4, defects=0.0)
    return root


def warehouse_for(backend: str, request, tmp_path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'wh.sqlite'}"
    return request.getfixturevalue("pg_url")


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.mark.parametrize("backend", BACKENDS)
def test_backfill_restores_a_range_and_changes_nothing_when_repeated(world, backend, request, tmp_path):
    url = warehouse_for(backend, request, tmp_path)
    config = str(write_config(world, url, gemeenten=("GM0638",)))
    summary = monitor(config)
    built = marts(url)
    stage_figures = summary.stages.figures()
    assert {"discover", "parse", "load", "marts"} <= set(stage_figures)
    assert stage_figures["parse"]["rows"] == summary.rows_read  # every line read was timed as parsed
    assert stage_figures["marts"]["rows"] == sum(summary.marts.rows.values())
    engine = make_engine(url)
    with engine.begin() as conn:  # a damaged range: February gone from every month mart
        for name in ("mart_aanmeldingen", "mart_kosten", "mart_verwijzingen"):
            conn.execute(text(f"delete from {name} where maand = :m"), {"m": "2025-02-01"})
    assert marts(url) != built
    backfill("2025-02", "2025-02", config)
    assert marts(url) == built
    backfill("2025-01", "2025-04", config)
    assert marts(url) == built
    with engine.connect() as conn:
        runs = conn.execute(
            select(meta_load_run.c.flow_name, meta_load_run.c.status).order_by(meta_load_run.c.started_at)
        ).all()
        figures = conn.execute(
            select(func.count()).select_from(meta_run_figure).where(meta_run_figure.c.wat == "mart rows")
        ).scalar()
        stage_ms = dict(
            conn.execute(
                select(meta_run_figure.c.detail, meta_run_figure.c.aantal).where(
                    meta_run_figure.c.wat == "stage ms", meta_run_figure.c.load_run_id == summary.run_id
                )
            ).all()
        )
    engine.dispose()
    assert [tuple(r) for r in runs] == [("monitor", "completed"), ("backfill", "completed"), ("backfill", "completed")]
    assert figures >= 3 * 12, "every run writes its figures to meta_run_figure"
    assert stage_ms["parse"] > 0 and stage_ms["marts"] > 0, "and where its time went"


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_second_run_at_the_same_time_stops_and_loads_nothing(world, backend, request, tmp_path):
    url = warehouse_for(backend, request, tmp_path)
    config = write_config(world, url, gemeenten=("GM0638",))
    config.write_text(config.read_text() + "\n[runs]\nwait_seconds = 1\n")
    monitor(str(config))  # creates the schema; the holder below locks it
    context = multiprocessing.get_context("spawn")
    ready = context.Event()
    holder = context.Process(target=hold, args=(url, 20, ready))
    holder.start()
    try:
        assert ready.wait(30)
        with pytest.raises(WarehouseBusy):
            monitor(str(config))
    finally:
        holder.kill()
        holder.join(10)
    engine = make_engine(url)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(meta_load_run)).scalar() == 1
    engine.dispose()


def test_the_dask_runner_gives_the_same_marts_as_the_default_runner(world, tmp_path):
    from distributed import LocalCluster

    default_url = f"sqlite:///{tmp_path / 'default.sqlite'}"
    monitor(str(write_config(world, default_url, gemeenten=("GM0638",))))

    dask_folder = tmp_path / "dask"
    dask_folder.mkdir()
    dask_url = f"sqlite:///{dask_folder / 'wh.sqlite'}"
    config = write_config(world, dask_url, gemeenten=("GM0638",))
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        config.write_text(
            config.read_text().replace(
                'key_file = "data/pseudonym.key"', f'key_file = "{world / "data" / "pseudonym.key"}"'
            )
            + f'\n[runs]\ntask_runner = "dask"\ndask_address = "{cluster.scheduler_address}"\n'
            "files_per_task = 200\n"
        )
        from prefect_dask import DaskTaskRunner

        summary = monitor.with_options(task_runner=DaskTaskRunner(address=cluster.scheduler_address))(str(config))
    assert summary.rows_loaded > 1000
    assert marts(dask_url) == marts(default_url)
