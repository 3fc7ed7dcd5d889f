"""Crash safety in the warehouse, without a flow: the marts-pending marks, aborted runs, the lost PostgreSQL lock,
and `marts rebuild` under the lock. The same faults on a real run, killed: tests/flows/test_faults.py."""

from __future__ import annotations

import importlib
from datetime import date

import pytest
from jeugdmonitor.schemas.warehouse import meta_load_run, meta_mart_pending
from sqlalchemy import func, select, text
from typer.testing import CliRunner

from jeugdmonitor import marts, meta
from jeugdmonitor.cli import app
from jeugdmonitor.locking import LockLost, warehouse_lock
from jeugdmonitor.warehouse import make_engine, upgrade
from tests.ijw_builder import load_messages
from tests.test_marts import WORLD, settings, snapshot

# the module, not the function the package exports under the same name
build_module = importlib.import_module("jeugdmonitor.marts.build")


def marks(engine) -> dict[str, date]:
    with engine.connect() as conn:
        return marts.pending.pending(conn)


def test_a_load_marks_its_marts_pending_in_its_own_transaction_and_the_build_clears_them(
    warehouse, tmp_path, pseudonymise
):
    run_id = load_messages(warehouse, tmp_path / "inbox", pseudonymise, WORLD)
    assert (
        marks(warehouse)
        == marts.changed_scope(warehouse, run_id)
        == {"GM0546": date(2025, 1, 1), "GM0547": date(2025, 3, 1)}
    )
    marts.build(warehouse, settings(), marks(warehouse))
    assert marks(warehouse) == {}


def test_marts_a_crashed_build_left_are_rebuilt_from_the_marks(warehouse, tmp_path, pseudonymise, monkeypatch):
    load_messages(warehouse, tmp_path / "inbox", pseudonymise, WORLD)
    marts.build(warehouse, settings())
    full = snapshot(warehouse)
    with warehouse.begin() as conn:  # as if every mart row were lost, the marks still there
        for name in full:
            conn.execute(text(f"delete from {name}"))
        marts.pending.mark(conn, {"GM0546": date(2025, 1, 1), "GM0547": date(2025, 1, 1)}, None)

    original = build_module._replace

    def crash_at_the_second_gemeente(conn, spec, gemeente, *rest):
        if gemeente == "GM0547":
            raise KeyboardInterrupt("killed")
        return original(conn, spec, gemeente, *rest)

    monkeypatch.setattr(build_module, "_replace", crash_at_the_second_gemeente)
    with pytest.raises(KeyboardInterrupt):
        marts.build(warehouse, settings(), marks(warehouse))
    assert marks(warehouse) == {"GM0547": date(2025, 1, 1)}, "the first gemeente's mark went with its marts"
    monkeypatch.setattr(build_module, "_replace", original)

    # the next run loads nothing new: only the marks say what to rebuild
    marts.build(warehouse, settings(), marks(warehouse))
    assert marks(warehouse) == {}
    assert snapshot(warehouse) == full


def test_a_grown_window_is_marked_with_the_new_periods(warehouse, tmp_path, pseudonymise, monkeypatch):
    """A later month of one gemeente grows the window (dim_periode) for every gemeente: known only from the old
    window, the others are marked in the transaction that grows it, so a crash cannot lose them."""
    late = ("c/JW301_y2.xml", "c/JW305_y2.xml")  # Leiderdorp only, into April (the rest ends in March)
    load_messages(warehouse, tmp_path / "inbox", pseudonymise, {k: v for k, v in WORLD.items() if k[0] in "ab"})
    marts.build(warehouse, settings())
    load_messages(warehouse, tmp_path / "inbox", pseudonymise, {k: WORLD[k] for k in late})
    assert set(marks(warehouse)) == {"GM0547"}

    def killed(*args):
        raise KeyboardInterrupt("killed")

    monkeypatch.setattr(build_module, "_replace", killed)
    with pytest.raises(KeyboardInterrupt):
        marts.build(warehouse, settings(), marks(warehouse))
    assert set(marks(warehouse)) == {"GM0546", "GM0547"}


def test_runs_left_running_are_marked_aborted_by_the_next(warehouse):
    dead = meta.start_run(warehouse, "monitor")
    current = meta.start_run(warehouse, "monitor")
    assert meta.abort_stale_runs(warehouse, by_run=current) == [dead]
    with warehouse.connect() as conn:
        status = dict(conn.execute(select(meta_load_run.c.run_id, meta_load_run.c.status)).all())
    assert status == {dead: "aborted", current: "running"}


@pytest.mark.postgres
def test_a_lost_postgres_lock_refuses_the_next_transaction(pg_url):
    from tests.flows.test_faults import lock_holder, terminate

    engine = make_engine(pg_url)
    upgrade(engine)
    with warehouse_lock(engine):
        with engine.begin() as conn:
            marts.pending.mark(conn, {"GM0546": date(2025, 1, 1)}, None)
        terminate(pg_url, lock_holder(pg_url))
        with pytest.raises(LockLost, match="lost the warehouse lock"):
            with make_engine(pg_url).begin() as conn:
                marts.pending.clear(conn, "GM0546", None)
    # leaving the lock did not fail on the dead connection, and the refused transaction wrote nothing
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(meta_mart_pending)).scalar_one() == 1
    with warehouse_lock(engine):  # free again
        pass


def test_marts_rebuild_takes_the_warehouse_lock(tmp_path):
    url = f"sqlite:///{tmp_path / 'wh.sqlite'}"
    config = tmp_path / "jeugdmonitor.toml"
    config.write_text(
        f'[region]\nnaam = "T"\ngemeenten = ["GM0546"]\n[warehouse]\nurl = "{url}"\n[runs]\nwait_seconds = 0\n'
    )
    engine = make_engine(url)
    upgrade(engine)  # marts rebuild reads a warehouse that exists (it never creates one)
    with warehouse_lock(engine):  # another run is loading
        result = CliRunner().invoke(app, ["marts", "rebuild", "--config", str(config)])
    assert result.exit_code == 1
    assert "another jeugdmonitor run is loading this warehouse" in result.output
    result = CliRunner().invoke(app, ["marts", "rebuild", "--config", str(config)])
    assert result.exit_code == 0, result.output
