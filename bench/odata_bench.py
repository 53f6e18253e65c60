"""The flat and nested run lists through `/odata/` beside the same through `/graphql`.

    python bench/odata_bench.py --database bench/data/bench.db [--pairs 300] [--seconds 30]

Starts `gateway serve` (one process) on 127.0.0.1, then for each query alternates the OData
request and its GraphQL twin on one keep-alive connection (`runner.paired`: both see the same
moment of the machine), after a warm-up, and reports both medians and their ratio (goal: OData
within 1.2x of GraphQL). The twins ask for the same runs and the same fields:

* flat: 100 runs, newest first, with their times, statuses, name and durations;
* nested: the same, with each run's activities (key, status, times);
* process: the same runs with each one's process (a single-valued expansion).

Writes the report to `bench/results/<date>-odata.md` (or `--output`). Bounded: at most `--pairs`
pairs or `--seconds` per query.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import platform
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.runner.client import RawClient, prepare
from bench.runner.paired import alternate, summarise
from bench.runner.server import Server

ROOT = Path(__file__).resolve().parent.parent
RUN_FIELDS = "id status sourceStatus displayName createdDateTime startDateTime endDateTime"
ACTIVITY_FIELDS = "id key status sourceStatus startDateTime endDateTime"
GOAL = 1.2

QUERIES = {
    "flat-100": (
        "/odata/Runs?$top=100&$select=" + RUN_FIELDS.replace(" ", ",") + ",durations",
        f"{{ runs(first: 100) {{ nodes {{ __typename {RUN_FIELDS} eTag durations "
        "{ queueMs setupMs executionMs cleanupMs totalMs } } } }",
    ),
    "nested-100": (
        "/odata/Runs?$top=100&$select="
        + RUN_FIELDS.replace(" ", ",")
        + ",durations&$expand="
        + quote(f"activities($select={ACTIVITY_FIELDS.replace(' ', ',')})", safe="$()=,")
        + "",
        f"{{ runs(first: 100) {{ nodes {{ __typename {RUN_FIELDS} eTag durations "
        "{ queueMs setupMs executionMs cleanupMs totalMs } "
        f"activities {{ nodes {{ __typename {ACTIVITY_FIELDS} eTag }} }} }} }} }}",
    ),
    "process-100": (  # a single-valued expansion: each run's process
        "/odata/Runs?$top=100&$select="
        + RUN_FIELDS.replace(" ", ",")
        + "&$expand="
        + quote("process($select=id,displayName,kind)", safe="$()=,"),
        f"{{ runs(first: 100) {{ nodes {{ __typename {RUN_FIELDS} eTag "
        "process { id displayName kind eTag } } } }",
    ),
}


def get(port: int, path: str) -> bytes:
    return (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: application/json\r\n\r\n"
    ).encode()


async def check(port: int, odata: bytes, graphql: bytes) -> tuple[int, int]:
    """Both answer 200 with the same number of runs (and activities)."""
    async with RawClient(port) as client:
        status, body = await client.request(odata)
        assert status == 200, body[:300]
        runs = orjson.loads(body)["value"]
        status, body = await client.request(graphql)
        assert status == 200, body[:300]
        nodes = orjson.loads(body)["data"]["runs"]["nodes"]
    assert [r["id"] for r in runs] == [n["id"] for n in nodes]
    activities = sum(len(r.get("activities", [])) for r in runs)
    assert activities == sum(len(n.get("activities", {}).get("nodes", [])) for n in nodes)
    return len(runs), activities


def commit() -> str:
    git = shutil.which("git")
    if git is None:
        return "unknown"
    done = subprocess.run(
        [git, "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    )
    return done.stdout.strip() or "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", type=Path, required=True)
    parser.add_argument("--pairs", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    log = ROOT / "bench" / "data" / "odata-server.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    server = Server(args.database, log)
    lines = []
    try:
        server.wait_ready()
        port = server.port
        for name, (path, document) in QUERIES.items():
            odata = get(port, path)
            graphql = prepare(port, orjson.dumps({"query": document}))
            runs, activities = asyncio.run(check(port, odata, graphql))
            times = asyncio.run(
                alternate(port, odata, graphql, args.pairs, args.seconds, args.warmup)
            )
            paired = summarise(name, "graphql", GOAL, times)
            met = "met" if paired.ratio <= GOAL else "missed"
            lines.append(
                f"| {name} | {runs} runs, {activities} activities | {paired.p50_ms:.2f} | "
                f"{paired.baseline_p50_ms:.2f} | {paired.ratio:.2f}x | {met} | {paired.requests} |"
            )
            print(lines[-1], flush=True)
    finally:
        server.stop()
    today = datetime.date.today().isoformat()
    output = args.output or ROOT / "bench" / "results" / f"{today}-odata.md"
    report = [
        f"# /odata/ beside /graphql ({today}, commit {commit()})",
        "",
        f"Database: `{args.database.name}`; one server process; {platform.machine()}, "
        f"Python {platform.python_version()}. Each OData request alternated with its GraphQL "
        f"twin on one keep-alive connection, {args.warmup} pairs of warm-up, medians of up to "
        f"{args.pairs} pairs. Goal: OData within {GOAL}x of GraphQL.",
        "",
        "| query | answer | OData p50 ms | GraphQL p50 ms | ratio | goal | pairs |",
        "|---|---|---|---|---|---|---|",
        *lines,
        "",
        "OData URLs:",
        "",
        *(f"- {name}: `{path}`" for name, (path, _) in QUERIES.items()),
        "",
    ]
    output.write_text("\n".join(report))
    print(f"wrote {output}")


if __name__ == "__main__":
    main()
