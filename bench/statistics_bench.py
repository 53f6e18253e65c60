"""How statistics, search and sorting grow with the runs: one growth table over several databases.

    python bench/statistics_bench.py --database bench/data/r10000.db bench/data/r100000.db \
        bench/data/r1000000.db [--pairs 50] [--seconds 20] [--scan-pairs 3]

For each database (made by `bench/generate.py`): migrates it first (timing the migrations, e.g.
0012's backfill of the statistics summaries), starts `gateway serve --workers 1` on 127.0.0.1,
then for each query alternates its request with the keyset read (`runs(first: 100)`, newest
first) on one keep-alive connection, after a warm-up (`runner.paired`: both see the same moment
of the machine), and reports both medians and their ratio. The two statistics queries are also
measured with `exact: true` (the scan every report used before the summaries), fewer times.
Writes `bench/results/<date>-statistics.md` (or `--output`) with the load average. Bounded: at
most `--pairs` pairs or `--seconds` per query.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import os
import platform
import sys
import time
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.runner.client import RawClient, prepare
from bench.runner.paired import alternate, summarise
from bench.runner.server import Server
from gateway.store.engines import database_for

ROOT = Path(__file__).resolve().parent.parent
KEYSET = "{ runs(first: 100) { nodes { id status createdDateTime } } }"
STATUS = (
    "{ runStatistics(groupBy: [STATUS]%s) { readFrom rowsRead totals { count } "
    "groups { key { status } aggregate { count } } } }"
)
DAY = (
    "{ runStatistics(interval: DAY%s) { readFrom rowsRead approximate "
    "groups { key { bucketStart } aggregate { count duration { p50 p95 } } } } }"
)
QUERIES: dict[str, tuple[str, bool]] = {
    "runStatistics(groupBy: [STATUS]) counts": (STATUS % "", False),
    "runStatistics(interval: DAY) duration { p50 p95 }": (DAY % "", False),
    'runs(first: 100, search: "quota")': (
        '{ runs(first: 100, search: "quota") { nodes { id status createdDateTime } } }',
        False,
    ),
    'runs(first: 100, search: "unknown")': (
        '{ runs(first: 100, search: "unknown") { nodes { id status createdDateTime } } }',
        False,
    ),
    'runs(first: 100, search: "failed")': (
        '{ runs(first: 100, search: "failed") { nodes { id status createdDateTime } } }',
        False,
    ),
    'runs(first: 100, search: "succeeded")': (
        '{ runs(first: 100, search: "succeeded") { nodes { id status createdDateTime } } }',
        False,
    ),
    'runs(first: 100, search: "quota", orderBy: "startDateTime desc")': (
        '{ runs(first: 100, search: "quota", orderBy: "startDateTime desc") '
        "{ nodes { id status createdDateTime } } }",
        False,
    ),
    'runs(first: 100, orderBy: "durations/totalMs desc")': (
        '{ runs(first: 100, orderBy: "durations/totalMs desc") '
        "{ nodes { id status createdDateTime } } }",
        False,
    ),
    "the same groupBy: [STATUS], exact: true (the scan)": (STATUS % ", exact: true", True),
    "the same interval: DAY, exact: true (the scan)": (DAY % ", exact: true", True),
}
SORT = '{ runs(first: 100, orderBy: "%s desc") { nodes { id status createdDateTime } } }'


def sort_queries() -> dict[str, tuple[str, bool]]:
    """The first page in every sortable field's order (`--sorts`), measured like a scan."""
    from gateway.store.catalogs import RUNS

    return {
        f'orderBy: "{path} desc"': (SORT % path, True)
        for path, field in RUNS.fields.items()
        if field.sortable
    }


async def _migrate(path: Path) -> float:
    began = time.perf_counter()
    async with database_for(path, readers=1):
        pass
    return time.perf_counter() - began


async def _answer(port: int, prepared: bytes) -> str:
    async with RawClient(port) as client:
        status, body = await client.request(prepared)
    assert status == 200, body[:300]
    data = orjson.loads(body)
    assert "errors" not in data, data["errors"]
    found = data["data"]
    if "runStatistics" in found:
        report = found["runStatistics"]
        return f"{report['readFrom']}, {report['rowsRead']:,} rows"
    return f"{len(found['runs']['nodes'])} runs"


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f}"


def queries(args: argparse.Namespace) -> dict[str, tuple[str, bool]]:
    chosen = {**QUERIES, **(sort_queries() if args.sorts else {})}
    if args.only:
        chosen = {n: q for n, q in chosen.items() if any(o in n for o in args.only)}
    return chosen


def measure(path: Path, args: argparse.Namespace) -> dict[str, tuple[float, float, str, int]]:
    """Per query: (p50 ms, keyset p50 ms, what it read, pairs)."""
    log = ROOT / "bench" / "data" / "statistics-server.log"
    server = Server(path, log, workers=1)
    found: dict[str, tuple[float, float, str, int]] = {}
    try:
        server.wait_ready(timeout=600)
        port = server.port
        baseline = prepare(port, orjson.dumps({"query": KEYSET}))
        for name, (document, scan) in queries(args).items():
            prepared = prepare(port, orjson.dumps({"query": document}))
            answer = asyncio.run(_answer(port, prepared))
            pairs, warmup = (args.scan_pairs, 1) if scan else (args.pairs, 5)
            times = asyncio.run(alternate(port, prepared, baseline, pairs, args.seconds, warmup))
            paired = summarise(name, "keyset", 2.0, times)
            found[name] = (paired.p50_ms, paired.baseline_p50_ms, answer, paired.requests)
            print(f"{path.name} | {name} | {paired.p50_ms:.2f} ms | keyset "
                  f"{paired.baseline_p50_ms:.2f} ms | {answer} | load {_load()}", flush=True)  # fmt: skip
    finally:
        server.stop()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", type=Path, nargs="+", required=True)
    parser.add_argument("--pairs", type=int, default=50)
    parser.add_argument("--scan-pairs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--output", type=Path)
    parser.add_argument("--sorts", action="store_true", help="also every sortable field's order")
    parser.add_argument("--only", nargs="*", help="the queries whose names contain one of these")
    args = parser.parse_args()
    loads = [f"start {_load()}"]
    results: dict[str, dict[str, tuple[float, float, str, int]]] = {}
    migrations: dict[str, float] = {}
    for path in args.database:
        migrations[path.name] = asyncio.run(_migrate(path))
        print(f"{path.name}: migrations {migrations[path.name]:.1f} s", flush=True)
        results[path.name] = measure(path, args)
        loads.append(f"after {path.name} {_load()}")
    names = [p.name for p in args.database]
    head = " | ".join(names)
    lines = [
        f"| query | {head} | ÷ keyset at {names[-1]} | read at {names[-1]} |",
        "|---|" + "---|" * (len(names) + 2),
    ]
    for query in queries(args):
        cells = " | ".join(f"{results[n][query][0]:.2f}" for n in names)
        p50, keyset, answer, _ = results[names[-1]][query]
        lines.append(f"| `{query}` | {cells} | {p50 / keyset:.1f}x | {answer} |")
    cells = " | ".join(
        f"{sorted(r[1] for r in results[n].values())[len(results[n]) // 2]:.2f}" for n in names
    )
    lines.append(f"| keyset read `runs(first: 100)` (median of its pairs) | {cells} | 1.0x | |")
    today = datetime.date.today().isoformat()
    output = args.output or ROOT / "bench" / "results" / f"{today}-statistics.md"
    report = [
        f"# Statistics, search and sorting as the runs grow ({today})",
        "",
        f"`python bench/statistics_bench.py --database {' '.join(str(p) for p in args.database)} "
        f"--pairs {args.pairs} --scan-pairs {args.scan_pairs} --seconds {args.seconds:g}`; "
        f"one server process (`--workers 1`), one client; {platform.machine()}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}. Median ms of each query, "
        "each request alternated with the keyset read on one connection; the ratio is to that "
        "keyset read's median in the same pairs.",
        "",
        f"Load average (1 / 5 / 15 min): {'; '.join(loads)}.",
        "",
        "Migrations on opening (0012's backfill included): "
        + ", ".join(f"{n} {s:.1f} s" for n, s in migrations.items())
        + ".",
        "",
        *lines,
        "",
    ]
    output.write_text("\n".join(report))
    print(f"wrote {output}")


if __name__ == "__main__":
    main()
