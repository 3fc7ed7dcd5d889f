"""cProfile of iJw loading on a generated inbox (run bench/ingest.py once first to generate it).

    .venv/bin/python bench/profile_load.py --size region                  # load_files into a fresh PostgreSQL schema
    .venv/bin/python bench/profile_load.py --size region --parse-only     # parse_file alone, no warehouse
    .venv/bin/python bench/profile_load.py --size region --limit 20000 --no-profile   # plain timing

Prints the top functions by cumulative and by own time; `--out` keeps the pstats file.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
import uuid
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

from ingest import PG_URL, data_dir  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", choices=["gemeente", "region", "national-sample"], default="region")
    parser.add_argument("--gemeenten", type=int, default=20)
    parser.add_argument("--backend", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--parse-only", action="store_true")
    parser.add_argument("--limit", type=int, help="only the first N files (in path order)")
    parser.add_argument("--no-profile", action="store_true", help="time without the profiler")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--workers", type=int, default=1, help="parse processes (IjwOptions.workers)")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()

    from jeugdmonitor.schemas import load_productcodes
    from sqlalchemy import create_engine, text

    from jeugdmonitor import meta
    from jeugdmonitor.discovery import discover
    from jeugdmonitor.ijw.ingest import IjwOptions, load_files, parse_file
    from jeugdmonitor.pseudonym import Pseudonymiser
    from jeugdmonitor.warehouse import make_engine, upgrade

    inbox = data_dir(args.size, args.gemeenten) / "ijw"
    new, _ = discover(inbox, (".xml",), set())
    new = new[: args.limit] if args.limit else new
    pseudonymise = Pseudonymiser(os.urandom(32))
    options = IjwOptions(productcodes=frozenset(r["product_code"] for r in load_productcodes()), workers=args.workers)
    schema = f"prof_{uuid.uuid4().hex[:10]}"
    engine = None
    if not args.parse_only:
        if args.backend == "sqlite":
            url = f"sqlite:///{BENCH / 'out' / (schema + '.sqlite')}"
        else:
            with create_engine(PG_URL).begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            url = f"{PG_URL}?options=-csearch_path%3D{schema}"
        engine = make_engine(url)
        upgrade(engine)

    def work() -> None:
        if args.parse_only:
            for delivery in new:
                parse_file(delivery, pseudonymise, options)
        else:
            load_files(engine, meta.start_run(engine, "profile"), new, pseudonymise, options)

    profiler = None if args.no_profile else cProfile.Profile()
    t0, c0 = time.perf_counter(), time.process_time()
    if profiler:
        profiler.runcall(work)
    else:
        work()
    print(
        f"{len(new):,} files: {time.perf_counter() - t0:.1f} s wall, {time.process_time() - c0:.1f} s CPU"
        + (" (under the profiler)" if profiler else "")
    )
    if engine is not None:
        engine.dispose()
        if args.backend == "sqlite":
            Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
        else:
            with create_engine(PG_URL).begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    if profiler:
        stats = pstats.Stats(profiler)
        if args.out:
            stats.dump_stats(str(args.out))
        stats.sort_stats("cumulative").print_stats(args.top)
        stats.sort_stats("tottime").print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
