"""jeugdmonitor.parallel.one_ahead: the next item produced in the background while the caller works."""

import threading

import pytest

from jeugdmonitor.parallel import one_ahead


def test_one_ahead_produces_the_next_item_in_another_thread_while_the_caller_holds_this_one():
    produced: list[tuple[int, str]] = []
    second_ready = threading.Event()

    def items():
        for n in range(3):
            produced.append((n, threading.current_thread().name))
            if n == 1:
                second_ready.set()
            yield n

    taken = []
    for item in one_ahead(items()):
        if item == 0:  # item 1 is produced while the caller still works on item 0
            assert second_ready.wait(5)
        taken.append(item)
    assert taken == [0, 1, 2]
    assert all(name.startswith("one-ahead") for _, name in produced)


def test_one_ahead_raises_an_error_of_the_producer_in_turn_after_the_items_before_it():
    def items():
        yield "a"
        raise RuntimeError("listing failed (injected)")

    taken = []
    with pytest.raises(RuntimeError, match="injected"):
        for item in one_ahead(items()):
            taken.append(item)
    assert taken == ["a"]

