"""Loading iJw files: parse each file on its own, then load a batch of files in one transaction.

A file loads whole or not at all: it is parsed completely (streaming, rows held per file; the standard caps a
file at 25 MB) before anything is written, and a batch of files commits together, so a crash leaves none of the
batch behind and the next run loads it again. Batching matters because most iJw messages hold one client: a
transaction per file would cost more than the parsing.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path

from sqlalchemy import Connection, Engine

from jeugdmonitor import bulk, meta, stages
from jeugdmonitor.discovery import Delivery, read_file
from jeugdmonitor.ijw.rules import apply_jw323_rules
from jeugdmonitor.inbox import discover_new, refused_before
from jeugdmonitor.loading import ParsedFile, batches, file_record, file_result
from jeugdmonitor.marts import pending
from jeugdmonitor.parallel import OrderedPool
from jeugdmonitor.progress import Progress
from jeugdmonitor.schemas.warehouse import STAGING_TABLES, meta_quarantine, meta_source_file
from jeugdmonitor.transforms.ijw import xsd
from jeugdmonitor.transforms.ijw.message import sniff_message
from jeugdmonitor.transforms.ijw.records import as_tuples, parse_message
from jeugdmonitor.transforms.ijw.specs import SPECS
from jeugdmonitor.transforms.reasons import FileRejected, Rejection, rejection, unexpected

# Message types with a spec and a staging table; others (retour messages, JW317/319/325) are left in the inbox
# with status pending until they have one, so that adding it later picks them up instead of finding them done.
LOADABLE = frozenset(SPECS) & frozenset(STAGING_TABLES)
# Load order within a run: a toewijzing's JW315 before its JW301, the JW301 before starts, stops and declaraties.
MESSAGE_ORDER = {"JW315": 0, "JW301": 1, "JW305": 2, "JW307": 3, "JW323": 4}


# The iJw standard caps a message at 25 MB; bigger files are refused before they are read.
MAX_FILE_BYTES = 25 * 1024 * 1024


@dataclass(frozen=True)
class IjwOptions:
    xsd_dir: Path | None = None  # validate every file against these XSDs first
    chunk_size: int = 5000  # parser chunk; load batches hold about ten of these
    productcodes: frozenset[str] | None = None  # the gemeente's productcode table; None: not checked
    workers: int = 1  # parse in this many processes
    files_per_chunk: int = 200  # files a worker parses per task
    files_per_batch: int = 10_000  # at most this many files load in one transaction (and rows: chunk_size × 10)


def parse_file(
    delivery: Delivery, pseudonymise: Callable[[str], str], options: IjwOptions = IjwOptions()
) -> ParsedFile:
    """Read one delivered file completely; never raises, the outcome says what happened: bad input is refused with
    its reason, and any other failure of this one file (a bug, a file that vanished) refuses it with the type of
    the error only (a message can quote the file), so that the rest of the inbox loads. A delivery that discovery
    did not hash (sha256 None) comes back with the sha256 of the bytes that were parsed."""
    try:
        return _parse_file(delivery, pseudonymise, options)
    except Exception as exc:  # noqa: BLE001 - whatever goes wrong with one file is that file's failure
        return ParsedFile(delivery.identified(), None, refused=unexpected(exc))


def _parse_file(delivery: Delivery, pseudonymise: Callable[[str], str], options: IjwOptions) -> ParsedFile:
    if delivery.refused:
        return ParsedFile(delivery.identified(), None, refused=rejection(delivery.refused))
    if delivery.size > MAX_FILE_BYTES:  # refused unread, whatever it holds
        refused = FileRejected("file_too_large", f"{delivery.size / 1024 / 1024:.1f} MB").rejection
        return ParsedFile(delivery.identified(), None, refused=refused)
    # One read per file, for the hash, the sniff and the parse: most messages are a few kB, so a second open and
    # read cost more than holding the bytes (at most 25 MB: the cap counts the bytes read, not the stat size).
    try:
        data = read_file(delivery.location, MAX_FILE_BYTES, delivery.size)
    except FileRejected as rejected:  # swapped for a symlink or a FIFO since discovery
        return ParsedFile(delivery.identified(), None, refused=rejected.rejection)
    if data is None:
        refused = FileRejected("file_too_large", f"meer dan {MAX_FILE_BYTES // 1024 // 1024} MB gelezen").rejection
        return ParsedFile(delivery.identified(), None, refused=refused)
    if delivery.sha256 is None:
        delivery = delivery.hashed(hashlib.sha256(data).hexdigest())
    stream = io.BytesIO(data)
    kind = None
    try:
        kind = sniff_message(stream)
        if kind.code not in LOADABLE:
            return ParsedFile(delivery, kind.code, pending=True)
        parsed = ParsedFile(delivery, kind.code)
        schema = xsd.load_schema(options.xsd_dir, kind.code) if options.xsd_dir else None
        stream.seek(0)
        if schema is not None:
            xsd.validate(stream, schema)
            stream.seek(0)
        spec = SPECS[kind.code]
        for chunk in parse_message(stream, spec, pseudonymise, options.chunk_size):
            parsed.rows.extend(as_tuples(chunk.rows, spec))
            parsed.rejections.extend(chunk.rejections)
    except FileRejected as rejected:
        return ParsedFile(delivery, kind.code if kind else None, refused=rejected.rejection)
    except Exception as exc:  # noqa: BLE001 - as in parse_file, but the bytes were read: keep their sha256
        return ParsedFile(delivery, kind.code if kind else None, refused=unexpected(exc))
    return parsed


def load_batch(
    engine: Engine, run_id: str, batch: list[ParsedFile], productcodes: frozenset[str] | None = None
) -> list[meta.FileResult]:
    """Judge and write a batch of parsed files in one transaction; returns one FileResult per file. A file whose
    bytes are recorded already, or came earlier in the batch, is skipped: it was new by its stamp, and its hash
    was only taken when it was parsed (parse_file)."""
    clock = stages.clock()
    with clock.stage("load"), engine.begin() as conn:
        repeats = _repeats(conn, batch)
        refused = meta.refused_hashes(conn, "ijw", among=[p.sha256 for p in batch if id(p) in repeats])
        fresh = [p for p in batch if id(p) not in repeats]
        declaraties = [p for p in fresh if p.message_type == "JW323" and p.refused is None and p.rows]
        with clock.stage("validate"):
            warnings = apply_jw323_rules(conn, declaraties, _toewijzingen(fresh), productcodes) if declaraties else []
        clock.count("validate", sum(len(p.rows) for p in declaraties))
        results = [file_result(p) for p in fresh]
        recorded = [(p, r) for p, r in zip(fresh, results, strict=True) if not p.pending]
        ids = meta.record_files(conn, run_id, [file_record(p, r, "ijw") for p, r in recorded])
        file_ids = {id(p): file_id for (p, _), file_id in zip(recorded, ids, strict=True)}
        by_table: dict[str, list[tuple]] = {}
        quarantine: list[tuple[int, Rejection]] = []
        for parsed, _ in recorded:
            file_id = file_ids[id(parsed)]
            if parsed.refused is not None:
                quarantine.append((file_id, parsed.refused))
                continue
            message_type = parsed.message_type
            assert message_type is not None, "a file read and not refused has its message type"
            staged = _staged(message_type)
            by_table.setdefault(message_type, []).extend((file_id, *staged(row)) for row in parsed.rows)
            quarantine.extend((file_id, r) for r in parsed.rejections)
        for message_type, values in by_table.items():
            clock.count(
                "load", bulk.write_tuples(conn, STAGING_TABLES[message_type], _staging_columns(message_type), values)
            )
        meta.record_quarantine(conn, run_id, quarantine)
        meta.record_validation(conn, run_id, [(file_ids[id(declaraties[w.file_index])], w) for w in warnings])
        pending.mark_files(conn, run_id, ids)  # with the facts: a crash before the marts leaves the mark
    result_of = {id(parsed): result for parsed, result in zip(fresh, results, strict=True)}
    for w in warnings:
        result_of[id(declaraties[w.file_index])].warnings[w.finding.reason_code] = w.rows_unexpected
    return [
        meta.FileResult(p.delivery.relative, "refused_before" if p.sha256 in refused else "skipped", p.message_type)
        for p in batch
        if id(p) in repeats
    ] + results


def _repeats(conn: Connection, batch: list[ParsedFile]) -> set[int]:
    """id() of the files of `batch` whose sha256 meta has recorded, or that repeat a file earlier in the batch
    (files without a loader are never recorded, so they are left alone)."""
    recorded = meta.recorded_hashes(conn, (p.sha256 for p in batch if not p.pending))
    repeats: set[int] = set()
    seen: set[str] = set()
    for parsed in (p for p in batch if not p.pending):
        digest = parsed.sha256
        if digest in recorded or digest in seen:
            repeats.add(id(parsed))
        seen.add(digest)
    return repeats


@cache
def _staging_columns(message_type: str) -> tuple[str, ...]:
    """The staging table's columns a row of `message_type` fills: file_id, then the row's own that the table has
    (JW323 reads its declared total for the rules only)."""
    table = STAGING_TABLES[message_type]
    return ("file_id", *(c for c in SPECS[message_type].row_columns if c in table.c))


@cache
def _staged(message_type: str) -> Callable[[tuple], tuple]:
    """The values of a row (a tuple in row_columns order) for _staging_columns, file_id apart."""
    spec, wanted = SPECS[message_type], _staging_columns(message_type)[1:]
    return tuple if wanted == spec.row_columns else spec.getter(*wanted)  # tuple(row) is the row itself


_TOEWIJZING_KEY = SPECS["JW301"].getter("gemeentecode", "aanbieder_agb", "toewijzing_nummer")


def _toewijzingen(batch: list[ParsedFile]) -> set[tuple[str, str, int]]:
    """Toewijzingen of the JW301 files in this batch: they are not in the warehouse yet when JW323 is judged."""
    return {_TOEWIJZING_KEY(r) for p in batch if p.message_type == "JW301" and p.refused is None for r in p.rows}


def load_order(relative: str) -> tuple[int, str]:
    """The sort key of a file in load order: by message type (from the file name when it follows the iJw naming
    convention `JWnnn_...`), then by path, so that toewijzingen are in before the starts and declaraties that
    refer to them."""
    return MESSAGE_ORDER.get(relative.rsplit("/", 1)[-1][:5].upper(), len(MESSAGE_ORDER)), relative


def ordered(deliveries: Iterable[Delivery]) -> list[Delivery]:
    """Deliveries in load order (load_order)."""
    return sorted(deliveries, key=lambda d: load_order(d.relative))


def load_files(
    engine: Engine,
    run_id: str,
    deliveries: Iterable[Delivery],
    pseudonymise: Callable[[str], str],
    options: IjwOptions = IjwOptions(),
    pool: OrderedPool | None = None,
) -> list[meta.FileResult]:
    """Parse (in parallel when options.workers > 1) and load `deliveries` in batches, in load order. Pass a
    `pool` (OrderedPool(options.workers)) to keep the worker processes across calls."""
    return [
        r for results in load_rounds(engine, run_id, [list(deliveries)], pseudonymise, options, pool) for r in results
    ]


def load_rounds(
    engine: Engine,
    run_id: str,
    rounds: Iterable[list[Delivery]],
    pseudonymise: Callable[[str], str],
    options: IjwOptions = IjwOptions(),
    pool: OrderedPool | None = None,
) -> Iterator[list[meta.FileResult]]:
    """Load rounds of deliveries (each in load order) as one stream: the parse workers go on with the next round
    while this process loads the last batches of the one before, instead of draining between rounds. `rounds` is
    consumed lazily (it may discover as it goes). Yields the results of each load batch once it has committed.

    A batch is judged and written in a writer thread while this one discovers and gathers the next batch: most of
    a load is waiting on the database, and the gathering was waiting on the load. The batches still load one after
    the other, in order, each in its own transaction, so that every batch is judged against all the ones before."""
    if pool is None and options.workers > 1:
        with OrderedPool(options.workers) as own:
            yield from load_rounds(engine, run_id, rounds, pseudonymise, options, own)
        return
    clock = stages.clock()
    parsed = _parsed(rounds, pseudonymise, options, pool or OrderedPool(1))
    # Leaving the block waits for a batch still being written, also when this stops early on an error.
    with ThreadPoolExecutor(1, thread_name_prefix="ijw-writer") as writer:
        loading: Future | None = None
        for batch in clock.timed(
            "parse", batches(parsed, max_rows=max(options.chunk_size, 1) * 10, max_files=options.files_per_batch)
        ):
            clock.count("parse", sum(p.lines_read for p in batch))
            if loading is not None:
                yield loading.result()
            loading = writer.submit(load_batch, engine, run_id, batch, options.productcodes)
        if loading is not None:
            yield loading.result()


def _parsed(
    rounds: Iterable[list[Delivery]], pseudonymise: Callable[[str], str], options: IjwOptions, pool: OrderedPool
) -> Iterator[ParsedFile]:
    parse = partial(parse_file, pseudonymise=pseudonymise, options=options)
    # Up to about a load batch of files in flight: the workers parse the next batch while this process judges and
    # writes the current one (with a window of a few chunks they sat idle through every load).
    ahead = max(pool.workers * 4, options.files_per_batch // max(options.files_per_chunk, 1))
    # The results come back in the order the chunks went out: tee keeps the chunks handed out and not yet back.
    handed_out, kept = itertools.tee(_chunks(rounds, options.files_per_chunk, pool.workers))
    results = pool.map(partial(_parse_chunk, parse), handed_out, ahead=ahead)
    for chunk, found in zip(kept, results, strict=True):
        yield from map(_with_delivery, chunk, found)


# What a parse worker sends back of a ParsedFile: everything but the delivery, which this process holds already
# (unpickling the deliveries again was a third of what the results cost the loading process).
Found = tuple[str, str | None, list[tuple], list[Rejection], Rejection | None, bool]


def _found(parsed: ParsedFile) -> Found:
    return (parsed.sha256, parsed.message_type, parsed.rows, parsed.rejections, parsed.refused, parsed.pending)


def _with_delivery(delivery: Delivery, found: Found) -> ParsedFile:
    sha256 = found[0]
    return ParsedFile(delivery if delivery.sha256 == sha256 else delivery.hashed(sha256), *found[1:])


def _chunks(rounds: Iterable[list[Delivery]], most: int, workers: int) -> Iterator[list[Delivery]]:
    """Each round in load order, in chunks of files: one task per file would cost more in inter-process traffic
    than the parse; a small round is cut finer so that every worker gets some."""
    for deliveries in rounds:
        deliveries = ordered(deliveries)
        size = max(1, min(most, len(deliveries) // (max(workers, 1) * 4)))
        yield from (deliveries[i : i + size] for i in range(0, len(deliveries), size))


def _parse_chunk(parse: Callable[[Delivery], ParsedFile], chunk: list[Delivery]) -> list[Found]:
    _prefetch(chunk)
    return [_found(parse(d)) for d in chunk]


def _prefetch(chunk: list[Delivery]) -> None:
    """Ask the kernel to read every file of the chunk now. A national inbox and its warehouse outgrow the page
    cache, and small files read cold one after the other wait on the disk once each (19,373 evicted files: 1.96 s);
    queued together the disk serves them at once (0.43 s). Costs an open and a close per file when they are warm."""
    if not hasattr(os, "posix_fadvise"):
        return
    for delivery in chunk:
        if delivery.refused:  # not to be opened at all
            continue
        try:  # never through a symlink, never waiting on a FIFO: parse_file refuses them
            descriptor = os.open(delivery.location, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError:  # gone since discovery: parse_file says so
            continue
        try:
            os.posix_fadvise(descriptor, 0, 0, os.POSIX_FADV_WILLNEED)
        finally:
            os.close(descriptor)


def analyze(engine: Engine) -> None:
    """Planner statistics of the iJw tables after loading (bulk.analyze): the marts and alerts run next."""
    with stages.clock().stage("load"):
        bulk.analyze(engine, [*STAGING_TABLES.values(), meta_source_file, meta_quarantine])


def ingest_inbox(
    engine: Engine,
    inbox: Path,
    run_id: str,
    pseudonymise: Callable[[str], str],
    options: IjwOptions = IjwOptions(),
    progress: Progress | None = None,
) -> meta.FileTally:
    """Discover and load an iJw inbox a round of folders at a time (jeugdmonitor.inbox), so that memory is bounded
    by a round, not by the inbox; the new files are parsed in `options.workers` processes and loaded in batches of
    files that commit together. Rounds follow each other without a pause: discovery does not hash (parse_file
    does), so what a round finds does not depend on the loads of the round before, and a file that repeats an
    earlier one is recognised at its load (load_batch). `progress` counts every file, seen before or loaded, and
    the rows read."""
    tally = meta.FileTally()
    progress = progress or Progress("iJw ingest", emit=lambda _: None)

    def rounds() -> Iterator[list[Delivery]]:
        for _folder, new, seen in discover_new(engine, inbox, (".xml",), "ijw", order=load_order, hash_new=False):
            tally.add_skipped(len(seen), refused=len(refused_before(engine, "ijw", seen)))
            progress.add(len(seen))
            yield new

    loaded_at_analyze = 10_000
    with OrderedPool(options.workers) as pool:  # the parse workers start once, not per round
        for results in load_rounds(engine, run_id, rounds(), pseudonymise, options, pool):
            tally += results
            progress.add(len(results), sum(r.rows_read for r in results))
            # Statistics whenever the run has doubled what it loaded: in a catch-up the tables grow from nothing
            # within one run, and plans made for empty tables scanned all of meta_source_file per lookup.
            if (loaded := tally.files["loaded"] + tally.files["rejected"]) >= 2 * loaded_at_analyze:
                analyze(engine)
                loaded_at_analyze = loaded
    if tally.files["loaded"] or tally.files["rejected"]:
        analyze(engine)
    return tally
