"""Server CPU per request of the statistics, search and sort queries, beside the keyset read.

    python bench/scale_reads_cpu.py --database bench/data/r1000000.db [--requests 20] \
        [--rounds 3] [--sorts]

Starts `gateway serve --workers 1` on 127.0.0.1 over the database, warms each query up (3
requests), then in each round sends every query `--requests` times in a row on one keep-alive
connection, the queries in turn (the keyset read `runs(first: 100)` among them), and reads the
server process's utime + stime from /proc around each run of requests. Reports the median over
the rounds of CPU ms per request and its ratio to the keyset read's, with the load average: on
a shared machine CPU per request moves far less than latency (a loaded core stretches the wall
time of a request, not the work in it). Bounded: rounds x queries x requests requests.
"""

from __future__ import annotations

import argparse
import http.client
import os
import statistics
import sys
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.runner.server import Server
from bench.statistics_bench import KEYSET, QUERIES, sort_queries

ROOT = Path(__file__).resolve().parent.parent
TICKS = os.sysconf("SC_CLK_TCK")


def _cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime (fields 14, 15)


def _post(conn: http.client.HTTPConnection, body: bytes) -> None:
    conn.request("POST", "/graphql", body, {"content-type": "application/json"})
    response = conn.getresponse()
    data = orjson.loads(response.read())
    assert response.status == 200 and "errors" not in data, data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", type=Path, required=True)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sorts", action="store_true")
    parser.add_argument("--only", nargs="*", help="the queries whose names contain one of these")
    args = parser.parse_args()
    chosen = {
        "keyset read `runs(first: 100)`": KEYSET,
        **{n: q for n, (q, scan) in QUERIES.items() if not scan},
        **({n: q for n, (q, _) in sort_queries().items()} if args.sorts else {}),
    }
    if args.only:
        chosen = {
            n: q
            for n, q in chosen.items()
            if n.startswith("keyset") or any(o in n for o in args.only)
        }
    bodies = {n: orjson.dumps({"query": q}) for n, q in chosen.items()}
    server = Server(args.database, ROOT / "bench" / "data" / "scale-reads-cpu.log", workers=1)
    cpu: dict[str, list[float]] = {n: [] for n in bodies}
    loads = []
    try:
        server.wait_ready(timeout=600)
        pid = server.process.pid
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=600)
        for body in bodies.values():
            for _ in range(3):
                _post(conn, body)
        for _ in range(args.rounds):
            for name, body in bodies.items():
                began = _cpu(pid)
                for _ in range(args.requests):
                    _post(conn, body)
                cpu[name].append((_cpu(pid) - began) * 1000 / args.requests)
            loads.append(os.getloadavg()[0])
    finally:
        server.stop()
    keyset = statistics.median(cpu["keyset read `runs(first: 100)`"])
    print(f"{args.database.name}: load average (1 min) over the rounds {min(loads):.2f} to "
          f"{max(loads):.2f}; {args.requests} requests x {args.rounds} rounds per query")  # fmt: skip
    print("| query | server CPU ms per request (median round) | ÷ keyset read |")
    print("|---|---:|---:|")
    for name, values in cpu.items():
        median = statistics.median(values)
        print(f"| {name} | {median:.2f} | {median / keyset:.2f}x |", flush=True)


if __name__ == "__main__":
    main()
