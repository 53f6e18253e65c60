"""One cell of the interleaved rounds: one server, one query, `clients` concurrent clients for a
bounded time, with the CPU the server's processes and its PostgreSQL backends spent over it
(utime + stime from /proc before and after)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import asyncpg
import orjson

from bench.runner.client import RawClient, concurrent, prepare
from bench.runner.server import CLOCK_TICKS, cpu_by_process


class Running(Protocol):
    pid: int
    port: int


@dataclass(frozen=True)
class Cell:
    """One measured cell: a server under one query for one round."""

    server: str
    query: str
    round: int
    requests: int
    seconds: float
    process_cpu_s: float  # the server's processes (the one started and its descendants)
    backend_cpu_s: float  # the PostgreSQL backends of the benchmark's databases
    client_cpu_s: float
    load1: float  # the 1-minute load average when the cell began

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0

    @property
    def cpu_ms(self) -> float:
        """Server CPU per request: its own processes and the PostgreSQL work it caused."""
        return (self.process_cpu_s + self.backend_cpu_s) / max(self.requests, 1) * 1000

    @property
    def process_cpu_ms(self) -> float:
        return self.process_cpu_s / max(self.requests, 1) * 1000

    @property
    def backend_cpu_ms(self) -> float:
        return self.backend_cpu_s / max(self.requests, 1) * 1000


def _cpu_of(pid: int) -> float | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


class Backends:
    """The PostgreSQL server processes that serve client connections to the benchmark's
    databases (pg_stat_activity; not autovacuum), read from /proc: PostgreSQL runs on this
    machine."""

    def __init__(self, conn: asyncpg.Connection | None, databases: list[str]) -> None:
        self.conn = conn
        self.databases = databases

    async def cpu(self) -> dict[int, float]:
        if self.conn is None:
            return {}
        pids = await self.conn.fetch(
            "SELECT pid FROM pg_stat_activity WHERE datname = ANY($1::text[]) "
            "AND backend_type = 'client backend' AND pid <> pg_backend_pid()",
            self.databases,
        )
        found = {}
        for row in pids:
            cpu = _cpu_of(int(row["pid"]))
            if cpu is not None:
                found[int(row["pid"])] = cpu
        return found


async def fetch(port: int, document: str) -> dict[str, object]:
    """One request; the decoded response (it must have no errors)."""
    async with RawClient(port) as client:
        status, body = await client.request(prepare(port, orjson.dumps({"query": document})))
    response = orjson.loads(body)
    if status != 200 or "errors" in response:
        raise RuntimeError(f"HTTP {status}: {body[:300]!r}")
    return dict(response)


async def measure(
    name: str,
    server: Running,
    query: str,
    document: str,
    round_: int,
    backends: Backends,
    *,
    clients: int,
    seconds: float,
    warmup_seconds: float,
    max_requests: int,
) -> Cell:
    prepared = prepare(server.port, orjson.dumps({"query": document}))
    if warmup_seconds > 0:
        await concurrent(server.port, prepared, clients, warmup_seconds, max_requests)
    load1 = os.getloadavg()[0]
    process_before, backends_before = cpu_by_process(server.pid), await backends.cpu()
    load = await concurrent(server.port, prepared, clients, seconds, max_requests)
    process_after, backends_after = cpu_by_process(server.pid), await backends.cpu()
    return Cell(
        server=name,
        query=query,
        round=round_,
        requests=load.requests,
        seconds=load.seconds,
        process_cpu_s=sum(c - process_before.get(p, 0.0) for p, c in process_after.items()),
        backend_cpu_s=sum(c - backends_before.get(p, 0.0) for p, c in backends_after.items()),
        client_cpu_s=load.client_cpu_s,
        load1=load1,
    )


def rotate(items: list[str], by: int) -> list[str]:
    """The order of the servers in round `by`: each round starts one further, so that no server
    always follows the same one."""
    if not items:
        return []
    by %= len(items)
    return items[by:] + items[:by]
