"""Commit-to-delivery latency of `runChanged` with many concurrent subscribers on one process.

Starts `gateway serve` on 127.0.0.1 over a fresh database, opens `--subscribers` WebSocket
connections (one unfiltered `runChanged` each), then makes `--changes` run updates one at a time
through `updateRun`. For every subscriber and change it measures the time from the mutation's
response (the transaction has committed by then) to the change's arrival at the subscriber, and
waits for every delivery (at most `--timeout` seconds) before the next change. The subscribers
run in this one process, so their own parsing is part of the figure.

    python bench/live_bench.py [--subscribers 1000] [--changes 20] [--label NAME]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx2
from websockets.asyncio.client import connect

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.live.server import Api, serve

RESULTS = Path(__file__).parent / "results"
UPDATE = (
    "mutation ($id: ID!, $s: String) { updateRun(id: $id, input: {sourceStatus: $s}) "
    "{ __typename } }"
)


async def _subscriber(url: str, ready: asyncio.Event, arrivals: list[float]) -> None:
    async with connect(url, subprotocols=["graphql-transport-ws"], compression=None) as ws:  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init"}))
        await ws.recv()
        query = "subscription { runChanged { cursor kind status } }"
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}}))
        ready.set()
        async for raw in ws:
            message = json.loads(raw)
            if message["type"] == "next":
                arrivals.append(time.perf_counter())
            elif message["type"] == "ping":
                await ws.send(json.dumps({"type": "pong"}))


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


async def measure(args: argparse.Namespace, url: str) -> tuple[list[float], int]:
    api = Api(url)
    run_id = api.run(api.process("bench"))
    ws_url = url.replace("http://", "ws://") + "/graphql"
    arrivals: list[list[float]] = [[] for _ in range(args.subscribers)]
    readies = [asyncio.Event() for _ in range(args.subscribers)]
    tasks = []
    for ready, times in zip(readies, arrivals, strict=True):
        tasks.append(asyncio.create_task(_subscriber(ws_url, ready, times)))
        await asyncio.sleep(0.002)
    await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readies)), 120)
    await asyncio.sleep(2)  # every subscription has registered with the feed
    latencies: list[float] = []
    async with httpx2.AsyncClient(base_url=url, timeout=30) as http:
        for i in range(args.changes):
            response = await http.post(
                "/graphql", json={"query": UPDATE, "variables": {"id": run_id, "s": f"step {i}"}}
            )
            committed = time.perf_counter()
            assert response.json()["data"]["updateRun"]["__typename"] == "UpdateRunPayload"
            deadline = committed + args.timeout
            # a short poll of the arrival lists; the measured time is taken where they arrive
            while time.perf_counter() < deadline and any(len(t) <= i for t in arrivals):  # noqa: ASYNC110
                await asyncio.sleep(0.005)
            latencies += [t[i] - committed for t in arrivals if len(t) > i]
    missing = sum(args.changes - len(t) for t in arrivals)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return latencies, missing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--changes", type=int, default=20)
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--label", default=None)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as tmp,
        serve(Path(tmp) / "live.db", Path(tmp) / "server.log") as url,
    ):
        started = time.perf_counter()
        latencies, missing = asyncio.run(measure(args, url))
        elapsed = time.perf_counter() - started
    ms = [x * 1000 for x in latencies]
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607 (git from PATH)
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    report = (
        f"# runChanged: commit-to-delivery latency ({commit})\n\n"
        f"`python bench/live_bench.py --subscribers {args.subscribers} --changes {args.changes}`"
        f" on {platform.machine()}, Python {platform.python_version()}, one server process; the "
        f"subscribers run in the benchmark's own process. {elapsed:.0f} s in all.\n\n"
        f"| subscribers | changes | deliveries | missing | median ms | p99 ms | max ms |\n"
        f"|---|---|---|---|---|---|---|\n"
        f"| {args.subscribers} | {args.changes} | {len(ms)} | {missing} | "
        f"{statistics.median(ms):.0f} | {_percentile(ms, 0.99):.0f} | {max(ms):.0f} |\n"
    )
    print(report)
    if not args.no_write:
        name = f"live-{args.label or commit}.md"
        (RESULTS / name).write_text(report)
        print(f"wrote bench/results/{name}")


if __name__ == "__main__":
    main()
