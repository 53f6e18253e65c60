"""PostgreSQL at scale (see `bench/pg_scale.py`): the generated data set (1,000,000 runs by
default) in PostgreSQL, the list, filtered list, counts and statistics queries on the gateway
with one and with two worker processes over that one database, in interleaved rounds; each
cell also measures one client's latency."""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import orjson

from bench.runner.client import prepare, sequential
from bench.runner.environment import ROOT, describe_machine, git
from bench.runner.queries import COUNT, COUNT_FAILED, FLAT, FLAT_FAILED, NESTED
from bench.runner.server import Server

from . import report
from .main import sqlite_data
from .pgload import database_size, load
from .rounds import Backends, Cell, fetch, measure, rotate

STATUS_COUNTS = (
    "{ runStatistics(groupBy: [STATUS]) { groups { key { status } aggregate { count } } } }"
)
DAILY_DURATIONS = (
    "{ runStatistics(interval: DAY) { groups { key { bucketStart } "
    "aggregate { count duration { p50 p95 } } } } }"
)
QUERIES = {
    "flat-100": ("100 newest runs", FLAT),
    "nested-100": ("100 newest runs + their activities", NESTED),
    "flat-100-failed": ("100 newest failed runs (filtered list)", FLAT_FAILED),
    "count": ("count of all runs", COUNT),
    "count-failed": ("count of failed runs", COUNT_FAILED),
    "statistics-status": ("`runStatistics(groupBy: [STATUS])` counts", STATUS_COUNTS),
    "statistics-daily": ("`runStatistics(interval: DAY)` with p50/p95 durations", DAILY_DURATIONS),
}
SERVERS = {
    "gateway-pg-1": "gateway `--workers 1` PostgreSQL",
    "gateway-pg-2": "gateway `--workers 2` PostgreSQL",
    "gateway-sqlite-2": "gateway `--workers 2` SQLite (the same rows)",
}


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="The gateway on PostgreSQL at scale.")
    parser.add_argument("--runs", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--server-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--pg-database", default="bench_pg_scale")
    parser.add_argument("--reload", action="store_true")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per cell")
    parser.add_argument("--warmup-seconds", type=float, default=1.0, help="per cell, uncounted")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--max-requests", type=int, default=50_000)
    parser.add_argument("--latency-requests", type=int, default=20, help="one client, per cell")
    parser.add_argument("--servers", default="gateway-pg-1,gateway-pg-2")
    parser.add_argument("--queries", help=f"comma-separated subset of {', '.join(QUERIES)}")
    parser.add_argument("--label", default=None, help="results file suffix (pg-scale-<runs>)")
    parser.add_argument("--no-write", action="store_true")
    return parser.parse_args(argv)


async def _latency(port: int, document: str, count: int) -> float:
    """One client's median latency (ms) over at most `count` requests (at most 30 s)."""
    times = await sequential(port, prepare(port, orjson.dumps({"query": document})), count, 30.0)
    return statistics.median(times) * 1000


async def _rounds(
    servers: dict[str, Server], queries: list[str], args: argparse.Namespace
) -> tuple[list[Cell], dict[tuple[str, str], list[float]]]:
    conn = await asyncpg.connect(args.server_url)
    cells: list[Cell] = []
    latencies: dict[tuple[str, str], list[float]] = {}
    try:
        backends = Backends(conn, [args.pg_database])
        for server in servers.values():  # warm: pools, plans, the page cache
            for query in queries:
                await fetch(server.port, QUERIES[query][1])
        for round_ in range(1, args.rounds + 1):
            for i, query in enumerate(queries):
                for name in rotate(list(servers), round_ + i):
                    document = QUERIES[query][1]
                    cell = await measure(
                        name,
                        servers[name],
                        query,
                        document,
                        round_,
                        backends,
                        clients=args.clients,
                        seconds=args.duration,
                        warmup_seconds=args.warmup_seconds,
                        max_requests=args.max_requests,
                    )
                    p50 = await _latency(servers[name].port, document, args.latency_requests)
                    cells.append(cell)
                    latencies.setdefault((name, query), []).append(p50)
                    print(
                        f"round {round_} {query} {name}: {cell.rps:,.0f} req/s, "
                        f"{cell.cpu_ms:.2f} ms CPU/req ({cell.backend_cpu_ms:.2f} PostgreSQL), "
                        f"1 client p50 {p50:.2f} ms, load {cell.load1:.2f}",
                        flush=True,
                    )
    finally:
        await conn.close()
    return cells, latencies


def latency_table(
    latencies: dict[tuple[str, str], list[float]], servers: list[str], queries: list[str]
) -> str:
    lines = [
        "| query | " + " | ".join(SERVERS.get(s, s) for s in servers) + " |",
        "|---|" + "---:|" * len(servers),
    ]
    for query in queries:
        row = [
            f"{statistics.median(latencies[(s, query)]):.2f}" if (s, query) in latencies else "-"
            for s in servers
        ]
        lines.append(f"| {QUERIES[query][0]} | " + " | ".join(row) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    started, began, load_start = datetime.now(UTC), time.perf_counter(), os.getloadavg()
    queries = args.queries.split(",") if args.queries else list(QUERIES)
    sqlite_path = sqlite_data(args.runs, args.seed)
    prepared_s = time.perf_counter() - began
    loaded = load(sqlite_path, args.server_url, args.pg_database, reload=args.reload)
    names = args.servers.split(",")
    with tempfile.TemporaryDirectory() as tmp:
        servers: dict[str, Server] = {}
        try:
            for name in names:
                workers = int(name.rsplit("-", 1)[1])
                target = sqlite_path if name.startswith("gateway-sqlite") else loaded["url"]
                servers[name] = Server(target, Path(tmp) / f"{name}.log", workers)
            for server in servers.values():  # SQLite at 1M runs: minutes on a loaded machine
                server.wait_ready(timeout=900.0)
            cells, latencies = asyncio.run(_rounds(servers, queries, args))
        except BaseException:
            for name in servers:
                log = (Path(tmp) / f"{name}.log").read_text(errors="replace")
                print(f"{name} log (tail):\n{log[-2000:]}", file=sys.stderr)
            raise
        finally:
            for server in servers.values():
                server.stop()
    labels = {q: QUERIES[q][0] for q in queries}
    machine = setup_line(args, loaded, sqlite_path, prepared_s)
    load_end = os.getloadavg()
    text = "\n".join(
        [
            f"# The gateway on PostgreSQL at {args.runs:,} runs ({started:%Y-%m-%d %H:%M} UTC)",
            "",
            machine,
            "",
            f"Load average at the start {load_start[0]:.2f} / {load_start[1]:.2f} / "
            f"{load_start[2]:.2f}, at the end {load_end[0]:.2f} / {load_end[1]:.2f} / "
            f"{load_end[2]:.2f}; {report.load_summary(cells)}. Wall time "
            f"{time.perf_counter() - began:.0f} s. Commit {git('rev-parse', '--short', 'HEAD')}.",
            "",
            f"## {args.clients} clients: requests per second and server CPU per request",
            "",
            "Median round of each; CPU = the server's processes and the PostgreSQL backends.",
            "",
            report.main_table(cells, labels, SERVERS),
            "",
            "## One client: median latency (ms)",
            "",
            latency_table(latencies, names, queries),
            "",
            "## Every cell",
            "",
            report.rounds_table(cells, SERVERS),
            "",
        ]
    )
    print(text)
    if not args.no_write:
        label = args.label or f"pg-scale-{args.runs}"
        out = ROOT / "bench" / "results" / f"{started:%Y-%m-%d}-{label}.md"
        out.write_text(text)
        print(f"wrote {out.relative_to(ROOT)}")
    return 0


def setup_line(
    args: argparse.Namespace, loaded: dict[str, Any], sqlite_path: Path, prepared_s: float
) -> str:
    counts, timings, m = loaded["counts"], loaded["timings"], describe_machine()
    copy = (
        "kept from an earlier run"
        if loaded["kept"]
        else ", ".join(f"{k} {v:.0f} s" for k, v in timings.items())
    )
    size = asyncio.run(database_size(loaded["url"])) / 2**20
    return (
        f"`python bench/pg_scale.py --runs {args.runs} --rounds {args.rounds} --duration "
        f"{args.duration:g} --clients {args.clients}`. Data: {counts['runs']:,} runs, "
        f"{counts['activities']:,} activities (bench/generate.py, seed {args.seed}; the SQLite "
        f"file {sqlite_path.stat().st_size / 2**20:,.0f} MiB, ready after {prepared_s:.0f} s), "
        f"copied into PostgreSQL with the gateway's own schema ({size:,.0f} MiB; {copy}). "
        f"Machine: {m['nproc']} CPUs ({m['cpu']}), {m['memory']}, Python {m['python']}. Each "
        f"cell: {args.clients} clients for {args.duration:g} s after {args.warmup_seconds:g} s "
        f"of warm-up (at most {args.max_requests:,} requests), then one client for at most "
        f"{args.latency_requests} requests; rounds interleaved, the servers' order rotating."
    )
