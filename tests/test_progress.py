"""Progress of the long steps: the line's text from counts and a clock, its pace, the ingest's counts, and the
terminal display only on a terminal. No sleeping: every clock here is a fake one."""

from __future__ import annotations

import io
import os
import re
from itertools import count

import pytest
from typer.testing import CliRunner

from jeugdmonitor import meta, progress
from jeugdmonitor.cli import app
from jeugdmonitor.discovery import _inbox_files, count_files
from jeugdmonitor.ijw.ingest import IjwOptions, ingest_inbox
from jeugdmonitor.jgt import ingest as ingest_jgt
from jeugdmonitor.progress import Progress, Status, duration, eta, line, rate
from tests.ijw_builder import jw301
from tests.jgt_builder import bsn_for_test

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # anything but tab and newline: escapes, \r, backspace


class FakeClock:
    """Seconds that advance by `step` at every reading."""

    def __init__(self, step: float) -> None:
        self.now, self.step = 0.0, step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def test_rate_and_eta_need_time_and_a_total():
    assert rate(100, 4.0) == 25.0
    assert rate(100, 0.0) is None
    assert eta(40, 100, 20.0) == 3.0
    assert eta(40, None, 20.0) is None and eta(40, 100, None) is None and eta(40, 100, 0.0) is None
    assert eta(120, 100, 5.0) == 0.0  # more than the total (a file added meanwhile): nothing left, never negative


def test_durations_read_as_seconds_minutes_and_hours_rounded_up():
    assert [duration(s) for s in (0, 0.2, 59.1, 65, 3599, 7620)] == [
        "0 s",
        "1 s",
        "1 min 00 s",
        "1 min 05 s",
        "59 min 59 s",
        "2 h 07 min",
    ]


def test_the_line_says_how_far_how_fast_and_how_long_yet():
    status = Status("iJw ingest", 41_200, 89_539, 2_103_877, elapsed=31.0, rate=1_320.0)
    assert line(status) == (
        "iJw ingest: 41,200/89,539 files (46%), 1,320 files/s, 2,103,877 rows, 31 s elapsed, about 37 s left"
    )
    unknown = Status("marts", 3, None, 0, elapsed=12.0, rate=0.3, unit="gemeenten")
    assert line(unknown) == "marts: 3 gemeenten, 0.3 gemeenten/s, 12 s elapsed"
    done = Status("JGT ingest", 120, 120, 6_000, elapsed=30.0, rate=1.0, finished=True)
    assert line(done) == "JGT ingest done: 120/120 files, 4.0 files/s, 6,000 rows in 30 s"
    stopped = Status("JGT ingest", 60, 120, 0, elapsed=30.0, rate=1.0, finished=True, stopped=True)
    assert line(stopped) == "JGT ingest stopped: 60/120 files, 2.0 files/s in 30 s"


def test_a_line_is_written_when_its_interval_has_passed_not_per_update():
    lines: list[str] = []
    reporter = Progress("iJw ingest", total=100, emit=lines.append, every=10.0, clock=FakeClock(3.0))
    for _ in range(10):  # the clock is read once at the start and once per update: at 6, 9, 12, ... 33 s
        reporter.add(10, 100)
    reporter.finish()
    reporter.finish()  # once only
    assert lines == [
        # at 15 s: 40 files in the 12 s since the start, 60 to go at that rate
        "iJw ingest: 40/100 files (40%), 3.3 files/s, 400 rows, 12 s elapsed, about 18 s left",
        # at 27 s: 40 files in the 12 s since the line before
        "iJw ingest: 80/100 files (80%), 3.3 files/s, 800 rows, 24 s elapsed, about 6 s left",
        "iJw ingest done: 100/100 files, 3.0 files/s, 1,000 rows in 33 s",
    ]


def test_a_step_that_fails_ends_with_a_stopped_line():
    lines: list[str] = []
    with pytest.raises(RuntimeError), Progress("marts", unit="gemeenten", emit=lines.append, clock=FakeClock(1)) as p:
        p.update(done=2, total=5)
        raise RuntimeError
    assert lines == ["marts stopped: 2/5 gemeenten, 1.0 gemeenten/s in 2 s"]


def test_watchers_see_every_update_and_the_end():
    seen: list[Status] = []
    reporter = Progress("JGT ingest", total=3, emit=lambda _: None, every=1e9, clock=FakeClock(1))
    with progress.watching(seen.append):
        reporter.add(1)
        reporter.add(2, 10)
        reporter.finish()
    reporter.add(1)  # after the block: no longer watched
    assert [(s.done, s.counted, s.finished) for s in seen] == [(1, 0, False), (3, 10, False), (3, 10, True)]


def test_count_files_counts_what_discovery_lists_without_a_stat(tmp_path):
    inbox = tmp_path / "inbox"
    (inbox / "2025-01" / "sub").mkdir(parents=True)
    (inbox / ".hidden").mkdir()
    for name in ("2025-01/a.xml", "2025-01/sub/b.XML", "2025-01/c.txt", "d.xml", ".e.xml", ".hidden/f.xml"):
        (inbox / name).write_bytes(b"<x/>")
    os.symlink(inbox / "d.xml", inbox / "2025-01" / "link.txt")  # refused, so listed whatever its name
    os.mkfifo(inbox / "pipe.xml")  # refused unread, listed
    assert count_files(inbox, (".xml",)) == len(list(_inbox_files(inbox, (".xml",)))) == 5
    assert count_files(tmp_path / "missing", (".xml",)) == 0


def _jw301_files(inbox, how_many: int) -> list[str]:
    """`how_many` one-client JW301 messages, each file named after its client's BSN (as some senders do)."""
    bsns = [bsn_for_test(n) for n in range(how_many)]
    for n, bsn in enumerate(bsns):
        product = {"nummer": 100 + n, "datum": "2025-03-01", "ingang": "2025-03-01"}
        folder = inbox / f"2025-0{1 + n % 2}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"JW301_0546_12345678_{bsn}.xml").write_bytes(jw301(f"T{n}", "2025-03-01", bsn, [product]))
    return bsns


def test_ijw_ingest_reports_files_and_rows_at_a_pace_and_a_closing_line(warehouse, tmp_path, pseudonymise):
    inbox = tmp_path / "ijw"
    bsns = _jw301_files(inbox, 7)
    lines: list[str] = []
    run_id = meta.start_run(warehouse, "test")
    total = count_files(inbox, (".xml",))
    with Progress("iJw ingest", total=total, emit=lines.append, every=1.0, clock=count().__next__) as reporter:
        tally = ingest_inbox(warehouse, inbox, run_id, pseudonymise, IjwOptions(files_per_batch=2), reporter)
    assert tally.files["loaded"] == 7
    done = [int(m.group(1)) for m in map(re.compile(r"^iJw ingest: (\d+)/7 files").match, lines[:-1]) if m]
    assert len(done) == len(lines) - 1 >= 3  # a line at every batch: the fake clock passes a second per reading
    assert done == sorted(done) and done[-1] == 7
    assert lines[-1].startswith("iJw ingest done: 7/7 files") and ", 7 rows in " in lines[-1]
    assert not any(bsn in text for bsn in bsns for text in lines)  # counts only, never a file name

    again: list[str] = []  # a second run: every file seen before, and counted as done
    with Progress("iJw ingest", total=total, emit=again.append, every=1.0, clock=count().__next__) as reporter:
        ingest_inbox(warehouse, inbox, meta.start_run(warehouse, "test"), pseudonymise, progress=reporter)
    assert again[-1].startswith("iJw ingest done: 7/7 files")


def test_jgt_load_counts_every_batch(warehouse, tmp_path, pseudonymise):
    from jeugdmonitor.discovery import discover
    from jeugdmonitor.synthetic import generate

    root = tmp_path / "world"
    generate(root, gemeenten=["GM0484"], start="2025-01", months=2, scale=0.05)
    lines: list[str] = []
    new, _ = discover(root / "jgt", ingest_jgt.SUFFIXES, set())
    options = ingest_jgt.JgtOptions(batch_rows=1)  # a batch per file
    run_id = meta.start_run(warehouse, "test")
    with Progress("JGT ingest", total=len(new), emit=lines.append, every=1.0, clock=count().__next__) as reporter:
        results = ingest_jgt.load_files(warehouse, run_id, new, pseudonymise, options, reporter)
    rows = sum(r.rows_read for r in results)
    done = [int(m.group(1)) for m in map(re.compile(rf"^JGT ingest: (\d+)/{len(new)} files").match, lines[:-1]) if m]
    assert len(done) == len(lines) - 1 >= 2  # the fake clock passes a second per reading: a line per batch
    assert done == sorted(done) and done[-1] == len(new)
    assert lines[-1].startswith(f"JGT ingest done: {len(new)}/{len(new)} files") and f"{rows:,} rows" in lines[-1]


def test_generate_on_a_pipe_writes_progress_lines_without_control_characters(tmp_path):
    result = CliRunner().invoke(
        app, ["generate", "--out", str(tmp_path / "gen"), "--gemeente", "GM0484", "--months", "1", "--scale", "0.05"]
    )
    assert result.exit_code == 0, result.output
    assert re.search(r"^  generate done: 1/1 gemeenten, (.*, )?[\d,]+ files in \d+ s$", result.stderr, re.M)
    assert not CONTROL.search(result.stderr) and not CONTROL.search(result.stdout)
    assert "Written to" in result.stdout


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_terminal_display_draws_a_bar_on_a_terminal_and_nothing_elsewhere():
    plain, tty = io.StringIO(), Tty()
    for stream in (plain, tty):
        with progress.terminal(stream):
            reporter = Progress("iJw ingest", total=4, emit=lambda _: None, clock=FakeClock(1))
            reporter.add(2, 50)
            reporter.add(2, 50)
            reporter.finish()
    assert plain.getvalue() == ""
    assert "iJw ingest" in tty.getvalue() and "4/4" in tty.getvalue()


def test_on_a_terminal_log_lines_of_a_handler_on_the_stream_go_above_the_bar():
    import logging

    tty = Tty()
    handler = logging.StreamHandler(tty)
    logger = logging.getLogger("tests.progress.above")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        with progress.terminal(tty):
            assert handler.stream is not tty  # through the display's console meanwhile
            logger.info("a log line")
        assert handler.stream is tty
    finally:
        logger.removeHandler(handler)
    assert "a log line" in tty.getvalue()


@pytest.fixture(autouse=True)
def _no_leftover_watchers():
    yield
    assert progress._watchers == []
