"""Benchmark of iJw ingestion: our pipeline (discover + load_files) next to a naive pandas baseline.

Run on demand, never by the tests (see bench/README.md):

    .venv/bin/python bench/ingest.py --size region --backend postgresql --json bench/out/region-pg.json

Every measured pipeline runs in its own spawned child process, so each reports its own peak memory. The parent
stays small on purpose: a spawned child starts with the parent's high-water mark as its own ru_maxrss (vfork +
exec on Linux), so even the data generation runs in a child.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import inspect
import json
import multiprocessing as mp
import os
import platform
import re
import resource
import shutil
import sqlite3
import subprocess
import sys
import time
import traceback
import uuid
from collections import Counter, defaultdict
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
# Import the work tree itself (spawned children inherit sys.path), whatever the editable install maps.
sys.path.insert(0, str(ROOT))
PG_URL = os.environ.get("JEUGDMONITOR_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
DEFECTS = 0.01  # as in `make demo`: the naive baseline meets the same broken files as our pipeline
NAIVE_XPATH = (
    ".//*[local-name()='Prestatie' or local-name()='ToegewezenProduct' or local-name()='StartProduct'"
    " or local-name()='StopProduct' or local-name()='AangevraagdProduct']"
)
TARGET_SPEEDUP = 3.0  # ours vs naive, end to end, on the same sample
TARGET_SECOND_RUN = 0.1  # second run over an unchanged inbox / first run


# ---------------------------------------------------------------------------------------------------- children


def peak_mb() -> float:
    """This process's peak resident memory so far (ru_maxrss is KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child_main(conn, target, args) -> None:
    try:
        conn.send(("ok", target(*args)))
    except BaseException:
        conn.send(("error", traceback.format_exc()))
        raise
    finally:
        conn.close()


def in_child(target, *args) -> dict:
    """Run `target(*args)` in a fresh spawned process and return its result (a dict of plain values)."""
    ctx = mp.get_context("spawn")
    receiver, sender = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_child_main, args=(sender, target, args))
    process.start()
    sender.close()
    try:
        status, value = receiver.recv()
    except EOFError:
        status, value = "error", "the child process died without a result"
    process.join()
    if status != "ok":
        raise RuntimeError(f"{target.__name__} failed in its child process:\n{value}")
    # RUSAGE_CHILDREN is the largest ru_maxrss of all children ended so far (a running maximum), so the figures
    # per stage come from the child itself; this is kept as a cross-check in the JSON.
    value["rusage_children_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return value


def child_generate(out_dir: str, size: str, gemeenten: int) -> dict:
    from jeugdmonitor.synthetic import generate
    from jeugdmonitor.synthetic.regions import get_region

    if size == "gemeente":
        kwargs = {"region": "holland-rijnland", "gemeenten": ["GM0546"], "months": 12}
    elif size == "region":
        kwargs = {"region": "holland-rijnland", "months": 12}
    else:  # national-sample: N gemeenten spread over the size range, smallest to largest, one month
        ranked = sorted(get_region("national").gemeenten, key=lambda g: (g.inwoners, g.code))
        n = max(1, min(gemeenten, len(ranked)))
        picks = sorted({ranked[round(i * (len(ranked) - 1) / max(n - 1, 1))].code for i in range(n)})
        kwargs = {"region": "national", "gemeenten": picks, "months": 1}
    started = time.perf_counter()
    report = generate(Path(out_dir), defects=DEFECTS, progress=print, **kwargs)
    return {"seconds": time.perf_counter() - started, "gemeenten": report.gemeenten}


def child_floor() -> dict:
    """Peak memory of a child that only imports what the pipelines import: the floor under every figure."""
    import pandas  # noqa: F401
    import sqlalchemy  # noqa: F401

    import jeugdmonitor.ijw.ingest  # noqa: F401

    floor = peak_mb()
    started = time.perf_counter()  # the one-off start of the GX validator, paid by the first batch with JW323
    try:
        from jeugdmonitor.validation import validator
    except ImportError:
        return {"peak_mb": floor, "validator_start_s": None}
    validator()
    return {"peak_mb": floor, "validator_start_s": time.perf_counter() - started}


def load(engine, run_id: str, deliveries: list, pseudonymise, chunk_size: int, workers: int) -> list:
    """load_files as the flow calls it: with IjwOptions (and the bundled productcode table) where the code has
    them, else with the older keyword arguments (xsd_dir, chunk_size)."""
    from jeugdmonitor.ijw import ingest as ingest_ijw

    if not hasattr(ingest_ijw, "IjwOptions"):
        return ingest_ijw.load_files(engine, run_id, deliveries, pseudonymise, None, chunk_size)
    options = {"chunk_size": chunk_size, "workers": workers}
    fields = ingest_ijw.IjwOptions.__dataclass_fields__
    if "productcodes" in fields:
        from jeugdmonitor.schemas import load_productcodes

        options["productcodes"] = frozenset(r["product_code"] for r in load_productcodes())
    options = {k: v for k, v in options.items() if k in fields}
    return ingest_ijw.load_files(engine, run_id, deliveries, pseudonymise, ingest_ijw.IjwOptions(**options))


def child_ours(url: str, inbox: str, chunk_size: int, workers: int) -> dict:
    """One run of our pipeline: discover, then load_files, timed separately; the warehouse is migrated first."""
    from jeugdmonitor.schemas.warehouse import STAGING_TABLES
    from sqlalchemy import func, select

    from jeugdmonitor import meta  # noqa: F401  (imported before the clock starts, as in the flow)
    from jeugdmonitor.discovery import discover
    from jeugdmonitor.pseudonym import Pseudonymiser
    from jeugdmonitor.warehouse import make_engine, upgrade

    engine = make_engine(url)
    upgrade(engine)
    pseudonymise = Pseudonymiser(os.urandom(32))
    run_id = meta.start_run(engine, "bench")
    t0, c0 = time.perf_counter(), time.process_time()
    if "hash_new" in inspect.signature(discover).parameters:  # as the flow does: the parse workers hash
        new, seen = discover(
            Path(inbox), (".xml",), meta.known_hashes(engine), meta.recorded_stamps(engine, "ijw"), hash_new=False
        )
    elif hasattr(meta, "recorded_stamps"):  # the discovery cache, where the code has it (as the flow calls it)
        new, seen = discover(Path(inbox), (".xml",), meta.known_hashes(engine), meta.recorded_stamps(engine, "ijw"))
    else:
        new, seen = discover(Path(inbox), (".xml",), meta.known_hashes(engine))
    t1, c1 = time.perf_counter(), time.process_time()
    discover_peak = peak_mb()
    results = load(engine, run_id, new, pseudonymise, chunk_size, workers)
    t2, c2 = time.perf_counter(), time.process_time()
    workers_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # parse workers, if any
    meta.finish_run(engine, run_id, results)
    with engine.connect() as conn:  # sanity: what the results say was loaded is in the staging tables
        staged = sum(conn.execute(select(func.count()).select_from(t)).scalar_one() for t in STAGING_TABLES.values())
    engine.dispose()
    status: dict[str, int] = defaultdict(int)
    for r in results:
        status[r.status] += 1
    files = len(new) + len(seen)
    return {
        "discover": {"files": files, "new": len(new), "seconds": t1 - t0, "cpu_s": c1 - c0, "peak_mb": discover_peak},
        "load": {
            "files": len(new),
            "records": sum(r.rows_read for r in results),
            "seconds": t2 - t1,
            "cpu_s": c2 - c1,
            "peak_mb": peak_mb(),
            "workers_peak_mb": workers_peak,
        },
        "status": dict(status),
        "rows_loaded": sum(r.rows_loaded for r in results),
        "rows_quarantined": sum(r.rows_quarantined for r in results),
        "rows_staged": staged,
        "rows_warned": sum(sum(getattr(r, "warnings", {}).values()) for r in results),
    }


def child_naive(url: str, inbox: str) -> dict:
    """The first attempt: per file pandas.read_xml of the record elements, then DataFrame.to_sql, append."""
    import logging

    import pandas as pd

    from jeugdmonitor.warehouse import make_engine  # same engine settings (SQLite pragmas) as ours

    logging.getLogger("psycopg").setLevel(logging.ERROR)  # a failed to_sql logs a warning when it cleans up

    engine = make_engine(url)
    records = read_failures = write_failures = 0
    tables: set[str] = set()
    reasons: Counter[str] = Counter()
    t0, c0 = time.perf_counter(), time.process_time()
    files = sorted(Path(inbox).rglob("*.xml"))
    for path in files:
        message = path.name[:5].lower() if re.match(r"JW\d{3}", path.name) else "other"
        try:
            frame = pd.read_xml(path, xpath=NAIVE_XPATH, parser="lxml")
        except Exception:  # broken files and files without records
            read_failures += 1
            continue
        try:
            frame.to_sql(f"{message}_naive", engine, if_exists="append", index=False)
        except Exception as exc:  # e.g. a column the first file of that type did not have, or another type
            write_failures += 1
            reasons[f"{message}: {root_cause(exc)}"] += 1
            continue
        tables.add(f"{message}_naive")
        records += len(frame)
    seconds, cpu_s = time.perf_counter() - t0, time.process_time() - c0
    with engine.begin() as conn:  # never keep the naive tables
        for table in tables:
            conn.exec_driver_sql(f'DROP TABLE IF EXISTS "{table}"')
    engine.dispose()
    return {
        "load": {"files": len(files), "records": records, "seconds": seconds, "cpu_s": cpu_s, "peak_mb": peak_mb()},
        "read_failures": read_failures,
        "write_failures": write_failures,
        "write_failure_reasons": dict(reasons.most_common(5)),
    }


def root_cause(exc: BaseException) -> str:
    """The driver's own message under pandas' and SQLAlchemy's wrappers, first line only."""
    while exc.__cause__ is not None or getattr(exc, "orig", None) is not None:
        exc = getattr(exc, "orig", None) or exc.__cause__
    return f"{type(exc).__name__}: {(str(exc).splitlines() or [''])[0][:120]}"


# ---------------------------------------------------------------------------------------------------- data


def data_dir(size: str, gemeenten: int) -> Path:
    return OUT / (f"national-sample-{gemeenten}" if size == "national-sample" else size)


def ensure_data(size: str, gemeenten: int) -> tuple[Path, float | None]:
    """The generated world for `size`, generated now (in a child) unless a complete one is there already."""
    target = data_dir(size, gemeenten)
    if (target / "manifest.json").exists():
        return target, None
    if target.exists():  # an interrupted generation
        shutil.rmtree(target)
    print(f"generating {target} ...", flush=True)
    return target, in_child(child_generate, str(target), size, gemeenten)["seconds"]


def stratified(files: list[Path], n: int) -> list[Path]:
    """About n files, allocated to message types in proportion and spread evenly over each type's sorted list
    (so over months, gemeenten and aanbieders too); every type gets at least one."""
    if n >= len(files):
        return list(files)
    strata: dict[str, list[Path]] = defaultdict(list)
    for f in files:
        strata[f.name[:5].upper()].append(f)
    picked: list[Path] = []
    for members in strata.values():
        quota = min(len(members), max(1, round(n * len(members) / len(files))))
        picked += [members[int(i * len(members) / quota)] for i in range(quota)]
    return sorted(picked)


def make_sample(inbox: Path, n: int) -> Path:
    """An inbox of hard links to a stratified sample of `inbox` (reused when already made)."""
    root = inbox.parent / f"sample-{n}"
    marker = root / "files.txt"
    if marker.exists():
        return root / "ijw"
    if root.exists():
        shutil.rmtree(root)
    chosen = stratified(sorted(inbox.rglob("*.xml")), n)
    for src in chosen:
        dst = root / "ijw" / src.relative_to(inbox)
        dst.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)
    marker.write_text("".join(f"{p.relative_to(inbox).as_posix()}\n" for p in chosen), encoding="utf-8")
    return root / "ijw"


def warm(inbox: Path) -> tuple[int, int, float]:
    """Read every file once so that every timed pass reads from the page cache (files, bytes, seconds)."""
    t0 = time.perf_counter()
    files = total = 0
    for path in inbox.rglob("*.xml"):
        with path.open("rb") as handle:
            while block := handle.read(1 << 20):
                total += len(block)
        files += 1
    return files, total, time.perf_counter() - t0


# ---------------------------------------------------------------------------------------------------- warehouses


class Warehouses:
    """Fresh, empty warehouses for one benchmark run: a schema each on PostgreSQL, a file each on SQLite."""

    def __init__(self, backend: str, pg_url: str):
        self.backend, self.pg_url = backend, pg_url
        self.token = uuid.uuid4().hex[:10]
        self.made: list[str] = []

    def new(self, tag: str) -> str:
        name = f"bench_{self.token}_{tag}"
        self.made.append(name)
        if self.backend == "sqlite":
            path = OUT / "db" / f"{name}.sqlite"
            path.parent.mkdir(parents=True, exist_ok=True)
            return f"sqlite:///{path}"
        self._admin(f'CREATE SCHEMA "{name}"')
        return f"{self.pg_url}{'&' if '?' in self.pg_url else '?'}options=-csearch_path%3D{name}"

    def drop_all(self) -> None:
        for name in self.made:
            if self.backend == "sqlite":
                for suffix in ("", "-wal", "-shm"):
                    (OUT / "db" / f"{name}.sqlite{suffix}").unlink(missing_ok=True)
            else:
                self._admin(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')

    def _admin(self, sql: str) -> None:
        from sqlalchemy import create_engine

        engine = create_engine(self.pg_url)
        with engine.begin() as conn:
            conn.exec_driver_sql(sql)
        engine.dispose()

    def server(self) -> str:
        if self.backend == "sqlite":
            return f"SQLite {sqlite3.sqlite_version}"
        from sqlalchemy import create_engine

        engine = create_engine(self.pg_url)
        with engine.connect() as conn:
            version = conn.exec_driver_sql("SHOW server_version").scalar_one()
        engine.dispose()
        return f"PostgreSQL {version}"


# ---------------------------------------------------------------------------------------------------- report


def machine(server: str, floor_mb: float) -> dict:
    meminfo = Path("/proc/meminfo").read_text().split("\n") if Path("/proc/meminfo").exists() else []
    mem_kib = next((int(line.split()[1]) for line in meminfo if line.startswith("MemTotal:")), 0)
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    cpu = next(
        (line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name")),
        platform.processor(),
    )
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(mem_kib / 1024**2, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "database": server,
        "child_floor_mb": round(floor_mb, 1),
    }


def code_state() -> dict:
    """Which code was measured: the commit and the files changed since (a run may measure work in progress)."""

    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True).stdout.strip()
        except OSError:
            return ""

    listed = git("diff", "--name-only", "HEAD") + "\n" + git("ls-files", "--others", "--exclude-standard")
    changed = sorted({f for f in listed.splitlines() if f and not f.startswith("bench/")})
    diff = hashlib.sha256(git("diff", "HEAD", "--", ".", ":(exclude)bench").encode()).hexdigest()[:12]
    return {
        "commit": git("rev-parse", "--short", "HEAD"),
        "changed_files": changed,
        "diff_sha256": diff if changed else None,
    }


def row(name: str, figures: dict) -> dict:
    records, seconds = figures.get("records"), figures["seconds"]
    return {
        "stage": name,
        "files": figures["files"],
        "records": records,
        "seconds": round(seconds, 3),
        "records_per_s": round(records / seconds) if records and seconds else None,
        "peak_mb": round(figures["peak_mb"], 1),
        "cpu_s": round(figures["cpu_s"], 3) if figures.get("cpu_s") is not None else None,
    }


def print_table(rows: list[dict]) -> None:
    def fmt(value, pattern: str) -> str:
        return "–" if value is None else format(value, pattern)

    print(f"\n{'stage':<40} {'files':>8} {'records':>9} {'seconds':>9} {'records/s':>10} {'peak MB':>8} {'CPU s':>8}")
    for r in rows:
        print(
            f"{r['stage']:<40} {fmt(r['files'], ',d'):>8} {fmt(r['records'], ',d'):>9} "
            f"{fmt(r['seconds'], ',.2f'):>9} {fmt(r['records_per_s'], ',d'):>10} "
            f"{fmt(r['peak_mb'], ',.0f'):>8} {fmt(r['cpu_s'], ',.1f'):>8}"
        )


def end_to_end(run: dict) -> dict:
    """One run of ours as a whole: discover + load."""
    d, load = run["discover"], run["load"]
    return {
        "files": d["files"],
        "records": load["records"],
        "seconds": d["seconds"] + load["seconds"],
        "cpu_s": d["cpu_s"] + load["cpu_s"],
        "peak_mb": max(d["peak_mb"], load["peak_mb"]),
    }


def verdict(ok: bool) -> str:
    return "meets target" if ok else "MISSES target"


def figures(
    files: int, first: dict, second: dict, ours_s: dict, naive: dict, info: dict
) -> tuple[list[dict], dict, list[str]]:
    """The table rows, the ratios against the targets, and the notes that go with them."""
    first_total, second_total, sample_total = (end_to_end(r) for r in (first, second, ours_s))
    rows = [
        row("full: ours discover", first["discover"]),
        row("full: ours load_files", first["load"]),
        row("full: ours first run (discover + load)", first_total),
        row("full: ours second run (nothing new)", second_total),
        row("sample: ours discover + load", sample_total),
        row("sample: naive read_xml + to_sql", naive["load"]),
    ]
    speedup = naive["load"]["seconds"] / sample_total["seconds"]
    naive_estimate = naive["load"]["seconds"] * files / max(naive["load"]["files"], 1)
    ratios = {
        "sample_speedup_end_to_end": round(speedup, 2),
        "target_speedup": TARGET_SPEEDUP,
        "second_over_first": round(second_total["seconds"] / first_total["seconds"], 4),
        "target_second_over_first": TARGET_SECOND_RUN,
        "full_files": files,
        "naive_full_size_estimate_s": round(naive_estimate, 1),
    }
    notes = [
        f"Sample: {naive['load']['files']:,} of {files:,} files, stratified by message type; both pipelines timed "
        "on exactly these files, each into an empty warehouse.",
        f"Naive: {naive['read_failures']} files failed read_xml (broken or without records), "
        f"{naive['write_failures']} failed to_sql (the table was created from the first file of its type and "
        "later files differ); its tables were dropped.",
        "Naive is not the same load: read_xml keeps one level below each record element, so the header "
        "(gemeente, aanbieder, dagtekening), the client (no BSN at all, raw or pseudonymised) and nested values "
        "(bedrag, periode, product, referentie) are lost, and nothing is checked: a lower bound on the work.",
        "Ours: BSN checked and pseudonymised (HMAC-SHA256), typed and checked fields, business rules, quarantine, "
        "meta bookkeeping.",
        "Peak MB: ru_maxrss of the child process that ran the stage, cumulative within that child "
        f"(floor of a child with the imports alone: {info['child_floor_mb']:.0f} MB).",
    ]
    if info.get("validator_start_s"):
        notes.append(
            f"Ours pays a one-off start of the GX validator ({info['validator_start_s']:.1f} s here) "
            "inside the timed load; on a small sample that is a large share of its time."
        )
    return rows, ratios, notes


def print_report(rows: list[dict], ratios: dict, notes: list[str], first: dict, naive: dict, workers: int) -> None:
    print_table(rows)
    speedup, second = ratios["sample_speedup_end_to_end"], ratios["second_over_first"]
    print(
        f"\nspeed-up ours vs naive on the sample, end to end: {speedup:.2f}x "
        f"(target >= {TARGET_SPEEDUP:.0f}x: {verdict(speedup >= TARGET_SPEEDUP)})"
    )
    print(f"second run / first run: {second:.3f} (target < {TARGET_SECOND_RUN}: {verdict(second < TARGET_SECOND_RUN)})")
    print(
        f"naive extrapolated to all {ratios['full_files']:,} files: "
        f"~{ratios['naive_full_size_estimate_s']:,.0f} s (estimate, not measured)"
    )
    print(
        f"ours, first run: {first['status']}, rows loaded {first['rows_loaded']:,}, quarantined "
        f"{first['rows_quarantined']:,} (warned {first['rows_warned']:,}), in staging tables "
        f"{first['rows_staged']:,}; workers {workers}, their peak {first['load']['workers_peak_mb']:.0f} MB"
    )
    if first["rows_staged"] != first["rows_loaded"]:
        print("WARNING: the staging tables do not hold what load_files reported as loaded")
    for reason, count in naive["write_failure_reasons"].items():
        print(f"  naive to_sql failure x{count}: {reason}")
    for note in notes:
        print(f"- {note}")


# ---------------------------------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", choices=["gemeente", "region", "national-sample"], default="gemeente")
    parser.add_argument("--backend", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--gemeenten", type=int, default=20, help="national-sample: how many gemeenten")
    parser.add_argument("--naive-sample", type=int, default=10000, help="files in the stratified sample")
    parser.add_argument("--chunk-size", type=int, default=5000, help="load_files chunk_size")
    parser.add_argument("--workers", type=int, default=1, help="parse processes (IjwOptions.workers)")
    parser.add_argument("--pg-url", default=PG_URL, help="PostgreSQL server (default $JEUGDMONITOR_TEST_PG_URL)")
    parser.add_argument("--keep", action="store_true", help="keep the warehouses (naive tables are dropped)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    inbox_root, generated_s = ensure_data(args.size, args.gemeenten)
    inbox = inbox_root / "ijw"
    sample = make_sample(inbox, args.naive_sample)
    files, size_bytes, warm_s = warm(inbox)
    origin = f"generated in {generated_s:.0f} s" if generated_s else "reused"
    print(
        f"data: {inbox} ({files:,} iJw files, {size_bytes / 1e6:,.0f} MB; {origin}; "
        f"page cache warmed in {warm_s:.1f} s)"
    )
    warehouses = Warehouses(args.backend, args.pg_url)
    floor = in_child(child_floor)
    info = machine(warehouses.server(), floor["peak_mb"])
    info["validator_start_s"] = floor["validator_start_s"] and round(floor["validator_start_s"], 2)
    code = code_state()
    info["loadavg_start"] = round(os.getloadavg()[0], 2)
    if info["loadavg_start"] > 0.5:
        print(f"note: 1-minute load average {info['loadavg_start']} at the start (an earlier run or other work)")
    print("machine: " + ", ".join(f"{k} {v}" for k, v in info.items()), flush=True)
    print(
        f"code: {code['commit']}"
        + (f" + {len(code['changed_files'])} changed files (not committed)" if code["changed_files"] else ""),
        flush=True,
    )
    try:
        full_url = warehouses.new("full")
        print("our pipeline, full size, first run ...", flush=True)
        first = in_child(child_ours, full_url, str(inbox), args.chunk_size, args.workers)
        print("our pipeline, full size, second run ...", flush=True)
        second = in_child(child_ours, full_url, str(inbox), args.chunk_size, args.workers)
        print("our pipeline, sample ...", flush=True)
        ours_s = in_child(child_ours, warehouses.new("sample"), str(sample), args.chunk_size, args.workers)
        print("naive baseline, sample ...", flush=True)
        naive = in_child(child_naive, warehouses.new("naive"), str(sample))
    finally:
        if args.keep:
            print("kept: " + ", ".join(warehouses.made))
        else:
            warehouses.drop_all()

    rows, ratios, notes = figures(files, first, second, ours_s, naive, info)
    print_report(rows, ratios, notes, first, naive, args.workers)
    total_s = time.perf_counter() - started
    info["loadavg_end"] = round(os.getloadavg()[0], 2)  # 1-minute average: our own single process gives ~1
    print(f"benchmark took {total_s:,.0f} s")

    if args.json:
        report = {
            "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "machine": info,
            "code": code,
            "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items() if k != "pg_url"},
            "data": {
                "inbox": str(inbox),
                "files": files,
                "bytes": size_bytes,
                "generated_s": generated_s,
                "defect_share": DEFECTS,
            },
            "stages": rows,
            "ratios": ratios,
            "first_run": first,
            "second_run": second,
            "sample_ours": ours_s,
            "sample_naive": naive,
            "notes": notes,
            "benchmark_s": round(total_s, 1),
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        print(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
