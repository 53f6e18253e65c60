"""PostgreSQL for tests: the server's URL, whether it answers, and databases made and dropped.

`GATEWAY_TEST_STORE=postgres` is the switch that runs the store and API tests on PostgreSQL as well;
with it set, a PostgreSQL that does not answer fails the tests that need it instead of skipping
them. The server is `GATEWAY_TEST_PG_URL` (default: the local development server, trust auth).
Every database a test makes has a unique name (`gwtest_<pid>_<random>`) and is dropped after it.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import functools
import os
import uuid
from collections.abc import Coroutine, Iterator
from typing import Any, TypeVar

import pytest

PG_URL = os.environ.get("GATEWAY_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REQUIRED = os.environ.get("GATEWAY_TEST_STORE", "sqlite").lower() == "postgres"
PREFIX = "gwtest_"
T = TypeVar("T")


def blocking(work: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to its end from plain code, or from inside a test's event loop (in a
    thread of its own then): the helpers below serve sync and async tests alike."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(work)
    with concurrent.futures.ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, work).result()


def url_of(database: str) -> str:
    """The URL of another database on the test server."""
    return PG_URL.rsplit("/", 1)[0] + "/" + database


@functools.cache
def available() -> bool:
    try:
        import asyncpg
    except ImportError:
        return False

    async def ping() -> None:
        conn = await asyncpg.connect(PG_URL, timeout=3)
        await conn.close()

    try:
        asyncio.run(ping())
    except (TimeoutError, OSError, Exception):
        return False
    return True


def need_postgres() -> None:
    """Skip (or, under GATEWAY_TEST_STORE=postgres, fail) when PostgreSQL does not answer."""
    if available():
        return
    if REQUIRED:
        pytest.fail(f"GATEWAY_TEST_STORE=postgres but PostgreSQL does not answer at {PG_URL}")
    pytest.skip("PostgreSQL does not answer (set GATEWAY_TEST_PG_URL)")


def unique_name() -> str:
    return f"{PREFIX}{os.getpid()}_{uuid.uuid4().hex[:10]}"


async def _admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_URL)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def create_database(name: str, template: str | None = None) -> None:
    suffix = f' TEMPLATE "{template}"' if template else ""
    await _admin(f'CREATE DATABASE "{name}"{suffix}')


async def drop_database(name: str) -> None:
    await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def temporary_database(template: str | None = None) -> Iterator[str]:
    """A new empty (or template-cloned) database; yields its URL; dropped after."""
    need_postgres()
    name = unique_name()
    blocking(create_database(name, template))
    try:
        yield url_of(name)
    finally:
        blocking(drop_database(name))


def rows(location: object, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    """Rows of a statement (`?` placeholders) read straight from a test's database, whichever
    engine: a SQLite file path or a PostgreSQL URL. For tests' own checks of what was stored."""
    if isinstance(location, str) and location.startswith("postgresql://"):
        import asyncpg

        from gateway.odata import numbered

        async def read() -> list[tuple[object, ...]]:
            conn = await asyncpg.connect(location)
            try:
                return [tuple(r) for r in await conn.fetch(numbered(sql), *params)]
            finally:
                await conn.close()

        return blocking(read())
    import sqlite3

    with contextlib.closing(sqlite3.connect(str(location))) as conn, conn:  # committed after
        return [tuple(r) for r in conn.execute(sql, params).fetchall()]


def columns(location: object, table: str) -> list[str]:
    """A table's column names in order, whichever engine."""
    if isinstance(location, str) and location.startswith("postgresql://"):
        sql = (
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public'"
            " AND table_name = ? ORDER BY ordinal_position"
        )
        return [str(name) for (name,) in rows(location, sql, (table,))]
    return [str(row[1]) for row in rows(location, f"PRAGMA table_info({table})")]


def made(location: object) -> bool:
    """Whether the gateway made its database at this location: the SQLite file exists, or the
    PostgreSQL database holds the gateway's tables."""
    if isinstance(location, str) and location.startswith("postgresql://"):
        sql = (
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
            " AND table_name = 'schema_migrations'"
        )
        return rows(location, sql) == [(1,)]
    import pathlib

    return pathlib.Path(str(location)).exists()


def remove(location: object) -> None:
    """Undo `made`: delete the SQLite file, or drop every table of the PostgreSQL database."""
    if isinstance(location, str) and location.startswith("postgresql://"):
        import asyncpg

        async def wipe() -> None:
            conn = await asyncpg.connect(location)
            try:
                await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
            finally:
                await conn.close()

        blocking(wipe())
        return
    import pathlib

    pathlib.Path(str(location)).unlink()
