"""Faults: a real `jeugdmonitor run` killed (kill -9) at each stage, a PostgreSQL connection cut inside a load
transaction, the warehouse lock's connection terminated. After the next run the warehouse is the one a clean run
gives: every mart equal, nothing doubled, every line read loaded or quarantined; the killed run is marked
aborted and none of its child processes (parse and mart workers, the temporary Prefect server) outlives it.

The runs pause at a stage through tests/fault_driver.py (no hook in production code); the world is two
gemeenten over three months, loaded in small batches so that a pause falls between two committed batches."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from jeugdmonitor.flows.monitor import monitor
from jeugdmonitor.schemas.warehouse import (
    STAGING_TABLES,
    meta_load_run,
    meta_mart_pending,
    meta_quarantine,
    meta_source_file,
)
from sqlalchemy import func, select, text

from jeugdmonitor.synthetic import generate
from jeugdmonitor.warehouse import make_engine
from tests.flows.test_marts_generated import GEMEENTEN, config_for, marts, run_monitor

ROOT = Path(__file__).resolve().parents[2]
LATE = "2025-03"  # the iJw folders and JGT exports of this month on, and CBS, make the second delivery
SCALE = 0.1
BATCH = 20  # warehouse.batch_size: load batches of ten times this many lines
PAUSE_SECONDS = 180  # how long a run may take to reach its pause (a generous bound, not a measurement)


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("fault-world")
    generate(root / "inbox", gemeenten=list(GEMEENTEN), start="2025-01", months=3, scale=SCALE, defects=0.02)
    return root


@pytest.fixture(scope="module")
def prefect_home(tmp_path_factory) -> Path:
    """One PREFECT_HOME for every run started here, so that the temporary servers share one migrated database."""
    return tmp_path_factory.mktemp("prefect")


def configure(folder: Path, url: str, cbs: bool = True) -> Path:
    """The test config (CBS from the fixture server, or none) with small load batches and two parse workers."""
    config = config_for(folder, url)
    body = config.read_text(encoding="utf-8").replace(f'url = "{url}"', f'url = "{url}"\nbatch_size = {BATCH}')
    if not cbs:
        body = body[: body.index("[cbs]")]
    config.write_text(body + "\n[ijw]\nworkers = 2\n", encoding="utf-8")
    return config


def copy_inbox(world: Path, folder: Path, late: bool) -> None:
    """The first delivery (late=False) or the second (late=True) of the world into folder/inbox."""
    source = world / "inbox"
    for path in source.rglob("*"):
        if path.is_dir() or path.name == "manifest.json":
            continue
        relative = path.relative_to(source)
        is_late = relative.parts[0] == "cbs" or LATE <= (
            relative.parts[1] if relative.parts[0] == "ijw" else path.stem.rsplit("_", 1)[-1]
        )
        if is_late == late:
            (folder / "inbox" / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, folder / "inbox" / relative)


def state(url: str) -> dict:
    """What must be equal to a clean run's: the marts, and the rows of every staging and meta table."""
    engine = make_engine(url)
    with engine.connect() as conn:
        counts = {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in [*STAGING_TABLES.values(), meta_quarantine, meta_mart_pending]
        }
        counts |= {
            f"files_{source}": n
            for source, n in conn.execute(
                select(meta_source_file.c.source, func.count()).group_by(meta_source_file.c.source)
            )
        }
        lines = conn.execute(
            select(
                func.sum(meta_source_file.c.rows_read),
                func.sum(meta_source_file.c.rows_loaded),
                func.sum(meta_source_file.c.rows_quarantined),
            )
        ).one()
    engine.dispose()
    return {"counts": counts, "lines": tuple(int(n) for n in lines), "marts": marts(url)}


@pytest.fixture(scope="module")
def reference(world, tmp_path_factory) -> dict:
    """A clean run over both deliveries."""
    folder = tmp_path_factory.mktemp("clean")
    copy_inbox(world, folder, late=False)
    copy_inbox(world, folder, late=True)
    url = f"sqlite:///{folder / 'wh.sqlite'}"
    run_monitor(configure(folder, url))
    clean = state(url)
    read, loaded, quarantined = clean["lines"]
    assert read == loaded + quarantined and quarantined > 0
    assert clean["counts"]["meta_mart_pending"] == 0
    return clean


@pytest.fixture(scope="module")
def first_delivery(world, tmp_path_factory) -> Path:
    """A SQLite warehouse with the first delivery loaded and its marts built, to copy per test."""
    folder = tmp_path_factory.mktemp("first")
    copy_inbox(world, folder, late=False)
    monitor(str(configure(folder, f"sqlite:///{folder / 'wh.sqlite'}", cbs=False)))
    return folder


def start_paused(
    stage: str, config: Path, marker: Path, prefect_home: Path, api_url: str | None = None
) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    env |= {"PREFECT_HOME": str(prefect_home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    if api_url:
        env["PREFECT_API_URL"] = api_url
    return subprocess.Popen(
        [sys.executable, "-m", "tests.fault_driver", stage, str(marker), "run", "--config", str(config)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def api_url() -> str:
    """The test harness's Prefect server (tests/flows/conftest.py)."""
    from prefect.settings import PREFECT_API_URL

    return PREFECT_API_URL.value()


def wait_paused(process: subprocess.Popen, marker: Path) -> str:
    """Wait until the run has reached its pause; the backend pid it was writing on (PostgreSQL), if any."""
    deadline = time.monotonic() + PAUSE_SECONDS
    while not marker.exists() or not marker.read_text():
        if process.poll() is not None:
            pytest.fail(f"the run ended before its pause: {process.communicate()[1][-3000:]}")
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail("the run did not reach its pause")
        time.sleep(0.1)
    return marker.read_text().split(" ")[1]


def assert_all_gone(children: list[psutil.Process]) -> None:
    """Every child process ends (an orphan's zombie, left for an init that may not reap it, counts as ended)."""
    deadline = time.monotonic() + 60
    while alive := [p for p in children if _running(p)]:
        if time.monotonic() > deadline:
            pytest.fail(f"child processes outlived the killed run: {[p.cmdline() for p in alive]}")
        time.sleep(0.2)


def _running(process: psutil.Process) -> bool:
    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def runs(url: str) -> dict[str, str]:
    engine = make_engine(url)
    with engine.connect() as conn:
        found = dict(conn.execute(select(meta_load_run.c.run_id, meta_load_run.c.status)).all())
    engine.dispose()
    return found


@pytest.mark.parametrize("stage", ["ingest", "cbs", "marts", "alerts"])
def test_a_run_killed_at_any_stage_is_finished_by_the_next_run(
    stage, first_delivery, world, reference, tmp_path, prefect_home
):
    folder = tmp_path / "case"
    shutil.copytree(first_delivery, folder)
    copy_inbox(world, folder, late=True)
    url = f"sqlite:///{folder / 'wh.sqlite'}"
    config = configure(folder, url)
    before = runs(url)

    marker = tmp_path / "paused"
    # One run starts its own temporary Prefect server (as `jeugdmonitor run` does without PREFECT_API_URL), with
    # its parse workers running; the others use the test server, which saves a server start each.
    own_server = stage == "ingest"
    process = start_paused(stage, config, marker, prefect_home, api_url=None if own_server else api_url())
    wait_paused(process, marker)
    children = psutil.Process(process.pid).children(recursive=True)
    if own_server:
        assert any("uvicorn" in " ".join(p.cmdline()) for p in children), "the run started no temporary server"
        assert sum("spawn_main" in " ".join(p.cmdline()) for p in children) >= 2, "two parse workers"
    process.kill()
    process.wait()
    assert_all_gone(children)
    ((killed, status),) = ((r, s) for r, s in runs(url).items() if r not in before)
    # the load is recorded complete before the alerts step, so that alerts can never fail a load
    assert status == ("completed" if stage == "alerts" else "running")

    run_monitor(config)
    assert runs(url)[killed] == ("completed" if stage == "alerts" else "aborted")
    after = state(url)
    assert after["counts"] == reference["counts"], "nothing doubled, nothing missing"
    assert after["lines"] == reference["lines"]
    for name, rows in reference["marts"].items():
        assert after["marts"][name] == rows, name


def lock_holder(url: str) -> int:
    """The backend pid holding the warehouse's advisory lock (the key of jeugdmonitor.locking)."""
    engine = make_engine(url)
    with engine.connect() as conn:
        pid = conn.execute(
            text(
                "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1 "
                "AND (classid::bigint << 32 | objid::bigint) = "
                "hashtext('jeugdmonitor:' || current_database() || '.' || current_schema())::bigint"
            )
        ).scalar_one()
    engine.dispose()
    return pid


def terminate(url: str, pid: int) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
    engine.dispose()


@pytest.mark.postgres
def test_a_run_that_loses_its_lock_stops_before_writing_and_the_next_run_finishes(
    pg_url, world, reference, tmp_path, prefect_harness
):
    folder = tmp_path / "case"
    copy_inbox(world, folder, late=False)
    copy_inbox(world, folder, late=True)
    config = configure(folder, pg_url)
    marker = tmp_path / "paused"
    first = start_paused("ingest", config, marker, tmp_path / "prefect", api_url=api_url())
    wait_paused(first, marker)  # its first load batch has committed
    terminate(pg_url, lock_holder(pg_url))

    run_monitor(config)  # the lock is free: this run starts beside the first, and loads everything
    (first_run,) = [r for r, s in runs(pg_url).items() if s == "aborted"]
    marker.with_suffix(".go").touch()
    _, err = first.communicate(timeout=PAUSE_SECONDS)
    assert first.returncode == 1
    # Prefect logs the failed flow run with its traceback; the command's own last word is the message
    assert err.strip().splitlines()[-1].startswith("error: this run lost the warehouse lock")
    after = state(pg_url)
    assert after["counts"] == reference["counts"], "the first run wrote nothing after it lost the lock"
    assert after["marts"] == reference["marts"]
    assert runs(pg_url)[first_run] == "aborted"


@pytest.mark.postgres
def test_a_connection_cut_inside_a_load_leaves_whole_batches_and_the_next_run_finishes(
    pg_url, world, reference, tmp_path, prefect_harness
):
    folder = tmp_path / "case"
    copy_inbox(world, folder, late=False)
    copy_inbox(world, folder, late=True)
    config = configure(folder, pg_url)
    marker = tmp_path / "paused"
    run = start_paused("ingest-tx", config, marker, tmp_path / "prefect", api_url=api_url())
    terminate(pg_url, int(wait_paused(run, marker)))  # inside the second load batch's transaction
    marker.with_suffix(".go").touch()
    run.communicate(timeout=PAUSE_SECONDS)
    # the iJw step failed; the run went on with the other steps and ended with problems (issue 20)
    assert run.returncode == 0
    assert list(runs(pg_url).values()) == ["with_problems"]
    engine = make_engine(pg_url)
    with engine.connect() as conn:  # the first batch whole, nothing of the second
        loaded = conn.execute(
            select(func.sum(meta_source_file.c.rows_loaded)).where(meta_source_file.c.source == "ijw")
        ).scalar_one()
        staged = sum(conn.execute(select(func.count()).select_from(t)).scalar_one() for t in STAGING_TABLES.values())
        jgt = conn.execute(
            select(func.count()).select_from(meta_source_file).where(meta_source_file.c.source == "jgt")
        ).scalar_one()
        pending = conn.execute(select(func.count()).select_from(meta_mart_pending)).scalar_one()
    engine.dispose()
    assert 0 < staged == loaded < sum(reference["counts"][t.name] for t in STAGING_TABLES.values())
    assert jgt > 0, "the JGT step loaded after the iJw step failed"
    assert pending == 0, "the marts of what did load were built by the same run"

    run_monitor(config)
    after = state(pg_url)
    assert after["counts"] == reference["counts"]
    assert after["lines"] == reference["lines"]
    assert after["marts"] == reference["marts"]
