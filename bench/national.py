"""iJw ingestion of a national year into PostgreSQL, as the `ingest-ijw` task runs it, against the issue #3 targets.

Run on demand, never by the tests (see bench/README.md):

    .venv/bin/python bench/national.py                 # the whole national year (~2.7 M files; generated once)
    .venv/bin/python bench/national.py --scale 0.1     # a tenth of it
    .venv/bin/python bench/national.py --scale 1.4     # ~8 M JW323 lines, the size issue #3 names

The inbox is the national region of bench/monitor.py (342 synthetic gemeenten, 12 months from 2025-01 plus the
JW301/305 history before them, 1 % planted defects), generated once into bench/out/monitor-national[-s<scale>]/.
In a fresh spawned process and a fresh PostgreSQL schema: `ijw.ingest.ingest_inbox` over the iJw inbox with
`--workers` parse processes (what the flow's ingest-ijw task calls, without Prefect around it), then the same
again over the unchanged inbox (the second run). Per stage (the run's stage clock): wall seconds, rows and rows/s;
peak resident memory of the loading process plus its parse workers (sampled every 20 ms from /proc); CPU seconds of
the loading process, of its workers and of the whole machine (PostgreSQL's share is the rest); lines read, loaded
and quarantined; PostgreSQL's WAL volume, checkpoints and blocks read outside its buffers during the first run
(server-wide counters: run it alone). JSON in bench/out/national[-s<scale>].json. The schema is dropped at the end
unless `--keep`.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
import uuid
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from ingest import OUT, PG_URL, code_state, in_child, machine  # noqa: E402
from monitor import MemorySampler, ensure_inbox  # noqa: E402

TARGET_WALL_S = 15 * 60.0
TARGET_PEAK_MB = 2048.0
TARGET_SECOND_RUN = 0.1
ISSUE_JW323_LINES = 8_000_000  # "a national year (about 8 million JW323 lines)"


def busy_cpu_s() -> float:
    """CPU seconds the whole machine has been busy since boot (every process, PostgreSQL's included)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(values) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")  # less idle and iowait


def child_ingest(url: str, inbox: str, workers: int, key_hex: str) -> dict:
    from jeugdmonitor.schemas import load_productcodes
    from jeugdmonitor.schemas.warehouse import STAGING_TABLES, meta_source_file
    from sqlalchemy import func, select

    from jeugdmonitor import meta, stages
    from jeugdmonitor.ijw.ingest import IjwOptions, ingest_inbox
    from jeugdmonitor.pseudonym import Pseudonymiser
    from jeugdmonitor.warehouse import make_engine, upgrade

    engine = make_engine(url)
    upgrade(engine)
    options = IjwOptions(productcodes=frozenset(r["product_code"] for r in load_productcodes()), workers=workers)
    pseudonymise = Pseudonymiser(bytes.fromhex(key_hex))
    clock = stages.start()
    run_id = meta.start_run(engine, "bench-national")
    sampler = MemorySampler().start()
    busy0, t0, c0 = busy_cpu_s(), time.perf_counter(), time.process_time()
    tally = ingest_inbox(engine, Path(inbox), run_id, pseudonymise, options)
    wall, cpu, busy = time.perf_counter() - t0, time.process_time() - c0, busy_cpu_s() - busy0
    memory = sampler.stop()
    meta.finish_run(engine, run_id, tally)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    with engine.connect() as conn:
        staged = {
            name: conn.execute(select(func.count()).select_from(t)).scalar_one() for name, t in STAGING_TABLES.items()
        }
        read = dict(
            conn.execute(
                select(meta_source_file.c.message_type, func.sum(meta_source_file.c.rows_read)).group_by(
                    meta_source_file.c.message_type
                )
            ).all()
        )
    engine.dispose()
    return {
        "wall_s": wall,
        "cpu_s": cpu,
        "cpu_workers_s": children.ru_utime + children.ru_stime,
        "cpu_machine_s": busy,
        "stages": clock.figures(),
        "memory": memory,
        "files": dict(tally.files),
        "rows_read": tally.rows_read,
        "rows_loaded": tally.rows_loaded,
        "rows_quarantined": tally.rows_quarantined,
        "reasons": dict(tally.reasons.most_common()),
        "staged": staged,
        "lines_read_by_type": {k or "?": int(v or 0) for k, v in read.items()},
    }


def server_counters(url: str) -> dict:
    """Cumulative PostgreSQL counters for the whole server (other sessions count too: run the benchmark alone):
    WAL bytes written, checkpoints, buffers written by checkpoints and by backends, blocks read and hit."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        wal = conn.execute(text("select pg_current_wal_lsn() - '0/0'::pg_lsn")).scalar_one()
        bgwriter = (
            conn.execute(
                text(
                    "select checkpoints_timed, checkpoints_req, buffers_checkpoint, buffers_backend "
                    "from pg_stat_bgwriter"
                )
            )
            .mappings()
            .one()
        )
        blocks = (
            conn.execute(text("select sum(blks_read) as blks_read, sum(blks_hit) as blks_hit from pg_stat_database"))
            .mappings()
            .one()
        )
    engine.dispose()
    return {"wal_bytes": int(wal), **{k: int(v) for k, v in bgwriter.items()}, **{k: int(v) for k, v in blocks.items()}}


def counters_delta(before: dict, after: dict) -> dict:
    return {key: after[key] - before[key] for key in before}


def admin(sql: str, url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(sql))
    engine.dispose()


def page_cache_gb() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("Cached:"):
            return int(line.split()[1]) / 2**20
    return 0.0


def report(first: dict, second: dict | None) -> list[str]:
    lines = []
    stages = first["stages"]
    lines.append(f"{'stage':<10} {'seconds':>9} {'rows':>12} {'rows/s':>10} {'peak MB':>9}")
    for name, figures in stages.items():
        rate = figures["rows"] / figures["seconds"] if figures["seconds"] else 0
        peak = first["memory"]["by_stage_mb"].get(name, 0)
        lines.append(f"{name:<10} {figures['seconds']:>9.1f} {figures['rows']:>12,} {rate:>10,.0f} {peak:>9.0f}")
    wall = first["wall_s"]
    lines.append(
        f"{'total':<10} {wall:>9.1f} {first['rows_read']:>12,} {first['rows_read'] / wall:>10,.0f} "
        f"{first['memory']['peak_mb']['all']:>9.0f}"
    )
    lines.append(
        f"files {first['files']}; lines read {first['rows_read']:,} = loaded {first['rows_loaded']:,} + "
        f"quarantined {first['rows_quarantined']:,}"
    )
    lines.append(f"lines read by message type: {first['lines_read_by_type']}")
    pg = first["cpu_machine_s"] - first["cpu_s"] - first["cpu_workers_s"]
    lines.append(
        f"CPU s: loading process {first['cpu_s']:.0f}, parse workers {first['cpu_workers_s']:.0f}, "
        f"PostgreSQL and the rest {pg:.0f}; machine busy {first['cpu_machine_s']:.0f} s of "
        f"{wall * (os.cpu_count() or 1):.0f} s"
    )
    if server := first.get("server"):
        lines.append(
            f"PostgreSQL: {server['wal_bytes'] / 2**30:.1f} GB of WAL, "
            f"{server['checkpoints_timed'] + server['checkpoints_req']} checkpoints "
            f"({server['checkpoints_req']} asked for by WAL volume), {server['blks_read']:,} blocks read "
            f"outside its buffers, {server['blks_hit']:,} hit"
        )
    jw323 = first["lines_read_by_type"].get("JW323", 0)
    if jw323:
        lines.append(
            f"JW323 lines {jw323:,}: at this run's rate {ISSUE_JW323_LINES:,} JW323 lines (with the other "
            f"messages in proportion) would take {wall * ISSUE_JW323_LINES / jw323:.0f} s"
        )
    verdicts = [
        ("national year < 15 min", wall < TARGET_WALL_S, f"{wall:.0f} s"),
        (
            "peak memory < 2 GB (loading process + workers)",
            first["memory"]["peak_mb"]["all"] < TARGET_PEAK_MB,
            f"{first['memory']['peak_mb']['all']:.0f} MB",
        ),
    ]
    if second is not None:
        ratio = second["wall_s"] / wall
        verdicts.append(
            ("second run < 1/10 of the first", ratio < TARGET_SECOND_RUN, f"{second['wall_s']:.1f} s = {ratio:.3f}")
        )
    lines += [f"{'met' if ok else 'NOT MET'}: {what} ({value})" for what, ok, value in verdicts]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pg-url", default=PG_URL)
    parser.add_argument("--no-second", action="store_true", help="skip the second run")
    parser.add_argument("--keep", action="store_true", help="keep the warehouse schema")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)

    inbox, generation = ensure_inbox("national", args.scale)
    schema = f"bench_national_{uuid.uuid4().hex[:8]}"
    admin(f'CREATE SCHEMA "{schema}"', args.pg_url)
    url = f"{args.pg_url}?options=-csearch_path%3D{schema}"
    key = os.urandom(32).hex()
    result = {
        "scale": args.scale,
        "workers": args.workers,
        "inbox": str(inbox),
        "generation": generation,
        "page_cache_gb_before": round(page_cache_gb(), 1),
        "code": code_state(),
        "machine": machine("", 0),
    }
    try:
        print(f"first run over {inbox / 'ijw'} ({result['page_cache_gb_before']} GB in the page cache) ...", flush=True)
        before = server_counters(args.pg_url)
        result["first"] = in_child(child_ingest, url, str(inbox / "ijw"), args.workers, key)
        result["first"]["server"] = counters_delta(before, server_counters(args.pg_url))
        if not args.no_second:
            print("second run (nothing new) ...", flush=True)
            result["second"] = in_child(child_ingest, url, str(inbox / "ijw"), args.workers, key)
    finally:
        if args.keep:
            print(f"kept schema {schema}")
        else:
            admin(f'DROP SCHEMA "{schema}" CASCADE', args.pg_url)
    result["report"] = report(result["first"], result.get("second"))
    print("\n".join(result["report"]))
    path = args.json or OUT / (f"national-s{args.scale:g}.json" if args.scale != 1.0 else "national.json")
    path.write_text(json.dumps(result, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"JSON: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
