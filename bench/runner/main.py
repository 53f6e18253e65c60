"""Benchmark the real server against a floor measured in the same run: the arguments, the data
set's probe, the server's life and the loop over the queries (see `bench/run.py`)."""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from gateway.domain.paging import encode_cursor
from gateway.store import runs as store_runs

from .capture import with_fast_path_columns
from .environment import ROOT, git
from .floor import FloorRunner
from .measure import bench_pairs, bench_query
from .paired import Paired
from .queries import QUERIES
from .report import report
from .results import Result
from .server import Server, command_lines

RESULTS = ROOT / "bench" / "results"
DESCRIPTION = "Benchmark the real server against a floor measured in the same run."


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=DESCRIPTION)
    parser.add_argument("--database", type=Path, default=Path("bench/data/bench.db"))
    parser.add_argument(
        "--duration", type=float, default=10.0, help="seconds of concurrent load per round"
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="measured rounds of the concurrent phase per query; the median round is reported",
    )
    parser.add_argument(
        "--warmup-seconds",
        type=float,
        default=2.0,
        help="seconds of concurrent load before the rounds, not counted",
    )
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="server processes (`gateway serve --workers`; default: one per CPU)",
    )
    parser.add_argument("--max-requests", type=int, default=100_000)
    parser.add_argument("--latency-requests", type=int, default=200)
    parser.add_argument("--latency-seconds", type=float, default=10.0)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--floor-seconds", type=float, default=3.0)
    parser.add_argument("--floor-repeats", type=int, default=500)
    parser.add_argument("--deep-pages", type=int, default=10_000)
    parser.add_argument("--queries", help="comma-separated names (default: all)")
    parser.add_argument("--label", help="results file suffix (default: the short commit)")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    if not args.database.exists():
        print(f"{args.database} does not exist; run bench/generate.py first.", file=sys.stderr)
        return 2
    wanted = set(args.queries.split(",")) if args.queries else None
    queries = [with_fast_path_columns(q) for q in QUERIES if wanted is None or q.name in wanted]
    started = datetime.now(UTC)
    load_at_start = os.getloadavg()[0]
    wall_began = time.perf_counter()

    probe = sqlite3.connect(f"file:{args.database}?mode=ro", uri=True)
    dataset = {
        name: probe.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
        for name in ("runs", "activities", "processes", "workspaces")
    }
    dataset["size_gib"] = args.database.stat().st_size / 2**30
    offset = max(0, min(args.deep_pages * 100, dataset["runs"] - 100) - 1)
    created, id_ = probe.execute(
        "SELECT created_at, id FROM runs ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET ?",
        (offset,),
    ).fetchone()
    probe.close()
    deep = {"offset": offset, "pages": (offset + 1) // 100}
    # The default order's cursor, named as the store names it (`runs.created` before the query
    # language; its signature since).
    deep_cursor = encode_cursor(store_runs.NEWEST_FIRST.signature, (created, id_))

    floor = FloorRunner(str(args.database), deep_cursor)
    results: list[Result] = []
    processes: list[str] = []
    pairs: list[Paired] = []
    with tempfile.TemporaryDirectory() as tmp:
        server = Server(args.database, Path(tmp) / "server.log", args.workers)
        try:
            server.wait_ready()
            for query in queries:
                result = bench_query(query, server, floor, deep_cursor, args)
                results.append(result)
                print(
                    f"{result.name}: p50 {result.p50_ms:.2f} ms, {result.rps:.0f} req/s "
                    f"(rounds: {', '.join(f'{each.rps:.0f}' for each in result.rounds)}), "
                    f"CPU {result.cpu_ms:.2f} ms/req, floor {result.floor_ms:.3f} ms",
                    flush=True,
                )
            pairs = bench_pairs(queries, server, deep_cursor, args)
            for pair in pairs:
                print(
                    f"{pair.name} / {pair.baseline} alternated: {pair.p50_ms:.2f} / "
                    f"{pair.baseline_p50_ms:.2f} ms = {pair.ratio:.2f}x",
                    flush=True,
                )
            processes = command_lines(server.pid)  # the order of the CPU split
        except BaseException:
            log = (Path(tmp) / "server.log").read_text(errors="replace")
            print("server log (tail):\n" + log[-3000:], file=sys.stderr)
            raise
        finally:
            server.stop()
            floor.close()

    wall = time.perf_counter() - wall_began
    text = report(results, args, dataset, deep, started, wall, load_at_start, processes, pairs)
    print()
    print(text)
    if not args.no_write:
        RESULTS.mkdir(parents=True, exist_ok=True)
        label = args.label or git("rev-parse", "--short", "HEAD")
        out = RESULTS / f"{started:%Y-%m-%d}-{label}.md"
        out.write_text(text)
        print(f"wrote {out.relative_to(ROOT)}")
    return 0
