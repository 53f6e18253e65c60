"""Benchmark the real server against a floor measured in the same run.

    python bench/run.py --database bench/data/bench.db [--duration 10] [--clients 8]

Starts `gateway serve` on 127.0.0.1 (a free port, the rate limit off, default settings otherwise),
waits for `/readyz`, then for every query in `QUERIES`:

1. latency with one client: sequential requests (at most `--latency-requests`, at most
   `--latency-seconds`), median and p99;
2. throughput with `--clients` concurrent clients for `--duration` seconds (and at most
   `--max-requests`), with the server's CPU seconds (utime + stime from /proc/<pid>/stat) over the
   phase divided by the requests completed;
3. the floor: the same result computed in this process with the stdlib `sqlite3` and `orjson` (the
   same SQL the store runs, rows turned into the response's dicts, `orjson.dumps`), median over
   repeats; the floor's output is compared with the server's response.

The load client is a minimal HTTP/1.1 keep-alive client on asyncio streams (one connection per
client), so that as little CPU as possible goes to the client on a 2-core machine.
Writes `bench/results/YYYY-MM-DD-<label>.md` and prints the same table.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from importlib import metadata
from pathlib import Path
from typing import Any

import httpx2
import orjson

from gateway.api.fastpath import FastPath
from gateway.api.schema import schema
from gateway.domain.aggregates import DurationSummary, RunAggregate, RunGroupKey, TimeInterval
from gateway.domain.auth import ALL_WORKSPACES
from gateway.domain.paging import DEFAULT_PAGE_SIZE, PageRequest, encode_cursor
from gateway.store import activities as store_activities
from gateway.store import paging
from gateway.store import processes as store_processes
from gateway.store import runs as store_runs
from gateway.store import statistics as store_statistics
from gateway.store.catalogs import RUNS
from gateway.store.database import Connection as StoreConnection
from gateway.store.paging import build_query

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PACKAGES = ("strawberry-graphql", "graphql-core", "aiosqlite", "starlette", "uvicorn", "orjson")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
LOAD_AT_START: list[float] = [0.0, 0.0, 0.0]

# --- the floor's SQL: captured from the store itself (see _Recorder), so it is always the same
# SQL the server runs; only the reader connections' settings are copied here.

PRAGMAS = (  # gateway/store/database.py, for a reader
    "PRAGMA busy_timeout = 5000",
    "PRAGMA temp_store = MEMORY",
    "PRAGMA cache_size = -65536",
    "PRAGMA mmap_size = 268435456",
    "PRAGMA query_only = ON",
)
DEFAULT_ACTIVITY_PAGE = DEFAULT_PAGE_SIZE
INLINE_PROCESS_NAME = "_f_process_displayName"  # the fast path's label for process/displayName

RUN_TYPES = {
    "INDUSTRY_DATA": "IndustryDataRun",
    "DATA_FACTORY": "DataFactoryRun",
    "DATABRICKS": "DatabricksRun",
    "DATAZONE": "DataZoneRun",
    "GATEWAY": "GatewayRun",
}
ACTIVITY_TYPES = {
    "INBOUND_FLOW": "InboundFlowActivity",
    "OUTBOUND_FLOW": "OutboundFlowActivity",
    "DATA_FACTORY_ACTIVITY": "DataFactoryActivityRun",
    "DATABRICKS_TASK": "DatabricksTask",
    "DATAZONE_ASSET": "DataZoneAssetActivity",
    "GATEWAY_ACTIVITY": "GatewayActivity",
}
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _time(micros: int | None) -> datetime | None:
    """An aware UTC datetime; orjson writes it as ISO 8601 with `Z` (`OPT_UTC_Z`), as the API."""
    if micros is None:
        return None
    return EPOCH + timedelta(microseconds=micros)


# --- the queries ----------------------------------------------------------------------------

RUN_FIELDS = (
    "id __typename status sourceStatus displayName createdDateTime startDateTime endDateTime "
    "durations { totalMs }"
)
ACTIVITY_FIELDS = "id __typename key status sourceStatus startDateTime endDateTime"
FLAT = f"{{ runs(first: 100) {{ nodes {{ {RUN_FIELDS} }} }} }}"
NESTED = (
    f"{{ runs(first: 100) {{ nodes {{ {RUN_FIELDS} "
    f"activities {{ nodes {{ {ACTIVITY_FIELDS} }} }} }} }} }}"
)
NESTED_DEEP = (
    f"{{ runs(first: 100) {{ nodes {{ {RUN_FIELDS} process {{ displayName }} "
    "statistics { processed errors warnings } "
    f"activities {{ totalCount nodes {{ {ACTIVITY_FIELDS} }} }} }} }} }}"
)
COUNT = "{ runs { totalCount } }"
FAILED = "status eq 'FAILED'"
COUNT_FAILED = f"{{ runs(filter: {orjson.dumps(FAILED).decode()}) {{ totalCount }} }}"
FLAT_FAILED = FLAT.replace(
    "runs(first: 100)", f"runs(first: 100, filter: {orjson.dumps(FAILED).decode()})"
)
RECENT = "startDateTime ge 2026-10-01T00:00:00Z and startDateTime lt 2026-10-08T00:00:00Z"
BY_START = "startDateTime desc"
FLAT_RECENT = FLAT.replace(
    "runs(first: 100)", f"runs(first: 100, filter: {orjson.dumps(RECENT).decode()})"
)
FLAT_BY_START = FLAT.replace(
    "runs(first: 100)", f"runs(first: 100, orderBy: {orjson.dumps(BY_START).decode()})"
)
FLAT_AFTER = (
    f"query DeepPage($after: String) {{ runs(first: 100, after: $after) "
    f"{{ nodes {{ {RUN_FIELDS} }} }} }}"
)
STATISTICS_PERCENTILES = ("p50", "p90", "p99")
STATISTICS = (
    "{ runStatistics(groupBy: [SOURCE], interval: WEEK) { "
    "totals { count successRate duration { p50 p90 p99 } queueTime { p50 p90 p99 } } "
    "groups { key { source bucketStart } statistics { count successRate failureRate "
    "duration { p50 p90 p99 } queueTime { p50 p90 p99 } } } } }"
)


@dataclass(frozen=True)
class Floor:
    """What the floor computes: the runs page (with `where`), or only the count; and what hangs
    off each run."""

    count_only: bool = False
    filter: str | None = None  # the `filter` argument, compiled by the gateway's own compiler
    order_by: str | None = None  # the `orderBy` argument, likewise
    after_deep_cursor: bool = False
    # The select lists of the server's fast path for this document (empty: every column).
    run_columns: tuple[str, ...] = ()
    activity_columns: tuple[str, ...] = ()
    activities: bool = False
    activity_count: bool = False
    process: bool = False
    statistics: bool = False
    grouped_statistics: bool = False  # runStatistics by source and week, without recoveries


@dataclass(frozen=True)
class Query:
    name: str
    document: str
    floor: Floor
    deep_cursor: bool = False  # pass the deep cursor as `$after`


QUERIES: list[Query] = [
    Query("flat-100", FLAT, Floor()),
    Query("nested-100", NESTED, Floor(activities=True)),
    Query(
        "nested-deep",
        NESTED_DEEP,
        Floor(activities=True, activity_count=True, process=True, statistics=True),
    ),
    Query("count", COUNT, Floor(count_only=True)),
    Query("deep-page", FLAT_AFTER, Floor(after_deep_cursor=True), deep_cursor=True),
    # The status filter (the query language): one line per query.
    Query("count-failed", COUNT_FAILED, Floor(count_only=True, filter=FAILED)),
    Query("flat-100-failed", FLAT_FAILED, Floor(filter=FAILED)),
    Query("flat-100-week", FLAT_RECENT, Floor(filter=RECENT)),
    Query("flat-100-by-start", FLAT_BY_START, Floor(order_by=BY_START)),
    # Run statistics across runs: percentiles per source and week over every run.
    Query("grouped-statistics", STATISTICS, Floor(grouped_statistics=True)),
]


# --- the floor --------------------------------------------------------------------------------


class _Recorder:
    """Stands in for the store's connection: records every statement, returns no rows."""

    def __init__(self) -> None:
        self.statements: list[tuple[str, list[Any]]] = []

    async def fetchall(self, sql: str, params: Any = ()) -> list[Any]:
        self.statements.append((sql, list(params)))
        return []

    async def fetch_tuples(self, sql: str, params: Any = ()) -> list[Any]:
        return await self.fetchall(sql, params)

    async def fetchone(self, sql: str, params: Any = ()) -> Any:
        await self.fetchall(sql, params)
        return None

    async def fetch_by_id(self, table: str, ids: Any) -> dict[str, Any]:
        await StoreConnection.fetch_by_id(self, table, ids)  # type: ignore[arg-type]
        return {}


class _Rows:
    """Stands in for the store's connection over stdlib sqlite3: the store's statements, as the
    server runs them, with no event loop thread between."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    async def fetchall(self, sql: str, params: Any = ()) -> list[Any]:
        return self.conn.execute(sql, params).fetchall()

    async def fetchone(self, sql: str, params: Any = ()) -> Any:
        return self.conn.execute(sql, params).fetchone()


def _aggregate_json(a: RunAggregate, *, failure_rate: bool) -> dict[str, Any]:
    def durations(d: DurationSummary) -> dict[str, Any]:
        return {p: getattr(d, p) for p in STATISTICS_PERCENTILES}

    found = {"count": a.count, "successRate": a.success_rate}
    if failure_rate:
        found["failureRate"] = a.failure_rate
    return {**found, "duration": durations(a.duration), "queueTime": durations(a.queue)}


def _store_sql(call: Any) -> tuple[str, list[Any]]:
    """The one statement a store function runs (given a `_Recorder`)."""
    recorder = _Recorder()
    asyncio.run(call(recorder))
    if len(recorder.statements) != 1:
        raise RuntimeError(f"expected one statement, got {recorder.statements}")
    return recorder.statements[0]


class _ByIds:
    """A store statement over a list of ids, captured once per list length, ids filled in later."""

    def __init__(self, call: Any) -> None:
        self.call = call  # (recorder, ids) -> awaitable
        self.cache: dict[int, tuple[str, list[Any]]] = {}

    def bind(self, ids: list[str]) -> tuple[str, list[Any]]:
        n = len(ids)
        if n not in self.cache:
            marks = [f"\x00{i}" for i in range(n)]
            sql, params = _store_sql(lambda rec: self.call(rec, marks))
            slots = {m: i for i, m in enumerate(marks)}
            self.cache[n] = (sql, [("id", slots[p]) if p in slots else ("v", p) for p in params])
        sql, template = self.cache[n]
        return sql, [ids[v] if kind == "id" else v for kind, v in template]


def _same(row: Any) -> Any:
    return row


def with_fast_path_columns(query: Query) -> Query:
    """The query with the floor narrowed to the columns the server's fast path selects, so the
    floor runs the server's SQL (unchanged when the fast path does not cover the document)."""
    plan = FastPath(schema).plan(query.document, None)
    if plan is None:
        return query
    ((_, _, runs),) = plan.roots
    activities = [
        child.layout.columns
        for _, kind, objects in runs.parts
        if kind == "nodes"
        for _, child, _ in objects.relations
    ]
    floor = replace(
        query.floor,
        run_columns=runs.layout.columns,
        activity_columns=activities[0] if activities else (),
    )
    return replace(query, floor=floor)


def _columns(cursor: sqlite3.Cursor) -> dict[str, int]:
    """Column name to position; the first of a name wins (as `sqlite3.Row` does)."""
    found: dict[str, int] = {}
    for i, d in enumerate(cursor.description):
        found.setdefault(d[0], i)
    return found


class FloorRunner:
    def __init__(self, path: str, deep_cursor: str) -> None:
        self.path = path
        self.conn = sqlite3.connect(path, isolation_level=None)
        for pragma in PRAGMAS:
            self.conn.execute(pragma)
        self.deep_cursor = deep_cursor
        self.activity_page = PageRequest.from_arguments()
        self.activity_pages: dict[tuple[str, ...], _ByIds] = {}
        self.activity_counts = _ByIds(store_activities.count_by_run)
        self.processes = _ByIds(store_processes.get_many)
        self.main: dict[Floor, tuple[str, list[Any]]] = {}

    def close(self) -> None:
        self.conn.close()

    def grouped_statistics(self) -> bytes:
        """The store's report (its statements and its Python), encoded with orjson."""
        rows = sqlite3.connect(self.path, isolation_level=None)
        rows.row_factory = sqlite3.Row
        for pragma in PRAGMAS:
            rows.execute(pragma)
        query = build_query(RUNS, store_runs.NEWEST_FIRST, workspaces=ALL_WORKSPACES)
        report = asyncio.run(
            store_statistics.report(
                _Rows(rows),  # type: ignore[arg-type]
                query,
                [RunGroupKey.SOURCE],
                TimeInterval.WEEK,
                with_recoveries=False,
            )
        )
        rows.close()
        groups = [
            {
                "key": {"source": g.key.source.value if g.key.source else None,
                        "bucketStart": g.key.bucket_start},
                "statistics": _aggregate_json(g.statistics, failure_rate=True),
            }
            for g in report.groups
        ]  # fmt: skip
        totals = _aggregate_json(report.totals, failure_rate=False)
        data = {"runStatistics": {"totals": totals, "groups": groups}}
        return orjson.dumps({"data": data}, option=orjson.OPT_UTC_Z)

    def main_sql(self, spec: Floor) -> tuple[str, list[Any]]:
        """The runs statement: the count, or the page (100, after the deep cursor if asked)."""
        if spec not in self.main:
            query = build_query(
                RUNS,
                store_runs.NEWEST_FIRST,
                workspaces=ALL_WORKSPACES,
                filter=spec.filter,
                order_by=spec.order_by,
            )
            if spec.count_only:
                self.main[spec] = _store_sql(lambda rec: store_runs.count(rec, query))
            else:
                after = self.deep_cursor if spec.after_deep_cursor else None
                request = PageRequest.from_arguments(first=100, after=after)
                self.main[spec] = _store_sql(
                    lambda rec: paging.fetch_page(
                        rec,
                        table=store_runs.TABLE,
                        query=query,
                        page=request,
                        convert=_same,
                        columns=spec.run_columns,
                    )
                )
        return self.main[spec]

    def activities_sql(self, spec: Floor) -> _ByIds:
        """The activities statement (per number of runs), with the fast path's select list."""
        columns = spec.activity_columns
        if columns not in self.activity_pages:
            self.activity_pages[columns] = _ByIds(
                lambda rec, ids: paging.fetch_pages_by_parent(
                    rec,
                    table=store_activities.TABLE,
                    parent_column="a.run_id",
                    parent_ids=ids,
                    query=store_activities.IN_RUN_ORDER,
                    page=self.activity_page,
                    convert=_same,
                    columns=columns,
                )
            )
        return self.activity_pages[columns]

    def compute(self, spec: Floor) -> bytes:
        """The response, from plain tuple rows (column positions read once per statement)."""
        if spec.grouped_statistics:
            return self.grouped_statistics()
        conn = self.conn
        sql, params = self.main_sql(spec)
        if spec.count_only:
            total = conn.execute(sql, params).fetchone()[0]
            return orjson.dumps({"data": {"runs": {"totalCount": total}}})
        cursor = conn.execute(sql, params)
        c = _columns(cursor)
        rows = cursor.fetchall()[:100]
        i_id, i_source, i_status, i_source_status = (
            c["id"], c["source"], c["status"], c["source_status"],
        )  # fmt: skip
        i_name, i_created, i_started, i_ended, i_total = (
            c["display_name"], c["created_at"], c["started_at"], c["ended_at"], c["total_ms"],
        )  # fmt: skip
        nodes = [
            {
                "id": r[i_id],
                "__typename": RUN_TYPES[r[i_source]],
                "status": r[i_status],
                "sourceStatus": r[i_source_status],
                "displayName": r[i_name],
                "createdDateTime": _time(r[i_created]),
                "startDateTime": _time(r[i_started]),
                "endDateTime": _time(r[i_ended]),
                "durations": {"totalMs": r[i_total]},
            }
            for r in rows
        ]
        if spec.process and INLINE_PROCESS_NAME in c:  # the runs statement has the names
            i_name = c[INLINE_PROCESS_NAME]
            for node, r in zip(nodes, rows, strict=True):
                node["process"] = {"displayName": r[i_name]}
        elif spec.process:
            i_process = c["process_id"]
            ids = list(dict.fromkeys(r[i_process] for r in rows))
            cursor = conn.execute(*self.processes.bind(ids))
            p = _columns(cursor)
            names = {row[p["id"]]: row[p["display_name"]] for row in cursor}
            for node, r in zip(nodes, rows, strict=True):
                node["process"] = {"displayName": names[r[i_process]]}
        if spec.statistics:
            i_processed, i_errors, i_warnings = (
                c["stat_processed"], c["stat_errors"], c["stat_warnings"],
            )  # fmt: skip
            for node, r in zip(nodes, rows, strict=True):
                node["statistics"] = {
                    "processed": r[i_processed],
                    "errors": r[i_errors],
                    "warnings": r[i_warnings],
                }
        if spec.activities or spec.activity_count:
            run_ids = [r[i_id] for r in rows]
            counts: dict[str, int] = {}
            if spec.activity_count:
                counts = dict.fromkeys(run_ids, 0)
                counts.update(conn.execute(*self.activity_counts.bind(run_ids)).fetchall())
            pages: dict[str, list[dict[str, Any]]] = {run_id: [] for run_id in run_ids}
            if spec.activities:
                cursor = conn.execute(*self.activities_sql(spec).bind(run_ids))
                a = _columns(cursor)
                a_parent, a_id, a_kind, a_key, a_status, a_source_status, a_start, a_end = (
                    a["_parent"], a["id"], a["kind"], a["key"], a["status"],
                    a["source_status"], a["started_at"], a["ended_at"],
                )  # fmt: skip
                for row in cursor:
                    page = pages[row[a_parent]]
                    if len(page) < DEFAULT_ACTIVITY_PAGE:
                        page.append(
                            {
                                "id": row[a_id],
                                "__typename": ACTIVITY_TYPES[row[a_kind]],
                                "key": row[a_key],
                                "status": row[a_status],
                                "sourceStatus": row[a_source_status],
                                "startDateTime": _time(row[a_start]),
                                "endDateTime": _time(row[a_end]),
                            }
                        )
            for node in nodes:
                connection: dict[str, Any] = {}
                if spec.activity_count:
                    connection["totalCount"] = counts[node["id"]]
                if spec.activities:
                    connection["nodes"] = pages[node["id"]]
                node["activities"] = connection
        return orjson.dumps({"data": {"runs": {"nodes": nodes}}}, option=orjson.OPT_UTC_Z)

    def measure(self, spec: Floor, seconds: float, max_repeats: int) -> tuple[float, bytes]:
        """Median seconds per computation, and the last result."""
        result = self.compute(spec)  # warm
        times: list[float] = []
        deadline = time.perf_counter() + seconds
        while len(times) < max_repeats and (len(times) < 5 or time.perf_counter() < deadline):
            began = time.perf_counter()
            result = self.compute(spec)
            times.append(time.perf_counter() - began)
        return statistics.median(times), result


def _same_result(server: dict[str, Any], floor: dict[str, Any]) -> bool:
    """Equal, ignoring the order of keys and the spelling of times with fractional seconds."""
    return _normal(server) == _normal(floor)


def _normal(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _normal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normal(v) for v in value]
    if isinstance(value, str) and len(value) >= 20 and value[10:11] == "T" and value[-1] == "Z":
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    return value


# --- the server -------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _gateway_command() -> list[str]:
    script = Path(sys.executable).parent / "gateway"
    return [str(script)] if script.exists() else [sys.executable, "-m", "gateway"]


def _stat(pid: int) -> list[str]:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return stat[stat.rindex(")") + 2 :].split()


def _tree(pid: int) -> list[int]:
    """The server and its descendants (uvicorn's workers under `--workers N`)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError):
                parents[int(entry.name)] = int(_stat(int(entry.name))[1])
    found, frontier = [pid], [pid]
    while frontier:
        children = [child for child, parent in parents.items() if parent in frontier]
        found.extend(children)
        frontier = children
    return found


def _cpu_seconds(pid: int) -> float:
    """utime + stime of the server and its workers."""
    total = 0
    for each in _tree(pid):
        with contextlib.suppress(OSError):
            fields = _stat(each)
            total += int(fields[11]) + int(fields[12])
    return total / CLOCK_TICKS


def _status_kb(pid: int, key: str) -> int:
    """The largest value of a /proc status line over the server and its workers."""
    largest = 0
    for each in _tree(pid):
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{each}/status").read_text().splitlines():
                if line.startswith(key + ":"):
                    largest = max(largest, int(line.split()[1]))
    return largest


class Server:
    def __init__(self, database: Path, log: Path, workers: int = 1) -> None:
        self.port = _free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("GATEWAY_")}
        # Default settings, but for the per-address rate limit (every client here is 127.0.0.1)
        # and the scheduler (a due schedule would add runs while the floor reads the same data).
        env["GATEWAY_RATE_LIMIT"] = "0"
        env["GATEWAY_SCHEDULER"] = "false"
        # A grouped report scans all 1,000,000 runs in one statement: about 5 s on 2 cores, at
        # the default limit on one statement; the benchmark measures it rather than the limit.
        env["GATEWAY_STATEMENT_TIMEOUT_MS"] = "60000"
        self.log = log.open("wb")
        self.process = subprocess.Popen(
            [
                *_gateway_command(),
                "serve",
                "--database",
                str(database),
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--workers",
                str(workers),
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=ROOT,
        )
        self.pid = self.process.pid
        self.url = f"http://127.0.0.1:{self.port}"

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        with httpx2.Client(timeout=2.0) as client:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"the server exited with {self.process.returncode}")
                try:
                    if client.get(f"{self.url}/readyz").status_code == 200:
                        return
                except httpx2.HTTPError:
                    pass
                time.sleep(0.1)
        raise RuntimeError("the server did not become ready in time")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.kill(self.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.kill(self.pid, signal.SIGKILL)
                self.process.wait(timeout=15)
        self.log.close()


# --- the load client --------------------------------------------------------------------------


class RawClient:
    """One keep-alive HTTP/1.1 connection that POSTs a prepared request and reads the reply."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def __aenter__(self) -> RawClient:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(ConnectionError):
                await self.writer.wait_closed()

    async def request(self, prepared: bytes) -> tuple[int, bytes]:
        assert self.reader is not None and self.writer is not None
        self.writer.write(prepared)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = -1
        chunked = False
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding" and b"chunked" in value.lower():
                chunked = True
        if length >= 0:
            return status, await self.reader.readexactly(length)
        if not chunked:
            raise RuntimeError("a response with neither Content-Length nor chunked encoding")
        body = bytearray()
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            chunk = await self.reader.readexactly(size + 2)
            if size == 0:
                return status, bytes(body)
            body += chunk[:-2]


def prepare(port: int, payload: bytes) -> bytes:
    return (
        f"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Content-Type: application/json\r\nAccept: application/json\r\n"
        f"Content-Length: {len(payload)}\r\n\r\n"
    ).encode() + payload


async def sequential(port: int, prepared: bytes, count: int, seconds: float) -> list[float]:
    times: list[float] = []
    async with RawClient(port) as client:
        deadline = time.perf_counter() + seconds
        while len(times) < count and time.perf_counter() < deadline:
            began = time.perf_counter()
            status, _ = await client.request(prepared)
            times.append(time.perf_counter() - began)
            if status != 200:
                raise RuntimeError(f"HTTP {status}")
    return times


async def concurrent(
    port: int, prepared: bytes, clients: int, seconds: float, max_requests: int
) -> tuple[int, float]:
    done = 0
    failed = 0
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal done, failed
        async with RawClient(port) as client:
            while done < max_requests and time.perf_counter() < deadline:
                status, _ = await client.request(prepared)
                done += 1
                if status != 200:
                    failed += 1

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    elapsed = time.perf_counter() - began
    if failed:
        raise RuntimeError(f"{failed} of {done} requests failed")
    return done, elapsed


# --- one query --------------------------------------------------------------------------------


@dataclass
class Result:
    name: str
    p50_ms: float
    p99_ms: float
    latency_requests: int
    rps: float
    concurrent_requests: int
    cpu_ms: float
    floor_ms: float
    rss_mb: float
    same_as_floor: bool
    notes: list[str] = field(default_factory=list)

    @property
    def cpu_ratio(self) -> float:
        return self.cpu_ms / self.floor_ms

    @property
    def p50_ratio(self) -> float:
        return self.p50_ms / self.floor_ms


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def bench_query(
    query: Query,
    server: Server,
    floor: FloorRunner,
    deep_cursor: str,
    args: argparse.Namespace,
) -> Result:
    variables = {"after": deep_cursor} if query.deep_cursor else None
    payload = orjson.dumps({"query": query.document, "variables": variables})
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
    same = _same_result(
        {k: v for k, v in body.items() if k != "extensions"}, orjson.loads(floor_bytes)
    )

    asyncio.run(sequential(server.port, prepared, args.warmup, args.latency_seconds))
    latencies = asyncio.run(
        sequential(server.port, prepared, args.latency_requests, args.latency_seconds)
    )
    cpu_before = _cpu_seconds(server.pid)
    done, elapsed = asyncio.run(
        concurrent(server.port, prepared, args.clients, args.duration, args.max_requests)
    )
    cpu = _cpu_seconds(server.pid) - cpu_before
    return Result(
        name=query.name,
        p50_ms=statistics.median(latencies) * 1000,
        p99_ms=_percentile(latencies, 0.99) * 1000,
        latency_requests=len(latencies),
        rps=done / elapsed,
        concurrent_requests=done,
        cpu_ms=cpu / done * 1000,
        floor_ms=floor_s * 1000,
        rss_mb=_status_kb(server.pid, "VmHWM") / 1024,
        same_as_floor=same,
    )


# --- the report -------------------------------------------------------------------------------


def _machine() -> dict[str, str]:
    model = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    memory = "?"
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            memory = f"{int(line.split()[1]) / 2**20:.1f} GiB"
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return {
        "nproc": str(os.cpu_count()),
        "cpu": model,
        "memory": memory,
        "python": platform.python_version(),
        "packages": ", ".join(f"{k} {v}" for k, v in versions.items()),
        "kernel": platform.release(),
    }


def _git(*args: str) -> str:
    git = shutil.which("git")
    if git is None:
        return "unknown"
    try:
        out = subprocess.run(
            [git, *args], cwd=ROOT, capture_output=True, text=True, check=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return out.stdout.strip()


def table(results: list[Result]) -> str:
    lines = [
        "| query | p50 ms | p99 ms | req/s (8 clients) | server CPU ms/req | floor ms "
        "| CPU/floor | p50/floor | peak RSS MB | same result as floor |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.name} | {r.p50_ms:.2f} | {r.p99_ms:.2f} | {r.rps:.0f} | {r.cpu_ms:.2f} "
            f"| {r.floor_ms:.3f} | {r.cpu_ratio:.1f}x | {r.p50_ratio:.1f}x | {r.rss_mb:.0f} "
            f"| {'yes' if r.same_as_floor else 'NO'} |"
        )
    return "\n".join(lines).replace("req/s (8 clients)", "req/s (clients)")


def goals(results: list[Result], clients: int) -> list[str]:
    by = {r.name: r for r in results}
    out = []

    def line(text: str, ok: bool | None) -> None:
        mark = "n/a" if ok is None else ("met" if ok else "NOT met")
        out.append(f"- {text}: **{mark}**")

    if "nested-100" in by:
        r = by["nested-100"]
        line(f"nested-100 server CPU within 3x of the floor: {r.cpu_ratio:.1f}x", r.cpu_ratio <= 3)
        line(
            f"nested-100 at least 1.5x PostGraphile v5's 160 req/s (240) at 8 clients: "
            f"{r.rps:.0f} req/s at {clients} clients (PostGraphile figure from another harness)",
            r.rps >= 240,
        )
    for name, target in (("flat-100", 569), ("count", 601)):
        if name in by:
            r = by[name]
            line(
                f"{name} at least PostGraphile v5's {target} req/s: {r.rps:.0f} req/s "
                f"(PostGraphile figure from another harness)",
                r.rps >= target,
            )
    if "deep-page" in by and "flat-100" in by:
        deep, first = by["deep-page"], by["flat-100"]
        ratio = deep.p50_ms / first.p50_ms
        line(
            f"a page 10,000 deep within 1.5x of the first page: p50 {ratio:.2f}x, "
            f"CPU/request {deep.cpu_ms / first.cpu_ms:.2f}x, floor {deep.floor_ms / first.floor_ms:.2f}x",
            ratio <= 1.5,
        )
    if "flat-100-failed" in by and "flat-100" in by:
        filtered, plain = by["flat-100-failed"], by["flat-100"]
        ratio = filtered.p50_ms / plain.p50_ms
        line(
            f"status-filtered list within 1.5x of the unfiltered list: p50 {ratio:.2f}x, "
            f"CPU/request {filtered.cpu_ms / plain.cpu_ms:.2f}x, "
            f"floor {filtered.floor_ms / plain.floor_ms:.2f}x",
            ratio <= 1.5,
        )
    else:
        line("status-filtered list within 1.5x of the unfiltered list (needs `filter`)", None)
    return out


def report(
    results: list[Result],
    args: argparse.Namespace,
    dataset: dict[str, Any],
    deep: dict[str, Any],
    started: datetime,
    wall: float,
) -> str:
    machine = _machine()
    commit = _git("rev-parse", "--short", "HEAD")
    dirty = bool(_git("status", "--porcelain", "--untracked-files=no"))
    parts = [
        f"# Benchmark {started:%Y-%m-%d %H:%M} UTC, commit {commit}{' (dirty tree)' if dirty else ''}",
        "",
        table(results),
        "",
        "## Goals",
        "",
        *goals(results, args.clients),
        "",
        "## Set-up",
        "",
        f"- command: `python bench/run.py {' '.join(sys.argv[1:])}`",
        f"- machine: {machine['nproc']} CPUs, {machine['cpu']}, {machine['memory']} RAM, "
        f"Linux {machine['kernel']}",
        f"- Python {machine['python']}; {machine['packages']}",
        f"- commit: {commit}{' with uncommitted changes to tracked files' if dirty else ''}",
        f"- data set: {dataset['runs']:,} runs, {dataset['activities']:,} activities, "
        f"{dataset['processes']} processes, {dataset['workspaces']} workspaces; "
        f"{dataset['size_gib']:.2f} GiB (`{args.database}`)",
        f"- server: `gateway serve --workers {args.workers}` on 127.0.0.1 "
        f"({os.environ.get('GATEWAY_READERS', '3')} readers per worker), CPU of the server's "
        "processes from /proc; peak RSS of the largest; default settings (access log on) but "
        "for `GATEWAY_RATE_LIMIT=0` (every client is 127.0.0.1) `GATEWAY_SCHEDULER=false` and `GATEWAY_STATEMENT_TIMEOUT_MS=60000`",
        f"- latency: 1 client, up to {args.latency_requests} sequential requests or "
        f"{args.latency_seconds:g} s after {args.warmup} warm-up requests; throughput: "
        f"{args.clients} clients for {args.duration:g} s (at most {args.max_requests} requests), "
        "one keep-alive connection each (asyncio HTTP/1.1 client in one process on the same machine)",
        f"- floor: stdlib sqlite3 {sqlite3.sqlite_version} + orjson in-process, the server's SQL (the store's statements with the fast path's select lists), "
        f"median of repeats over {args.floor_seconds:g} s",
        f"- deep page: cursor of the row at offset {deep['offset']:,} of the default order "
        f"({deep['pages']:,} pages of 100 deep)",
        f"- wall time of the benchmark: {wall:.0f} s; load average (1 min) at the start "
        f"{LOAD_AT_START[0]:.2f}, at the end {os.getloadavg()[0]:.2f} (other work on the "
        "machine takes CPU from the server, the client and the floor alike)",
        "",
        "## Requests measured",
        "",
        "| query | latency requests | concurrent requests |",
        "|---|---:|---:|",
        *(f"| {r.name} | {r.latency_requests} | {r.concurrent_requests} |" for r in results),
        "",
        "## Queries",
        "",
        *(f"- {q.name}: `{q.document}`" for q in QUERIES if q.name in {r.name for r in results}),
        "",
    ]
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", type=Path, default=Path("bench/data/bench.db"))
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of concurrent load")
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
    if not args.database.exists():
        print(f"{args.database} does not exist; run bench/generate.py first.", file=sys.stderr)
        return 2
    wanted = set(args.queries.split(",")) if args.queries else None
    queries = [with_fast_path_columns(q) for q in QUERIES if wanted is None or q.name in wanted]
    started = datetime.now(UTC)
    LOAD_AT_START[:] = os.getloadavg()
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
    with tempfile.TemporaryDirectory() as tmp:
        server = Server(args.database, Path(tmp) / "server.log", args.workers)
        try:
            server.wait_ready()
            for query in queries:
                result = bench_query(query, server, floor, deep_cursor, args)
                results.append(result)
                print(
                    f"{result.name}: p50 {result.p50_ms:.2f} ms, {result.rps:.0f} req/s, "
                    f"CPU {result.cpu_ms:.2f} ms/req, floor {result.floor_ms:.3f} ms",
                    flush=True,
                )
        except BaseException:
            log = (Path(tmp) / "server.log").read_text(errors="replace")
            print("server log (tail):\n" + log[-3000:], file=sys.stderr)
            raise
        finally:
            server.stop()
            floor.close()

    text = report(results, args, dataset, deep, started, time.perf_counter() - wall_began)
    print()
    print(text)
    if not args.no_write:
        RESULTS.mkdir(parents=True, exist_ok=True)
        label = args.label or _git("rev-parse", "--short", "HEAD")
        out = RESULTS / f"{started:%Y-%m-%d}-{label}.md"
        out.write_text(text)
        print(f"wrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
