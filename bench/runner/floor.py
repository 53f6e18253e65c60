"""The floor: the server's result computed in this process with the stdlib `sqlite3` and `orjson`
(the store's SQL, rows turned into the response's dicts, `orjson.dumps`), and the comparison of
the floor's output with the server's response."""

from __future__ import annotations

import asyncio
import sqlite3
import statistics
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from gateway.domain.aggregates import DurationSummary, RunAggregate, RunGroupKey, TimeInterval
from gateway.domain.auth import ALL_WORKSPACES
from gateway.domain.paging import DEFAULT_PAGE_SIZE, PageRequest
from gateway.store import activities as store_activities
from gateway.store import paging
from gateway.store import processes as store_processes
from gateway.store import runs as store_runs
from gateway.store import statistics as store_statistics
from gateway.store.catalogs import RUNS
from gateway.store.paging import build_query

from .capture import ByIds, same, store_sql
from .queries import STATISTICS_PERCENTILES, Floor

# --- the floor's SQL: captured from the store itself (see Recorder), so it is always the same
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
        self.activity_pages: dict[tuple[str, ...], ByIds] = {}
        self.activity_counts = ByIds(store_activities.count_by_run)
        self.processes = ByIds(store_processes.get_many)
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
                "statistics": _aggregate_json(g.aggregate, failure_rate=True),
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
                self.main[spec] = store_sql(lambda rec: store_runs.count(rec, query))
            else:
                after = self.deep_cursor if spec.after_deep_cursor else None
                request = PageRequest.from_arguments(first=100, after=after)
                self.main[spec] = store_sql(
                    lambda rec: paging.fetch_page(
                        rec,
                        table=store_runs.TABLE,
                        query=query,
                        page=request,
                        convert=same,
                        columns=spec.run_columns,
                    )
                )
        return self.main[spec]

    def activities_sql(self, spec: Floor) -> ByIds:
        """The activities statement (per number of runs), with the fast path's select list."""
        columns = spec.activity_columns
        if columns not in self.activity_pages:
            self.activity_pages[columns] = ByIds(
                lambda rec, ids: paging.fetch_pages_by_parent(
                    rec,
                    table=store_activities.TABLE,
                    parent_column="a.run_id",
                    parent_ids=ids,
                    query=store_activities.IN_RUN_ORDER,
                    page=self.activity_page,
                    convert=same,
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


def same_result(server: dict[str, Any], floor: dict[str, Any]) -> bool:
    """Equal, ignoring the order of keys and the spelling of times with fractional seconds."""
    return bool(_normal(server) == _normal(floor))


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
