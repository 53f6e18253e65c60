"""The PostgreSQL migration runner.

The migrations are the one list of `store.migrations` (SQLite's text), each with its PostgreSQL
text under the same file name in `store.postgres.migrations`; a test keeps the two lists equal,
and the runner refuses to start if they are not. Each migration is applied in its own
transaction with its row in `schema_migrations`. A session-level advisory lock makes processes
that open one database at once (several hosts starting together) migrate one at a time: the
others wait, then find every migration applied.

A database that has tables but no `schema_migrations`, or one whose applied migrations have names
this code does not know (another program's, or a newer gateway's), is refused with a one-line
error (`ForeignDatabaseError`), and nothing in it is changed.
"""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from gateway.domain.clock import to_micros, utc_now
from gateway.store.migrations import announce, available, report_applied

__all__ = ["MIGRATION_LOCK", "ForeignDatabaseError", "current_version", "migrate", "pending"]

PACKAGE = "gateway.store.postgres.migrations"
MIGRATION_LOCK = 7262830000  # pg_advisory_lock key: "the gateway migrates this database"
MIGRATION_WAIT_MS = 600_000  # how long a process waits for another one's migration

_TABLE = "schema_migrations"


class ForeignDatabaseError(Exception):
    """The database holds something other than a gateway store (or a newer gateway's)."""


def migrations() -> list[tuple[int, str, str]]:
    """(version, name, PostgreSQL SQL), in the order of the one list; refused if they differ."""
    ours = available(PACKAGE)
    names = [(v, n) for v, n, _ in available()]
    if [(v, n) for v, n, _ in ours] != names:
        missing = sorted(set(names) - {(v, n) for v, n, _ in ours})
        raise RuntimeError(f"PostgreSQL migrations out of step with the list: {missing}")
    return ours


async def _applied(conn: asyncpg.Connection) -> dict[int, str] | None:
    exists = await conn.fetchval("SELECT to_regclass('public.schema_migrations') IS NOT NULL")
    if not exists:
        return None
    rows = await conn.fetch(f"SELECT version, name FROM {_TABLE}")
    return {int(r["version"]): str(r["name"]) for r in rows}


async def current_version(conn: asyncpg.Connection) -> int:
    applied = await _applied(conn)
    return max(applied, default=0) if applied else 0


async def _check_ours(conn: asyncpg.Connection, applied: dict[int, str] | None) -> None:
    if applied is None:
        tables = await conn.fetchval(
            "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()"
        )
        if tables:
            raise ForeignDatabaseError(
                "the database holds tables but no gateway schema; use an empty database"
            )
        return
    known = {v: n for v, n, _ in migrations()}
    for version, name in sorted(applied.items()):
        if known.get(version) != name:
            raise ForeignDatabaseError(
                f"the database has migration {version} '{name}', which this gateway does not"
                " know (another program's database, or a newer gateway's)"
            )


async def pending(conn: asyncpg.Connection) -> Sequence[int]:
    applied = await _applied(conn)
    await _check_ours(conn, applied)
    done = set(applied or ())
    return [v for v, _, _ in migrations() if v not in done]


async def migrate(conn: asyncpg.Connection) -> list[int]:
    """Apply every pending migration (waiting for another process's); return those applied."""
    await conn.execute(f"SET lock_timeout = {MIGRATION_WAIT_MS}")
    await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK)
    try:
        applied = await _applied(conn)
        await _check_ours(conn, applied)
        if applied is None:
            await conn.execute(
                f"CREATE TABLE {_TABLE} (version BIGINT PRIMARY KEY, name TEXT NOT NULL,"
                " applied_at BIGINT NOT NULL)"
            )
            applied = {}
        done: list[int] = []
        for version, name, sql in migrations():
            if version in applied:
                continue
            began = announce(name)
            async with conn.transaction():
                await conn.execute(sql)
                await conn.execute(
                    f"INSERT INTO {_TABLE} (version, name, applied_at) VALUES ($1, $2, $3)",
                    version,
                    name,
                    to_micros(utc_now()),
                )
            report_applied(name, began)
            done.append(version)
        return done
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK)
        await conn.execute("RESET lock_timeout")
