"""Connections and transactions over one SQLite file (aiosqlite, WAL).

One writer connection behind an asyncio lock serialises every write transaction (SQLite allows one
writer at a time anyway; queueing in-process avoids busy errors). A few reader connections serve
queries concurrently from WAL snapshots. Every statement goes through `Connection`, which counts
statements (tests assert counts per request) and translates driver errors.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from gateway.domain.models import RunEvent
from gateway.odata import sqlite_functions
from gateway.store.errors import translate_errors

Params = Sequence[Any] | Mapping[str, Any]
Row = sqlite3.Row
CommitListener = Callable[[Sequence[RunEvent]], Awaitable[None]]

log = logging.getLogger(__name__)

PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL",  # durable across a process crash in WAL mode
    "PRAGMA foreign_keys = ON",
    "PRAGMA busy_timeout = 5000",
    "PRAGMA temp_store = MEMORY",
    "PRAGMA cache_size = -65536",  # 64 MiB per connection
    "PRAGMA mmap_size = 268435456",  # 256 MiB
)


class StatementCounter:
    """How many SQL statements the store has run, and the last one; tests read them."""

    def __init__(self) -> None:
        self.count = 0
        self.last: tuple[str, Params] = ("", ())

    def add(self, sql: str, params: Params) -> None:
        self.count += 1
        self.last = (sql, params)


class Connection:
    """An aiosqlite connection that counts statements and translates errors."""

    def __init__(self, raw: aiosqlite.Connection, counter: StatementCounter) -> None:
        self._raw = raw
        self._counter = counter

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        self._counter.add(sql, params)
        with translate_errors():
            return list(await self._raw.execute_fetchall(sql, params))

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def fetch_by_id(self, table: str, ids: Sequence[str]) -> dict[str, Row]:
        """The rows of `table` (a name from our own code) with these ids, by id."""
        if not ids:
            return {}
        marks = ", ".join("?" * len(ids))
        rows = await self.fetchall(f"SELECT * FROM {table} WHERE id IN ({marks})", list(ids))
        return {row["id"]: row for row in rows}

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run a statement; return the number of rows it changed."""
        self._counter.add(sql, params)
        with translate_errors():
            cursor = await self._raw.execute(sql, params)
            changed = cursor.rowcount
            await cursor.close()
            return changed

    async def execute_many(self, sql: str, rows: Iterable[Params]) -> None:
        self._counter.add(sql, ())
        with translate_errors():
            await self._raw.executemany(sql, rows)


class Transaction(Connection):
    """The writer connection inside `BEGIN IMMEDIATE … COMMIT`, collecting run events to publish."""

    def __init__(self, raw: aiosqlite.Connection, counter: StatementCounter) -> None:
        super().__init__(raw, counter)
        self.events: list[RunEvent] = []


async def _connect(path: str, *, read_only: bool) -> aiosqlite.Connection:
    with translate_errors():
        raw = await aiosqlite.connect(path, isolation_level=None, cached_statements=256)
        raw.row_factory = sqlite3.Row
        for pragma in PRAGMAS:
            await raw.execute(pragma)
        for name, (arity, function) in sqlite_functions().items():
            await raw.create_function(name, arity, function, deterministic=True)
        if read_only:
            await raw.execute("PRAGMA query_only = ON")
    return raw


class Database:
    """The store's connections: open once at start-up, close at shut-down."""

    def __init__(self, path: str | Path, *, readers: int = 3) -> None:
        self.path = str(path)
        self.statements = StatementCounter()
        self._reader_count = max(1, readers)
        self._writer: aiosqlite.Connection | None = None
        self._readers: asyncio.Queue[aiosqlite.Connection] = asyncio.Queue()
        self._all_readers: list[aiosqlite.Connection] = []
        self._write_lock = asyncio.Lock()
        self._listeners: list[CommitListener] = []

    async def open(self) -> None:
        """Connect, then apply pending migrations."""
        from gateway.store.migrations import migrate

        self._writer = await _connect(self.path, read_only=False)
        await migrate(Connection(self._writer, self.statements))
        for _ in range(self._reader_count):
            reader = await _connect(self.path, read_only=True)
            self._all_readers.append(reader)
            self._readers.put_nowait(reader)

    async def close(self) -> None:
        for reader in self._all_readers:
            await reader.close()
        self._all_readers.clear()
        self._readers = asyncio.Queue()
        if self._writer is not None:
            await self._writer.close()
            self._writer = None

    async def __aenter__(self) -> Database:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def on_commit(self, listener: CommitListener) -> None:
        """Call `listener` with the run events of every transaction, after it commits."""
        self._listeners.append(listener)

    def remove_listener(self, listener: CommitListener) -> None:
        """Stop calling `listener`; a listener not registered is ignored."""
        if listener in self._listeners:
            self._listeners.remove(listener)

    @asynccontextmanager
    async def read(self, counter: StatementCounter | None = None) -> AsyncIterator[Connection]:
        """A reader connection from the pool, for queries; its statements are counted in
        `counter` (default: `statements`)."""
        raw = await self._readers.get()
        try:
            yield Connection(raw, counter or self.statements)
        finally:
            self._readers.put_nowait(raw)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        """One write transaction: committed when the block ends, rolled back if it raises."""
        if self._writer is None:
            raise RuntimeError("The database is not open.")
        async with self._write_lock:
            tx = Transaction(self._writer, self.statements)
            await tx.execute("BEGIN IMMEDIATE")
            try:
                yield tx
            except BaseException:
                with translate_errors():
                    await self._writer.rollback()
                raise
            await tx.execute("COMMIT")
        for listener in list(self._listeners):
            try:
                await listener(tx.events)
            except Exception:  # committed is committed: a listener's failure is only logged
                log.exception("a commit listener failed")
