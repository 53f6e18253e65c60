"""The side-by-side run (see `bench/postgraphile.py`): the tools, the data in both stores, the
servers, the interleaved rounds and the report."""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import orjson

from bench.runner.capture import with_fast_path_columns
from bench.runner.environment import ROOT, describe_machine, git
from bench.runner.floor import FloorRunner, same_result
from bench.runner.server import Server

from . import report, tools
from .pgload import database_size, load
from .queries import PAIRS, rows
from .rounds import Backends, Cell, fetch, measure, rotate

SERVERS = {
    "postgraphile": "PostGraphile v5",
    "gateway-sqlite-1": "gateway `--workers 1` SQLite",
    "gateway-sqlite-2": "gateway `--workers 2` SQLite",
    "gateway-pg-1": "gateway `--workers 1` PostgreSQL",
    "gateway-pg-2": "gateway `--workers 2` PostgreSQL",
}
LABELS = {p.name: p.label for p in PAIRS}


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="The gateway beside PostGraphile v5.")
    parser.add_argument("--runs", type=int, default=100_000, help="runs generated (100,000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--server-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--pg-database", default="bench_pg", help="created (and replaced) here")
    parser.add_argument("--reload", action="store_true", help="copy the rows even if present")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per cell")
    parser.add_argument("--warmup-seconds", type=float, default=1.0, help="per cell, uncounted")
    parser.add_argument(
        "--warmup-round", type=float, default=3.0, help="seconds per cell of an uncounted round 0"
    )
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--max-requests", type=int, default=50_000, help="per cell")
    parser.add_argument("--floor-seconds", type=float, default=2.0)
    parser.add_argument("--servers", help=f"comma-separated subset of {', '.join(SERVERS)}")
    parser.add_argument("--label", default="postgraphile", help="results file suffix")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.duration <= 0 or args.runs < 100:
        parser.error("--rounds >= 1, --duration > 0 and --runs >= 100")
    return args


def sqlite_data(runs: int, seed: int) -> Path:
    """The generated SQLite file for `runs` (made by bench/generate.py unless it exists)."""
    path = ROOT / "bench" / "data" / f"sidebyside-{runs}-{seed}.db"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                *(sys.executable, str(ROOT / "bench" / "generate.py")),
                *("--runs", str(runs), "--seed", str(seed), "--output", str(path)),
            ],
            check=True,
            cwd=ROOT,
            timeout=3600,
        )
    return path


def start(name: str, sqlite_path: Path, pg_url: str, logs: Path) -> Server | tools.PostGraphile:
    log = logs / f"{name}.log"
    if name == "postgraphile":
        return tools.PostGraphile(pg_url, log)
    kind, workers = name.rsplit("-", 1)[0], int(name.rsplit("-", 1)[1])
    return Server(sqlite_path if kind == "gateway-sqlite" else pg_url, log, workers)


def floors(sqlite_path: Path, seconds: float) -> tuple[dict[str, float], dict[str, bytes]]:
    """Each query's in-process floor over the SQLite file, as CPU ms per computation (this
    process's `time.process_time()`, as the servers' CPU per request: wall time on a loaded
    machine would count the waits for a core), and its output."""
    runner = FloorRunner(str(sqlite_path), "")
    found, outputs = {}, {}
    try:
        for pair in PAIRS:
            spec = with_fast_path_columns(pair.gateway).floor
            outputs[pair.name] = runner.compute(spec)  # warm
            repeats, deadline = 0, time.perf_counter() + seconds
            cpu_began = time.process_time()
            while repeats < 5 or (repeats < 5000 and time.perf_counter() < deadline):
                runner.compute(spec)
                repeats += 1
            found[pair.name] = (time.process_time() - cpu_began) / repeats * 1000
    finally:
        runner.close()
    return found, outputs


async def check_same(
    servers: dict[str, Any], floor_outputs: dict[str, bytes]
) -> tuple[list[str], dict[str, Any]]:
    """Every server's rows equal the first gateway's, whose response equals the floor's."""
    notes, shapes = [], {}
    for pair in PAIRS:
        answers = {}
        for name, server in servers.items():
            document = pair.postgraphile if name == "postgraphile" else pair.gateway.document
            response = await fetch(server.port, document)
            answers[name] = rows(response)
            if name.startswith("gateway-sqlite") and pair.name not in shapes:
                shapes[pair.name] = len(orjson.dumps(response))
                data = {k: v for k, v in response.items() if k != "extensions"}  # the cost
                if not same_result(data, orjson.loads(floor_outputs[pair.name])):
                    notes.append(f"{pair.name}: the gateway's response differs from the floor's")
        first = next(iter(answers.values()))
        for name, got in answers.items():
            if got != first:
                notes.append(f"{pair.name}: {name} returned other rows than the first server")
        size = len(first) if isinstance(first, list) else first
        print(f"{pair.name}: same rows on {len(answers)} servers ({size})", flush=True)
    return notes, shapes


async def run_rounds(
    servers: dict[str, Any], args: argparse.Namespace, databases: list[str]
) -> list[Cell]:
    conn = await asyncpg.connect(args.server_url)
    cells: list[Cell] = []
    try:
        backends = Backends(conn, databases)
        # Round 0 warms every server up (Node's JIT, the pools, the page cache): not counted.
        for round_ in range(0 if args.warmup_round > 0 else 1, args.rounds + 1):
            for i, pair in enumerate(PAIRS):
                for name in rotate(list(servers), round_ + i):
                    document = (
                        pair.postgraphile if name == "postgraphile" else pair.gateway.document
                    )
                    cell = await measure(
                        name,
                        servers[name],
                        pair.name,
                        document,
                        round_,
                        backends,
                        clients=args.clients,
                        seconds=args.duration if round_ else args.warmup_round,
                        warmup_seconds=args.warmup_seconds if round_ else 0.0,
                        max_requests=args.max_requests,
                    )
                    if round_:
                        cells.append(cell)
                    print(
                        f"round {round_ or 'warm-up'} {pair.name} {name}: {cell.rps:,.0f} req/s, "
                        f"{cell.cpu_ms:.2f} ms CPU/req ({cell.backend_cpu_ms:.2f} PostgreSQL), "
                        f"load {cell.load1:.2f}",
                        flush=True,
                    )
    finally:
        await conn.close()
    return cells


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    started, began = datetime.now(UTC), time.perf_counter()
    load_at_start = os.getloadavg()
    tools.install()
    sqlite_path = sqlite_data(args.runs, args.seed)
    loaded = load(sqlite_path, args.server_url, args.pg_database, reload=args.reload)
    pg_url = loaded["url"]
    floor_ms, floor_outputs = floors(sqlite_path, args.floor_seconds)
    print("floors (ms): " + ", ".join(f"{k} {v:.3f}" for k, v in floor_ms.items()), flush=True)
    names = args.servers.split(",") if args.servers else list(SERVERS)
    with tempfile.TemporaryDirectory() as tmp:
        servers: dict[str, Any] = {}
        try:
            for name in names:
                servers[name] = start(name, sqlite_path, pg_url, Path(tmp))
            for server in servers.values():
                server.wait_ready()
            notes, _ = asyncio.run(check_same(servers, floor_outputs))
            cells = asyncio.run(run_rounds(servers, args, [args.pg_database]))
        except BaseException:
            for name in servers:
                log = (Path(tmp) / f"{name}.log").read_text(errors="replace")
                print(f"{name} log (tail):\n{log[-2000:]}", file=sys.stderr)
            raise
        finally:
            for server in servers.values():
                server.stop()
    setup = {
        "started": f"{started:%Y-%m-%d %H:%M} UTC",
        "wall": f"{time.perf_counter() - began:.0f} s",
        "load": load_at_start,
        "load_end": os.getloadavg(),
        "loaded": loaded,
        "sqlite_mb": sqlite_path.stat().st_size / 2**20,
        "pg_mb": asyncio.run(database_size(pg_url)) / 2**20,
        "tools": tools.versions(),
        "machine": describe_machine(),
        "commit": git("rev-parse", "--short", "HEAD"),
    }
    text = document(cells, floor_ms, notes, setup, args)
    print(text)
    if not args.no_write:
        out = ROOT / "bench" / "results" / f"{started:%Y-%m-%d}-{args.label}.md"
        out.write_text(text)
        print(f"wrote {out.relative_to(ROOT)}")
    return 1 if notes else 0


def document(
    cells: list[Cell],
    floor_ms: dict[str, float],
    notes: list[str],
    setup: dict[str, Any],
    args: argparse.Namespace,
) -> str:
    counts = setup["loaded"]["counts"]
    machine = setup["machine"]
    timings = setup["loaded"]["timings"]
    copy = (
        "kept from an earlier run"
        if setup["loaded"]["kept"]
        else ", ".join(f"{k} {v:.1f} s" for k, v in timings.items())
    )
    lines = [
        f"# The gateway beside PostGraphile v5 ({setup['started']})",
        "",
        f"`python bench/postgraphile.py --runs {args.runs} --rounds {args.rounds} "
        f"--duration {args.duration:g} --clients {args.clients}` at commit {setup['commit']}. "
        f"Data: {counts['runs']:,} runs, {counts['activities']:,} activities, "
        f"{counts['processes']} processes (bench/generate.py, seed {args.seed}); the same rows in "
        f"SQLite ({setup['sqlite_mb']:.0f} MiB) and in PostgreSQL ({setup['pg_mb']:.0f} MiB, the "
        f"gateway's own schema from `gateway migrate`, rows copied: {copy}). "
        f"Machine: {machine['nproc']} CPUs ({machine['cpu']}), {machine['memory']}, Python "
        f"{machine['python']}; {', '.join(f'{k} {v}' for k, v in setup['tools'].items())}.",
        "",
        f"Load average at the start {setup['load'][0]:.2f} / {setup['load'][1]:.2f} / "
        f"{setup['load'][2]:.2f}, at the end {setup['load_end'][0]:.2f} / "
        f"{setup['load_end'][1]:.2f} / {setup['load_end'][2]:.2f}; "
        f"{report.load_summary(cells)}. Wall time {setup['wall']}.",
        "",
        f"Each cell: {args.clients} clients (one keep-alive connection each) for "
        f"{args.duration:g} s after {args.warmup_seconds:g} s of warm-up, at most "
        f"{args.max_requests:,} requests, after a round 0 of {args.warmup_round:g} s per cell "
        "that is not counted (Node's JIT, the pools, the page cache). Rounds are interleaved: in each round every query runs on "
        "every server, one after the other, the servers' order rotating. Server CPU per request "
        "= utime + stime (/proc) of the server's processes and of the PostgreSQL backends of the "
        "database, over the cell. The table shows each server's median round.",
        "",
        "## Requests per second and server CPU per request",
        "",
        report.main_table(cells, LABELS, SERVERS),
        "",
        "## Ratios",
        "",
        "The floor: the same result computed in-process over the SQLite file (stdlib sqlite3 + "
        "orjson, the store's own statements), CPU ms per computation: "
        + ", ".join(f"{LABELS[k]} {v:.3f} ms" for k, v in floor_ms.items())
        + ".",
        "",
        report.ratio_table(cells, floor_ms, LABELS, SERVERS),
        "",
        "## Same result",
        "",
        "\n".join(f"- {n}" for n in notes)
        or "Every server returned the same rows (ids, statuses, durations, activities, counts) "
        "and the gateway's response equals the floor's.",
        "",
        "## Every cell",
        "",
        report.rounds_table(cells, SERVERS),
        "",
    ]
    return "\n".join(lines)
