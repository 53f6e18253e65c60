"""One query measured: the response checked against the floor, latency with one client, then
throughput with concurrent clients (a warm-up, then `--rounds` measured rounds) and the CPU of
each server process and of the load client over each round."""

from __future__ import annotations

import argparse
import asyncio
import statistics

import httpx2
import orjson

from .client import concurrent, prepare, sequential
from .floor import FloorRunner, same_result
from .paired import PAIRS, Paired, alternate, summarise
from .queries import Query
from .results import Result, Round
from .server import Server, cpu_by_process, status_kb


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def payload_of(query: Query, deep_cursor: str) -> bytes:
    variables = {"after": deep_cursor} if query.deep_cursor else None
    return orjson.dumps({"query": query.document, "variables": variables})


def bench_query(
    query: Query,
    server: Server,
    floor: FloorRunner,
    deep_cursor: str,
    args: argparse.Namespace,
) -> Result:
    payload = payload_of(query, deep_cursor)
    prepared = prepare(server.port, payload)

    # Check the response, and that the floor computes the same thing.
    with httpx2.Client(timeout=60.0) as client:
        reply = client.post(
            f"{server.url}/graphql", content=payload, headers={"content-type": "application/json"}
        )
    body = reply.json()
    if reply.status_code != 200 or "errors" in body:
        raise RuntimeError(f"{query.name}: HTTP {reply.status_code}: {reply.text[:500]}")
    floor_s, floor_bytes = floor.measure(query.floor, args.floor_seconds, args.floor_repeats)
    # The floor computes `data`; the server's `extensions` (the cost) is not part of it.
    same = same_result(
        {k: v for k, v in body.items() if k != "extensions"}, orjson.loads(floor_bytes)
    )

    asyncio.run(sequential(server.port, prepared, args.warmup, args.latency_seconds))
    latencies = asyncio.run(
        sequential(server.port, prepared, args.latency_requests, args.latency_seconds)
    )
    warmup = 0
    if args.warmup_seconds > 0:  # the same clients and request, not counted
        warmup = asyncio.run(
            concurrent(server.port, prepared, args.clients, args.warmup_seconds, args.max_requests)
        ).requests
    rounds = [measure_round(server, prepared, args) for _ in range(args.rounds)]
    return Result(
        name=query.name,
        p50_ms=statistics.median(latencies) * 1000,
        p99_ms=_percentile(latencies, 0.99) * 1000,
        latency_requests=len(latencies),
        floor_ms=floor_s * 1000,
        rss_mb=status_kb(server.pid, "VmHWM") / 1024,
        same_as_floor=same,
        rounds=rounds,
        warmup_requests=warmup,
    )


def bench_pairs(
    queries: list[Query], server: Server, deep_cursor: str, args: argparse.Namespace
) -> list[Paired]:
    """Every pair of `PAIRS` whose two queries are measured, alternated on one connection."""
    by = {q.name: q for q in queries}
    found = []
    for name, baseline, goal in PAIRS:
        if name in by and baseline in by:
            times = asyncio.run(
                alternate(
                    server.port,
                    prepare(server.port, payload_of(by[name], deep_cursor)),
                    prepare(server.port, payload_of(by[baseline], deep_cursor)),
                    args.latency_requests,
                    args.latency_seconds,
                    args.warmup,
                )
            )
            found.append(summarise(name, baseline, goal, times))
    return found


def measure_round(server: Server, prepared: bytes, args: argparse.Namespace) -> Round:
    """One round of the concurrent phase: `--clients` clients for `--duration` seconds, with the
    CPU each server process spent over it (a process that started during the round counts from
    zero; one that ended during it is left out)."""
    before = cpu_by_process(server.pid)
    load = asyncio.run(
        concurrent(server.port, prepared, args.clients, args.duration, args.max_requests)
    )
    after = cpu_by_process(server.pid)
    return Round(
        requests=load.requests,
        seconds=load.seconds,
        process_cpu_s=tuple(cpu - before.get(pid, 0.0) for pid, cpu in after.items()),
        client_cpu_s=load.client_cpu_s,
    )
