"""One run per warehouse: a second run waits, or stops with a clear message; SQLite (file lock) and PostgreSQL
(advisory lock), each holder in its own process as in production."""

from __future__ import annotations

import multiprocessing
import time

import pytest

from jeugdmonitor.locking import WarehouseBusy, warehouse_lock
from jeugdmonitor.warehouse import make_engine


def hold(url: str, seconds: float, ready) -> None:
    engine = make_engine(url)
    with warehouse_lock(engine):
        ready.set()
        time.sleep(seconds)


@pytest.fixture
def holder(warehouse_url):
    """Start a process that holds the warehouse for `seconds`; returns once it holds it."""
    context = multiprocessing.get_context("spawn")
    processes = []

    def start(seconds: float):
        ready = context.Event()
        process = context.Process(target=hold, args=(warehouse_url, seconds, ready))
        process.start()
        assert ready.wait(30), "the holder did not get the lock"
        processes.append(process)
        return process

    yield start
    for process in processes:
        process.join(30)


def test_a_second_run_stops_with_a_clear_message(warehouse_url, holder):
    holder(3)
    started = time.monotonic()
    with pytest.raises(WarehouseBusy, match="another jeugdmonitor run is loading this warehouse"):
        with warehouse_lock(make_engine(warehouse_url), wait=0.5):
            pytest.fail("got the lock while another run held it")
    assert time.monotonic() - started < 3


def test_a_second_run_waits_for_the_first(warehouse_url, holder):
    process = holder(1.5)
    started = time.monotonic()
    with warehouse_lock(make_engine(warehouse_url), wait=20):
        waited = time.monotonic() - started
    assert waited > 0.8, "the lock was taken while the first run still held it"
    process.join(10)
    assert process.exitcode == 0


def test_the_lock_is_released_when_the_holder_dies(warehouse_url):
    context = multiprocessing.get_context("spawn")
    ready = context.Event()
    process = context.Process(target=hold, args=(warehouse_url, 60, ready))
    process.start()
    assert ready.wait(30)
    process.kill()  # a crash: no finally, no unlock
    process.join(10)
    with warehouse_lock(make_engine(warehouse_url), wait=5):
        pass


def test_two_warehouses_do_not_block_each_other(tmp_path):
    first, second = (make_engine(f"sqlite:///{tmp_path / name}") for name in ("a.sqlite", "b.sqlite"))
    with warehouse_lock(first), warehouse_lock(second):
        pass
