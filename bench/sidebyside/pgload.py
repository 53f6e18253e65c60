"""The generated SQLite data set copied into a PostgreSQL database with the gateway's own schema.

`gateway migrate --database postgresql://...` creates the schema; the rows of `workspaces`,
`processes`, `runs` and `activities` are then copied column by column (both engines' migrations
have the same tables and columns) with COPY. During the copy the secondary indexes of `runs` and
`activities` are dropped and rebuilt after it, and the session runs as a replica (no foreign-key
checks, no per-row triggers) except for the full-text triggers, which are made to fire for the
copy (`ENABLE ALWAYS`) and put back after it; `run_counts` is then computed in one statement,
and `VACUUM ANALYZE` leaves the tables as a long-running database would have them. Bench only:
nothing here changes the product's migrations.

A database that already holds the same number of runs, activities and processes as the file is
kept (``reload=False``), so rounds can be rerun without copying again.
"""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import time
from pathlib import Path
from typing import Any

import asyncpg

from bench.runner.environment import ROOT
from bench.runner.server import _gateway_command

# The statistics summaries (0012, 0016) too: the copy runs with the triggers off, which would fill them.
TABLES = (
    "workspaces",
    "processes",
    "runs",
    "activities",
    "run_rollups",
    "run_daily",
    "run_histograms",
    "run_process_statuses",
)
INDEXED = ("runs", "activities")
SEARCH_TRIGGERS = (("processes", "processes_search_insert"), ("runs", "runs_search_insert"))
CHUNK = 20_000


def database_url(server_url: str, name: str) -> str:
    """`server_url` (any database on the server) with its database replaced by `name`."""
    return server_url.rsplit("/", 1)[0] + "/" + name


def sqlite_counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {t: int(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in TABLES}
    finally:
        conn.close()


async def _pg_counts(url: str) -> dict[str, int] | None:
    try:
        conn = await asyncpg.connect(url)
    except asyncpg.InvalidCatalogNameError:
        return None
    try:
        found = {}
        for table in TABLES:
            try:
                found[table] = int(await conn.fetchval(f"SELECT count(*) FROM {table}"))
            except asyncpg.UndefinedTableError:
                return None
        return found
    finally:
        await conn.close()


async def _recreate(server_url: str, name: str) -> None:
    admin = await asyncpg.connect(server_url)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()


async def _columns(conn: asyncpg.Connection, table: str, sqlite_columns: set[str]) -> list[str]:
    rows = await conn.fetch(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position",
        table,
    )
    return [r["column_name"] for r in rows if r["column_name"] in sqlite_columns]


async def _copy_table(
    conn: asyncpg.Connection, source: sqlite3.Connection, table: str
) -> tuple[int, float]:
    began = time.perf_counter()
    sqlite_columns = {row[1] for row in source.execute(f"PRAGMA table_info({table})")}
    columns = await _columns(conn, table, sqlite_columns)
    cursor = source.execute(f"SELECT {', '.join(columns)} FROM {table}")
    copied = 0
    while True:
        chunk: list[Any] = cursor.fetchmany(CHUNK)
        if not chunk:
            break
        await conn.copy_records_to_table(table, records=chunk, columns=columns)
        copied += len(chunk)
    return copied, time.perf_counter() - began


async def _copy(url: str, sqlite_path: Path) -> dict[str, float]:
    """Copy the rows; the seconds each step took."""
    timings: dict[str, float] = {}
    source = sqlite3.connect(f"file:{sqlite_path}?mode=ro", uri=True)
    conn = await asyncpg.connect(url)
    try:
        indexes = await conn.fetch(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = 'public' "
            "AND i.tablename = ANY($1::text[]) AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
            "WHERE c.conname = i.indexname)",
            list(INDEXED),
        )
        for index in indexes:
            await conn.execute(f'DROP INDEX "{index["indexname"]}"')
        for table, trigger in SEARCH_TRIGGERS:
            await conn.execute(f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER {trigger}")
        await conn.execute("SET session_replication_role = replica")
        async with conn.transaction():
            await conn.execute("DELETE FROM workspaces")  # the migration's default workspace
            for table in TABLES:
                copied, seconds = await _copy_table(conn, source, table)
                timings[f"copy {table} ({copied:,} rows)"] = seconds
                print(f"  copied {copied:,} {table} in {seconds:.1f} s", flush=True)
            began = time.perf_counter()
            await conn.execute("DELETE FROM run_counts")
            await conn.execute(
                "INSERT INTO run_counts (workspace_id, status, runs) "
                "SELECT workspace_id, status, count(*) FROM runs GROUP BY workspace_id, status"
            )
            timings["run_counts"] = time.perf_counter() - began
        await conn.execute("SET session_replication_role = origin")
        for table, trigger in SEARCH_TRIGGERS:
            await conn.execute(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")
        began = time.perf_counter()
        await conn.execute("SET maintenance_work_mem = '256MB'")
        for index in indexes:
            await conn.execute(index["indexdef"])
        timings[f"rebuild {len(indexes)} indexes"] = time.perf_counter() - began
        began = time.perf_counter()
        await conn.execute("VACUUM ANALYZE")
        timings["VACUUM ANALYZE"] = time.perf_counter() - began
    finally:
        await conn.close()
        source.close()
    return timings


def load(sqlite_path: Path, server_url: str, name: str, reload: bool = False) -> dict[str, Any]:
    """Make the database `name` hold the rows of `sqlite_path`; what was done and how long."""
    url = database_url(server_url, name)
    wanted = sqlite_counts(sqlite_path)
    if not reload and asyncio.run(_pg_counts(url)) == wanted:
        print(f"{name} already holds the same rows: kept", flush=True)
        return {"url": url, "kept": True, "counts": wanted, "timings": {}}
    began = time.perf_counter()
    asyncio.run(_recreate(server_url, name))
    subprocess.run(
        [*_gateway_command(), "migrate", "--database", url],
        check=True,
        cwd=ROOT,
        timeout=300,
        capture_output=True,
    )
    timings = {"gateway migrate": time.perf_counter() - began}
    timings.update(asyncio.run(_copy(url, sqlite_path)))
    got = asyncio.run(_pg_counts(url))
    if got != wanted:
        raise RuntimeError(f"copied {got}, expected {wanted}")
    timings["total"] = time.perf_counter() - began
    return {"url": url, "kept": False, "counts": wanted, "timings": timings}


async def database_size(url: str) -> int:
    conn = await asyncpg.connect(url)
    try:
        return int(await conn.fetchval("SELECT pg_database_size(current_database())"))
    finally:
        await conn.close()
