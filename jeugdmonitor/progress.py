"""Progress of the long steps (iJw and JGT ingest, the marts, `generate`): a line at a steady pace, not per file.

The core is pure: `line` turns counts and elapsed seconds into the text, and `Progress` decides when a line is due
by a clock it is given. A step makes a `Progress` with the place its lines go (the Prefect run logger in a flow,
std logging elsewhere) and counts into it as batches finish; the I/O modules take the reporter as a parameter and
never import Prefect. A terminal display (`terminal`) watches every reporter of the process while it is open and
draws a live bar; without a terminal only the lines are written.

Privacy: a line carries counts and the step's name, never a file name (a file name can carry a BSN).
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import TaskID

# Seconds between two progress lines of a step: often enough to see that a run is alive, rarely enough that a
# 13-minute national load writes about a hundred lines, not a line per batch.
EVERY_SECONDS = 10.0

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Status:
    """Where a step is: `done` of `total` (None: not known) in `unit`, and a second count (`counted`, e.g. rows)."""

    label: str
    done: int
    total: int | None
    counted: int
    elapsed: float  # seconds since the step started
    rate: float | None  # units per second lately (since the line before), None before any time has passed
    unit: str = "files"
    counted_unit: str = "rows"
    finished: bool = False
    stopped: bool = False  # finished by an error: the counts are how far it got


def rate(done: int, seconds: float) -> float | None:
    """Units per second; None when no time has passed (a rate is then meaningless, not infinite)."""
    return done / seconds if seconds > 0 else None


def eta(done: int, total: int | None, per_second: float | None) -> float | None:
    """Seconds left at `per_second`; None when the total or a positive rate is not known."""
    if total is None or not per_second or per_second <= 0:
        return None
    return max(total - done, 0) / per_second


def duration(seconds: float) -> str:
    """'45 s', '3 min 05 s', '2 h 07 min': rounded up to the second, so that 'left' is never '0 s' too early."""
    whole = math.ceil(max(seconds, 0))
    if whole < 60:
        return f"{whole} s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def _number(value: float) -> str:
    return f"{value:,.1f}" if value < 10 else f"{value:,.0f}"


def line(status: Status) -> str:
    """The text of a progress line, e.g. `iJw ingest: 41,200/89,539 files (46%), 1,320 files/s, 2,103,877 rows,
    31 s elapsed, about 37 s left`; the last line of a step says `done` with the average rate."""
    s = status
    count = f"{s.done:,}/{s.total:,} {s.unit}" if s.total is not None else f"{s.done:,} {s.unit}"
    if s.total and not s.finished:
        count += f" ({min(100, 100 * s.done // s.total)}%)"
    parts = [count]
    per_second = rate(s.done, s.elapsed) if s.finished else s.rate
    if per_second is not None:
        parts.append(f"{_number(per_second)} {s.unit}/s")
    if s.counted:
        parts.append(f"{s.counted:,} {s.counted_unit}")
    if s.finished:
        return f"{s.label} {'stopped' if s.stopped else 'done'}: {', '.join(parts)} in {duration(s.elapsed)}"
    parts.append(f"{duration(s.elapsed)} elapsed")
    left = eta(s.done, s.total, s.rate)
    if left is not None:
        parts.append(f"about {duration(left)} left")
    return f"{s.label}: {', '.join(parts)}"


Watcher = Callable[[Status], None]
_watchers: list[Watcher] = []
_watchers_lock = threading.Lock()


@contextmanager
def watching(watcher: Watcher) -> Iterator[None]:
    """Call `watcher` with the Status of every update of every reporter while the block runs (reporters run in the
    flow's task threads: the watcher must be thread-safe)."""
    with _watchers_lock:
        _watchers.append(watcher)
    try:
        yield
    finally:
        with _watchers_lock:
            _watchers.remove(watcher)


class Progress:
    """The reporter of one step. `add` counts (from any thread); a line goes to `emit` when `every` seconds have
    passed since the last one, and `finish` writes the closing line. `clock` is injectable for tests."""

    def __init__(
        self,
        label: str,
        *,
        total: int | None = None,
        unit: str = "files",
        counted_unit: str = "rows",
        emit: Callable[[str], None] | None = None,
        every: float = EVERY_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.label, self.unit, self.counted_unit = label, unit, counted_unit
        self.total = total
        self.done = self.counted = 0
        self._emit = emit or log.info
        self._every, self._clock = every, clock
        self._started = self._last_at = clock()
        self._last_done = 0
        self._rate: float | None = None
        self._finished = False
        self._lock = threading.Lock()

    def add(self, done: int = 0, counted: int = 0) -> None:
        """Count `done` more units and `counted` more of the second count; writes a line when one is due."""
        self._change(lambda: (self.done + done, self.counted + counted, self.total))

    def update(self, done: int | None = None, counted: int | None = None, total: int | None = None) -> None:
        """Set the counts (absolute: a step that reports how far it is); writes a line when one is due."""
        self._change(
            lambda: (
                self.done if done is None else done,
                self.counted if counted is None else counted,
                self.total if total is None else total,
            )
        )

    def _change(self, counts: Callable[[], tuple[int, int, int | None]]) -> None:
        with self._lock:
            self.done, self.counted, self.total = counts()
            now = self._clock()
            due = now - self._last_at >= self._every
            if due:
                self._rate = rate(self.done - self._last_done, now - self._last_at)
                self._last_at, self._last_done = now, self.done
            status = self._status(now)
        if due:
            self._emit(line(status))
        _notify(status)

    def finish(self, stopped: bool = False) -> None:
        """The closing line (once), whatever the pace: the step's counts, its time and its average rate; `stopped`
        when the step ended by an error."""
        with self._lock:
            if self._finished:
                return
            self._finished = True
            status = replace(self._status(self._clock()), stopped=stopped)
        _notify(status)  # first: a terminal display takes the step's bar away, and the closing line stays
        self._emit(line(status))

    def _status(self, now: float) -> Status:
        return Status(
            self.label,
            self.done,
            self.total,
            self.counted,
            now - self._started,
            self._rate,
            self.unit,
            self.counted_unit,
            self._finished,
        )

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        self.finish(stopped=kind is not None)


def _notify(status: Status) -> None:
    with _watchers_lock:
        watchers = list(_watchers)
    for watcher in watchers:
        watcher(status)


@contextmanager
def terminal(stream: IO[str]) -> Iterator[None]:
    """A live bar per step on `stream` while the block runs, when `stream` is a terminal; otherwise nothing (the
    progress lines are the record: cron, CI and log files get no control characters). Whatever else writes to
    `stream` meanwhile (the progress lines themselves, Prefect's log handlers) is written above the bar."""
    if not stream.isatty():
        yield
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
    from rich.progress import Progress as Bar

    bar = Bar(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[unit]}  {task.fields[counted]}"),
        TimeRemainingColumn(),
        console=Console(file=stream),
        transient=True,
        redirect_stdout=False,  # the summary on stdout is left alone
    )
    tasks: dict[str, TaskID] = {}
    lock = threading.Lock()

    def show(status: Status) -> None:
        with lock:
            if status.label not in tasks:
                tasks[status.label] = bar.add_task(status.label, total=status.total, unit=status.unit, counted="")
            if status.finished:
                bar.remove_task(tasks.pop(status.label))
                return
            counted = f"{status.counted:,} {status.counted_unit}" if status.counted else ""
            bar.update(tasks[status.label], completed=status.done, total=status.total, counted=counted, refresh=True)

    with bar, _above(bar.console, stream), watching(show):
        yield


@contextmanager
def _above(console: Console, stream: IO[str]) -> Iterator[None]:
    """Log handlers that write to `stream` (bound to it when logging was set up, so the live display's redirect of
    sys.stderr does not reach them) write through `console` meanwhile, above its live display."""
    from rich.file_proxy import FileProxy

    proxy = FileProxy(console, stream)
    handlers = [
        h
        for logger in [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]
        if isinstance(logger, logging.Logger)
        for h in logger.handlers
        if isinstance(h, logging.StreamHandler) and h.stream is stream
    ]
    swapped = [(h, h.setStream(proxy), getattr(h, "console", None)) for h in dict.fromkeys(handlers)]
    for _, _, own in swapped:  # Prefect's console handler prints through a rich Console of its own
        if own is not None:
            own.file = proxy
    try:
        yield
    finally:
        for handler, _, own in swapped:
            handler.setStream(stream)
            if own is not None:
                own.file = stream
