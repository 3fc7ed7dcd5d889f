"""Work spread over processes, results back in order, with a bounded number of items in flight: the workers go on
while this process writes what came back, and neither side piles up results in memory."""

from __future__ import annotations

import itertools
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from types import TracebackType
from typing import TypeVar

from jeugdmonitor.lifeline import die_with_parent

T = TypeVar("T")
R = TypeVar("R")


class OrderedPool:
    """`workers` spawned processes, started once and used for many `map` calls (a flow maps folder after folder:
    starting processes per call cost a second each). With workers <= 1 everything runs in this process."""

    def __init__(self, workers: int):
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> OrderedPool:
        if self.workers > 1:
            # spawn, not fork: the flow runs threads (Prefect), and forking a threaded process can deadlock.
            # A worker ends with this process, also when it is killed (lifeline.die_with_parent).
            self._pool = ProcessPoolExecutor(
                self.workers, mp_context=multiprocessing.get_context("spawn"), initializer=die_with_parent
            )
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=kind is not None)
            self._pool = None

    def map(self, function: Callable[[T], R], items: Iterable[T], ahead: int | None = None) -> Iterator[R]:
        """function(item) for every item, in the order of `items`, with at most `ahead` (default 2 × workers)
        submitted and not yet taken back. `items` is consumed lazily: it may be a generator that reads."""
        if self._pool is None:
            yield from map(function, items)
            return
        pool, pending = self._pool, iter(items)
        in_flight = deque(
            pool.submit(function, item) for item in itertools.islice(pending, max(1, ahead or self.workers * 2))
        )
        while in_flight:
            result = in_flight.popleft().result()
            for item in itertools.islice(pending, 1):  # the next item, if any
                in_flight.append(pool.submit(function, item))
            yield result


def ordered_map(function: Callable[[T], R], items: Iterable[T], workers: int, ahead: int | None = None) -> Iterator[R]:
    """OrderedPool(workers).map(...) for one call."""
    with OrderedPool(workers) as pool:
        yield from pool.map(function, items, ahead)
