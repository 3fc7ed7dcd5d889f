"""Benchmark of the whole `monitor` flow, per pipeline stage, next to a naive pandas baseline.

Run on demand, never by the tests (see bench/README.md):

    .venv/bin/python bench/monitor.py --size gemeente --backend both --naive-sample 2000
    .venv/bin/python bench/monitor.py --size region                       # the demo region, PostgreSQL
    .venv/bin/python bench/monitor.py --size national --scale 0.05        # a 5 % national year

Sizes: `gemeente` (GM0546 Leiden), `region` (Holland Rijnland, 13 gemeenten) and `national` (the 342 synthetic
gemeenten), 12 months from 2025-01 each, with 1 % planted defects; `--scale` multiplies the population. The data
is generated once (in a child process) into bench/out/monitor-<size>[-s<scale>]/inbox and reused.

What is measured, per backend (`--backend postgresql|sqlite|both`), each run in its own spawned process:

- first run: `jeugdmonitor.flows.monitor.monitor` on the whole inbox into a fresh warehouse, timed from before
  the import of jeugdmonitor.flows.monitor (so Prefect's import and its temporary API server are in the total)
  to the return. Per stage (discover, parse, validate, load, cbs, marts, alerts: the run's own stage clock,
  jeugdmonitor.stages) wall seconds, rows, rows/s and peak memory; "prefect+other" is the total minus the
  stages. Memory is sampled every 20 ms from /proc (resident set of the flow process plus its iJw parse
  workers) and attributed to the stage running at that moment; Prefect's temporary server, also a child
  process, is reported on its own line.
- second run: the same flow, inbox and warehouse (nothing new), in a fresh process: its wall time / the first's.
- naive baseline on a stratified sample of `--naive-sample` iJw files plus every JGT export: `rglob` + sha256 +
  one SELECT per file (discover), `pandas.read_xml` / `read_csv` / `read_excel` per file (parse),
  `DataFrame.to_sql` per file (load). Our side of the ratio is the full flow on exactly that sample inbox, in a
  fresh warehouse (the first run itself when the sample is every file).

Prints a table per backend and the verdicts against the targets (issue #3); `--json PATH` (default
bench/out/monitor-<size>[-s<scale>]-<backend>.json) holds everything printed plus the machine, the code state,
the data size and the configs. bench/plot.py turns those files into a growth chart. Warehouses are dropped at the
end unless `--keep`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import re
import resource
import shutil
import sys
import threading
import time
import tomllib
from glob import glob
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from ingest import (  # noqa: E402  (ingest puts the work tree on sys.path, for the children too)
    DEFECTS,
    NAIVE_XPATH,
    OUT,
    PG_URL,
    ROOT,
    TARGET_SECOND_RUN,
    TARGET_SPEEDUP,
    Warehouses,
    child_floor,
    code_state,
    in_child,
    machine,
    make_sample,
    peak_mb,
    root_cause,
    verdict,
    warm,
)

from jeugdmonitor.stages import STAGES  # noqa: E402  (stdlib only: keeps the parent small)

SIZES = {  # region and gemeenten for generate(); None = every gemeente of the region
    "gemeente": ("holland-rijnland", ["GM0546"]),
    "region": ("holland-rijnland", None),
    "national": ("national", None),
}
START, MONTHS, SEED = "2025-01", 12, 20250101  # as `jeugdmonitor demo` generates
BASE_CONFIG = ROOT / "jeugdmonitor.toml"
PREFECT_HOME = OUT / "prefect-home"  # the benchmark's own Prefect database, not the user's ~/.prefect
SAMPLE_EVERY_S = 0.02
NAIVE_STAGES = ("discover", "parse", "load")
NAIVE_HASH_TABLE = "naive_sha256"
TARGET_REGION_S = 60.0  # the demo region, whole flow
TARGET_NATIONAL_S = 15 * 60.0  # a national year (scale 1), whole flow
TARGET_PEAK_MB = 2048.0
TARGET_LOAD_VS_TO_SQL = 10.0


# ---------------------------------------------------------------------------------------------------- memory

_PAGE_MB = os.sysconf("SC_PAGE_SIZE") / 2**20


def rss_mb(pid: int | str) -> float:
    """Resident set of a process now (0 when it has just ended)."""
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * _PAGE_MB
    except (OSError, IndexError, ValueError):
        return 0.0


def children_of(pid: int) -> list[int]:
    """Direct children, from every thread's /proc children list (a pool may be started from any thread), or by
    scanning /proc for the parent pid where the kernel has no such lists."""
    lists = glob(f"/proc/{pid}/task/*/children")
    if not lists:
        return [int(p) for p in _scan_for_parent(pid)]
    found: list[int] = []
    for name in lists:
        try:
            found += [int(p) for p in Path(name).read_text().split()]
        except OSError:  # the thread ended meanwhile
            continue
    return found


def _scan_for_parent(pid: int) -> list[str]:
    found = []
    for stat in glob("/proc/[0-9]*/stat"):
        try:
            fields = Path(stat).read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[1] == str(pid):  # fields after "(comm)": state, ppid, ...
            found.append(stat.split("/")[2])
    return found


def descendants(pid: int) -> list[int]:
    """Children, their children and so on (spawn's resource tracker and workers are direct children today)."""
    found, todo = [], [pid]
    while todo:
        kids = children_of(todo.pop())
        found += kids
        todo += kids
    return found


def current_stage() -> str:
    """The stage the flow is in, from its stage clock once the flow code is imported; "other" outside stages."""
    stages = sys.modules.get("jeugdmonitor.stages")  # looked up, not imported: the import is part of the timing
    name = stages.clock().current if stages is not None else None
    return name or "other"


class MemorySampler:
    """Samples resident memory every `interval` seconds in a daemon thread: the peak per stage of the flow process
    plus its parse workers, and the peaks of each part (Prefect's temporary server is kept apart: it is Prefect's
    cost, not the pipeline's, and the same at every size)."""

    def __init__(self, interval: float = SAMPLE_EVERY_S):
        self.interval, self.pid = interval, os.getpid()
        self.by_stage: dict[str, float] = {}
        self.peaks = dict.fromkeys(("process", "workers", "prefect_server", "all"), 0.0)
        self.samples = 0
        self._servers: set[int] = set()
        self._own_cmdline = Path(f"/proc/{self.pid}/cmdline").read_bytes()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="memory-sampler", daemon=True)

    def start(self) -> MemorySampler:
        self.sample()
        self._thread.start()
        return self

    def stop(self) -> dict:
        self._stop.set()
        self._thread.join()
        self.sample()
        return {
            "by_stage_mb": {k: round(v, 1) for k, v in self.by_stage.items()},
            "peak_mb": {k: round(v, 1) for k, v in self.peaks.items()},
            "samples": self.samples,
        }

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def sample(self) -> None:
        stage = current_stage()  # before reading: a reading belongs to the stage it started in
        own, workers, server = rss_mb(self.pid), 0.0, 0.0
        for pid in descendants(self.pid):
            kind = self._kind(pid)
            if kind == "prefect_server":
                server += rss_mb(pid)
            elif kind == "worker":
                workers += rss_mb(pid)
        self.by_stage[stage] = max(self.by_stage.get(stage, 0.0), own + workers)
        for part, mb in (
            ("process", own),
            ("workers", workers),
            ("prefect_server", server),
            ("all", own + workers + server),
        ):
            self.peaks[part] = max(self.peaks[part], mb)
        self.samples += 1

    def _kind(self, pid: int) -> str:
        """prefect_server, worker, or fork: a child between fork and exec, which still shows this process's command
        line and shares all its pages with it (not counted). Only the server is remembered."""
        if pid in self._servers:
            return "prefect_server"
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            return "fork"
        if b"uvicorn" in cmdline:
            self._servers.add(pid)
            return "prefect_server"
        return "fork" if cmdline in (self._own_cmdline, b"") else "worker"


# ---------------------------------------------------------------------------------------------------- children


def child_generate(out_dir: str, size: str, scale: float) -> dict:
    from jeugdmonitor.synthetic import generate

    region, gemeenten = SIZES[size]
    started = time.perf_counter()
    generate(
        Path(out_dir),
        region=region,
        gemeenten=gemeenten,
        start=START,
        months=MONTHS,
        seed=SEED,
        defects=DEFECTS,
        scale=scale,
        progress=print,
    )
    return {"seconds": time.perf_counter() - started, "peak_mb": peak_mb()}


def child_describe(inbox: str, size: str) -> dict:
    """What was generated (the manifest without its list of defects) and the region to configure for it."""
    from jeugdmonitor.synthetic.regions import get_region

    manifest = json.loads((Path(inbox) / "manifest.json").read_text(encoding="utf-8"))
    manifest.pop("defects", None)
    slug, codes = SIZES[size]
    full = get_region(slug)
    chosen = full.select(codes)
    jeugdregios = {g.jeugdregio for g in chosen.gemeenten}
    naam = chosen.gemeenten[0].naam if codes and len(codes) == 1 else full.naam
    return {
        "manifest": manifest,
        "gemeenten": [g.code for g in chosen.gemeenten],
        "naam": naam,
        # one jeugdregio for the configured region, as in jeugdmonitor.toml; several (national): none
        "jeugdregio": jeugdregios.pop() if len(jeugdregios) == 1 else "",
    }


def prefect_environment() -> None:
    """The benchmark's own Prefect home and always the temporary API server; the config file alone decides."""
    os.environ["PREFECT_HOME"] = str(PREFECT_HOME)
    os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    for name in [n for n in os.environ if n.startswith(("PREFECT_API_URL", "PREFECT_API_KEY", "JEUGDMONITOR__"))]:
        del os.environ[name]


def child_prefect_warmup() -> dict:
    """One empty flow, so that the creation of the Prefect database is not inside the first measured run."""
    prefect_environment()
    started = time.perf_counter()
    from prefect import flow

    flow(name="bench-warmup")(lambda: None)()
    return {"seconds": time.perf_counter() - started}


def child_flow(config_path: str, census_url: str | None) -> dict:
    """One run of the monitor flow; `census_url`: also count what the warehouse recorded (after the clock)."""
    prefect_environment()
    sampler = MemorySampler().start()
    t0, c0 = time.perf_counter(), time.process_time()
    from jeugdmonitor.flows.monitor import monitor

    from jeugdmonitor.config import load_settings
    from jeugdmonitor.synthetic.cbs_server import serving

    imported = time.perf_counter()
    with serving(load_settings(config_path)):  # cbs.base_url = "fixture": the local CBS, as `run` starts it
        summary = monitor(config_path=config_path)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    memory = sampler.stop()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)  # ended children only: the parse workers
    memory["ru_maxrss_self_mb"] = round(peak_mb(), 1)
    memory["ru_maxrss_children_mb"] = round(children.ru_maxrss / 1024, 1)
    return {
        "wall_s": wall,
        "import_s": imported - t0,
        "cpu_s": cpu,
        "cpu_children_s": children.ru_utime + children.ru_stime,
        "stages": summary.stages.figures(),
        "memory": memory,
        "summary": summary.to_dict(),
        "census": census(census_url) if census_url else None,
    }


def census(url: str) -> dict:
    """Files and lines read per source and message type, as meta_source_file recorded them."""
    from jeugdmonitor.schemas.warehouse import meta_source_file as f
    from sqlalchemy import func, select

    from jeugdmonitor.warehouse import make_engine

    engine = make_engine(url)
    with engine.connect() as conn:
        found = conn.execute(
            select(f.c.source, f.c.message_type, func.count(), func.sum(f.c.rows_read)).group_by(
                f.c.source, f.c.message_type
            )
        ).all()
    engine.dispose()
    return {
        f"{source}/{message_type or '?'}": {"files": files, "rows_read": int(rows or 0)}
        for source, message_type, files, rows in sorted(found, key=lambda r: (r[0], r[1] or ""))
    }


def child_naive(url: str, roots: list[str]) -> dict:
    """The first attempt, stage by stage: rglob + sha256 + a SELECT per file, then per file a pandas read and
    DataFrame.to_sql (append), the parse and load seconds added up separately. Its tables are dropped after."""
    import logging

    from jeugdmonitor.warehouse import make_engine  # same engine settings (SQLite pragmas) as ours

    logging.getLogger("psycopg").setLevel(logging.ERROR)  # a failed to_sql logs a warning when it cleans up
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE TABLE {NAIVE_HASH_TABLE} (sha256 VARCHAR(64) PRIMARY KEY)")
    discovered, new = naive_discover(engine, [Path(r) for r in roots])
    loaded = naive_parse_load(engine, new)
    with engine.begin() as conn:
        for table in [NAIVE_HASH_TABLE, *loaded.pop("tables")]:
            conn.exec_driver_sql(f'DROP TABLE IF EXISTS "{table}"')
    engine.dispose()
    return {"stages": {"discover": discovered, **loaded.pop("stages")}, **loaded, "peak_mb": peak_mb()}


def naive_discover(engine, roots: list[Path]) -> tuple[dict, list[Path]]:
    from sqlalchemy import text

    query = text(f"SELECT 1 FROM {NAIVE_HASH_TABLE} WHERE sha256 = :sha256")
    t0 = time.perf_counter()
    files = [p for root in roots for p in root.rglob("*") if p.is_file()]
    new = []
    with engine.connect() as conn:
        for path in files:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            if conn.execute(query, {"sha256": digest}).first() is None:
                new.append(path)
    return {"seconds": time.perf_counter() - t0, "rows": len(files)}, new


def naive_read(path: Path):
    """(table, frame) of one delivery, the way a first attempt reads it."""
    import pandas as pd

    suffix = path.suffix.lower()
    if suffix == ".xml":
        message = path.name[:5].lower() if re.match(r"JW\d{3}", path.name) else "other"
        return f"{message}_naive", pd.read_xml(path, xpath=NAIVE_XPATH, parser="lxml")
    if suffix == ".csv":
        return "jgt_naive", pd.read_csv(path, sep=None, engine="python")
    if suffix == ".xlsx":
        return "jgt_naive", pd.read_excel(path)
    raise ValueError(f"no naive reader for {path.suffix}")


def naive_parse_load(engine, files: list[Path]) -> dict:
    from collections import Counter

    seconds = {"parse": 0.0, "load": 0.0}
    rows = {"parse": 0, "load": 0}
    read_failures, write_failures, reasons, tables = Counter(), Counter(), Counter(), set()
    for path in files:
        kind = "ijw" if path.suffix.lower() == ".xml" else "jgt"
        t0 = time.perf_counter()
        try:
            table, frame = naive_read(path)
        except Exception:  # broken files, files without records, an encoding it does not guess
            read_failures[kind] += 1
            continue
        finally:
            seconds["parse"] += time.perf_counter() - t0
        rows["parse"] += len(frame)
        t1 = time.perf_counter()
        try:
            frame.to_sql(table, engine, if_exists="append", index=False)
            tables.add(table)
            rows["load"] += len(frame)
        except Exception as exc:  # e.g. a column the first file of that type did not have, or another type
            write_failures[kind] += 1
            reasons[f"{table}: {root_cause(exc)}"] += 1
            tables.add(table)  # a failed append may still have created the table
        finally:
            seconds["load"] += time.perf_counter() - t1
    return {
        "stages": {s: {"seconds": seconds[s], "rows": rows[s]} for s in ("parse", "load")},
        "files": len(files),
        "read_failures": dict(read_failures),
        "write_failures": dict(write_failures),
        "write_failure_reasons": dict(reasons.most_common(5)),
        "tables": sorted(tables),
    }


# ---------------------------------------------------------------------------------------------------- data


def data_root(size: str, scale: float) -> Path:
    return OUT / (f"monitor-{size}" if scale == 1.0 else f"monitor-{size}-s{scale:g}")


def ensure_inbox(size: str, scale: float) -> tuple[Path, dict]:
    """The generated inbox for `size` (generated now, in a child, unless complete) and when it was generated."""
    inbox = data_root(size, scale) / "inbox"
    record = inbox.parent / "generation.json"
    if (inbox / "manifest.json").exists():
        known = json.loads(record.read_text(encoding="utf-8")) if record.exists() else {}
        return inbox, {**known, "reused": True}
    if inbox.exists():  # an interrupted generation
        shutil.rmtree(inbox)
    print(f"generating {inbox} ...", flush=True)
    generated = in_child(child_generate, str(inbox), size, scale)
    info = {
        "seconds": round(generated["seconds"], 1),
        "peak_mb": round(generated["peak_mb"], 1),
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "defects": DEFECTS,
        "scale": scale,
    }
    record.write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    return inbox, {**info, "reused": False}


def prepare_prefect() -> dict | None:
    """Create the benchmark's Prefect database once, outside any measured run."""
    if (PREFECT_HOME / "prefect.db").exists():
        return None
    print(f"creating the Prefect database in {PREFECT_HOME} (once) ...", flush=True)
    return in_child(child_prefect_warmup)


# ---------------------------------------------------------------------------------------------------- config


def write_config(run_dir: Path, inboxes: dict[str, Path], region: dict, url: str, workers: int) -> Path:
    """jeugdmonitor.toml with the benchmark's region, inboxes, warehouse and workers; everything the flow writes
    (data_dir, key, Data Docs) goes under `run_dir`."""
    import toml  # a Prefect dependency; tomllib only reads

    if run_dir.exists():
        shutil.rmtree(run_dir)
    run_dir.mkdir(parents=True)
    config = tomllib.loads(BASE_CONFIG.read_text(encoding="utf-8"))
    config["region"].update(naam=region["naam"], jeugdregio=region["jeugdregio"], gemeenten=region["gemeenten"])
    from jeugdmonitor.schemas.jgt_layouts import load_region_tables

    if not set(region["gemeenten"]) <= set(load_region_tables().gemeenten):
        config["region"]["bestand"] = ""  # the synthetic national gemeenten are not in the demo's region file
    config["paths"] = {
        "data_dir": str(run_dir / "data"),
        "ijw_inbox": str(inboxes["ijw"]),
        "jgt_inbox": str(inboxes["jgt"]),
        "cbs_inbox": str(inboxes["cbs"]),
    }
    config["warehouse"]["url"] = url
    config["privacy"].update(key_file=str(run_dir / "pseudonym.key"), create_key_file=True)
    config["ijw"]["workers"] = workers
    config["cbs"]["base_url"] = "fixture"  # the generated responses in cbs_inbox: offline, reproducible
    config["alerts"].update(enabled=True, data_docs_dir=str(run_dir / "data-docs"), ontvangers=[])
    config["alerts"].setdefault("smtp", {})["host"] = ""  # no recipients and no relay: nothing is sent
    config["budget"] = {g: years for g, years in config.get("budget", {}).items() if g in region["gemeenten"]}
    path = run_dir / "jeugdmonitor.toml"
    path.write_text("# Written by bench/monitor.py from jeugdmonitor.toml.\n" + toml.dumps(config), encoding="utf-8")
    return path


# ---------------------------------------------------------------------------------------------------- one backend


def run_backend(args: argparse.Namespace, backend: str, inbox: Path, sample: Path | None, region: dict) -> dict:
    """First run, second run, ours on the sample and the naive baseline for one backend."""
    warehouses = Warehouses(backend, args.pg_url)
    runs_dir = inbox.parent / "runs"
    sample_inbox = sample or inbox / "ijw"
    result: dict = {"backend": backend, "database": warehouses.server(), "warehouses": warehouses.made}
    try:
        url = warehouses.new("full")
        config = write_config(runs_dir / f"{backend}-full", inbox_paths(inbox), region, url, args.workers)
        result["config"] = config.read_text(encoding="utf-8")
        print(f"[{backend}] monitor flow, first run ...", flush=True)
        result["first"] = in_child(child_flow, str(config), url)
        print(f"[{backend}] monitor flow, second run (nothing new) ...", flush=True)
        result["second"] = in_child(child_flow, str(config), None)
        if sample is None:  # the sample is every file: the first run is ours on it
            result["sample_ours"] = result["first"]
        else:
            sample_url = warehouses.new("sample")
            sample_config = write_config(
                runs_dir / f"{backend}-sample", inbox_paths(inbox, ijw=sample), region, sample_url, args.workers
            )
            print(f"[{backend}] monitor flow on the naive sample ...", flush=True)
            result["sample_ours"] = in_child(child_flow, str(sample_config), sample_url)
        print(f"[{backend}] naive baseline on the sample ...", flush=True)
        result["naive"] = in_child(child_naive, warehouses.new("naive"), [str(sample_inbox), str(inbox / "jgt")])
    finally:
        if args.keep:
            print(f"[{backend}] kept: " + ", ".join(warehouses.made))
        else:
            warehouses.drop_all()
            if backend == "sqlite":  # the flow's warehouse lock file (jeugdmonitor.locking), next to each file
                for name in warehouses.made:
                    (OUT / "db" / f"{name}.sqlite.lock").unlink(missing_ok=True)
    return result


def inbox_paths(inbox: Path, ijw: Path | None = None) -> dict[str, Path]:
    return {"ijw": ijw or inbox / "ijw", "jgt": inbox / "jgt", "cbs": inbox / "cbs"}


# ---------------------------------------------------------------------------------------------------- figures


def per_second(rows: int | None, seconds: float | None) -> float | None:
    return rows / seconds if rows and seconds else None


def stage_rows(run: dict) -> list[dict]:
    """The table: one row per stage, then prefect+other, ours end to end and the total."""
    first, sample, naive = run["first"], run["sample_ours"], run["naive"]
    total = first["wall_s"]
    memory = first["memory"]["by_stage_mb"]
    rows = []
    for stage in STAGES:
        mine = first["stages"].get(stage, {"seconds": 0.0, "rows": 0})
        naive_s = naive["stages"][stage]["seconds"] if stage in NAIVE_STAGES else None
        sample_s = sample["stages"].get(stage, {}).get("seconds")
        rows.append(
            {
                "stage": stage,
                "seconds": mine["seconds"],
                "rows": mine["rows"],
                "rows_per_s": per_second(mine["rows"], mine["seconds"]),
                "peak_mb": memory.get(stage),
                "share": mine["seconds"] / total,
                "sample_s": sample_s,
                "naive_s": naive_s,
                "ratio": naive_s / sample_s if naive_s is not None and sample_s else None,
            }
        )
    staged = sum(r["seconds"] for r in rows)
    rows.append(
        {
            "stage": "prefect+other",
            "seconds": total - staged,
            "peak_mb": memory.get("other"),
            "share": (total - staged) / total,
        }
    )
    ours = ours_end_to_end(first)
    ours_sample, naive_total = ours_end_to_end(sample), naive_end_to_end(naive)
    rows.append(
        {
            "stage": "ours d+p+v+l",
            "seconds": ours,
            "share": ours / total,
            "sample_s": ours_sample,
            "naive_s": naive_total,
            "ratio": naive_total / ours_sample if ours_sample else None,
        }
    )
    rows.append(
        {"stage": "total (whole flow)", "seconds": total, "share": 1.0, "peak_mb": first["memory"]["peak_mb"]["all"]}
    )
    return rows


def ijw_lines(run: dict) -> int:
    """iJw lines read by a run, from its census of meta_source_file (the x axis of bench/plot.py)."""
    return sum(c["rows_read"] for key, c in (run["census"] or {}).items() if key.startswith("ijw/"))


def ours_end_to_end(run: dict) -> float:
    return sum(run["stages"].get(s, {}).get("seconds", 0.0) for s in ("discover", "parse", "validate", "load"))


def naive_end_to_end(naive: dict) -> float:
    return sum(naive["stages"][s]["seconds"] for s in NAIVE_STAGES)


def ratios(run: dict) -> dict:
    first, second, sample, naive = run["first"], run["second"], run["sample_ours"], run["naive"]
    ours_load = per_second(
        sample["stages"].get("load", {}).get("rows"), sample["stages"].get("load", {}).get("seconds")
    )
    naive_load = per_second(naive["stages"]["load"]["rows"], naive["stages"]["load"]["seconds"])
    ours_sample = ours_end_to_end(sample)
    return {
        "end_to_end_vs_naive": naive_end_to_end(naive) / ours_sample if ours_sample else None,
        "load_vs_to_sql": ours_load / naive_load if ours_load and naive_load else None,
        "ours_load_rows_per_s": ours_load,
        "naive_load_rows_per_s": naive_load,
        "second_over_first": second["wall_s"] / first["wall_s"],
        "second_over_first_stages_only": (
            sum(f["seconds"] for f in second["stages"].values())
            / max(sum(f["seconds"] for f in first["stages"].values()), 1e-9)
        ),
    }


def verdicts(size: str, scale: float, run: dict, figures: dict) -> list[tuple[str, str]]:
    """(target, outcome) for every target; "not measured" where this run does not cover it."""
    first = run["first"]
    full_size = scale == 1.0

    def judged(ok: bool, value: str) -> str:
        return f"{value}: {verdict(ok)}"

    wall, peak = first["wall_s"], first["memory"]["peak_mb"]["all"]
    out = [
        (
            "demo region, whole flow < 60 s",
            judged(wall < TARGET_REGION_S, f"{wall:,.1f} s") if size == "region" and full_size else "not measured",
        ),
        (
            "national year, whole flow < 15 min",
            judged(wall < TARGET_NATIONAL_S, f"{wall / 60:,.1f} min")
            if size == "national" and full_size
            else "not measured",
        ),
        (
            "national year, peak memory < 2 GB",
            judged(peak < TARGET_PEAK_MB, f"{peak:,.0f} MB") if size == "national" and full_size else "not measured",
        ),
    ]
    speedup, load = figures["end_to_end_vs_naive"], figures["load_vs_to_sql"]
    out.append(
        (
            f">= {TARGET_SPEEDUP:g}x naive, end to end",
            judged(speedup >= TARGET_SPEEDUP, f"{speedup:.2f}x") if speedup else "not measured",
        )
    )
    out.append(
        (
            f"load >= {TARGET_LOAD_VS_TO_SQL:g}x to_sql (rows/s)",
            judged(load >= TARGET_LOAD_VS_TO_SQL, f"{load:.1f}x") if load else "not measured",
        )
    )
    second = figures["second_over_first"]
    out.append(
        (
            f"second run < {TARGET_SECOND_RUN:g} of the first",
            judged(
                second < TARGET_SECOND_RUN, f"{second:.3f} (stages only {figures['second_over_first_stages_only']:.3f})"
            ),
        )
    )
    return out


def notes(run: dict, files: int, sampled: int, jgt_files: int) -> list[str]:
    naive, first = run["naive"], run["first"]
    failures = ", ".join(f"{kind} {n}" for kind, n in naive["read_failures"].items()) or "none"
    write = ", ".join(f"{kind} {n}" for kind, n in naive["write_failures"].items()) or "none"
    return [
        f"Sample: {sampled:,} of {files:,} iJw files (stratified by message type) plus all {jgt_files} JGT "
        "exports; 'sample s' is our whole monitor flow on exactly that inbox, in a fresh warehouse, and the ratio "
        "is naive s / sample s."
        + (" The sample is every file: ours on it is the first run." if run["sample_ours"] is first else ""),
        "validate, cbs, marts, alerts: n/a for the naive way, which checks nothing and builds no marts or alerts. "
        "End to end is naive discover+parse+load against ours discover+parse+validate+load.",
        "Naive discover: rglob('*'), sha256 of each whole file and one SELECT per file against a table of hashes "
        "(empty, primary key); it records nothing. Naive parse: read_xml of the record elements (no header, no "
        "client, no BSN), read_csv(sep=None) / read_excel; naive load: to_sql(append) per file.",
        f"Naive read failures: {failures}; to_sql failures: {write} (a table takes the columns of the first file "
        "of its type); the naive tables were dropped.",
        f"Peak MB: resident memory sampled every {SAMPLE_EVERY_S * 1000:.0f} ms, the flow process plus its parse "
        "workers, highest reading while the stage ran (the sum counts pages that processes share once each; a "
        "child between fork and exec is left out). Prefect's temporary server is a child process too and is "
        "counted only in the total.",
        f"Wall seconds from before `import jeugdmonitor.flows.monitor` to its return, in a fresh process: "
        f"Prefect's import ({first['import_s']:.1f} s here) and its temporary API server start are in "
        "prefect+other. The second run is a fresh process too, so it pays them again.",
    ]


# ---------------------------------------------------------------------------------------------------- report


def fmt(value, pattern: str) -> str:
    return "–" if value is None else format(value, pattern)


def print_table(rows: list[dict]) -> None:
    print(
        f"\n{'stage':<20} {'seconds':>9} {'rows':>10} {'rows/s':>9} {'peak MB':>8} {'share':>6} "
        f"{'sample s':>9} {'naive s':>9} {'ratio':>7}"
    )
    for r in rows:
        naive_na = r["stage"] in STAGES and r["stage"] not in NAIVE_STAGES
        print(
            f"{r['stage']:<20} {fmt(r['seconds'], ',.2f'):>9} {fmt(r.get('rows'), ',d'):>10} "
            f"{fmt(r.get('rows_per_s'), ',.0f'):>9} {fmt(r.get('peak_mb'), ',.0f'):>8} "
            f"{fmt(r['share'] * 100, '.0f') + ' %':>6} {fmt(r.get('sample_s'), ',.2f'):>9} "
            f"{'n/a' if naive_na else fmt(r.get('naive_s'), ',.2f'):>9} "
            f"{'n/a' if naive_na else fmt(r.get('ratio'), '.1f') + ('x' if r.get('ratio') else ''):>7}"
        )


def print_backend(size: str, run: dict) -> None:
    first, second, figures = run["first"], run["second"], run["ratios"]
    memory = first["memory"]["peak_mb"]
    print(f"\n=== {size}, {run['database']} ===")
    print_table(run["table"])
    print(
        f"\ntotal wall {first['wall_s']:,.1f} s (CPU: flow process {first['cpu_s']:,.1f} s, ended children "
        f"{first['cpu_children_s']:,.1f} s); second run {second['wall_s']:,.1f} s = "
        f"{figures['second_over_first']:.3f} of the first (stages only: "
        f"{figures['second_over_first_stages_only']:.3f})"
    )
    print(
        f"peak memory, every process together: {memory['all']:,.0f} MB; apart: flow process "
        f"{memory['process']:,.0f}, parse workers {memory['workers']:,.0f}, Prefect server "
        f"{memory['prefect_server']:,.0f} MB; cross-check ru_maxrss: flow process "
        f"{first['memory']['ru_maxrss_self_mb']:,.0f} MB, largest ended child "
        f"{first['memory']['ru_maxrss_children_mb']:,.0f} MB"
    )
    print(
        f"load rows/s: ours {fmt(figures['ours_load_rows_per_s'], ',.0f')} (on the sample), naive to_sql "
        f"{fmt(figures['naive_load_rows_per_s'], ',.0f')}"
    )
    summary = first["summary"]
    print(f"first run: files {summary['files']}, rows {summary['rows']}")
    for reason, count in run["naive"]["write_failure_reasons"].items():
        print(f"  naive to_sql failure x{count}: {reason}")
    print("targets:")
    for target, outcome in run["verdicts"]:
        print(f"  {target:<40} {outcome}")
    for note in run["notes"]:
        print(f"- {note}")


# ---------------------------------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", choices=list(SIZES), default="gemeente")
    parser.add_argument(
        "--scale", type=float, default=1.0, help="multiplies the population (national: 1 = a full national year)"
    )
    parser.add_argument("--backend", choices=["postgresql", "sqlite", "both"], default="postgresql")
    parser.add_argument("--workers", type=int, default=2, help="[ijw] workers: iJw parse processes")
    parser.add_argument("--naive-sample", type=int, default=10000, help="iJw files in the stratified sample")
    parser.add_argument("--pg-url", default=PG_URL, help="PostgreSQL server (default $JEUGDMONITOR_TEST_PG_URL)")
    parser.add_argument("--keep", action="store_true", help="keep the warehouses (naive tables are dropped)")
    parser.add_argument(
        "--json",
        type=Path,
        help="where to write the figures (default bench/out/monitor-<size>[-s<scale>]-<backend>.json)",
    )
    args = parser.parse_args(argv)
    if args.scale <= 0:
        parser.error("--scale must be positive")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    inbox, generation = ensure_inbox(args.size, args.scale)
    data = in_child(child_describe, str(inbox), args.size)
    files, size_bytes, warm_s = warm(inbox / "ijw")
    jgt_files = sum(1 for p in (inbox / "jgt").iterdir() if p.is_file())
    sample = make_sample(inbox / "ijw", args.naive_sample) if args.naive_sample < files else None
    sampled = sum(1 for _ in sample.rglob("*.xml")) if sample else files
    origin = "reused" if generation["reused"] else f"generated in {generation['seconds']:.0f} s"
    print(
        f"data: {inbox} ({files:,} iJw files, {size_bytes / 1e6:,.0f} MB, {jgt_files} JGT exports, "
        f"{len(data['gemeenten'])} gemeenten; {origin}; page cache warmed in {warm_s:.1f} s)",
        flush=True,
    )
    warmup = prepare_prefect()
    floor = in_child(child_floor)
    backends = ["postgresql", "sqlite"] if args.backend == "both" else [args.backend]
    loadavg_start = round(os.getloadavg()[0], 2)
    if loadavg_start > 0.5:
        print(f"note: 1-minute load average {loadavg_start} at the start (an earlier run or other work)")

    runs = []
    for backend in backends:
        run = run_backend(args, backend, inbox, sample, data)
        run["ijw_lines"] = ijw_lines(run["first"])
        run["table"], run["ratios"] = stage_rows(run), ratios(run)
        run["verdicts"] = verdicts(args.size, args.scale, run, run["ratios"])
        run["notes"] = notes(run, files, sampled, jgt_files)
        print_backend(args.size, run)
        runs.append(run)

    info = machine(", ".join(r["database"] for r in runs), floor["peak_mb"])
    info.update(loadavg_start=loadavg_start, loadavg_end=round(os.getloadavg()[0], 2))
    total_s = time.perf_counter() - started
    print(f"\nbenchmark took {total_s:,.0f} s")
    target = args.json or OUT / f"{data_root(args.size, args.scale).name}-{args.backend}.json"
    report = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": info,
        "code": code_state(),
        "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items() if k != "pg_url"},
        "data": {
            "size": args.size,
            "scale": args.scale,
            "inbox": str(inbox),
            "ijw_files": files,
            "ijw_bytes": size_bytes,
            "jgt_files": jgt_files,
            "sample_files": sampled,
            "generation": generation,
            "region": {k: data[k] for k in ("naam", "jeugdregio", "gemeenten")},
            "manifest": data["manifest"],
        },
        "prefect_warmup": warmup,
        "runs": runs,
        "benchmark_s": round(total_s, 1),
    }
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"figures written to {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
