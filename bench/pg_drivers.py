"""PostgreSQL drivers side by side: asyncpg and psycopg 3 (async), over one local server.

Three jobs, each the shape of what the gateway's store does:

* ``select``: pooled simple selects (``SELECT $1``-style on a primary key), 8 concurrent tasks over a
  pool of 4 connections, as resolvers of concurrent requests do;
* ``page``: a 100-row page of a 20-column table, ordered by an index, as a run list reads;
* ``insert``: a batched insert of 500 rows in one transaction, as an import writes.

Rounds alternate the drivers (A B A B ...) so drift of a shared machine falls on both; the report
gives each job's median per operation and every round. Run::

    python bench/pg_drivers.py --url postgresql://postgres@127.0.0.1:5432/postgres --rounds 5
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import asyncpg
import psycopg
import psycopg_pool

COLUMNS = 20
TABLE_ROWS = 20_000
SELECTS = 4_000
PAGES = 400
INSERT_BATCH = 500
INSERTS = 10
POOL_SIZE = 4
CONCURRENCY = 8

_COLS = ", ".join(f"c{i} text" for i in range(COLUMNS - 2))
DDL = f"CREATE TABLE bench_runs (id bigint PRIMARY KEY, created bigint NOT NULL, {_COLS})"
INDEX = "CREATE INDEX bench_runs_created ON bench_runs (created, id)"


def _row(i: int) -> tuple[Any, ...]:
    return (i, 1_700_000_000_000_000 + i * 1000, *(f"value {i} {c}" for c in range(COLUMNS - 2)))


def _insert_sql(style: str) -> str:
    names = ", ".join(["id", "created", *(f"c{i}" for i in range(COLUMNS - 2))])
    marks = [f"${n + 1}" if style == "dollar" else "%s" for n in range(COLUMNS)]
    return f"INSERT INTO bench_runs_w ({names}) VALUES ({', '.join(marks)})"


class Asyncpg:
    name = "asyncpg"

    async def open(self, url: str) -> None:
        self.pool = await asyncpg.create_pool(url, min_size=POOL_SIZE, max_size=POOL_SIZE)

    async def close(self) -> None:
        await self.pool.close()

    async def select(self, key: int) -> None:
        async with self.pool.acquire() as conn:
            await conn.fetchrow("SELECT id, created, c0 FROM bench_runs WHERE id = $1", key)

    async def page(self, after: int) -> None:
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                "SELECT * FROM bench_runs WHERE created > $1 ORDER BY created, id LIMIT 100", after
            )
            assert len(rows) == 100

    async def insert(self, rows: list[tuple[Any, ...]]) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.executemany(_insert_sql("dollar"), rows)


class Psycopg:
    name = "psycopg"

    async def open(self, url: str) -> None:
        self.pool = psycopg_pool.AsyncConnectionPool(
            url, min_size=POOL_SIZE, max_size=POOL_SIZE, open=False
        )
        await self.pool.open(wait=True)

    async def close(self) -> None:
        await self.pool.close()

    async def select(self, key: int) -> None:
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                "SELECT id, created, c0 FROM bench_runs WHERE id = %s", (key,), prepare=True
            )
            await cur.fetchone()

    async def page(self, after: int) -> None:
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                "SELECT * FROM bench_runs WHERE created > %s ORDER BY created, id LIMIT 100",
                (after,),
                prepare=True,
            )
            rows = await cur.fetchall()
            assert len(rows) == 100

    async def insert(self, rows: list[tuple[Any, ...]]) -> None:
        async with self.pool.connection() as conn, conn.transaction(), conn.cursor() as cur:
            await cur.executemany(_insert_sql("percent"), rows)


async def _timed(
    count: int, concurrency: int, op: Callable[[int], Awaitable[None]], spread: int
) -> float:
    """Microseconds per operation: ``count`` operations over ``concurrency`` tasks."""
    per_task = count // concurrency

    async def worker(w: int) -> None:
        for i in range(per_task):
            await op((w * 7919 + i * 104729) % spread)

    start = time.perf_counter()
    await asyncio.gather(*(worker(w) for w in range(concurrency)))
    return (time.perf_counter() - start) * 1e6 / (per_task * concurrency)


async def _round(driver: Asyncpg | Psycopg, url: str, base: int) -> dict[str, float]:
    await driver.open(url)
    try:
        select = await _timed(SELECTS, CONCURRENCY, driver.select, TABLE_ROWS)
        last = 1_700_000_000_000_000 + (TABLE_ROWS - 200) * 1000
        page = await _timed(PAGES, CONCURRENCY, lambda i: driver.page(last - i * 1000), 1000)
        batches = [
            [_row(base + b * INSERT_BATCH + i) for i in range(INSERT_BATCH)] for b in range(INSERTS)
        ]
        start = time.perf_counter()
        for batch in batches:
            await driver.insert(batch)
        insert = (time.perf_counter() - start) * 1e6 / INSERTS
        return {"select": select, "page": page, "insert": insert}
    finally:
        await driver.close()


async def main(url: str, rounds: int) -> str:
    dbname = f"bench_drivers_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(url)
    await admin.execute(f'CREATE DATABASE "{dbname}"')
    await admin.close()
    db_url = url.rsplit("/", 1)[0] + "/" + dbname
    try:
        setup = await asyncpg.connect(db_url)
        await setup.execute(DDL)
        await setup.execute(INDEX)
        await setup.execute("CREATE TABLE bench_runs_w (LIKE bench_runs INCLUDING ALL)")
        await setup.copy_records_to_table(
            "bench_runs", records=[_row(i) for i in range(TABLE_ROWS)]
        )
        await setup.execute("ANALYZE")
        await setup.close()
        results: dict[str, dict[str, list[float]]] = {"asyncpg": {}, "psycopg": {}}
        drivers: list[Asyncpg | Psycopg] = [Asyncpg(), Psycopg()]
        for r in range(rounds + 1):  # round 0 warms up both drivers and the server
            for d in drivers if r % 2 == 0 else reversed(drivers):
                got = await _round(d, db_url, (r * 2 + (d.name == "psycopg")) * 10_000_000)
                if r == 0:
                    continue
                for job, us in got.items():
                    results[d.name].setdefault(job, []).append(us)
        return _report(results, rounds)
    finally:
        admin = await asyncpg.connect(url)
        await admin.execute(f'DROP DATABASE IF EXISTS "{dbname}"')
        await admin.close()


def _report(results: dict[str, dict[str, list[float]]], rounds: int) -> str:
    jobs = {
        "select": f"pooled primary-key select ({CONCURRENCY} tasks, pool {POOL_SIZE}), µs/op",
        "page": "100-row page of 20 columns by index, µs/page",
        "insert": f"batched insert of {INSERT_BATCH} rows in a transaction, µs/batch",
    }
    lines = [
        "| job | asyncpg (median) | psycopg 3 async (median) | psycopg / asyncpg |",
        "|---|---|---|---|",
    ]
    for job, label in jobs.items():
        a = statistics.median(results["asyncpg"][job])
        p = statistics.median(results["psycopg"][job])
        lines.append(f"| {label} | {a:,.0f} | {p:,.0f} | {p / a:.2f}x |")
    lines.append("")
    lines.append("Every round (µs):")
    lines.append("")
    for name, jobs_ in results.items():
        for job, values in jobs_.items():
            lines.append(f"- {name} {job}: " + ", ".join(f"{v:,.0f}" for v in values))
    env = (
        f"Python {platform.python_version()}, asyncpg {asyncpg.__version__}, "
        f"psycopg {psycopg.__version__} (binary), {rounds} measured rounds after one warm-up, "
        f"drivers alternated; {TABLE_ROWS:,} rows; PostgreSQL on the same 2-core machine."
    )
    return "\n".join(["## Results", "", env, "", *lines, ""])


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    report = asyncio.run(main(args.url, args.rounds))
    print(report)
    if args.out is not None:
        args.out.write_text(report, encoding="utf-8")
