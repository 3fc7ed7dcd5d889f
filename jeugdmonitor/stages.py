"""Where a run spends its time: wall seconds and rows per pipeline stage.

Every flow run starts a fresh clock (`start`); the ingest, mart and alert code times its stages on the current
clock (`clock()`), and the run summary records the figures in meta_run_figure and the run's table artifact, so that
an operator sees which stage grew. The benchmark (bench/monitor.py) reads the same figures. A stage timed inside
another one (validate inside load) is not counted twice: its time is taken off the outer stage. Stages may run in
two threads at once (the iJw loader writes one batch while it gathers the next): nesting is kept per thread, and
the seconds of such stages add up to more than the wall time.

Work done elsewhere (iJw files parsed on a Dask cluster) is counted as the time this process waits for it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from time import perf_counter
from typing import TypeVar

STAGES = ("discover", "parse", "validate", "load", "cbs", "marts", "alerts")
T = TypeVar("T")


@dataclass
class StageClock:
    seconds: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STAGES, 0.0))
    rows: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STAGES, 0))
    current: str | None = None  # the stage entered last (a memory sampler attributes its readings to it)
    _threads: threading.local = field(default_factory=threading.local, repr=False, compare=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        outer = getattr(self._threads, "stage", None)  # this thread's enclosing stage
        self._threads.stage = self.current = name
        started = perf_counter()
        try:
            yield
        finally:
            elapsed = perf_counter() - started
            with self._lock:
                self.seconds[name] = self.seconds.get(name, 0.0) + elapsed
                if outer is not None:
                    self.seconds[outer] -= elapsed
            self._threads.stage = self.current = outer

    def count(self, name: str, rows: int) -> None:
        with self._lock:
            self.rows[name] = self.rows.get(name, 0) + rows

    def timed(self, name: str, items: Iterable[T]) -> Iterator[T]:
        """`items`, with the time spent producing each one counted as stage `name`."""
        iterator = iter(items)
        while True:
            with self.stage(name):
                try:
                    item = next(iterator)
                except StopIteration:
                    return
            yield item

    def figures(self) -> dict[str, dict[str, float]]:
        """{stage: {"seconds": s, "rows": n}} for the stages that ran, in pipeline order."""
        names = [s for s in STAGES if self.seconds.get(s) or self.rows.get(s)]
        names += [s for s in self.seconds if s not in STAGES]
        return {s: {"seconds": round(self.seconds.get(s, 0.0), 3), "rows": self.rows.get(s, 0)} for s in names}


_current = StageClock()


def start() -> StageClock:
    """A fresh clock for a new run; the stages of the run are timed on it."""
    global _current
    _current = StageClock()
    return _current


def clock() -> StageClock:
    return _current
