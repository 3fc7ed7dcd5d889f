"""The stage clock: wall time and rows per pipeline stage, nested stages counted once."""

import time

from jeugdmonitor import stages
from jeugdmonitor.stages import StageClock


def test_a_nested_stage_is_taken_off_the_outer_one():
    clock = StageClock()
    with clock.stage("load"):
        time.sleep(0.02)
        with clock.stage("validate"):
            time.sleep(0.05)
    assert 0.045 <= clock.seconds["validate"] < 0.2
    assert 0.015 <= clock.seconds["load"] < 0.045  # without the 0.05 s of validate
    assert clock.current is None


def test_timed_counts_the_time_spent_producing_items_not_the_time_spent_using_them():
    clock = StageClock()

    def slow_items():
        for i in range(3):
            time.sleep(0.02)
            yield i

    seen = []
    for item in clock.timed("parse", slow_items()):
        with clock.stage("load"):
            time.sleep(0.01)
        seen.append(item)
    assert seen == [0, 1, 2]
    assert 0.055 <= clock.seconds["parse"] < 0.1
    assert 0.025 <= clock.seconds["load"] < 0.06


def test_figures_list_the_stages_that_ran_in_pipeline_order():
    clock = StageClock()
    with clock.stage("marts"):
        pass
    clock.count("discover", 12)
    clock.count("marts", 3)
    assert list(clock.figures()) == ["discover", "marts"]
    assert clock.figures()["discover"] == {"seconds": 0.0, "rows": 12}


def test_a_run_starts_a_fresh_clock():
    stages.clock().count("parse", 5)
    fresh = stages.start()
    assert stages.clock() is fresh and fresh.rows["parse"] == 0


def test_stages_in_two_threads_at_once_do_not_nest():
    """The iJw loader writes a batch in a thread while the main thread waits for the next: the writer's stage is
    not taken off the main thread's."""
    import threading

    clock = StageClock()
    entered = threading.Event()

    def writer():
        with clock.stage("load"):
            entered.set()
            time.sleep(0.05)

    with clock.stage("parse"):
        thread = threading.Thread(target=writer)
        thread.start()
        entered.wait()
        time.sleep(0.1)
        thread.join()
    assert 0.1 <= clock.seconds["parse"] < 0.2  # with one shared nesting it lost the writer's 0.05 s
    assert 0.045 <= clock.seconds["load"] < 0.1
    assert clock.current is None
