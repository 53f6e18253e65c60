"""The SQLite migration runner: every pending migration of `store.migrations`, each in its own
`BEGIN IMMEDIATE` transaction, safe with several processes opening one file at once."""

from __future__ import annotations

import sqlite3

from gateway.domain.clock import to_micros, utc_now
from gateway.store.migrations import announce, available, report_applied
from gateway.store.protocol import Connection

BUSY_TIMEOUT_MS = 5000  # how long a statement waits for another connection's write lock


async def current_version(conn: Connection) -> int:
    """The highest applied migration, or 0 on an empty database."""
    table = await conn.fetchone(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
    )
    if table is None:
        return 0
    row = await conn.fetchone("SELECT max(version) FROM schema_migrations")
    return int(row[0] or 0) if row else 0


MIGRATION_WAIT_MS = 600_000  # how long a process waits for another one's migration


async def migrate(conn: Connection) -> list[int]:
    """Apply every pending migration; return the versions applied.

    Several processes may open one database at once (`serve --workers N`): each migration is
    applied in a write transaction that first checks it is still pending, and a process waits
    (up to `MIGRATION_WAIT_MS`) while another one applies a long migration (an index over
    millions of runs), then finds it applied."""
    await conn.execute(f"PRAGMA busy_timeout = {MIGRATION_WAIT_MS}")
    try:
        return await _apply(conn)
    finally:
        await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


async def _apply(conn: Connection) -> list[int]:
    await conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations "
        "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT"
    )
    applied = []
    for version, name, sql in available():
        if version <= await current_version(conn):
            continue
        await conn.execute("BEGIN IMMEDIATE")
        if version <= await current_version(conn):  # another process applied it meanwhile
            await conn.execute("ROLLBACK")
            continue
        began = announce(name)
        try:
            for statement in _statements(sql):
                await conn.execute(statement)
            await conn.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                (version, name, to_micros(utc_now())),
            )
            await conn.execute("COMMIT")
        except BaseException:
            await conn.execute("ROLLBACK")
            raise
        report_applied(name, began)
        applied.append(version)
    return applied


def _statements(sql: str) -> list[str]:
    """Split a migration file into statements; a trigger's body keeps its inner `;`."""
    statements: list[str] = []
    buffer = ""
    for line in sql.splitlines():
        if not buffer and line.lstrip().startswith("--"):
            continue
        buffer += line + "\n"
        if line.rstrip().endswith(";") and sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements
