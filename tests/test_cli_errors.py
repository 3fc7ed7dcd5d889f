"""Every expected error of the command line is one clear line and a non-zero exit code, never a traceback
(jeugdmonitor.errors); `--debug` shows the traceback."""

import fcntl
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from jeugdmonitor.schemas.warehouse import meta_load_run
from sqlalchemy import func, select
from typer.testing import CliRunner

from jeugdmonitor import meta
from jeugdmonitor.cli import app
from jeugdmonitor.locking import warehouse_lock
from jeugdmonitor.pseudonym import Pseudonymiser
from jeugdmonitor.warehouse import NoWarehouse, make_engine, upgrade

runner = CliRunner()
KEY_A = bytes(range(32))
KEY_B = bytes(range(1, 33))


def config_file(folder: Path, url: str | None = None, extra: str = "") -> Path:
    """A region of one gemeente with both inboxes, an owner-only key file of its own, and `url` as warehouse."""
    url = url or f"sqlite:///{folder / 'wh.sqlite'}"
    for inbox in ("ijw", "jgt"):
        (folder / "inbox" / inbox).mkdir(parents=True, exist_ok=True)
    path = folder / "jeugdmonitor.toml"
    path.write_text(
        f'[region]\nnaam = "T"\ngemeenten = ["GM0546", "GM0547"]\n[warehouse]\nurl = "{url}"\n'
        '[paths]\nijw_inbox = "inbox/ijw"\njgt_inbox = "inbox/jgt"\n'
        f'[privacy]\nkey_file = "k.key"\n[runs]\nwait_seconds = 0\n{extra}'
    )
    return path


def key_file(folder: Path, key: bytes) -> None:
    (folder / "k.key").write_text(key.hex())


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the block ends: nothing listens there


def one_line_error(result, exit_code: int) -> str:
    assert result.exit_code == exit_code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    assert "Traceback" not in result.output
    return lines[0]


def test_an_unreachable_database_is_one_line_naming_the_host_but_not_the_password(tmp_path):
    url = f"postgresql+psycopg://monitor:geheim@127.0.0.1:{closed_port()}/wh"
    config = config_file(tmp_path, url)
    key_file(tmp_path, KEY_A)
    for command in (["quarantine"], ["run"], ["alerts", "preview"], ["marts", "rebuild"]):
        line = one_line_error(runner.invoke(app, [*command, "--config", str(config)]), 1)
        assert "cannot use the warehouse database" in line and "127.0.0.1" in line, line
        assert "monitor:***@" in line and "geheim" not in line, line


def test_a_database_url_that_is_not_one_is_one_line(tmp_path):
    config = config_file(tmp_path, "postgres://monitor@db/wh")
    line = one_line_error(runner.invoke(app, ["quarantine", "--config", str(config)]), 2)
    assert "warehouse.url is not a usable database URL" in line


def test_a_busy_warehouse_is_one_line(tmp_path):
    config = config_file(tmp_path)
    engine = make_engine(f"sqlite:///{tmp_path / 'wh.sqlite'}")
    upgrade(engine)
    with warehouse_lock(engine):
        line = one_line_error(runner.invoke(app, ["marts", "rebuild", "--config", str(config)]), 1)
    assert "another jeugdmonitor run is loading this warehouse" in line


def test_a_run_on_a_busy_warehouse_logs_no_traceback(tmp_path):
    """The flow fails inside Prefect, which logs the exception with its traceback: not for an expected one."""
    config = config_file(tmp_path)
    key_file(tmp_path, KEY_A)
    upgrade(make_engine(f"sqlite:///{tmp_path / 'wh.sqlite'}"))
    with open(tmp_path / "wh.sqlite.lock", "a") as lock:  # what warehouse_lock holds, from this process
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = subprocess.run(
            [sys.executable, "-c", "from jeugdmonitor.cli import app; app()", "run", "--config", str(config)],
            capture_output=True,
            text=True,
            env={k: v for k, v in os.environ.items() if k not in ("PREFECT_API_URL", "JEUGDMONITOR_DEBUG")},
            timeout=300,
        )
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "Traceback" not in output, output
    assert "error: another jeugdmonitor run is loading this warehouse" in done.stderr


def test_a_missing_key_is_one_line(tmp_path, monkeypatch):
    monkeypatch.delenv("JEUGDMONITOR_PSEUDONYM_KEY", raising=False)
    config = config_file(tmp_path)
    line = one_line_error(runner.invoke(app, ["run", "--config", str(config)]), 2)
    assert "no pseudonymisation key" in line
    assert not (tmp_path / "wh.sqlite").exists()


def test_a_run_with_another_key_than_the_warehouses_is_refused_before_anything_is_written(tmp_path):
    url = f"sqlite:///{tmp_path / 'wh.sqlite'}"
    engine = make_engine(url)
    upgrade(engine)
    meta.start_run(engine, "monitor", key_id=Pseudonymiser(KEY_A).key_id)
    config = config_file(tmp_path, url)
    key_file(tmp_path, KEY_B)
    line = one_line_error(runner.invoke(app, ["run", "--config", str(config)]), 2)
    assert "is not this warehouse's key" in line and "docs/privacy.md" in line
    assert Pseudonymiser(KEY_A).key_id in line and KEY_B.hex() not in line
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(meta_load_run)).scalar_one() == 1


@pytest.mark.parametrize("command", [["quarantine"], ["alerts", "preview"], ["marts", "rebuild"]])
def test_reading_a_warehouse_that_does_not_exist_is_one_line_and_creates_nothing(tmp_path, command):
    config = config_file(tmp_path)
    line = one_line_error(runner.invoke(app, [*command, "--config", str(config)]), 2)
    assert "no warehouse yet" in line and "jeugdmonitor run" in line
    assert not (tmp_path / "wh.sqlite").exists()


def test_debug_shows_the_traceback(tmp_path):
    config = config_file(tmp_path)
    result = runner.invoke(app, ["--debug", "quarantine", "--config", str(config)])
    assert isinstance(result.exception, NoWarehouse)  # raised on: typer prints it with its traceback
    result = runner.invoke(app, ["quarantine", "--config", str(config)], env={"JEUGDMONITOR_DEBUG": "1"})
    assert isinstance(result.exception, NoWarehouse)


def test_a_bad_configuration_is_one_line_per_wrong_key(tmp_path):
    config = config_file(tmp_path)
    config.write_text(config.read_text().replace('"GM0547"', '"leiden"'))
    result = runner.invoke(
        app, ["config", "--config", str(config)], env={"JEUGDMONITOR__WAREHOUSE__BATCH_SIZE": "veel"}
    )
    assert result.exit_code == 2 and "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert lines[0].startswith("error: ") and "not a valid configuration" in lines[0]
    assert lines[1:] == [
        "  region.gemeenten[1]: gemeentecode 'leiden' is not GM + 4 digits",
        "  warehouse.batch_size: Input should be a valid integer, unable to parse string as an integer"
        " (from $JEUGDMONITOR__WAREHOUSE__BATCH_SIZE)",
    ]


@pytest.mark.parametrize(
    "arguments, expected",
    [
        (["--gemeente", "GM9999"], "--gemeente GM9999: not a gemeente of the synthetic region holland-rijnland"),
        (["--gemeente", "leiden"], "gemeentecode 'leiden' is not GM + 4 digits"),
        (["--start", "2025-13"], "--start '2025-13' is not a month as YYYY-MM"),
        (["--region", "utrecht"], "--region 'utrecht' is not a synthetic region"),
    ],
)
def test_generate_refuses_an_unknown_gemeente_or_a_bad_month_in_one_line(tmp_path, arguments, expected):
    line = one_line_error(runner.invoke(app, ["generate", "--out", str(tmp_path / "out"), *arguments]), 2)
    assert expected in line
    assert not (tmp_path / "out").exists()


def test_a_missing_inbox_is_one_line_with_its_path(tmp_path):
    config = config_file(tmp_path)
    key_file(tmp_path, KEY_A)
    (tmp_path / "inbox" / "jgt").rmdir()
    line = one_line_error(runner.invoke(app, ["run", "--config", str(config)]), 2)
    assert str(tmp_path / "inbox" / "jgt") in line and "paths.jgt_inbox" in line
    assert not (tmp_path / "wh.sqlite").exists()


def test_a_reader_of_a_gemeente_outside_the_region_is_refused(tmp_path):
    config = config_file(tmp_path)
    line = one_line_error(runner.invoke(app, ["db", "lezer", "r", "--gemeente", "GM9999", "--config", str(config)]), 2)
    assert "GM9999" in line and "region.gemeenten" in line


def test_run_logs_keep_the_line_of_an_expected_error_and_its_traceback_only_with_debug(tmp_path, caplog):
    import logging

    from jeugdmonitor.locking import WarehouseBusy

    def logged(exc: Exception) -> logging.LogRecord:
        caplog.clear()
        try:
            raise exc
        except Exception:
            logging.getLogger("prefect.flow_runs").error("Encountered exception during execution", exc_info=True)
        return caplog.records[-1]

    config = config_file(tmp_path)
    runner.invoke(app, ["config", "--config", str(config)])
    assert logged(WarehouseBusy("busy")).exc_info is None
    assert logged(ValueError("a bug")).exc_info is not None
    runner.invoke(app, ["--debug", "config", "--config", str(config)])
    assert logged(WarehouseBusy("busy")).exc_info is not None


@pytest.mark.postgres
def test_a_privilege_the_warehouse_user_lacks_is_one_line(tmp_path, pg_url):
    # `db lezer` as a loader role without CREATEROLE: what a DBA meets when following docs/production.md
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    upgrade(make_engine(pg_url))
    role = f"jm_loader_{uuid.uuid4().hex[:8]}"
    schema = pg_url.rsplit("%3D", 1)[1]
    admin = create_engine(pg_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE ROLE "{role}" LOGIN'))
        conn.execute(text(f'GRANT USAGE ON SCHEMA "{schema}" TO "{role}"'))
        conn.execute(text(f'GRANT SELECT ON ALL TABLES IN SCHEMA "{schema}" TO "{role}"'))
    try:
        url = make_url(pg_url).set(username=role).render_as_string(hide_password=False)
        result = runner.invoke(
            app, ["db", "lezer", "lezer_x", "--gemeente", "GM0546", "-c", str(config_file(tmp_path, url))]
        )
        line = one_line_error(result, 2)
        assert "permission denied to create role" in line and "lacks this privilege" in line
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP OWNED BY "{role}"'))
            conn.execute(text(f'DROP ROLE "{role}"'))
        admin.dispose()
